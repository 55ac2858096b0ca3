"""Bytes of state per record that each whole-dataset pass holds on the local engine.

    PYTHONPATH=. .venv/bin/python bench/dedup_state.py --rows 100000

Records are built first (the generator of bench/curate_engines.py, parsed by the JSONL reader's
schema), then each pass runs over them alone under tracemalloc: the peak of what it allocated
beyond the records it was given, divided by the number of records. The records themselves (what
dedup_near, split, decontaminate and balance hold by keeping the whole list) are measured too.
"""
from __future__ import annotations

import argparse
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
    args = ap.parse_args()
    passes = {p.name: p for p in Recipe().build_passes() if p.name in PASSES}
    out = {"records (parsed Record objects)": measure(lambda: records(args.rows), args.rows)}
    data = records(args.rows)
    for name in PASSES:
        for r in data:
            r.split = r.split or None
        out[name] = measure(lambda: list(passes[name].run(iter(data), Context(name, 1))), len(data))
    print(json.dumps({k: round(v) for k, v in out.items()}, indent=1))


if __name__ == "__main__":
    main()
