"""Issue 12's independent check: records carrying a PII placeholder after `curate run`, per 1,000.

    PYTHONPATH=. .venv/bin/python bench/pii_clinc.py <git dir of clinc/oos-eval> --work /tmp/clinc

CLINC150 (clinc/oos-eval @828f809, `data/data_full.json`, CC BY 3.0) is reserved: never tuned on,
its hits never printed. Its 4,500 in-scope test queries are short English requests (travel,
banking, small talk) that name places and, rarely, people; a placeholder in them is almost always
a false one. The check runs what a user runs — `curate run` with the default recipe and seed 1 —
and counts, per entity, the records of the three splits that carry a placeholder. Counts only:
this script prints no record. The query file is written into --work, never into the repo.
"""
from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

PLACEHOLDER = re.compile(r"<([A-Z][A-Z_]+)>")


def write_queries(git_dir: str, raw: Path) -> int:
    data = subprocess.run(["git", "--git-dir", git_dir, "show", "HEAD:data/data_full.json"],
                          check=True, capture_output=True).stdout
    rows = json.loads(data)["test"]
    raw.mkdir(parents=True, exist_ok=True)
    with open(raw / "clinc_test.jsonl", "w", encoding="utf-8") as out:
        for text, label in rows:
            out.write(json.dumps({"text": text, "label": label}, ensure_ascii=False) + "\n")
    return len(rows)


def count(clean: Path) -> tuple[int, int, Counter]:
    """Kept records, those carrying any placeholder, and records per entity."""
    records, with_any, entities = 0, 0, Counter()
    for split in ("train", "validation", "test"):
        for line in (clean / f"{split}.jsonl").read_text(encoding="utf-8").splitlines():
            found = set(PLACEHOLDER.findall(line))
            records, with_any = records + 1, with_any + bool(found)
            entities.update(found)
    return records, with_any, entities


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("git_dir")
    parser.add_argument("--work", default="/tmp/clinc")
    args = parser.parse_args()
    work = Path(args.work)
    queries = write_queries(args.git_dir, work / "raw")
    subprocess.run([str(Path(sys.executable).parent / "curate"), "run", str(work / "raw"), "--out", str(work / "clean"),
                    "--seed", "1", "--force", "--quiet"], check=True)
    records, with_any, entities = count(work / "clean")
    print(json.dumps({"queries": queries, "kept": records, "with_placeholder": with_any,
                      "per_1000": round(1000 * with_any / max(records, 1), 1),
                      "by_entity": dict(sorted(entities.items()))}))


if __name__ == "__main__":
    main()
