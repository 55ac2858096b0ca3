"""Stub passes and input builders for the curate framework tests.

They live in a module of their own (not in a test file) so spawned worker processes can
unpickle them by import.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from curate.passes.base import Context, Pass
from tunecraft.records import Record

EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")


@dataclass
class UpperConfig:
    marker: str = "!"


class UpperStub(Pass):
    """Per-record: upper-cases responses (a visible, checkable change); takes the `html` slot."""
    name = "html"
    Config = UpperConfig

    def apply(self, record: Record, ctx: Context) -> Record:
        record.messages[-1]["content"] = record.messages[-1]["content"].upper() + self.config.marker
        ctx.count("changed")
        return record


class ShortStub(Pass):
    """Per-record: rejects responses shorter than 3 characters; takes the `quality` slot."""
    name = "quality"

    def apply(self, record: Record, ctx: Context) -> Record | None:
        if len(record.response.strip()) < 3:
            ctx.reject(record, "too_short", chars=len(record.response))
            return None
        return record


class ExactStub(Pass):
    """Whole-dataset: first of identical responses wins; takes the `dedup_exact` slot."""
    name = "dedup_exact"
    per_record = False

    def run(self, records, ctx):
        seen: dict[str, str] = {}
        for record in records:
            key = record.response.lower()
            if key in seen:
                ctx.reject(record, "exact_duplicate", duplicate_of=seen[key])
                continue
            seen[key] = record.id
            yield record


class PiiStub(Pass):
    """Per-record: masks e-mail addresses everywhere, never rejects; takes the `pii` slot (and
    its duty: the rejects made before it go through it too)."""
    name = "pii"
    scrubs_rejects = True

    def apply(self, record: Record, ctx: Context) -> Record:
        for message in record.messages:
            message["content"] = EMAIL.sub("<EMAIL>", message["content"])
        record.meta = {k: EMAIL.sub("<EMAIL>", v) if isinstance(v, str) else v
                       for k, v in record.meta.items()}
        ctx.count("entity:EMAIL")
        return record


class SplitStub(Pass):
    """Whole-dataset: every 5th record to test, every 5th+1 to validation; `split` slot."""
    name = "split"
    per_record = False

    def run(self, records, ctx):
        for i, record in enumerate(records):
            record.split = "test" if i % 5 == 0 else "validation" if i % 5 == 1 else "train"
            yield record
        ctx.info["rule"] = "i % 5"


class CopyStub(Pass):
    """Whole-dataset: duplicates the first train record as a balancing copy; `balance` slot."""
    name = "balance"
    per_record = False

    def run(self, records, ctx):
        copied = False
        for record in records:
            yield record
            if not copied and record.split in (None, "train"):
                copy = Record.from_dict(json.loads(record.to_json()))
                copy.id, copy.meta["copy_of"] = f"{record.id}#copy1", record.id
                copied = True
                yield copy
        ctx.info["before"], ctx.info["after"] = {"a": 1}, {"a": 2}


class LosesOneStub(Pass):
    """A buggy whole-dataset pass: silently drops the second record; `decontaminate` slot."""
    name = "decontaminate"
    per_record = False

    def run(self, records, ctx):
        for i, record in enumerate(records):
            if i != 1:
                yield record


@dataclass
class BoomConfig:
    after: int = 3
    error: str = "runtime"


class BoomStub(Pass):
    """Raises in the middle of the run (to test atomic output); takes the `template` slot."""
    name = "template"
    per_record = False
    Config = BoomConfig

    def run(self, records, ctx):
        for i, record in enumerate(records):
            if i == self.config.after:
                raise KeyboardInterrupt() if self.config.error == "interrupt" else RuntimeError("boom")
            yield record


def write_jsonl(path: Path, rows: list) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def support_rows(n: int) -> list[dict]:
    """Realistic support-desk rows: English, Devanagari and Hinglish, with intents."""
    templates = [
        ("How do I reset my card PIN? ref {i}", "Open the app, go to Cards and tap Reset PIN ({i}).", "pin"),
        ("मेरा कार्ड ब्लॉक हो गया है, क्या करूँ? #{i}", "ऐप में Cards खोलें और Unblock दबाएँ। ({i})", "card"),
        ("Mera refund abhi tak nahi aaya, order {i}", "Refund 5-7 din mein aa jayega, order {i}.", "refund"),
    ]
    rows = []
    for i in range(n):
        q, a, intent = templates[i % 3]
        rows.append({"instruction": q.format(i=i), "output": a.format(i=i), "intent": intent,
                     "ticket_id": f"T{i:05d}"})
    return rows


def read_lines(path: Path) -> list[dict]:
    """Rows of a JSON Lines output; an empty split has no file, so a missing one is no rows."""
    if not path.exists() and path.name in ("train.jsonl", "validation.jsonl", "test.jsonl"):
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


class ShardFilesStub(Pass):
    """Per-record, reads whole conversations (the `pii` slot), changes nothing: counts the shards
    holding rows of more than one input file (the part of an id before its last ':')."""
    name = "pii"
    whole_conversations = True

    def run(self, records, ctx):
        records = list(records)
        if len({r.id.rpartition(":")[0] for r in records}) > 1:
            ctx.count("shards_spanning_files")
        return records
