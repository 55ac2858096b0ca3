"""Issue 12's seventh round, task-oriented dialogues (pii7b): one more public dialogue corpus.

kvret: the Stanford Key-Value Retrieval dialogues (in-car assistant: calendar, navigation,
weather; Eric et al. 2017), as stored in HLTCHKUST/Mem2Seq @4224ccf `data/KVR/kvret_test_public.json`
and `kvret_dev_public.json` (the repository's licence is MIT; the dataset's own page states none),
copied into `kvret/`. One record per dialogue, its turns' utterances as messages. Split by row
before any was read: test's rows then dev's, even rows -a (tuned on), odd rows -b (held out,
counts only). Calendar turns name the driver's appointments ("dinner with Ana"): fictional
people a detector cannot tell from real ones, so PERSON there is partly wanted.
"""
from __future__ import annotations

import json
from pathlib import Path


def seventh_round_dialogue(scratch: Path) -> dict[str, list[list[str]]]:
    folder = scratch / "kvret"
    files = [folder / f"kvret_{split}_public.json" for split in ("test", "dev")]
    if not all(f.exists() for f in files):
        return {}
    rows = [r for f in files for r in json.loads(f.read_text(encoding="utf-8"))]
    records = [[t["data"]["utterance"] for t in r["dialogue"] if t["data"].get("utterance")] for r in rows]
    return {"kvret-a": records[0::2], "kvret-b": records[1::2]}
