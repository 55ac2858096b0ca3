"""Decode-step cost with transformers' DynamicCache (evalkit.decode's) against a StaticCache, and
optionally the StaticCache forward under torch.compile: the same prefilled batch, the same greedy
steps, CPU time of one thread, alternated A/B/A/B; and whether the greedy tokens stay identical.

    python bench/evalkit_decode_cache.py --data CLEAN --adapter RUN --docs DOCS \
        [--system rag] [--rows 8] [--steps 24] [--repeats 2] [--compile]
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def decode(model, ids, mask, steps: int, cache, forward):
    """Prefill, then `steps` greedy steps; (tokens per row, CPU s of the steps only)."""
    import torch

    positions = (mask.cumsum(-1) - 1).masked_fill(mask == 0, 0)
    with torch.inference_mode():
        last = model(input_ids=ids, attention_mask=mask, position_ids=positions, cache=cache,
                     use_cache=True, logits_to_keep=1).logits[:, -1, :]
        out, position, started = [], positions[:, -1:], time.process_time()
        for _ in range(steps):
            chosen = last.argmax(dim=-1)
            out.append(chosen.tolist())
            mask = torch.cat([mask, mask.new_ones((mask.shape[0], 1))], dim=1)
            position = position + 1
            last = forward(input_ids=chosen.unsqueeze(1), attention_mask=mask, position_ids=position,
                           cache=cache, use_cache=True, logits_to_keep=1).logits[:, -1, :]
        spent = time.process_time() - started
    return [list(row) for row in zip(*out)], spent


def main() -> None:
    import torch
    from transformers import DynamicCache, StaticCache

    from evalkit import loaders
    from evalkit.decode import _left_pad
    from evalkit.generate import _pad_id, encode_prompts
    from evalkit.runner import RunConfig, build_systems, stratified_sample

    args = argparse.ArgumentParser()
    args.add_argument("--data", type=Path, required=True)
    args.add_argument("--adapter", type=Path, required=True)
    args.add_argument("--docs", type=Path)
    args.add_argument("--system", default="rag")
    args.add_argument("--rows", type=int, default=8)
    args.add_argument("--steps", type=int, default=24)
    args.add_argument("--repeats", type=int, default=2)
    args.add_argument("--dtype", default="bfloat16")
    args.add_argument("--compile", action="store_true")
    opts = args.parse_args()
    torch.set_num_threads(1)
    config = RunConfig(data=opts.data, out=Path("/dev/null"), adapter=opts.adapter, k=2, docs=opts.docs,
                       limit=opts.rows)
    items, train, labels = loaders.load_items(config.data)
    items = stratified_sample(items, opts.rows, 0)
    card = loaders.load_train_card(config.adapter)
    [system] = build_systems(config, [opts.system], train, card, labels)
    model, tokenizer, _ = loaders.load(card.base_model.name, None, opts.dtype)
    ids, mask = _left_pad(encode_prompts(tokenizer, [system.prompt(i, tokenizer) for i in items]),
                          _pad_id(tokenizer), model.device)
    width = ids.shape[1] + opts.steps + 1
    kinds = {"dynamic": (lambda: DynamicCache(config=model.config), model),
             "static": (lambda: StaticCache(config=model.config, max_cache_len=width), model)}
    if opts.compile:
        compiled = torch.compile(model)
        kinds["static+compile"] = (lambda: StaticCache(config=model.config, max_cache_len=width), compiled)
        started = time.process_time()
        decode(model, ids, mask, 2, kinds["static+compile"][0](), compiled)
        print(f"compile (first 2 steps): {time.process_time() - started:.1f} CPU s")
    print(f"{opts.system}: {len(items)} rows, prompt width {ids.shape[1]}, {opts.steps} steps, "
          f"{opts.dtype}, 1 thread, CPU ms per decode step")
    tokens, times = {}, {k: [] for k in kinds}
    for _ in range(opts.repeats):
        for kind, (new_cache, forward) in kinds.items():
            tokens[kind], spent = decode(model, ids, mask, opts.steps, new_cache(), forward)
            times[kind].append(1000 * spent / opts.steps)
    for kind in kinds:
        same = sum(a == b for a, b in zip(tokens[kind], tokens["dynamic"]))
        print(f"| {kind} | {' / '.join(f'{t:.0f}' for t in times[kind])} | rows identical to dynamic: "
              f"{same}/{len(items)} |")


if __name__ == "__main__":
    main()
