"""Near-dedup benchmark: curate's dedup_near (vectorised MinHash/LSH) vs a datasketch per-document loop.

    python bench/dedup_bench.py --n 100000 --seed 0      # builds bench/data/corpus_100k.jsonl if missing

Both read the same seeded corpus (../shared/bench/make_corpus.py, planted exact and near duplicates
with their true word-5-gram Jaccard in the truth sidecar) and compare the `instruction` field (the
corpus's dedup field), word 5-grams, 128 permutations, threshold 0.8. datasketch runs the usual
loop: MinHash per document, query MinHashLSH(threshold=0.8), keep the document (insert) when nothing
matches, otherwise call it a duplicate of the earliest match.

Reported per method, each in its own subprocess (so peak RSS is its own):
- recall on planted near-duplicate pairs with true Jaccard >= 0.8, on all planted near pairs, on
  planted exact pairs (a pair counts when both records end in the same cluster);
- precision of the predicted (record -> representative) links: correct when both records come
  from the same planted original OR their true word-5-gram Jaccard >= 0.8 (an unplanned pair that
  really is that similar is a true near-duplicate); "planted-only" counts the first rule alone;
- records/s of the dedup step alone (corpus already in memory; best of --repeat runs);
- memory: peak RSS minus RSS after loading the corpus (run with --n 1000000 for the 1M figure:
  the fixed part of the index makes a linear extrapolation from 100k overestimate it).
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

SHARED = Path(__file__).resolve().parents[2] / "shared"
REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(SHARED / "bench"))


def rss_mb(field: str) -> float:
    """VmRSS (now) or VmHWM (peak) of this process in MiB."""
    for line in open("/proc/self/status"):
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def ensure_corpus(n: int, seed: int) -> Path:
    name = f"corpus_{n // 1000}k" + ("" if seed == 0 else f"_s{seed}")
    path = REPO / "bench" / "data" / f"{name}.jsonl"
    if not path.exists():
        subprocess.run([sys.executable, str(SHARED / "bench" / "make_corpus.py"), "--n", str(n),
                        "--seed", str(seed), "--out", str(path)], check=True)
    return path


def as_records(rows):
    from tunecraft.records import Record

    return [Record(id=str(i), messages=[{"role": "user", "content": r["instruction"]},
                                        {"role": "assistant", "content": r["output"]}])
            for i, r in enumerate(rows)]


def run_ours(records, field, threshold, num_perm):
    """Representative index of every record (itself when in no cluster)."""
    from curate.passes.base import Context
    from curate.passes.dedup_near import DedupNear

    for r in records:
        r.meta.pop("cluster_id", None)
    ctx = Context("dedup_near", seed=0)
    start = time.perf_counter()
    kept = list(DedupNear.from_options({"threshold": threshold, "num_perm": num_perm, "field": field,
                                        "mode": "mark"}).run(records, ctx))
    seconds = time.perf_counter() - start
    rep = [int(r.meta.get("cluster_id", r.id)) for r in kept]
    return rep, seconds, ctx.info


def run_datasketch(rows, threshold, num_perm):
    from datasketch import MinHash, MinHashLSH
    from make_corpus import shingles

    start = time.perf_counter()
    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    rep = []
    for i, row in enumerate(rows):
        m = MinHash(num_perm=num_perm, seed=1)
        m.update_batch([s.encode("utf-8") for s in shingles(row["instruction"])])
        found = lsh.query(m)
        if found:
            rep.append(min(found))
        else:
            lsh.insert(i, m)
            rep.append(i)
    return rep, time.perf_counter() - start, {}


def child(args) -> None:
    """Run one method in this process and print its JSON result."""
    import datasketch, scipy.sparse.csgraph  # noqa: F401  (imports are not part of the timing/memory)
    from curate.minhash import _word_table

    _word_table()
    rows = [json.loads(line) for line in open(args.corpus, encoding="utf-8")]
    records = as_records(rows) if args.method.startswith("ours") else None
    base_rss = rss_mb("VmRSS")
    best, rep, info = float("inf"), None, {}
    for _ in range(args.repeat):
        if args.method == "datasketch":
            rep, seconds, info = run_datasketch(rows, args.threshold, args.num_perm)
        else:
            rep, seconds, info = run_ours(records, args.method.split(":")[1], args.threshold, args.num_perm)
        best = min(best, seconds)
    print(json.dumps({"rep": rep, "seconds": best, "info": info, "base_rss_mb": base_rss,
                      "peak_rss_mb": rss_mb("VmHWM")}))


def score(rep: list[int], truth: dict, rows: list[dict]) -> dict:
    from make_corpus import jaccard, shingles

    def root(i):
        while rep[i] != i:
            i = rep[i]
        return i

    cluster = [root(i) for i in range(len(rep))]
    family = list(range(len(rep)))
    near = truth["near_dups"]
    for dup, src, *_ in truth["exact_dups"] + near:
        family[dup] = src

    def recall(pairs):
        return sum(cluster[a] == cluster[b] for a, b in pairs) / max(len(pairs), 1)

    links = [(i, r) for i, r in enumerate(rep) if r != i]
    planted = sum(family[a] == family[b] for a, b in links)
    similar = sum(family[a] == family[b]
                  or jaccard(shingles(rows[a]["instruction"]), shingles(rows[b]["instruction"])) >= 0.8
                  for a, b in links)
    return {"recall_near_j08": recall([(d, s) for d, s, _, j in near if j >= 0.8]),
            "pairs_near_j08": sum(j >= 0.8 for *_, j in near),
            "recall_near_all": recall([(d, s) for d, s, *_ in near]),
            "recall_exact": recall([(d, s) for d, s in truth["exact_dups"]]),
            "precision": similar / max(len(links), 1),
            "precision_planted_only": planted / max(len(links), 1),
            "links": len(links)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threshold", type=float, default=0.8)
    ap.add_argument("--num-perm", type=int, default=128)
    ap.add_argument("--repeat", type=int, default=3, help="timed runs per method (best is reported)")
    ap.add_argument("--methods", default="ours:instruction,ours:both,datasketch")
    ap.add_argument("--method", help=argparse.SUPPRESS)
    ap.add_argument("--corpus", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.method:
        return child(args)
    corpus = ensure_corpus(args.n, args.seed)
    rows = [json.loads(line) for line in open(corpus, encoding="utf-8")]
    truth = json.load(open(str(corpus).replace(".jsonl", ".truth.json"), encoding="utf-8"))
    print(f"corpus {corpus.name}: {len(rows)} records, {len(truth['near_dups'])} planted near pairs, "
          f"{len(truth['exact_dups'])} exact pairs")
    print("| method | records/s | recall near J>=0.8 | recall near all | recall exact | precision "
          "| precision (planted only) | dedup RSS MiB |")
    print("|---|---|---|---|---|---|---|---|")
    for method in args.methods.split(","):
        repeat = 1 if method == "datasketch" else args.repeat
        out = subprocess.run([sys.executable, __file__, "--method", method, "--corpus", str(corpus),
                              "--threshold", str(args.threshold), "--num-perm", str(args.num_perm),
                              "--repeat", str(repeat)], check=True, capture_output=True, text=True)
        result = json.loads(out.stdout)
        s = score(result["rep"], truth, rows)
        delta = result["peak_rss_mb"] - result["base_rss_mb"]
        print(f"| {method} | {len(rows) / result['seconds']:,.0f} | {s['recall_near_j08']:.3f} "
              f"| {s['recall_near_all']:.3f} | {s['recall_exact']:.3f} | {s['precision']:.3f} "
              f"| {s['precision_planted_only']:.3f} | {delta:,.0f} |",
              flush=True)
        if result["info"]:
            print(f"<!-- {method}: {json.dumps(result['info'])} -->", flush=True)


if __name__ == "__main__":
    main()
