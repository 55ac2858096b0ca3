"""Training memory per option: the demo's training (SmolLM2-135M, batch 8, its curated
support-desk splits) with gradient checkpointing and packing on or off, at max_len 256 (the demo)
and 384 (where issue 18 measured 10.8 GB). Each run is a fresh process; its peak RSS is the card's
`peak_memory_mb` (getrusage maxrss of the process: model, data, activations, everything). The
loss curves are printed too: checkpointing and packing must not change them.

    .venv/bin/python bench/train_memory.py --data examples/support-desk/clean --steps 4
    .venv/bin/python bench/train_memory.py --max-len 384 --options neither checkpointing
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OPTIONS = {
    "neither": ["--gradient-checkpointing", "off"],
    "checkpointing": ["--gradient-checkpointing", "on"],
    "packing": ["--gradient-checkpointing", "off", "--packing"],
    "both": ["--gradient-checkpointing", "on", "--packing"],
}


def run(data: str, out: Path, steps: int, max_len: int, batch: int, val_limit: int,
        flags: list[str]) -> dict:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    subprocess.run([sys.executable, "-m", "train.cli", "lora", "--data", data, "--out", str(out),
                    "--model", "smollm2-135m", "--max-steps", str(steps), "--eval-every",
                    str(steps), "--val-limit", str(val_limit), "--max-len", str(max_len), "--batch-size",
                    str(batch), "--force", "--quiet", *flags], check=True, env=env,
                   stdout=subprocess.DEVNULL)
    card = json.loads((out / "run.json").read_text())
    return {"peak_mb": card["peak_memory_mb"], "tokens_per_s": card["tokens_per_s"]["all"],
            "train": [round(p["loss"], 4) for p in card["history"]["train"]],
            "validation": [round(p["loss"], 4) for p in card["history"]["validation"]]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(ROOT / "examples" / "support-desk" / "clean"))
    parser.add_argument("--out", default="/tmp/tunecraft-train-memory")
    parser.add_argument("--steps", type=int, default=4)
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--val-limit", type=int, default=48)
    parser.add_argument("--max-len", type=int, nargs="+", default=[256, 384])
    parser.add_argument("--options", nargs="+", default=list(OPTIONS))
    args = parser.parse_args()
    print("| max_len | option | peak RSS (MB) | tokens/s | train loss per step | validation |")
    print("|---|---|---|---|---|---|")
    for max_len in args.max_len:
        for name in args.options:
            r = run(args.data, Path(args.out) / f"{name}-{max_len}", args.steps, max_len,
                    args.batch, args.val_limit, OPTIONS[name])
            print(f"| {max_len} | {name} | {r['peak_mb']:.0f} | {r['tokens_per_s']:.0f} | "
                  f"{r['train']} | {r['validation']} |", flush=True)


if __name__ == "__main__":
    main()
