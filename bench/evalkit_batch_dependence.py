"""Do greedy outputs depend on the batch size? Per dtype, the same prompts generated at several
batch sizes (batches formed as `evalkit.generate` forms them), compared item by item, with each
run's CPU time (one torch thread; `time.process_time`, so a loaded machine changes it little).

    python bench/evalkit_batch_dependence.py --data CLEAN --adapter RUN [--limit 16] \
        [--systems zero-shot] [--dtypes float32,bfloat16] [--batch-sizes 1,4,8,16]
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> None:
    import torch

    from evalkit import loaders
    from evalkit.generate import GenerationParams, generate
    from evalkit.runner import RunConfig, adapter_switch, build_systems, stratified_sample

    args = argparse.ArgumentParser()
    args.add_argument("--data", type=Path, required=True)
    args.add_argument("--adapter", type=Path, required=True)
    args.add_argument("--docs", type=Path)
    args.add_argument("--limit", type=int, default=16)
    args.add_argument("--systems", default="zero-shot")
    args.add_argument("--dtypes", default="float32,bfloat16")
    args.add_argument("--batch-sizes", default="1,4,8,16")
    args.add_argument("--max-new-tokens", type=int, default=48)
    opts = args.parse_args()
    torch.set_num_threads(1)
    config = RunConfig(data=opts.data, out=Path("/dev/null"), adapter=opts.adapter, k=2,
                       docs=opts.docs, limit=opts.limit)
    items, train, labels = loaders.load_items(config.data)
    items = stratified_sample(items, config.limit, config.seed)
    card = loaders.load_train_card(config.adapter)
    systems = build_systems(config, opts.systems.split(","), train, card, labels)
    sizes = [int(b) for b in opts.batch_sizes.split(",")]
    params = GenerationParams(max_new_tokens=opts.max_new_tokens)
    print(f"{len(items)} items, {opts.max_new_tokens} new tokens, 1 thread, CPU seconds\n")
    print("| dtype | system | " + " | ".join(f"batch {b}: same as batch {sizes[0]} (CPU s)" for b in sizes) + " |")
    print("|---|---|" + "---|" * len(sizes))
    for dtype in opts.dtypes.split(","):
        model, tokenizer, _ = loaders.load(card.base_model.name, config.adapter, dtype)
        for system in systems:
            prompts = [system.prompt(item, tokenizer) for item in items]
            cells, first = [], None
            with adapter_switch(model, system.uses_adapter):
                for size in sizes:
                    started = time.process_time()
                    outputs = [g.output for g in generate(model, tokenizer, prompts, params,
                                                          identity={}, batch_size=size)]
                    spent = time.process_time() - started
                    first = first or outputs
                    same = sum(a == b for a, b in zip(outputs, first))
                    cells.append(f"{same}/{len(items)} ({spent:.1f})")
            print(f"| {dtype} | {system.name} | " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()
