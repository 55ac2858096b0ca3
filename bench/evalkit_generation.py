"""evalkit's model side on SmolLM2-135M-Instruct on this CPU: generation items/s (batch size, dtype)
and conditional-NLL items/s, on short support-desk prompts (zero-shot) and k=3 few-shot prompts.

    .venv/bin/python bench/evalkit_generation.py [--items 16] [--max-new-tokens 32]

Prints a markdown table; no cache is used (every number is a real generation).
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

QUESTIONS = [
    "How can I reset the PIN for UPI?", "मेरा खाता बंद है, मदद करें।", "Block my debit card please.",
    "Recharge fail ho gaya, paisa wapas chahiye.", "Why was my card charged twice?",
    "What is the balance of my savings account?", "Mera OTP nahi aa raha hai.",
    "How do I close a <div> tag in the help page editor?",
]


def prompts(tokenizer, n: int, few_shot: bool) -> list[str]:
    from _evalkit_util import TRAIN
    from tunecraft.records import Record
    from evalkit.systems import EvalItem, FewShot, ZeroShot

    train = [Record(f"t:{i}", [{"role": "user", "content": q}, {"role": "assistant", "content": a}])
             for i, (q, a, _) in enumerate(TRAIN)]
    system = FewShot(train, k=3) if few_shot else ZeroShot()
    items = [EvalItem(f"q:{i}", [{"role": "user", "content": QUESTIONS[i % len(QUESTIONS)]}], "x")
             for i in range(n)]
    return [system.prompt(item, tokenizer) for item in items]


def main() -> None:
    import torch

    from evalkit.generate import GenerationParams, generate
    from evalkit.likelihood import conditional_nll
    from tunecraft.models import load_model

    args = argparse.ArgumentParser()
    args.add_argument("--items", type=int, default=16)
    args.add_argument("--max-new-tokens", type=int, default=32)
    opts = args.parse_args()
    print(f"torch threads: {torch.get_num_threads()}\n")
    print("| dtype | prompts | batch | generation items/s | new tokens/s | NLL items/s |")
    print("|---|---|---|---|---|---|")
    for dtype in (torch.float32, torch.bfloat16):
        model, tokenizer = load_model("smollm2-135m", dtype=dtype)
        for few_shot in (False, True):
            texts = prompts(tokenizer, opts.items, few_shot)
            for batch in (1, 8):
                started = time.perf_counter()
                gens = generate(model, tokenizer, texts, GenerationParams(max_new_tokens=opts.max_new_tokens),
                                identity={}, batch_size=batch)
                gen_s = time.perf_counter() - started
                started = time.perf_counter()
                conditional_nll(model, tokenizer, [(t, "Go to settings and choose Reset PIN.") for t in texts],
                                batch_size=batch)
                nll_s = time.perf_counter() - started
                tokens = sum(g.completion_tokens for g in gens)
                print(f"| {str(dtype).removeprefix('torch.')} | {'few-shot k=3' if few_shot else 'zero-shot'} "
                      f"| {batch} | {len(texts) / gen_s:.2f} | {tokens / gen_s:.1f} | {len(texts) / nll_s:.2f} |",
                      flush=True)


if __name__ == "__main__":
    main()
