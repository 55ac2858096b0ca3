"""A string that is a JSON document (an API call logged in a dialogue's meta) is read piece by piece.

Why: Taskmaster keeps each turn's API requests and responses as JSON text (`{"query": "Mocha"}`,
a menu of 5 KB), about 5 KB per dialogue, and the pii pass ran language detection, NER and every
recognizer over each whole document: 10-20x the cost of the dialogue's turns, for text whose
pieces repeat from one dialogue to the next (the same menu, the same keys). Read piece by piece,
each distinct key and value is analysed once per batch, and a value with digits or under a
person's name field is read with its key before it ("phone: 98201 23456", "customer_name: Kiran
Desai"), which is the context a recognizer scores on.
What is found is replaced in the original document at the same place, so nothing of the JSON
text is lost and a value split across pieces cannot occur (a JSON string holds one value).
Keys are identifiers: as for a record's own meta keys (`curate.pii.fields`), NER applies to a
key only when it is free text.
"""
from __future__ import annotations

import re

import orjson

_LITERAL = re.compile(r'"((?:[^"\\]|\\.)*)"(\s*:)?')
_NUMBER = re.compile(r"(?<![\w.\"])-?\d{6,}(?![\w.\"])")
MIN_CHARS = 64      # shorter JSON texts cost little whole


def pieces(text: str) -> list[tuple[int, str, int, bool]] | None:
    """(offset in `text`, the string to analyse, the length of its key prefix, whether it is a
    key) for each string literal and long number of a JSON object or array; None when `text` is
    no such document."""
    head = text.lstrip()[:1]
    if len(text) < MIN_CHARS or head not in "{[" or not head:
        return None
    try:
        orjson.loads(text)
    except orjson.JSONDecodeError:
        return None
    out, key, literal_spans = [], "", []
    for m in _LITERAL.finditer(text):
        literal_spans.append(m.span())
        value, is_key = m.group(1), bool(m.group(2))
        if not value.strip():
            continue
        if is_key:
            key = value
            out.append((m.start(1), value, 0, True))
        else:
            prefix = f"{key}: " if _with_key(key, value) else ""
            out.append((m.start(1) - len(prefix), prefix + value, len(prefix), False))
    for m in _NUMBER.finditer(text):
        if not any(s <= m.start() < e for s, e in literal_spans):
            prefix = f"{key}: " if key else ""
            out.append((m.start() - len(prefix), prefix + m.group(), len(prefix), False))
    return out


def _with_key(key: str, value: str) -> bool:
    """A value is read after its key when the key is context a recognizer needs: a number
    ("phone: 98201 23456") or a person's name field ("customer_name: Kiran Desai"). A bare "name"
    key names menu items and venues as often as people ("name: Mocha"), and "name:" is a name
    cue, so such values are read alone, as a record's own meta values are."""
    from curate.pii.name_fields import is_name_key

    if not key:
        return False
    return any(c.isdigit() for c in value) or key.strip().casefold() != "name" and is_name_key(key)


def assemble(parts: list[tuple[int, str, int, bool]], found: dict, is_ner) -> list:
    """The spans of `text` from those found in its pieces (keys' NER spans only where the key
    holds a space); a span in a value's key prefix belongs to the key and is not repeated."""
    from curate.pii.analyzer import Span

    spans = []
    for offset, piece, floor, is_key in parts:
        for s in found.get(piece, []):
            if s.start < floor or is_key and is_ner(s.entity) and " " not in piece:
                continue
            spans.append(Span(offset + s.start, offset + s.end, s.entity, s.score))
    spans.sort(key=lambda s: (s.start, -s.end))
    out = []
    for s in spans:
        if not out or s.start >= out[-1].end:
            out.append(s)
    return out
