"""The demo's training, measured: padding waste of its batches, and `train lora` runs with the
output head on every position instead of at label positions only (the A/B of train/loss.py).

    python bench/demo_training.py padding --data examples/support-desk/clean
    python bench/demo_training.py run --data examples/support-desk/clean --out /tmp/r1 \
        [--full-logits] [--no-frozen-cache] -- --max-steps 16 --batch-size 4 --lr 1e-3 --max-len 256 --val-limit 8

`run` trains with `train lora`'s own loop and flags (after `--`); OUT/run/run.json is its card
(peak memory, tokens/s, losses, and each validation's `fall_se`).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def padding(args) -> None:
    """Tokens computed per epoch: padded batches (the loop's length-grouped schedule) vs packed."""
    from tunecraft.models import load_tokenizer
    from train.data import batch_schedule, encode, read_split
    from train.packing import pack

    tokenizer = load_tokenizer(args.model)
    train = encode(read_split(args.data, "train"), tokenizer, "chat", args.max_len).examples
    lengths = [len(e.input_ids) for e in train]
    real = sum(lengths)
    print(f"{len(train)} examples, {real} real tokens, completion "
          f"{sum(len(e.input_ids) - e.n_prompt for e in train)}")
    print("| batch | padded tokens | waste | packed tokens | waste | widest batch (padded) |")
    print("|---:|---:|---:|---:|---:|---:|")
    for batch in args.batch:
        schedule = batch_schedule(lengths, batch, 0, 0)
        padded = sum(len(b) * max(lengths[i] for i in b) for b in schedule)
        packed = 0
        for b in schedule:
            rows = pack([train[i] for i in b], args.max_len)
            packed += len(rows) * max(sum(len(e.input_ids) for e in r) for r in rows)
        widest = max(len(b) * max(lengths[i] for i in b) for b in schedule)
        print(f"| {batch} | {padded} | {1 - real / padded:.1%} | {packed} | "
              f"{1 - real / packed:.1%} | {widest} |")


def run(args) -> None:
    """`train lora`, optionally with the head applied at every position."""
    from train import loop
    from train.cli import app

    if args.full_logits:
        loop.completion_loss = full_logits_loss
    if args.no_frozen_cache:          # the A/B of train/frozen_prefix.py: frozen blocks every step
        from train import frozen_prefix

        frozen_prefix.MAX_BYTES = 0
    sys.argv = ["train", "lora", "--data", args.data, "--out", str(Path(args.out) / "run"),
                "--force", *args.train_args]
    try:
        app()
    except SystemExit as exit_:
        if exit_.code:
            raise


def full_logits_loss(model, batch):
    """The A/B reference: logits for every position (what a plain `model(...).logits` loss does)."""
    import torch
    import torch.nn.functional as F

    logits = model(input_ids=batch["input_ids"], attention_mask=batch.get("attention_mask"),
                   position_ids=batch.get("position_ids"), use_cache=False).logits
    targets = batch["labels"][:, 1:]
    with torch.autocast(logits.device.type, enabled=False):
        loss = F.cross_entropy(logits[:, :-1].float().flatten(0, 1), targets.flatten(),
                               ignore_index=-100, reduction="sum")
    return loss, int((targets != -100).sum())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("padding")
    p.add_argument("--data", required=True)
    p.add_argument("--model", default="smollm2-135m")
    p.add_argument("--max-len", type=int, default=256)
    p.add_argument("--batch", type=int, nargs="+", default=[4, 8])
    r = sub.add_parser("run")
    r.add_argument("--data", required=True)
    r.add_argument("--out", required=True)
    r.add_argument("--full-logits", action="store_true", help="the head on every position (A/B)")
    r.add_argument("--no-frozen-cache", action="store_true",
                   help="run the blocks below --lora-layers at every step (A/B)")
    r.add_argument("train_args", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    if getattr(args, "train_args", None) and args.train_args[0] == "--":
        args.train_args = args.train_args[1:]
    {"padding": padding, "run": run}[args.cmd](args)


if __name__ == "__main__":
    main()
