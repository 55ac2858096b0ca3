"""The demo's training, measured: padding waste of its batches, and whole training runs whose
validation losses are kept per example (so the noise of "the loss still fell" can be estimated).

    python bench/demo_training.py padding --data examples/support-desk/clean
    python bench/demo_training.py run --data examples/support-desk/clean --out /tmp/r1 -- \\
        --epochs 2 --batch-size 4 --lr 1e-3 --max-len 256 --val-limit 48 --eval-every 13

`run` trains with `train lora`'s own loop (any of its flags after `--`), and writes
OUT/per_example.jsonl: at each evaluation, every validation example's summed loss and its
number of completion tokens. `noise` reads that file back: for each pair of evaluations the
token-weighted fall of the loss and its paired standard error over the examples.
"""
from __future__ import annotations

import argparse
import json
import math
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
    """`train lora` with evaluate() wrapped to also write each example's loss."""
    from train import loop
    from train.cli import app

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    log = open(out / "per_example.jsonl", "w", encoding="utf-8")
    plain = loop.evaluate
    state = {"n": 0}

    def evaluate(model, examples, batch_size, pad_id, autocast, rows=None):
        rows = [] if rows is None else rows
        value = plain(model, examples, batch_size, pad_id, autocast, rows)
        log.write(json.dumps({"eval": state["n"], "loss": value,
                              "examples": [[e.id, s, n] for e, (s, n) in zip(examples, rows)]})
                  + "\n")
        log.flush()
        state["n"] += 1
        return value

    loop.evaluate = evaluate
    if args.full_logits:
        loop.completion_loss = full_logits_loss
    sys.argv = ["train", "lora", "--data", args.data, "--out", str(out / "run"), "--force",
                *args.train_args]
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


def noise(args) -> None:
    """Per pair of consecutive evaluations: fall, paired SE of the fall, fall / SE."""
    evals = [json.loads(line) for line in open(Path(args.out) / "per_example.jsonl")]
    card = json.loads((Path(args.out) / "run" / "run.json").read_text())
    steps = [p["step"] for p in card["history"]["validation"]]
    print("| step | loss | fall | fall % | paired SE | fall / SE |")
    print("|---:|---:|---:|---:|---:|---:|")
    for k, ev in enumerate(evals):
        mean = sum(s for _, s, _ in ev["examples"]) / sum(n for *_, n in ev["examples"])
        if k == 0:
            print(f"| {steps[k]} | {mean:.4f} | | | | |")
            continue
        prev = evals[k - 1]["examples"]
        fall, se = paired_fall(prev, ev["examples"])
        pm = sum(s for _, s, _ in prev) / sum(n for *_, n in prev)
        print(f"| {steps[k]} | {mean:.4f} | {fall:.4f} | {100 * fall / pm:.1f} | {se:.4f} | "
              f"{fall / se if se else math.inf:.1f} |")


def paired_fall(before, after) -> tuple[float, float]:
    """Token-weighted fall of the mean loss and its standard error over examples (ratio estimator:
    d_i = (before_i − after_i) per example, weighted by its tokens)."""
    n_tok = [n for *_, n in after]
    total = sum(n_tok)
    diffs = [(b[1] - a[1]) for b, a in zip(before, after)]
    fall = sum(diffs) / total
    resid = [d - fall * n for d, n in zip(diffs, n_tok)]
    k = len(resid)
    var = k / (k - 1) * sum(r * r for r in resid) / total ** 2
    return fall, math.sqrt(var)


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
    r.add_argument("train_args", nargs=argparse.REMAINDER)
    n = sub.add_parser("noise")
    n.add_argument("--out", required=True)
    args = parser.parse_args()
    if getattr(args, "train_args", None) and args.train_args[0] == "--":
        args.train_args = args.train_args[1:]
    {"padding": padding, "run": run, "noise": noise}[args.cmd](args)


if __name__ == "__main__":
    main()
