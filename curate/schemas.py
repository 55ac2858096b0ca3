"""Map one parsed input row (a dict) onto a Record.

The schema is detected once per file, from the keys of its first mappable row, because a file
mixing schemas is almost always a mistake worth seeing in the rejects; a recipe can force it
(`schema: alpaca`). Columns a schema does not use go to `meta`: nothing the user had is dropped.
"""
from __future__ import annotations

from typing import Any, Callable

from curate.passes.base import Reject
from curate.records import Record

LABEL_KEYS = ("label", "intent", "category")          # first one present becomes Record.label
SHAREGPT_ROLES = {"human": "user", "user": "user", "gpt": "assistant", "assistant": "assistant",
                  "chatgpt": "assistant", "bard": "assistant", "bing": "assistant",
                  "model": "assistant", "system": "system"}
OPENAI_ROLES = {"system": "system", "developer": "system", "user": "user", "assistant": "assistant"}


class SchemaError(ValueError):
    """A row does not fit the schema; the message says what is missing or wrong."""


def _text(row: dict[str, Any], key: str) -> str:
    """A cell as text: None/missing → "", numbers → str; nested values are a mapping error."""
    value = row.get(key)
    if type(value) is str:          # the common case, first: this runs several times per row
        return value
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        raise SchemaError(f"column '{key}' holds a {type(value).__name__}, expected text")
    return str(value)


def _label(row: dict[str, Any]) -> tuple[str | None, str | None]:
    """(label, the column it came from); labels are strings so splits and counts agree."""
    for key in LABEL_KEYS:
        if row.get(key) not in (None, ""):
            return _text(row, key), key
    return None, None


def _pair(row: dict[str, Any], prompt: str, response: str) -> list[dict[str, str]]:
    messages = []
    system = _text(row, "system")
    if system:
        messages.append({"role": "system", "content": system})
    messages.append({"role": "user", "content": prompt})
    messages.append({"role": "assistant", "content": _text(row, response)})
    return messages


def _alpaca(row):
    instruction, extra = _text(row, "instruction"), _text(row, "input")
    prompt = f"{instruction}\n\n{extra}" if extra.strip() else instruction
    return _pair(row, prompt, "output"), {"instruction", "input", "output", "system"}


def _prompt_completion(row):
    return _pair(row, _text(row, "prompt"), "completion"), {"prompt", "completion", "system"}


def _question_answer(row):
    return _pair(row, _text(row, "question"), "answer"), {"question", "answer", "system"}


def _content(value: Any) -> str:
    """OpenAI content is a string or a list of parts; only text parts carry training text."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        parts = [p.get("text", "") for p in value if isinstance(p, dict) and p.get("type") == "text"]
        if len(parts) == len(value):
            return "".join(parts)
    raise SchemaError(f"message content must be text, got {type(value).__name__}")


def _turns(row, key: str, role_key: str, text_key: str, roles: dict[str, str]):
    turns = row.get(key)
    if not isinstance(turns, list) or not turns:
        raise SchemaError(f"'{key}' must be a non-empty list of turns")
    messages = []
    for i, turn in enumerate(turns):
        if not isinstance(turn, dict) or role_key not in turn:
            raise SchemaError(f"'{key}[{i}]' has no '{role_key}'")
        role = roles.get(str(turn[role_key]).lower())
        if role is None:
            raise SchemaError(f"'{key}[{i}]' has unknown role '{turn[role_key]}'; "
                              f"known: {', '.join(sorted(roles))}")
        messages.append({"role": role, "content": _content(turn.get(text_key))})
    return messages, {key}


def _openai(row):
    return _turns(row, "messages", "role", "content", OPENAI_ROLES)


def _sharegpt(row):
    return _turns(row, "conversations", "from", "value", SHAREGPT_ROLES)


def _text_row(row):
    """A labelled text is a classification example; unlabelled text is a document to learn."""
    text = _text(row, "text")
    label, label_key = _label(row)
    if label is not None:
        return ([{"role": "user", "content": text}, {"role": "assistant", "content": label}],
                {"text", label_key})
    return [{"role": "assistant", "content": text}], {"text"}


# name → (keys that identify it, mapper). Detection tries them in this order.
SCHEMAS: dict[str, tuple[tuple[str, ...], Callable]] = {
    "openai": (("messages",), _openai),
    "sharegpt": (("conversations",), _sharegpt),
    "alpaca": (("instruction", "output"), _alpaca),
    "prompt_completion": (("prompt", "completion"), _prompt_completion),
    "question_answer": (("question", "answer"), _question_answer),
    "text": (("text",), _text_row),
}
SCHEMA_NAMES = tuple(SCHEMAS)


def detect_schema(row: Any) -> str | None:
    """The first schema whose identifying keys are all in the row, or None."""
    if not isinstance(row, dict):
        return None
    for name, (keys, _) in SCHEMAS.items():
        if all(k in row for k in keys):
            return name
    return None


def map_row(row: Any, schema: str, record_id: str) -> Record:
    """Build the Record for one row; raises SchemaError naming what does not fit."""
    if not isinstance(row, dict):
        raise SchemaError(f"row is a {type(row).__name__}, expected an object with named fields")
    keys, mapper = SCHEMAS[schema]
    missing = [k for k in keys if k not in row]
    if missing:
        raise SchemaError(f"row does not fit schema '{schema}': missing {', '.join(missing)} "
                          f"(has {', '.join(map(str, row)) or 'no columns'})")
    messages, used = mapper(row)
    label, label_key = _label(row)
    meta = {k if type(k) is str else str(k): v for k, v in row.items()
            if k not in used and k != label_key}
    return Record(id=record_id, messages=messages, label=label, meta=meta)


def document(text: str, record_id: str, meta: dict[str, Any] | None = None) -> Record:
    """A TXT line or an HTML page: a single assistant message (text to learn, no prompt)."""
    return Record(id=record_id, messages=[{"role": "assistant", "content": text}], meta=meta or {})


class FileSchema:
    """Maps one file's rows: with the forced schema, or the one detected from the first mappable
    row. A row that does not fit becomes a "read" reject carrying its raw text, never an exception."""

    def __init__(self, rel: str, schema: str | None = None):
        self.rel, self.schema = rel, schema

    def __call__(self, row: Any, line: int, raw: str, record_id: str | None = None) -> Record | Reject:
        record_id = record_id or f"{self.rel}:{line}"
        schema = self.schema or detect_schema(row)
        if schema is None:
            return read_reject(record_id, raw, "unmapped_schema",
                               f"no known schema fits the columns {_columns(row)}")
        try:
            record = map_row(row, schema, record_id)
        except SchemaError as e:
            return read_reject(record_id, raw, "unmapped_schema", str(e))
        self.schema = schema
        return record


def _columns(row: Any) -> str:
    return ", ".join(map(str, row)) if isinstance(row, dict) else f"(a {type(row).__name__})"


def read_reject(record_id: str, raw: str, reason: str, error: str) -> Reject:
    """The contract for reader failures: pass "read", the raw text kept in meta["raw"]."""
    return Reject(Record(record_id, [], meta={"raw": raw}), "read", reason, {"error": error})
