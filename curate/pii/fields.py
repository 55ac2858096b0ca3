"""Where a string sits in a record, and what may be found there.

Every string of a record is output text: message contents, prompt/completion, the label, every
`meta` value (long integers too) and every `meta` key (a CSV header or JSON key that is an e-mail
address). Each place has a kind that decides which detectors apply:
- "text": everything.
- "label" and "key": structured and secret detectors; NER only on free text (with a space). Why:
  `card_arrival` or `customerName` is a class or column name, and an English NER model on a bare
  identifier guesses; "Clyde's wish" is free text.
- "protected": group keys the pipeline relies on (`conversation_id`, `cluster_id`, any `*_id`).
  Never NER (it rewrote `conversations/7.txt` to `<LOCATION>` and merged 120 groups into one);
  a structured value inside is replaced by its pseudonym, the same for the same value, so a
  group keyed by a customer's e-mail address stays one group.
"""
from __future__ import annotations

import re
from typing import Any, Callable

from curate.passes.split import GROUP_KEYS
from tunecraft.records import Record

Fn = Callable[[str, str], str]      # (kind, text) -> new text


def is_protected_key(key: Any) -> bool:
    if not isinstance(key, str):
        return False
    words = re.findall(r"[a-z]+", re.sub(r"(?<=[a-z])(?=[A-Z])", "_", key).lower())
    return key in GROUP_KEYS or (len(words) > 1 and words[-1] == "id")


def free_text(text: str) -> bool:
    return any(ch.isspace() for ch in text.strip())


def map_strings(record: Record, fn: Fn) -> None:
    """Replace every string of `record` with fn(kind, string), in place; keys renamed to a key
    already present get a numeric suffix (two columns must never collapse into one)."""
    for message in record.messages:
        _map_message(message, fn)
    record.prompt = _map_turns(record.prompt, fn)
    record.completion = _map_turns(record.completion, fn)
    if isinstance(record.label, str):
        record.label = fn("label", record.label)
    record.meta = _map_meta(record.meta, fn, top=True)


def strings(record: Record) -> list[tuple[str, str]]:
    """(kind, text) of every string of `record`, in map_strings order; the record is not changed."""
    seen: list[tuple[str, str]] = []

    def collect(kind: str, text: str) -> str:
        seen.append((kind, text))
        return text

    for message in record.messages:
        _map_message(dict(message), collect)
    for value in (record.prompt, record.completion):
        _map_turns(value, collect, copy=True)
    if isinstance(record.label, str):
        collect("label", record.label)
    _map_meta(record.meta, collect, top=True)
    return seen


def _map_message(message: dict, fn: Fn) -> None:
    """Content and every OpenAI extra (tool-call arguments, `name`); `role` is structure, and a
    `tool_call_id` is a protected key like any `*_id`."""
    for key, value in list(message.items()):
        if key == "role":
            continue
        kind = "protected" if is_protected_key(key) else "text"
        message[key] = fn(kind, value) if isinstance(value, str) else _map_meta(value, fn, kind=kind)


def _map_turns(value: Any, fn: Fn, copy: bool = False) -> Any:
    """prompt/completion: a string, or a list of messages (the openai template's output)."""
    if isinstance(value, str):
        return fn("text", value)
    if isinstance(value, list):
        turns = [dict(m) if copy and isinstance(m, dict) else m for m in value]
        for turn in turns:
            if isinstance(turn, dict):
                _map_message(turn, fn)
        return turns
    return value


def _map_meta(value: Any, fn: Fn, top: bool = False, kind: str = "text") -> Any:
    if isinstance(value, str):
        return fn(kind, value)
    if is_long_int(value):
        new = fn(kind, str(value))
        return value if new == str(value) else new
    if isinstance(value, dict):
        out: dict = {}
        for key, item in value.items():
            sub = "protected" if top and is_protected_key(key) else "text"
            new_key = _free_key(fn("key", key), out) if isinstance(key, str) else key
            out[new_key] = _map_meta(item, fn, kind=sub if kind == "text" else kind)
        return out
    if isinstance(value, (list, tuple)):
        return [_map_meta(item, fn, kind=kind) for item in value]
    return value


def _free_key(key: str, taken: dict) -> str:
    n, candidate = 1, key
    while candidate in taken:
        n += 1
        candidate = f"{key}.{n}"
    return candidate


def is_long_int(value: Any) -> bool:
    """Integers long enough to be an identifier (a phone or Aadhaar stored as a JSON number)."""
    return isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**6
