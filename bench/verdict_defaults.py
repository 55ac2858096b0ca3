"""Default-settings fine-tuning against zero-shot and few-shot on small labelled tasks.

A BANKING77 subset (K intents, N training queries each, query → intent name) written as curate's
output folder; `train lora` with its defaults (or the old ones, --old-defaults: lr 2e-4, one
epoch, no early stopping) timed; then `evalkit run` with zero-shot (told the label set),
few-shot (BM25, k=3, from train) and the fine-tuned adapter on a stratified test sample.

    .venv/bin/python bench/verdict_defaults.py prepare --out /tmp/b77 --intents 8 --per-intent 24
    .venv/bin/python bench/verdict_defaults.py train --data /tmp/b77 --out /tmp/b77-run [--old-defaults]
    .venv/bin/python bench/verdict_defaults.py eval --data /tmp/b77 --adapter /tmp/b77-run --out /tmp/b77-eval
"""
from __future__ import annotations

import argparse
import csv
import json
import random
import sys
import time
from collections import defaultdict
from dataclasses import asdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
BANKING = Path(__import__("os").environ.get("BANKING77", "/work/shared/datasets/banking77"))


def rows(path: Path) -> dict[str, list[str]]:
    by_label = defaultdict(list)
    with open(path, encoding="utf-8") as f:
        for row in csv.DictReader(f):
            by_label[row["category"]].append(row["text"].strip())
    return by_label


def record(split: str, i: int, text: str, label: str) -> dict:
    return {"id": f"banking77-{split}.csv:{i}", "split": split, "label": label,
            "messages": [{"role": "user", "content": text},
                         {"role": "assistant", "content": label}],
            "prompt": text, "completion": label, "meta": {}}


def prepare(args) -> None:
    train_rows, test_rows = rows(BANKING / "train.csv"), rows(BANKING / "test.csv")
    rng = random.Random(args.seed)
    intents = sorted(rng.sample(sorted(train_rows), args.intents))
    splits = defaultdict(list)
    for label in intents:
        pool = rng.sample(train_rows[label], args.per_intent + args.val_per_intent)
        splits["train"] += [(t, label) for t in pool[:args.per_intent]]
        splits["validation"] += [(t, label) for t in pool[args.per_intent:]]
        splits["test"] += [(t, label) for t in rng.sample(test_rows[label], args.test_per_intent)]
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for split, pairs in splits.items():
        rng.shuffle(pairs)
        with open(out / f"{split}.jsonl", "w", encoding="utf-8") as f:
            for i, (text, label) in enumerate(pairs, 1):
                f.write(json.dumps(record(split, i, text, label), ensure_ascii=False) + "\n")
    (out / "manifest.json").write_text(json.dumps({"intents": intents, "seed": args.seed}) + "\n")
    print(json.dumps({k: len(v) for k, v in splits.items()} | {"intents": intents}))


def train(args) -> None:
    from train.config import TrainConfig, parse_duration
    from train.loop import train as run_training

    old = dict(lr=2e-4, epochs=1, patience=0, eval_every=8) if args.old_defaults else {}
    cfg = TrainConfig(data=args.data, out=args.out, time_budget=parse_duration(args.budget),
                      **old, **({"lr": args.lr} if args.lr else {}))
    started = time.perf_counter()
    run = run_training(cfg)
    print(json.dumps({"wall_s": round(time.perf_counter() - started, 1), "steps": run.steps,
                      "stop": asdict(run.stop), "lr": run.config.lr,
                      "validation": [(v.step, round(v.loss, 4))
                                     for v in run.history.validation]}))


def evaluate(args) -> None:
    from evalkit.runner import RunConfig, run

    systems = args.systems
    metrics = run(RunConfig(data=Path(args.data), out=Path(args.out), model="smollm2-135m",
                            adapter=Path(args.adapter) if args.adapter else None, systems=systems,
                            limit=args.limit, max_new_tokens=16, dtype="bfloat16",
                            resamples=500))
    print(json.dumps({s: round(v["accuracy"]["value"], 3) for s, v in metrics["systems"].items()}))
    print(metrics["verdict"]["text"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("prepare")
    p.add_argument("--out", required=True)
    p.add_argument("--intents", type=int, default=8)
    p.add_argument("--per-intent", type=int, default=24)
    p.add_argument("--val-per-intent", type=int, default=6)
    p.add_argument("--test-per-intent", type=int, default=10)
    p.add_argument("--seed", type=int, default=0)
    t = sub.add_parser("train")
    t.add_argument("--data", required=True)
    t.add_argument("--out", required=True)
    t.add_argument("--budget", default="0")
    t.add_argument("--lr", type=float, default=0.0)
    t.add_argument("--old-defaults", action="store_true")
    e = sub.add_parser("eval")
    e.add_argument("--data", required=True)
    e.add_argument("--out", required=True)
    e.add_argument("--adapter")
    e.add_argument("--systems", default="zero-shot,few-shot,fine-tuned")
    e.add_argument("--limit", type=int)
    args = parser.parse_args()
    {"prepare": prepare, "train": train, "eval": evaluate}[args.command](args)


if __name__ == "__main__":
    main()
