"""Where one demo-sized `evalkit run` spends its time: prefill, decode, likelihood, padding waste.

Builds the demo's four systems exactly as `evalkit run` does, then for each system times the
model's forward calls inside generation (prefill = the call that reads the prompt, decode = the
one-token calls after it) and the likelihood pass, and counts the token slots spent on padding
(prefill: pad columns; decode: rows that already ended but still ride along in their batch).
Wall time not inside a forward call is generation's own Python loop (logits processing, stopping
criteria, tokenizing, decoding). Where generation scores the reference from the prompt's KV cache,
that forward counts as prefill and the likelihood column is only what was left to score apart.

    python bench/evalkit_profile.py --data CLEAN --adapter RUN [--limit 16] [--max-new-tokens 80]
    python bench/evalkit_profile.py ... --cprofile 25      # also print cProfile's top 25 by tottime
    python bench/evalkit_profile.py ... --clock cpu --threads 1 --dump outputs.json

`--clock cpu` times with the process's CPU time: with one thread, what the work costs whatever
else the machine runs (wall times on a shared machine swing more than the effects measured).
`--dump` writes each system's outputs and reference NLLs, to check two versions agree.
"""
from __future__ import annotations

import argparse
import cProfile
import inspect
import json
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


CLOCK = time.perf_counter


class ForwardClock:
    """Times every forward of the base causal LM, split by prompt (prefill) vs one-token steps."""

    def __init__(self, model):
        self.base = model.get_base_model() if hasattr(model, "get_base_model") else model
        self.inner = type(self.base).forward
        self.reset()

    def reset(self):
        self.prefill = self.decode = 0.0
        self.steps = self.calls = 0

    def __enter__(self):
        clock = self

        def timed(module, *args, **kwargs):
            started = CLOCK()
            out = clock.inner(module, *args, **kwargs)
            spent = CLOCK() - started
            ids = kwargs.get("input_ids")
            if ids is not None and ids.shape[1] == 1:
                clock.decode += spent
                clock.steps += 1
            else:
                clock.prefill += spent
            clock.calls += 1
            return out

        type(self.base).forward = timed
        return self

    def __exit__(self, *exc):
        type(self.base).forward = self.inner


def padding(tokenizer, prompts, gens, batch_size):
    """(prefill pad share, decode pad share) for batches formed as `generate` forms them."""
    from evalkit.generate import token_counts

    lengths = token_counts(tokenizer, prompts)
    order = sorted(range(len(prompts)), key=lambda i: (lengths[i], i))   # as generate sorts
    real = slots = dec_real = dec_slots = 0
    for start in range(0, len(order), batch_size):
        batch = order[start:start + batch_size]
        real += sum(lengths[i] for i in batch)
        slots += max(lengths[i] for i in batch) * len(batch)
        done = [gens[i].completion_tokens for i in batch]
        dec_real += sum(done)
        dec_slots += max(done) * len(batch)
    return 1 - real / slots, 1 - dec_real / max(dec_slots, 1), sum(lengths) / len(lengths)


def fused(generate, items) -> dict:
    """Scoring references during generation, where this version of evalkit can."""
    if "references" in inspect.signature(generate).parameters:
        return {"references": [item.reference for item in items]}
    return {}


def main() -> None:
    import torch

    from evalkit import loaders
    from evalkit.generate import GenerationParams, generate, warm_up
    from evalkit.likelihood import conditional_nll
    from evalkit.runner import RunConfig, adapter_switch, build_systems, stratified_sample

    global CLOCK

    args = argparse.ArgumentParser()
    args.add_argument("--data", type=Path, required=True)
    args.add_argument("--adapter", type=Path, required=True)
    args.add_argument("--docs", type=Path, default=Path(__file__).resolve().parents[1]
                      / "examples/support-desk/help-centre")
    args.add_argument("--limit", type=int, default=16)
    args.add_argument("--max-new-tokens", type=int, default=80)
    args.add_argument("--batch-size", type=int, default=8)
    args.add_argument("--dtype", default="bfloat16")
    args.add_argument("--cprofile", type=int, default=0)
    args.add_argument("--clock", choices=("wall", "cpu"), default="wall")
    args.add_argument("--threads", type=int, default=0, help="torch threads (0: torch's default)")
    args.add_argument("--dump", type=Path, help="write each system's outputs and NLLs here (JSON)")
    opts = args.parse_args()
    CLOCK = time.process_time if opts.clock == "cpu" else time.perf_counter
    if opts.threads:
        torch.set_num_threads(opts.threads)

    config = RunConfig(data=opts.data, out=Path("/dev/null"), adapter=opts.adapter, k=2,
                       docs=opts.docs, limit=opts.limit, dtype=opts.dtype)
    items, train, _ = loaders.load_items(config.data)
    items = stratified_sample(items, config.limit, config.seed)
    card = loaders.load_train_card(config.adapter)
    systems = build_systems(config, ["zero-shot", "few-shot", "rag", "fine-tuned"], train, card)
    model, tokenizer, _ = loaders.load(card.base_model.name, config.adapter, config.dtype)
    params = GenerationParams(max_new_tokens=opts.max_new_tokens)
    clock = ForwardClock(model)
    profiler = cProfile.Profile() if opts.cprofile else None
    print(f"torch threads {torch.get_num_threads()}, {len(items)} items, batch {opts.batch_size}, "
          f"{opts.dtype}, {opts.max_new_tokens} new tokens, {opts.clock} clock\n")
    print("| system | prompt tok (mean) | generate s | prefill s | decode s (steps) | loop overhead s "
          "| likelihood s | prefill pad | decode pad |")
    print("|---|---|---|---|---|---|---|---|---|")
    total, dumped = 0.0, {}
    for system in systems:
        prompts = [system.prompt(item, tokenizer) for item in items]
        with adapter_switch(model, system.uses_adapter):
            warm_up(model, tokenizer, prompts[0])
            clock.reset()
            if profiler:
                profiler.enable()
            with clock:
                started = CLOCK()
                gens = generate(model, tokenizer, prompts, params, identity={},
                                batch_size=opts.batch_size, **fused(generate, items))
                gen_s = CLOCK() - started
            prefill, decode, steps = clock.prefill, clock.decode, clock.steps
            started = CLOCK()
            left = [(p, it.reference) for p, it, g in zip(prompts, items, gens)
                    if getattr(g, "nll", None) is None]
            rest = iter(conditional_nll(model, tokenizer, left, batch_size=opts.batch_size))
            dumped[system.name] = [[g.output, (g.nll if g.nll is not None else next(rest)).nll]
                                   for g in gens]
            nll_s = CLOCK() - started
            if profiler:
                profiler.disable()
        pad_pre, pad_dec, mean_len = padding(tokenizer, prompts, gens, opts.batch_size)
        total += gen_s + nll_s
        print(f"| {system.name} | {mean_len:.0f} | {gen_s:.1f} | {prefill:.1f} | {decode:.1f} ({steps}) "
              f"| {gen_s - prefill - decode:.1f} | {nll_s:.1f} | {pad_pre:.0%} | {pad_dec:.0%} |",
              flush=True)
    print(f"\ntotal generate + likelihood: {total:.1f} s")
    if opts.dump:
        opts.dump.write_text(json.dumps(dumped, ensure_ascii=False, indent=1))
    if profiler:
        pstats.Stats(profiler).sort_stats("tottime").print_stats(opts.cprofile)


if __name__ == "__main__":
    main()
