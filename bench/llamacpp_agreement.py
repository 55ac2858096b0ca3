"""llama.cpp (the base GGUF + the adapter converted by tunecraft.gguf_lora) against evalkit's
transformers backend, item by item: identical greedy outputs, the shared token prefix, and CPU
time per system, on the demo's four systems.

    python bench/llamacpp_agreement.py --data CLEAN --adapter RUN [--limit 16] [--threads 1] \
        [--dtype bfloat16] [--systems fine-tuned] [--out agreement.json]

Both backends get the same prompt token ids (evalkit's encoding) and decode greedily to the same
end tokens and limit; outputs are cut and cleaned by the same `generate._finish`. The base GGUF is
the quantised (Q4_1) file the transformers weights were dequantised from, so the weights agree;
llama.cpp's kernels also quantise activations (Q8) in its dot products, which transformers does not.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def llama_tokens(llm, prompt: list[int], limit: int, ends: set[int]) -> list[int]:
    """Greedy continuation with no repetition penalty (llama-cpp-python's default is 1.1)."""
    out = []
    for token in llm.generate(prompt, top_k=1, top_p=1.0, min_p=0.0, temp=0.0, repeat_penalty=1.0):
        out.append(token)
        if token in ends or len(out) >= limit:
            break
    return out


def shared_prefix(a: list[int], b: list[int]) -> int:
    return next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))


def main() -> None:
    import torch
    from llama_cpp import Llama

    from evalkit import loaders
    from evalkit.decode import greedy
    from evalkit.generate import _finish, _pad_id, encode_prompts, end_token_ids
    from evalkit.runner import RunConfig, adapter_switch, build_systems, stratified_sample
    from tunecraft.gguf_lora import convert
    from tunecraft.models import local_folder, resolve

    args = argparse.ArgumentParser()
    args.add_argument("--data", type=Path, required=True)
    args.add_argument("--adapter", type=Path, required=True)
    args.add_argument("--docs", type=Path, default=Path(__file__).resolve().parents[1]
                      / "examples/support-desk/help-centre")
    args.add_argument("--limit", type=int, default=16)
    args.add_argument("--max-new-tokens", type=int, default=80)
    args.add_argument("--threads", type=int, default=1)
    args.add_argument("--dtype", default="bfloat16")
    args.add_argument("--systems", default="zero-shot,few-shot,rag,fine-tuned")
    args.add_argument("--out", type=Path)
    opts = args.parse_args()
    torch.set_num_threads(opts.threads)

    config = RunConfig(data=opts.data, out=Path("/dev/null"), adapter=opts.adapter, k=2,
                       docs=opts.docs, limit=opts.limit, dtype=opts.dtype)
    items, train, _ = loaders.load_items(config.data)
    items = stratified_sample(items, config.limit, config.seed)
    card = loaders.load_train_card(config.adapter)
    systems = build_systems(config, opts.systems.split(","), train, card)
    model, tokenizer, _ = loaders.load(card.base_model.name, config.adapter, config.dtype)
    ends = end_token_ids(model, tokenizer)
    base_config = json.loads((Path(local_folder(resolve(card.base_model.name))) / "config.json").read_text())
    lora = convert(loaders.adapter_dir(opts.adapter), Path(opts.out or "agreement.json").with_suffix(".lora.gguf"),
                   base_config)
    gguf_file = card.base_model.weights_file
    common = dict(n_ctx=2048, n_threads=opts.threads, n_batch=512, verbose=False, seed=0)
    engines = {False: Llama(gguf_file, **common), True: Llama(gguf_file, lora_path=str(lora), **common)}

    print(f"{len(items)} items, {opts.threads} thread(s), transformers {opts.dtype} vs llama.cpp "
          f"{Path(gguf_file).name} + {lora.name}\n")
    print("| system | identical outputs | mean shared prefix (tokens) | transformers CPU s | llama.cpp CPU s | speed-up |")
    print("|---|---|---|---|---|---|")
    report = {}
    for system in systems:
        prompts = encode_prompts(tokenizer, [system.prompt(item, tokenizer) for item in items])
        started = time.process_time()
        with adapter_switch(model, system.uses_adapter):
            ours = []
            for start in range(0, len(prompts), 8):
                decoded, _ = greedy(model, prompts[start:start + 8], opts.max_new_tokens, ends,
                                    _pad_id(tokenizer))
                ours += [d.tokens for d in decoded]
        hf_s = time.process_time() - started
        engine = engines[system.uses_adapter]
        started = time.process_time()
        theirs = [llama_tokens(engine, p, opts.max_new_tokens, ends) for p in prompts]
        cpp_s = time.process_time() - started
        texts = [(_finish(tokenizer, a, ends, (), 0, 0).output, _finish(tokenizer, b, ends, (), 0, 0).output)
                 for a, b in zip(ours, theirs)]
        same = sum(a == b for a, b in texts)
        prefix = sum(shared_prefix(a, b) for a, b in zip(ours, theirs)) / len(items)
        report[system.name] = {"identical": same, "items": len(items), "mean_shared_prefix": prefix,
                               "transformers_cpu_s": hf_s, "llama_cpp_cpu_s": cpp_s, "outputs": texts}
        print(f"| {system.name} | {same}/{len(items)} | {prefix:.1f} | {hf_s:.1f} | {cpp_s:.1f} "
              f"| {hf_s / cpp_s:.1f}× |", flush=True)
    if opts.out:
        opts.out.write_text(json.dumps(report, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
