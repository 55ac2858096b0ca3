"""Bytes of state per record that each whole-dataset pass holds on the local engine.

    PYTHONPATH=. .venv/bin/python bench/dedup_state.py --rows 100000
    PYTHONPATH=. .venv/bin/python bench/dedup_state.py --rows 100000 --spool   # as the pipeline runs them

`--spool`: each pass's context spools its records to a temporary folder, as the pipeline's do
(curate.record_spool), and the pass's output is consumed without being kept, so what is left is
the index the pass keeps per record.

Records are built first (the generator of bench/curate_engines.py, parsed by the JSONL reader's
schema), then each pass runs over them alone under tracemalloc: the peak of what it allocated
beyond the records it was given, divided by the number of records. The records themselves (what
dedup_near, split, decontaminate and balance hold by keeping the whole list) are measured too.
"""
from __future__ import annotations

import argparse
import collections
import json
import sys
import tempfile
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from curate_engines import generate  # noqa: E402

from curate.passes.base import Context  # noqa: E402
from curate.recipe import Recipe  # noqa: E402
from curate.readers import discover, read_file  # noqa: E402
from tunecraft.records import Record  # noqa: E402

PASSES = ("dedup_exact", "dedup_near", "split", "decontaminate", "balance")


def records(rows: int) -> list[Record]:
    folder = Path(tempfile.mkdtemp(prefix="dedup-state-"))
    generate(folder, rows)
    return [r for f in discover(folder).files for r in read_file(f) if isinstance(r, Record)]


def measure(build, n: int) -> float:
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    kept = build()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    del kept
    return (peak - base) / n


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--spool", action="store_true")
    args = ap.parse_args()
    passes = {p.name: p for p in Recipe().build_passes() if p.name in PASSES}
    out = {"records (parsed Record objects)": measure(lambda: records(args.rows), args.rows)}
    data = records(args.rows)
    for name in PASSES:
        for i, r in enumerate(data):        # 80/10/10, so decontaminate has held-out probes
            r.split = "test" if i % 10 == 0 else "validation" if i % 10 == 1 else "train"
        out[name] = measure(lambda: run(passes[name], data, args.spool), len(data))
    print(json.dumps({k: round(v) for k, v in out.items()}, indent=1))


def run(pass_, data: list[Record], spool: bool):
    ctx = Context(pass_.name, 1)
    if not spool:
        return list(pass_.run(iter(data), ctx))
    with tempfile.TemporaryDirectory() as folder:
        ctx.spool = Path(folder)
        collections.deque(pass_.run(iter(data), ctx), maxlen=0)


if __name__ == "__main__":
    main()
