"""Rows mapped before/after a change to curate's schema mapping, on public datasets.

Runs `curate run` from two source trees (e.g. an exported old commit and this checkout) over each
dataset folder and reports rows read, rows in splits, `unmapped_schema` rejects and the exit code.
Usage: python bench/schema_mapping.py OLD_TREE NEW_TREE NAME=FOLDER[::--map ...] ...
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path


def run(tree: str, folder: str, extra: list[str]) -> dict:
    out = Path(tempfile.mkdtemp(prefix="schema-bench-")) / "clean"
    env = {**os.environ, "PYTHONPATH": tree, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    cmd = [sys.executable, "-m", "curate.cli", "run", folder, "--out", str(out), "--skip", "pii",
           "-w", "1", "-q", *extra]
    started = time.perf_counter()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=tree)
    result = {"exit": proc.returncode, "seconds": round(time.perf_counter() - started, 1),
              "stderr": proc.stderr.strip().splitlines()[-1:] or [""]}
    if (out / "manifest.json").is_file():
        manifest = json.loads((out / "manifest.json").read_text())
        rejects = [json.loads(line) for line in open(out / "rejects.jsonl")]
        reasons = Counter(r["reason"] for r in rejects)
        result.update(read=manifest["accounting"]["rows_read"],
                      in_splits=manifest["accounting"]["rows_in_splits"],
                      unmapped=reasons.get("unmapped_schema", 0),
                      rejects=dict(Counter(f"{r['pass']}:{r['reason']}" for r in rejects).most_common(4)))
    return result


def main(old: str, new: str, *datasets: str) -> None:
    for spec in datasets:
        name, _, rest = spec.partition("=")
        folder, _, flags = rest.partition("::")
        for label, tree, extra in (("before", old, []), ("after", new, []),
                                   ("after --map", new, flags.split()) if flags else (None, None, None)):
            if label:
                print(name, label, json.dumps(run(tree, folder, extra), ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main(*sys.argv[1:])
