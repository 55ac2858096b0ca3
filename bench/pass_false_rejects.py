"""False rejects of the content-deleting passes on real, good data (code, maths, HTML, intents).

    PYTHONPATH=. .venv/bin/python bench/pass_false_rejects.py FILE [FILE ...] [--passes quality,html]

Each FILE (JSONL, a JSON array or CSV) is mapped as `curate run` maps it (curate.schemas) and run
through each per-record pass on its own; every row of these sets is a good training example, so
every reject is a false reject. Prints, per file and pass: rows, rejects by reason (and Gopher
statistic), rows whose text html changed, and a few rejected ids. Data is never copied into the
repository: pass paths to wherever you fetched it (bench/RESULTS.md names the sources).
"""
from __future__ import annotations

import argparse
import csv
import json
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def load(path: Path):
    from curate.schemas import detect_schema, map_row

    text = path.read_text(encoding="utf-8")
    if path.suffix == ".csv":
        rows = list(csv.DictReader(text.splitlines()))
    else:
        rows = json.loads(text) if text.lstrip().startswith("[") else [
            json.loads(line) for line in text.splitlines() if line.strip()]
    schema = detect_schema(rows[0])
    return [map_row(row, schema, f"{path.name}:{i + 1}") for i, row in enumerate(rows)]


def run_pass(name: str, records):
    import copy

    from curate.passes import get_pass_class
    from curate.passes.base import Context

    records = copy.deepcopy(records)
    before = [json.dumps(r.messages) for r in records]
    ctx = Context(name)
    kept = list(get_pass_class(name).from_options({}).run(records, ctx))
    changed = sum(json.dumps(r.messages) != b for r, b in zip(records, before))
    return kept, ctx, changed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--passes", default="quality,html")
    args = parser.parse_args()
    for path in args.files:
        records = load(path)
        for name in args.passes.split(","):
            kept, ctx, changed = run_pass(name, records)
            reasons = Counter(r.reason + (f"/{r.details['statistic']}" if "statistic" in r.details else "")
                              for r in ctx.rejects)
            share = len(ctx.rejects) / max(len(records), 1)
            print(f"{path.name} [{name}] rows {len(records)}: rejected {len(ctx.rejects)} ({share:.2%}) "
                  f"{dict(reasons)}; changed {changed}; e.g. {[r.record.id for r in ctx.rejects[:5]]}")


if __name__ == "__main__":
    main()
