"""Near-duplicate recall of `dedup_near` by true Jaccard band (0.8-0.85, 0.85-0.9, 0.9-1.0).

    python bench/near_recall.py --pairs 3000 --seed 0
    python bench/near_recall.py --source banking77 --pairs 3000 --seed 0
    python bench/near_recall.py --layout shared-prompt --pairs 3000 --seed 0

Each pair is a 60-90 word text and a copy with a few words edited (substituted, inserted or
deleted: one edit gives J 0.84-0.89 at word 5-grams); a pair counts as found when both texts end in
one cluster. The true Jaccard is the exact one of the pass's own word-5-gram sets, so a band holds
exactly the pairs the pass should merge at threshold 0.8.

Sources of the 60-90 word texts:
- `generated`: words drawn at random (Zipf-like) from a 5,000-word made-up vocabulary;
- `banking77`: consecutive BANKING77 customer queries joined until 60-90 words (real English,
  CC BY 4.0, ../shared/datasets/banking77/train.csv).
"""
from __future__ import annotations

import argparse
import csv
import random
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
BANKING77 = REPO.parent / "shared" / "datasets" / "banking77" / "train.csv"
BANDS = ((0.8, 0.85), (0.85, 0.9), (0.9, 1.0))


def generated_texts(rng: random.Random, n: int) -> list[list[str]]:
    vocab = [f"w{i}" for i in range(5000)]
    weights = [1 / (i + 1) for i in range(len(vocab))]
    return [rng.choices(vocab, weights, k=rng.randint(60, 90)) for _ in range(n)]


def banking77_texts(rng: random.Random, n: int, path: Path = BANKING77) -> list[list[str]]:
    with open(path, encoding="utf-8") as f:
        queries = [row["text"].split() for row in csv.DictReader(f)]
    texts = []
    while len(texts) < n:
        start, words, target = rng.randrange(len(queries)), [], rng.randint(60, 90)
        while len(words) < target:
            words += queries[start % len(queries)]
            start += 1
        texts.append(words[:target])
    return texts


def edit(rng: random.Random, words: list[str], vocab: list[str], k: int) -> list[str]:
    """k single-word edits at random places: substitution (most often), insertion or deletion."""
    words = list(words)
    for _ in range(k):
        at, kind = rng.randrange(len(words)), rng.choice("sssid")
        if kind == "s":
            words[at] = rng.choice(vocab)
        elif kind == "i":
            words.insert(at, rng.choice(vocab))
        else:
            del words[at]
    return words


def make_pairs(source: str, n_pairs: int, seed: int, banking77: Path = BANKING77) -> list[tuple[str, str]]:
    rng = random.Random(seed)
    bases = (generated_texts(rng, n_pairs) if source == "generated"
             else banking77_texts(rng, n_pairs, banking77))
    vocab = sorted({w for b in bases for w in b})
    return [(" ".join(b), " ".join(edit(rng, b, vocab, rng.choice((1, 1, 1, 2))))) for b in bases]


PROMPT = "Write a reply to a customer whose card was blocked after a failed payment abroad."


def records_for(texts: list[str], layout: str, seed: int) -> tuple[list, list[int]]:
    """Records in input order, and the position of text k among them.

    `instruction`: each text is a user turn, pairs side by side (field: instruction).
    `shared-prompt`: every record asks PROMPT and the text is the answer, shuffled (field: both),
    as in generated data where one prompt is sampled many times."""
    from tunecraft.records import Record

    order = list(range(len(texts)))
    if layout == "shared-prompt":
        random.Random(seed).shuffle(order)
    records = []
    for i, k in enumerate(order):
        turns = ([{"role": "user", "content": texts[k]}] if layout == "instruction" else
                 [{"role": "user", "content": PROMPT}, {"role": "assistant", "content": texts[k]}])
        records.append(Record(id=str(i), messages=turns))
    position = [0] * len(texts)
    for i, k in enumerate(order):
        position[k] = i
    return records, position


def measure(pairs: list[tuple[str, str]], threshold: float, layout: str = "instruction",
            seed: int = 0) -> tuple[dict, float]:
    from curate import minhash
    from curate.passes.base import Context
    from curate.passes.dedup_near import DedupNear

    texts = [t for pair in pairs for t in pair]
    values, offsets = minhash.shingle_hashes(texts)
    index = np.arange(0, len(texts), 2)
    true_j = minhash.jaccard_pairs(values, offsets, np.stack((index, index + 1), axis=1))
    records, position = records_for(texts, layout, seed)
    field = "instruction" if layout == "instruction" else "both"
    ctx = Context("dedup_near", seed=0)
    start = time.perf_counter()
    kept = list(DedupNear.from_options({"threshold": threshold, "field": field, "mode": "mark"})
                .run(records, ctx))
    seconds = time.perf_counter() - start
    cluster = [r.meta.get("cluster_id", r.id) for r in kept]
    found = np.array([cluster[position[i]] == cluster[position[i + 1]] for i in index])
    table = {}
    for lo, hi in BANDS:
        in_band = (true_j >= lo) & ((true_j < hi) if hi < 1.0 else (true_j < 1.0))
        table[f"{lo:.2f}-{hi:.2f}"] = (int(in_band.sum()), float(found[in_band].mean()) if in_band.any() else float("nan"))
    table["info"] = ctx.info
    return table, len(texts) / seconds


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--source", choices=("generated", "banking77"), default="generated")
    ap.add_argument("--pairs", type=int, default=3000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threshold", type=float, default=0.8)
    ap.add_argument("--banking77", type=Path, default=BANKING77, help="BANKING77 train.csv")
    ap.add_argument("--layout", choices=("instruction", "shared-prompt"), default="instruction")
    args = ap.parse_args()
    table, rate = measure(make_pairs(args.source, args.pairs, args.seed, args.banking77), args.threshold,
                          args.layout, args.seed)
    info = table.pop("info")
    print(f"source {args.source}, layout {args.layout}, seed {args.seed}, {args.pairs} pairs, bands x rows "
          f"{info['bands']}x{info['rows']}, {info['candidate_pairs']} candidate pairs, {rate:,.0f} records/s")
    print("| J band | pairs | recall |\n|---|---|---|")
    for band, (n, recall) in table.items():
        print(f"| {band} | {n} | {recall:.4f} |")


if __name__ == "__main__":
    main()
