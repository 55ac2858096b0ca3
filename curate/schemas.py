"""Map one parsed input row (a dict, or a [text, label] pair) onto a Record.

The schema is detected once per file, from the keys of its first mappable row, because a file
mixing schemas is almost always a mistake worth seeing in the rejects; a recipe can force it
(`schema: alpaca`) or map columns itself (`columns:`, see curate.columns). Column names match
case-insensitively and with or without a plural s (`Input`/`Responses` is input/response), since
public datasets spell the same columns many ways. Columns a schema does not use go to `meta`:
nothing the user had is dropped. OpenAI turn fields beyond role and content (`tool_calls`, `name`,
`tool_call_id`, `weight`) stay on the message, so they reach every output format.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any, Callable

from curate.columns import parse_spec
from curate.columns import spec as schema_spec
from tunecraft.records import Record, Reject

LABEL_KEYS = ("label", "intent", "category")          # first one present becomes Record.label
SHAREGPT_ROLES = {"human": "user", "user": "user", "gpt": "assistant", "assistant": "assistant",
                  "chatgpt": "assistant", "bard": "assistant", "bing": "assistant",
                  "model": "assistant", "system": "system"}
OPENAI_ROLES = {"system": "system", "developer": "system", "user": "user", "assistant": "assistant",
                "tool": "tool"}
# Task-oriented dialogue corpora (Taskmaster, Schema-Guided Dialogue, MultiWOZ exports) name the
# agent side "system": there it is the dialogue system answering the user, not a system prompt.
DIALOGUE_ROLES = {"user": "user", "customer": "user", "human": "user", "client": "user",
                  "caller": "user", "assistant": "assistant", "agent": "assistant",
                  "system": "assistant", "bot": "assistant", "wizard": "assistant",
                  "operator": "assistant"}
# (prompt column, response column, optional columns appended to the prompt) per flat schema
PAIRS = {"alpaca": ("instruction", "output", ("input",)),
         "dolly": ("instruction", "response", ("context", "input")),     # Dolly; GPTeacher
         "prompt_completion": ("prompt", "completion", ()),
         "question_answer": ("question", "answer", ("context",)),
         "input_output": ("input", "output", ()),
         "input_response": ("input", "response", ())}


class SchemaError(ValueError):
    """A row does not fit the schema; the message says what is missing or wrong."""


def _fold(key: Any) -> str:
    return str(key).strip().casefold().replace(" ", "_").replace("-", "_")


def _key(row: dict[str, Any], name: str) -> Any:
    """The row's column for `name`: exact, else case-insensitive with or without a plural s."""
    if name in row:
        return name
    return _spelled(tuple(row), name)


@lru_cache(maxsize=4096)
def _spelled(keys: tuple, name: str) -> Any:
    """Cached per set of columns: a file's rows share theirs, and folding every key of every
    row would triple the cost of mapping."""
    return next((k for k in keys if _fold(k) in (name, name + "s")), None)


@lru_cache(maxsize=4096)
def _renames(keys: tuple, names: tuple[str, ...]) -> dict[Any, str]:
    present = set(keys)
    return {k: n for n in names if n not in present and (k := _spelled(keys, n)) is not None}


