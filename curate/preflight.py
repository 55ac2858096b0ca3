"""Stop a run that would produce nothing, before the passes load their models.

A file whose first rows map to no schema will map to none later either (the schema is fixed per
file), and finding out after minutes of pass set-up and an "accounting ok" with empty splits is
the worst way to learn it. So each file's head is read first, and a file that maps to nothing is a
user error that names its columns and the `--map` that would read it.
"""
from __future__ import annotations

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
    """`file:line: why; map them, e.g. --map prompt=...` (the row's id names file and line)."""
    columns = reject.details.get("columns")
    hint = f"; map them, e.g. {as_flag(suggest(columns))}" if columns else ""
    return f"{reject.record.id}: {reject.details['error']}{hint}"
