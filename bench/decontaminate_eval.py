"""What decontaminate drops from BANKING77's train split, plain and as a tool-use sub-task.

    PYTHONPATH=. .venv/bin/python bench/decontaminate_eval.py

1. plain: train queries (10,003) checked against the test queries (3,080); completion = intent.
2. tool-use: the same rows, every prompt prefixed with one 27-word tool description and every
   completion a JSON tool call naming the intent: the shape of a function-calling sub-task. The
   description is not a leak; a run that drops most of train here has mistaken it for one.
Prints rows dropped and seconds for each (measured on a shared, loaded machine).
"""
from __future__ import annotations

import csv
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
SHARED = next((p / "shared" for p in REPO.parents if (p / "shared" / "datasets").is_dir()), REPO.parent / "shared")
TOOL = ("You can call route_ticket(intent: str) to send the customer's message to the right team; choose "
        "exactly one intent from the bank's list and answer with the JSON tool call only.")


def rows(tool: bool):
    from tunecraft.records import Record

    out = []
    for split, name in (("train", "train.csv"), ("test", "test.csv")):
        with open(SHARED / "datasets" / "banking77" / name, encoding="utf-8") as f:
            for i, row in enumerate(csv.DictReader(f)):
                prompt = f"{TOOL}\n{row['text']}" if tool else row["text"]
                answer = ('{"name": "route_ticket", "arguments": {"intent": "%s"}}' % row["category"]
                          if tool else row["category"])
                out.append(Record(f"{name}:{i + 2}", [{"role": "user", "content": prompt},
                                                      {"role": "assistant", "content": answer}],
                                  label=row["category"], split=split))
    return out


def main() -> None:
    from curate.passes.base import Context
    from curate.passes.decontaminate import Decontaminate

    for tool in (False, True):
        records = rows(tool)
        ctx, t0 = Context("decontaminate"), time.perf_counter()
        list(Decontaminate().run(records, ctx))
        train = sum(r.split == "train" for r in records)
        print(f"{'tool-use' if tool else 'plain'}: dropped {len(ctx.rejects)} of {train} train rows "
              f"({len(ctx.rejects) / train:.1%}) in {time.perf_counter() - t0:.1f} s")


if __name__ == "__main__":
    main()
