"""A value found anywhere in a record (or its conversation) is replaced everywhere in it.

Why: detectors decide per string, and a name is easier to see in one sentence than in another.
"Thanks, Aarav Kulkarni." kept the name while the assistant's echo of it was replaced, a dialogue
kept "Hey Jimmy" while its summary said "invites <PERSON>", and a free-text label "Clyde's wish"
kept the name its text had lost. Once a value is known to be personal in one place, every other
whole-word occurrence of it in the same record, and in the records of the same
`conversation_id`, is the same value.

A conversation can be longer than a batch (a user's chat over 300 rows): `batches` never cuts
the rows of a conversation that follow one another, and `Conversations` carries the values found
in earlier batches of a run to the later rows of the same conversation. A run is one shard of
the pipeline, and shards do not cut a conversation's consecutive rows either (curate.executor,
up to 10,240 rows); rows of a conversation far apart in the input are the limit (DESIGN.md).
"""
from __future__ import annotations

import re
from collections import OrderedDict, defaultdict

from curate.pii.analyzer import Span

MIN_CHARS = 3
# NER's guesses spread only when every word is capitalised: a name or place written as one.
# A lower-case guess ("kaise milegi" -> LOCATION in Hinglish) is more often a false positive,
# and spreading it would copy the damage into every turn.
NER_ENTITIES = ("PERSON", "LOCATION")
_NAME_PART = re.compile(r"[A-Z][a-z]{2,}")


def known_values(pairs) -> dict[str, str]:
    """value -> entity, from (text, spans) pairs; a person's full name brings its capitalised
    parts ("Aarav Kulkarni" -> "Aarav", "Kulkarni"): a sign-off often names half of them."""
    values: dict[str, str] = {}
    for text, spans in pairs:
        for span in spans:
            value = text[span.start:span.end].strip()
            if len(value) < MIN_CHARS or (span.entity in NER_ENTITIES and not _capitalised(value)):
                continue
            values.setdefault(value, span.entity)
            if span.entity == "PERSON" and " " in value:
                for part in value.split():
                    if _NAME_PART.fullmatch(part):
                        values.setdefault(part, "PERSON")
    return values


def _capitalised(value: str) -> bool:
    return all(word[0].isupper() for word in value.split())


def pattern_for(values: dict[str, str]) -> re.Pattern | None:
    if not values:
        return None
    ordered = sorted(values, key=lambda v: (-len(v), v))
    return re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, ordered)) + r")(?!\w)")


def spread(text: str, spans: list[Span], pattern: re.Pattern | None, values: dict[str, str]) -> list[Span]:
    """`spans` plus every occurrence of a known value that overlaps none of them; a span that is
    a known value takes the value's entity (the text's "Clyde" is a PERSON, so the label's is
    too, whatever NER made of it there: one value, one placeholder)."""
    if pattern is None:
        return spans
    spans = [s if values.get(text[s.start:s.end], s.entity) == s.entity
             else Span(s.start, s.end, values[text[s.start:s.end]], s.score) for s in spans]
    extra = [Span(m.start(), m.end(), values[m.group()], 1.0) for m in pattern.finditer(text)
             if all(m.end() <= s.start or m.start() >= s.end for s in spans)]
    return sorted(spans + extra, key=lambda s: s.start) if extra else spans


KEY = "conversation_id"


def conversation(record, key: str = KEY) -> str | None:
    value = record.meta.get(key)
    if isinstance(value, (str, int)) and not isinstance(value, bool):
        return str(value)
    return None


def batches(records, size: int, limit: int = 8192):
    """Lists of about `size` records in order; a batch goes on past `size` while the next record
    belongs to a conversation already in it (up to `limit` records)."""
    batch: list = []
    open_: set[str] = set()
    for record in records:
        key = conversation(record)
        if len(batch) >= limit or len(batch) >= size and key not in open_:
            yield batch
            batch, open_ = [], set()
        batch.append(record)
        if key is not None:
            open_.add(key)
    if batch:
        yield batch


class Conversations:
    """The values found so far in each conversation of a run (the most recent `size` of them)."""

    def __init__(self, size: int = 10_000):
        self.values: OrderedDict[str, dict[str, str]] = OrderedDict()
        self.size = size

    def known(self, key: str | None) -> dict[str, str]:
        if key is None or key not in self.values:
            return {}
        self.values.move_to_end(key)
        return self.values[key]

    def remember(self, key: str | None, values: dict[str, str]) -> None:
        if key is None or not values:
            return
        self.values[key] = {**self.values.get(key, {}), **values}
        self.values.move_to_end(key)
        if len(self.values) > self.size:
            self.values.popitem(last=False)


def groups(records, key: str = KEY) -> list[list[int]]:
    """Indices of the records of each conversation in the batch; a record without one is alone."""
    by_key: dict[str, list[int]] = defaultdict(list)
    out: list[list[int]] = []
    for i, record in enumerate(records):
        value = conversation(record, key)
        if value is None:
            out.append([i])
            continue
        if not by_key[value]:
            out.append(by_key[value])
        by_key[value].append(i)
    return out
