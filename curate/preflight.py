"""Stop a run that would produce nothing, before the passes load their models.

A file whose first rows map to no schema will map to none later either (the schema is fixed per
file), and finding out after minutes of pass set-up and an "accounting ok" with empty splits is
the worst way to learn it. So each file's head is read first, and a file that maps to nothing is a
user error that names its columns and the `--map` that would read it.
"""
from __future__ import annotations

import json
from itertools import islice
from pathlib import Path

from curate.columns import as_flag, suggest
from curate.readers import _READERS, InputError, discover
from curate.schemas import FileSchema
from tunecraft.records import Record

HEAD = 20        # parsed rows per file looked at


class UnmappedInput(InputError):
    """No row of a file's head maps to a Record: the columns need a map."""


def check_mappable(input_dir: Path, out_dir: Path, schema: str | None) -> None:
    """Raise UnmappedInput for the first file whose head holds unmapped rows and no Record."""
    for source in discover(Path(input_dir), exclude=Path(out_dir)).files:
        if source.format in ("txt", "html"):
            continue                     # every line or page is a document: nothing to map
        unmapped = []
        # the format's reader itself, not read_file: no hashing of the whole file, no counts
        for item in islice(_READERS[source.format](source, FileSchema(source.rel, schema)), HEAD):
            if isinstance(item, Record):
                break
            if item.reason == "unmapped_schema":
                unmapped.append(item)
        else:
            if unmapped:
                raise UnmappedInput(_message(unmapped[0]))


def _message(reject) -> str:
    """`file:line: why; map them, e.g. --map prompt=...` (the row's id names file and line).
    A column holding a list of objects (Self-Instruct's `instances`) is named: a map reads
    text columns only, so such rows must be flattened first."""
    columns = reject.details.get("columns")
    nested = _nested_columns(reject.record.meta.get("raw"))
    guess = suggest(columns, nested) if columns else {}
    hint = f"; map them, e.g. {as_flag(guess)}" if guess else ""
    turns = [c for c, kind in nested.items() if kind == "turns"]
    lists = [c for c, kind in nested.items() if kind == "list"]
    if turns:
        hint += (f"; {turns[0]!r} holds dialogue turns: name it 'messages' (role, content), "
                 "'conversations' (from, value) or 'utterances' (speaker, text)")
    elif lists:
        hint += (f"; {', '.join(repr(c) for c in lists)} holds a list: flatten it to one row per "
                 "item first")
    return f"{reject.record.id}: {reject.details['error']}{hint}"


def _nested_columns(raw) -> dict[str, str]:
    """{column: "list" | "object" | "bool"} of a JSON row's values that are not text."""
    try:
        row = json.loads(raw) if isinstance(raw, str) else None
    except ValueError:
        return {}
    if not isinstance(row, dict):
        return {}
    kinds = {list: "list", dict: "object", bool: "bool"}
    return {str(k): "turns" if _is_turns(v) else kinds[type(v)]
            for k, v in row.items() if type(v) in kinds}


def _is_turns(value) -> bool:
    first = value[0] if isinstance(value, list) and value else None
    return isinstance(first, dict) and bool({"role", "from", "speaker", "author"} & set(first))
