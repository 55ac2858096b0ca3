"""Issue 12's eighth round, task-oriented dialogues (pii8b): one more public dialogue corpus.

woz: WOZ 2.0 (Wen et al. 2017; Mrkšić et al. 2017), Cambridge restaurant search typed by crowd
workers, as stored in nmrksic/neural-belief-tracker @63b5933 `data/woz/woz_test_en.json` and
`woz_validate_en.json` (the repository's licence is Apache-2.0), copied into `woz/`. One record
per dialogue, each turn's system utterance then the user's. Split by row before any was read:
test's rows then validate's, even rows woz-a (may be tuned on), odd rows woz-b (held out,
counts only). Restaurants are named ("the golden curry", "pizza hut cherry hinton"), people
are not: every placeholder here is a false one.
"""
from __future__ import annotations

import json
from pathlib import Path


def eighth_round_dialogue(scratch: Path) -> dict[str, list[list[str]]]:
    files = [scratch / "woz" / f"woz_{split}_en.json" for split in ("test", "validate")]
    if not all(f.exists() for f in files):
        return {}
    rows = [r for f in files for r in json.loads(f.read_text(encoding="utf-8"))]
    records = [[t for turn in r["dialogue"] for t in (turn["system_transcript"], turn["transcript"]) if t.strip()]
               for r in rows]
    return {"woz-a": records[0::2], "woz-b": records[1::2]}
