"""Peak memory of a run that rejects most of its input (issue 15: rejects stream to disk).

    python bench/rejects_memory.py --work /tmp/rejects-bench --rows 100000

Writes ROWS support tickets (English, Devanagari, Hinglish) of which 9 in 10 have an empty answer
(the quality pass rejects them), curates them with html, unicode, quality and dedup_exact in one
process, and prints the process's peak RSS. Run it once with PYTHONPATH pointing at the code before
a change and once after to compare.
"""
from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from _curate_util import support_rows  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    raw = args.work / f"raw{args.rows}"
    if not raw.exists():
        raw.mkdir(parents=True)
        rows = support_rows(args.rows)
        for i, row in enumerate(rows):
            row["output"] = row["output"] if i % 10 == 0 else " "
        with open(raw / "tickets.jsonl", "w", encoding="utf-8") as f:
            f.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)

    from curate.pipeline import curate_folder
    from curate.recipe import Recipe

    recipe = Recipe(skip=("language", "pii", "dedup_near", "split", "decontaminate", "balance", "template"))
    started = time.perf_counter()
    manifest = curate_folder(raw, args.work / "clean", recipe.build_passes(), recipe=recipe, force=True)
    print(json.dumps({"rows": args.rows, "rejects": manifest["accounting"]["rejects"],
                      "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
                      "wall_s": round(time.perf_counter() - started, 1)}))


if __name__ == "__main__":
    main()
