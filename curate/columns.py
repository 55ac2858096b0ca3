"""Column maps: the user's word on which column is the prompt, the completion, the label.

A map comes from the recipe (`columns: {prompt: dialogue, completion: summary}`) or the command
line (`--map prompt=dialogue,completion=summary`). It travels to the readers as part of the schema
spec string (`columns;prompt=dialogue;completion=summary`) because that string already reaches
every worker process and the manifest; `spec` and `parse_spec` are the two ends of it.

When a file maps to nothing, `suggest` guesses a map from its column names, so the error the user
sees already holds the command that fixes it.
"""
from __future__ import annotations

from typing import Any, Iterable

TARGETS = ("prompt", "completion", "context", "system", "label", "group")
ROW_TARGETS = ("prompt", "completion", "context", "system")   # these replace schema detection


class ColumnMapError(ValueError):
    """A column map names an unknown target or is not `target=column` pairs."""


def parse_map(value: Any, where: str = "--map") -> dict[str, str]:
    """`prompt=dialogue,completion=summary` or a mapping → {target: source column}, validated."""
    if value is None or value == "":
        return {}
    if isinstance(value, str):
        pairs = [item.split("=", 1) for item in value.split(",") if item.strip()]
        if any(len(p) != 2 or not p[0].strip() or not p[1].strip() for p in pairs):
            raise ColumnMapError(f"{where}: expected target=column pairs, e.g. "
                                 f"prompt=dialogue,completion=summary; got {value!r}")
        value = {t.strip(): c.strip() for t, c in pairs}
    if not isinstance(value, dict):
        raise ColumnMapError(f"{where}: a column map is a mapping of target: column, got {value!r}")
    for target, column in value.items():
        if target not in TARGETS:
            raise ColumnMapError(f"{where}: unknown target '{target}'; valid targets: {', '.join(TARGETS)}")
        if not isinstance(column, str) or not column:
            raise ColumnMapError(f"{where}: target '{target}' needs a column name, got {column!r}")
    if any(t in value for t in ("context", "system")) and not any(t in value for t in ("prompt", "completion")):
        raise ColumnMapError(f"{where}: context and system need a prompt or completion column too")
    return {t: value[t] for t in TARGETS if t in value}


def spec(schema: str | None, columns: dict[str, str]) -> str | None:
    """The schema spec readers receive: a name, `auto`, or either with `;target=column` parts."""
    if not columns:
        return schema
    name = "columns" if any(t in columns for t in ROW_TARGETS) else (schema or "auto")
    return ";".join([name] + [f"{t}={c}" for t, c in columns.items()])


def parse_spec(value: str | None) -> tuple[str | None, dict[str, str]]:
    """(schema name or None for detection, column map) from a spec string."""
    if not value:
        return None, {}
    name, *parts = value.split(";")
    columns = dict(part.split("=", 1) for part in parts)
    return (None if name == "auto" else name), columns


# --- suggestions for a file that maps to nothing --------------------------------------------
HINTS = {
    "prompt": ("dialogue", "dialog", "conversation", "document", "article", "instruction", "question",
               "query", "prompt", "input", "source", "text", "sentence", "utterance", "post"),
    "completion": ("summary", "response", "answer", "output", "completion", "target", "reply",
                   "highlights", "abstract", "solution", "translation"),
    "context": ("context", "passage", "background"),
    "label": ("label", "intent", "category", "topic", "class", "tag"),
    "group": ("conversation_id", "dialogue_id", "dialog_id", "thread_id", "session_id", "group"),
}


def suggest(columns: Iterable[str], nested: Iterable[str] = ()) -> dict[str, str]:
    """A best guess of {target: column} from column names (first hint that matches); `nested`
    columns (a list, an object or a true/false in the first row) cannot be mapped, so no guess
    names them."""
    skip = {str(c) for c in nested}
    free = [str(c) for c in columns if str(c) not in skip]
    guess: dict[str, str] = {}
    for target in ("group", "label", "context", "completion", "prompt"):
        for hint in HINTS[target]:
            match = next((c for c in free if hint in c.casefold()), None)
            if match is not None:
                guess[target] = match
                free.remove(match)
                break
    if "prompt" not in guess and free:
        guess["prompt"] = free.pop(0)
    return {t: guess[t] for t in TARGETS if t in guess}


def as_flag(columns: dict[str, str]) -> str:
    return "--map " + ",".join(f"{t}={c}" for t, c in columns.items())
