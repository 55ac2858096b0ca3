"""Two `evalkit run` folders of the same items, compared item by item: e.g. the transformers
backend (the reference) against `--backend llamacpp`. Per system: identical outputs, outputs
sharing their first 5 words, each run's chrF and the difference, and both verdicts.

    python bench/backend_agreement.py evals/transformers evals/llamacpp
"""
from __future__ import annotations

import json
import sys
from pathlib import Path


def rows(folder: Path) -> dict:
    lines = (folder / "results.jsonl").read_text(encoding="utf-8").splitlines()
    return {(r["system"], r["id"]): r for r in map(json.loads, lines)}


def main(reference: Path, other: Path) -> None:
    ours, theirs = rows(reference), rows(other)
    metrics = [json.loads((f / "metrics.json").read_text(encoding="utf-8")) for f in (reference, other)]
    print(f"| system | identical outputs | same first 5 words | chrF {reference.name} | chrF {other.name} "
          "| difference |")
    print("|---|---|---|---|---|---|")
    for system in dict.fromkeys(s for s, _ in ours):
        keys = [k for k in ours if k[0] == system and k in theirs]
        same = sum(ours[k]["output"] == theirs[k]["output"] for k in keys)
        start = sum(ours[k]["output"].split()[:5] == theirs[k]["output"].split()[:5] for k in keys)
        a, b = (m["systems"][system]["chrf"]["value"] for m in metrics)
        print(f"| {system} | {same}/{len(keys)} | {start}/{len(keys)} | {a:.1f} | {b:.1f} | {b - a:+.1f} |")
    for folder, m in zip((reference, other), metrics):
        print(f"\n{folder.name}: {m['verdict']['text'][:400]}")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