def _canonical(row: dict[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    """The row with the columns spelled otherwise (`Responses`) renamed to `names`."""
    renames = _renames(tuple(row), names)
    return {renames.get(k, k): v for k, v in row.items()} if renames else row


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
    for key in _label_keys(tuple(row)):
        if row[key] not in (None, ""):
            return _text(row, key), key
    return None, None


@lru_cache(maxsize=4096)
def _label_keys(keys: tuple) -> tuple:
    return tuple(k for name in LABEL_KEYS if (k := name if name in keys else _spelled(keys, name)) is not None)


def _mapped_label(row: dict[str, Any], key: str) -> tuple[str | None, str]:
    return _text(row, key) or None, key


def _dialogue(row, prompt: str, response: str | None, system_key: str = "system"):
    messages = []
    system = _text(row, system_key) if system_key else ""
    if system:
        messages.append({"role": "system", "content": system})
    messages.append({"role": "user", "content": prompt})
    if response is not None:
        messages.append({"role": "assistant", "content": response})
    return messages


def _joined(first: str, extra: str) -> str:
    return f"{first}\n\n{extra}" if extra.strip() else first


def _pair_mapper(prompt_key: str, response_key: str, extras: tuple[str, ...]) -> Callable:
    def mapper(row, columns):
        prompt = _text(row, prompt_key)
        for key in extras:
            prompt = _joined(prompt, _text(row, key))
        return _dialogue(row, prompt, _text(row, response_key)), {prompt_key, response_key, "system", *extras}
    return mapper


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
        extra = {k: v for k, v in turn.items() if k not in (role_key, text_key)}
        if "weight" in extra and (role != "assistant" or extra["weight"] not in (0, 1)):
            raise SchemaError(f"'{key}[{i}]' weight must be 0 or 1 on an assistant turn, "
                              f"got {extra['weight']!r} on a {role} turn")
        messages.append({"role": role, "content": _content(turn.get(text_key)), **extra})
    return messages, {key}


def _openai(row, columns):
    return _turns(row, "messages", "role", "content", OPENAI_ROLES)


def _sharegpt(row, columns):
    return _turns(row, "conversations", "from", "value", SHAREGPT_ROLES)


def _speaker_turns(key: str) -> Callable:
    """`{speaker, text}` (or `utterance`) turns. What else a turn carries (indexes, slot
    annotations, API calls) is corpus metadata, not chat: it goes to meta["turn_fields"], one
    entry per turn, so nothing is dropped and no template sees it."""
    def mapper(row, columns):
        turns = row.get(key)
        if not isinstance(turns, list) or not turns:
            raise SchemaError(f"'{key}' must be a non-empty list of turns")
        text_key = "text" if isinstance(turns[0], dict) and "text" in turns[0] else "utterance"
        messages, _ = _turns(row, key, "speaker", text_key, DIALOGUE_ROLES)
        extras = [{k: v for k, v in m.items() if k not in ("role", "content")} for m in messages]
        if any(extras):       # map_row builds meta from this row's unused columns
            row["turn_fields"] = extras
        return [{"role": m["role"], "content": m["content"]} for m in messages], {key}
    return mapper


def _text_row(row, columns):
    """A labelled text is a classification example; unlabelled text is a document to learn."""
    text = _text(row, "text")
    label, label_key = _label(row)
    if label is not None:
        return _dialogue(row, text, label, ""), {"text", label_key}
    return [{"role": "assistant", "content": text}], {"text"}


def _mapped(row, columns):
    """The user's own map: prompt (+ context) is the user turn, completion the assistant turn;
    with no completion, the label is the answer (classification) or the prompt a document."""
    used = {columns[t] for t in ("prompt", "completion", "context", "system") if t in columns}
    prompt = _joined(_text(row, columns["prompt"]) if "prompt" in columns else "",
                     _text(row, columns["context"]) if "context" in columns else "")
    system = columns.get("system", "")
    if "completion" in columns:
        completion = _text(row, columns["completion"])
        if "prompt" not in columns:
            return [{"role": "assistant", "content": completion}], used
        return _dialogue(row, prompt, completion, system), used
    label = _text(row, columns["label"]) if "label" in columns else ""
    if label:
        return _dialogue(row, prompt, label, system), used
    return [{"role": "assistant", "content": prompt}], used


# name → (keys that identify it, mapper). Detection tries them in this order.
SCHEMAS: dict[str, tuple[tuple[str, ...], Callable]] = {
    "openai": (("messages",), _openai),
    "sharegpt": (("conversations",), _sharegpt),
    "utterances": (("utterances",), _speaker_turns("utterances")),
    "turns": (("turns",), _speaker_turns("turns")),
    **{name: ((p, r), _pair_mapper(p, r, extra)) for name, (p, r, extra) in PAIRS.items()},
    "text": (("text",), _text_row),
    "columns": ((), _mapped),
}
SCHEMA_NAMES = tuple(name for name in SCHEMAS if name != "columns")


def as_row(row: Any) -> Any:
    """A [text, label] pair (intent sets shipped as lists) is the row {text, label}."""
    if isinstance(row, (list, tuple)) and len(row) == 2 and isinstance(row[0], str):
        return {"text": row[0], "label": row[1]}
    return row


def detect_schema(row: Any) -> str | None:
    """The first schema whose identifying keys are all in the row, or None."""
    row = as_row(row)
    if not isinstance(row, dict):
        return None
    for name in SCHEMA_NAMES:
        keys = SCHEMAS[name][0]
        if all(k in row for k in keys) or all(_key(row, k) is not None for k in keys):
            return name
    return None


def map_row(row: Any, schema: str, record_id: str, columns: dict[str, str] | None = None) -> Record:
    """Build the Record for one row; raises SchemaError naming what does not fit."""
    row, columns = as_row(row), columns or {}
    if not isinstance(row, dict):
        kind = f"a list of {len(row)} items" if isinstance(row, list) else f"a {type(row).__name__}"
        raise SchemaError(f"row is {kind}, expected an object with named fields or a [text, label] pair")
    keys, mapper = SCHEMAS[schema]
    if schema != "columns":
        row = _canonical(row, keys + ("system",) + (PAIRS[schema][2] if schema in PAIRS else ()))
    missing = [k for k in keys if k not in row]
    absent = [f"'{c}' (mapped to {t})" for t, c in columns.items() if c not in row]
    if missing or absent:
        raise SchemaError(f"row does not fit schema '{schema}': missing {', '.join(missing + absent)} "
                          f"(has {', '.join(map(str, row)) or 'no columns'})")
    messages, used = mapper(row, columns)
    label, label_key = _mapped_label(row, columns["label"]) if "label" in columns else _label(row)
    meta = {k if type(k) is str else str(k): v for k, v in row.items()
            if k not in used and k != label_key}
    if "group" in columns and row[columns["group"]] not in (None, ""):
        meta["conversation_id"] = row[columns["group"]]
    return Record(id=record_id, messages=messages, label=label, meta=meta)


def document(text: str, record_id: str, meta: dict[str, Any] | None = None) -> Record:
    """A TXT line or an HTML page: a single assistant message (text to learn, no prompt)."""
    return Record(id=record_id, messages=[{"role": "assistant", "content": text}], meta=meta or {})


class FileSchema:
    """Maps one file's rows: with the forced schema, or the one detected from the first mappable
    row. A row that does not fit becomes a "read" reject carrying its raw text, never an exception.

    `spec` is a schema name, or a spec with a column map (curate.columns.spec); `schema` stays None
    until the file's schema is settled, and is then a spec that maps every later row the same way.
    """

    def __init__(self, rel: str, spec: str | None = None):
        self.rel = rel
        self.name, self.columns = parse_spec(spec)
        self.schema = spec if self.name else None

    def __call__(self, row: Any, line: int, raw: str, record_id: str | None = None) -> Record | Reject:
        record_id = record_id or f"{self.rel}:{line}"
        name = self.name or detect_schema(row)
        if name is None:
            return read_reject(record_id, raw, "unmapped_schema",
                               f"no known schema fits the columns {_columns(row)}", _names(row))
        try:
            record = map_row(row, name, record_id, self.columns)
        except SchemaError as e:
            return read_reject(record_id, raw, "unmapped_schema", str(e), _names(row))
        if self.schema is None:
            self.name = name
            self.schema = schema_spec(name, self.columns)
        return record


def _names(row: Any) -> list[str] | None:
    return [str(k) for k in row] if isinstance(row, dict) else None


def _columns(row: Any) -> str:
    return ", ".join(map(str, row)) if isinstance(row, dict) else f"(a {type(row).__name__})"


def read_reject(record_id: str, raw: str, reason: str, error: str,
                columns: list[str] | None = None) -> Reject:
    """The contract for reader failures: pass "read", the raw text kept in meta["raw"]; an
    unmapped row also lists its columns, from which a column map is suggested."""
    details: dict[str, Any] = {"error": error}
    if columns is not None:
        details["columns"] = columns
    return Reject(Record(record_id, [], meta={"raw": raw}), "read", reason, details)
