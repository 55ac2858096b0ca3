"""Input files → Records with provenance (`<relative path>:<1-based physical line>`).

Readers are generators, so memory stays flat however big the input is (a JSON array is the one
format that must be parsed whole). A row that cannot be parsed or mapped becomes a Reject of the
pass "read" carrying the raw text, never an exception: one bad line must not cost the whole file.
Files that are not data at all (unknown type, binary, empty) are listed as skipped with a reason.
"""
from __future__ import annotations

import itertools
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator

import orjson

from curate.chat_exports import is_chat_export, read_chat_export
from curate.parquet_files import read_parquet
from curate.saved_datasets import (dataset_folders, is_saved_dataset, is_saved_dataset_dict,
                                   read_saved_dataset, sha256_of_dataset)
from curate.schemas import FileSchema, detect_schema, document, read_reject
from curate.spreadsheets import read_sheet, sheet_names
from curate.csv_files import read_csv
from curate.textio import UTF8, byte_lines, decode_line, inspect_file, read_text, text_lines
from curate.writers import curate_output_reason
from tunecraft.hashing import file_sha256
from tunecraft.records import Record, Reject

FORMATS = {".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "json", ".csv": "csv", ".tsv": "tsv",
           ".parquet": "parquet", ".txt": "txt", ".html": "html", ".htm": "html",
           ".xlsx": "xlsx", ".xls": "xls"}          # + "hf_dataset": a save_to_disk folder
LINES_PER_BATCH = 512          # JSONL lines per JsonlLines batch (one worker shard)


class InputError(Exception):
    """The input cannot be used at all (missing folder, unreadable file): a user error."""


@dataclass
class InputFile:
    """One data file found under the input folder, and what reading it produced."""
    path: Path
    rel: str
    format: str
    schema: str | None = None
    rows: int = 0
    rejected: int = 0              # read rejects: counted from them when the manifest is built
    sha256: str = ""
    path_scrubbed: bool = False    # `rel` (and so every id) has the PII of the name replaced
    encoding: str = UTF8           # text encoding (curate.textio.sniff); listed when not UTF-8
    sheet: str | None = None       # the workbook's sheet this input is (curate.spreadsheets)

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.rel, "format": self.format, "schema": self.schema, "sha256": self.sha256,
                "rows": self.rows, "rejected": self.rejected,
                **({"path_scrubbed": True} if self.path_scrubbed else {}),
                **({} if self.encoding == UTF8 else {"encoding": self.encoding}),
                **({"sheet": self.sheet} if self.sheet else {})}


@dataclass
class Inventory:
    files: list[InputFile] = field(default_factory=list)
    skipped: list[dict[str, str]] = field(default_factory=list)   # {"path", "reason"}


def discover(root: Path, exclude: Path | Iterable[Path] | None = None) -> Inventory:
    """Every file under `root`, in sorted relative-path order (the order records are read in).

    Listed as skipped, not read: curate's own output and temporary folders (a run whose --out is
    inside its input must never read itself back), links to folders (not followed: they can loop
    or leave the input) and broken links. `exclude` (this run's --out, its lock): not even listed.
    """
    root = check_input(Path(root))
    if saved := dataset_folders(root):          # the input is itself a save_to_disk folder
        return Inventory([InputFile(path, rel, "hf_dataset") for rel, path in saved])
    excluded = {Path(p).resolve() for p in ([exclude] if isinstance(exclude, (str, Path)) else exclude or ())}
    inventory, found = Inventory(), []
    for folder, dirs, names in os.walk(root):
        for path in [Path(folder, name) for name in dirs]:
            reason = "" if path.resolve() in excluded else (
                "symbolic link to a folder (not followed)" if path.is_symlink() else curate_output_reason(path))
            if reason is None and is_saved_dataset(path):    # one input, not walked into
                found.append((path.relative_to(root).as_posix(), path, None))
                reason = ""
            if reason is not None:
                dirs.remove(path.name)
                found += [(path.relative_to(root).as_posix() + "/", path, reason)] if reason else []
        found += [(p.relative_to(root).as_posix(), p, None) for p in (Path(folder, n) for n in names)
                  if p.resolve() not in excluded]
    for rel, path, reason in sorted(found, key=lambda item: item[0]):
        reason, encoding = (reason, None) if reason or path.is_dir() else _inspect(path)
        if reason:
            inventory.skipped.append({"path": rel, "reason": reason})
        else:
            inventory.files += _inputs(InputFile(path, rel, _format(path), encoding=encoding or UTF8))
    return inventory


def _format(path: Path) -> str:
    return "hf_dataset" if path.is_dir() else FORMATS[path.suffix.lower()]


def _inputs(source: InputFile) -> list[InputFile]:
    """A workbook is one input per sheet (curate.spreadsheets); one that cannot be opened stays
    one input, which its reader rejects."""
    if source.format not in ("xlsx", "xls"):
        return [source]
    try:
        names = sheet_names(source.path, source.format)
    except Exception:  # openpyxl, zipfile and xlrd raise many types for a damaged workbook
        return [source]
    return [InputFile(source.path, f"{source.rel}:{name}", source.format, sheet=name) for name in names]


def check_input(root: Path) -> Path:
    if not root.is_dir():
        raise InputError(f"input folder not found: {root}")
    return root


def _inspect(path: Path) -> tuple[str | None, str]:
    """(why the file is skipped or None, its text encoding)."""
    if path.name == "dataset_dict.json" and is_saved_dataset_dict(path.parent):
        return "index of a saved DatasetDict (its split folders are read)", UTF8
    try:
        return inspect_file(path, FORMATS.get(path.suffix.lower()))
    except OSError as e:
        raise InputError(f"{path}: cannot read: {e.strerror or e}") from None


def read_file(source: InputFile, schema: str | None = None, *,
              defer_parsing: bool = False) -> Iterator[Record | Reject | JsonlLines]:
    """Records (and read rejects) of one file; updates `source`'s row count as it goes.

    `defer_parsing`: once a JSONL file's schema is settled, yield its remaining lines in
    JsonlLines batches instead of Records, for the pipeline to parse in its worker processes.
    """
    mapper = FileSchema(source.rel, schema)
    reader = _READERS[source.format]
    if defer_parsing and source.format == "jsonl":
        reader = _read_jsonl_deferred
    try:
        source.sha256 = (sha256_of_dataset if source.format == "hf_dataset" else file_sha256)(source.path)
        for item in reader(source, mapper):
            source.rows += len(item.lines) if isinstance(item, JsonlLines) else 1
            yield item
    except OSError as e:
        raise InputError(f"{source.rel}: cannot read: {e.strerror or e}") from None
    source.schema = mapper.schema if source.format not in ("txt", "html") else source.schema or "text"


# --- line-based text --------------------------------------------------------------------------
_LONG_NUMBER = re.compile(r"\d{19}")


def _loads(text: str) -> Any:
    """orjson (3x faster), falling back to the stdlib for its error message and for what orjson
    refuses but `json` reads (NaN, lone surrogate escapes); a line with 19+ digits in a row goes to
    `json` at once, as orjson makes an integer beyond 64 bits a float without a word."""
    if _LONG_NUMBER.search(text):
        return json.loads(text)
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)


def _jsonl_item(rel: str, mapper: FileSchema, line: int, text: str, error: str | None):
    if error is None:
        try:
            row = _loads(text)
        except json.JSONDecodeError as e:
            error = f"invalid JSON: {e}"
    if error:
        return read_reject(f"{rel}:{line}", text, "parse_error", error)
    return mapper(row, line, text)


def _read_jsonl(source: InputFile, mapper: FileSchema):
    """The deferred reader with its batches parsed at once: one reading of JSONL, so the two
    cannot drift apart."""
    for item in _read_jsonl_deferred(source, mapper):
        yield from item.parse() if isinstance(item, JsonlLines) else [item]


def _blank(number: int, raw: bytes) -> bool:
    """Whitespace only, without decoding long lines (no JSON row is 64 bytes of blanks)."""
    return not raw.strip() or (len(raw) < 64 and not decode_line(number, raw)[0].strip())


@dataclass
class JsonlLines:
    """Raw lines of a JSONL file whose schema is settled, parsed and mapped later by `parse`.

    Why: JSON parsing and schema mapping are a third of a fast curate run; shipped as raw lines they
    run in the worker processes instead of the main one, which is what limits a parallel run. Once
    the schema is fixed a row's result depends on that row alone, so parsing later changes nothing.
    """
    rel: str
    schema: str
    lines: list[tuple[int, bytes]]

    def parse(self) -> list[Record | Reject]:
        mapper = FileSchema(self.rel, self.schema)
        return [_jsonl_item(self.rel, mapper, number, *decode_line(number, raw)) for number, raw in self.lines]


def _read_jsonl_deferred(source: InputFile, mapper: FileSchema):
    """Like _read_jsonl until a row fixes the file's schema; then JsonlLines batches."""
    batch: list[tuple[int, bytes]] = []
    for number, raw in enumerate(byte_lines(source.path, source.encoding), start=1):
        if _blank(number, raw):
            continue
        if mapper.schema is None:
            yield _jsonl_item(source.rel, mapper, number, *decode_line(number, raw))
            continue
        batch.append((number, raw))
        if len(batch) == LINES_PER_BATCH:
            yield JsonlLines(source.rel, mapper.schema, batch)
            batch = []
    if batch:
        yield JsonlLines(source.rel, mapper.schema, batch)


def _read_txt(source: InputFile, mapper: FileSchema):
    lines = text_lines(source.path, source.encoding)
    head = []                           # up to the first non-empty line
    for item in lines:
        head.append(item)
        if item[1].strip():
            break
    if head and is_chat_export(head[-1][1]):
        source.schema = "whatsapp"
        yield from read_chat_export(source.rel, source.path.name, itertools.chain(head, lines))
        return
    for line, text, error in itertools.chain(head, lines):
        if error:
            yield read_reject(f"{source.rel}:{line}", text, "parse_error", error)
        elif text.strip():
            yield document(text, f"{source.rel}:{line}")


# --- JSON documents ---------------------------------------------------------------------------
def _read_json(source: InputFile, mapper: FileSchema):
    """A top-level array of rows, an object holding arrays of rows (key → meta), or a single
    row."""
    try:
        text = read_text(source.path, source.encoding)
        document_ = json.loads(text)
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        line = getattr(e, "lineno", 1)
        yield read_reject(f"{source.rel}:{line}", _line_at(source.path, line, source.encoding), "parse_error",
                          f"invalid JSON: {e}")
        return
    if isinstance(document_, list):
        yield from _json_rows(source, mapper, text, document_, 0, None)
    elif isinstance(document_, dict) and detect_schema(document_):
        yield mapper(document_, 1, text)                  # a file holding a single row
    elif isinstance(document_, dict) and any(isinstance(v, list) for v in document_.values()):
        yield from _json_object_of_rows(source, mapper, text, document_)
    else:
        yield read_reject(f"{source.rel}:1", text, "parse_error",
                          "a .json file must hold an array of rows or an object holding arrays of rows")


def _json_object_of_rows(source, mapper, text, document_):
    """Each array value's rows (its key → meta["json_key"]). Exports often wrap the rows with
    file-level fields (`{"version": "1.0", "data": [...]}`): such a field is no row, so it becomes
    a read reject naming its key and line rather than failing the whole file or vanishing."""
    pos = text.index("{") + 1
    for key, value in document_.items():     # json keeps the text's key order
        _, pos = _DECODER.raw_decode(text, _skip_separators(text, pos))   # the key
        if isinstance(value, list):
            pos = yield from _json_rows(source, mapper, text, value, text.index(":", pos), key)
            continue
        start = _skip_separators(text, text.index(":", pos) + 1)
        _, pos = _DECODER.raw_decode(text, start)
        line = text.count("\n", 0, start) + 1
        yield read_reject(f"{source.rel}:{line}", text[start:pos], "parse_error",
                          f"top-level field {key!r} is not an array of rows")


_DECODER = json.JSONDecoder()


def _json_rows(source, mapper, text, rows, pos, group):
    """Map each element of the array starting after `pos`, finding its physical line by
    re-scanning the text with raw_decode; returns the position after the array."""
    pos = text.index("[", pos) + 1
    line, lines_used = text.count("\n", 0, pos) + 1, set()
    for index, row in enumerate(rows):
        start = _skip_separators(text, pos)
        line += text.count("\n", pos, start)
        _, pos = _DECODER.raw_decode(text, start)
        record_id = f"{source.rel}:{line}"
        if line in lines_used:
            record_id = f"{record_id}[{index}]"      # several rows on one physical line
        lines_used.add(line)
        item = mapper(row, line, text[start:pos], record_id)
        if group is not None and isinstance(item, Record):
            item.meta.setdefault("json_key", group)
        line += text.count("\n", start, pos)
        yield item
    return text.index("]", pos) + 1


def _skip_separators(text: str, pos: int) -> int:
    while text[pos] in " \t\r\n,":
        pos += 1
    return pos


def _line_at(path: Path, number: int, encoding: str = UTF8) -> str:
    for line, text, _ in text_lines(path, encoding):
        if line == number:
            return text
    return ""


# --- web pages --------------------------------------------------------------------------------
def _read_html(source: InputFile, mapper: FileSchema):
    """One record per page: trafilatura's main content (boilerplate and navigation removed)."""
    import trafilatura

    raw = source.path.read_bytes().decode("utf-8-sig" if source.encoding == UTF8 else source.encoding,
                                          "replace")
    try:
        result = trafilatura.bare_extraction(raw, include_comments=False, with_metadata=True)
    except Exception as e:  # lxml and trafilatura raise many types on broken markup
        yield read_reject(f"{source.rel}:1", raw, "parse_error", f"invalid HTML: {e}")
        return
    text = getattr(result, "text", None) if result is not None else None
    if not text or not text.strip():
        yield read_reject(f"{source.rel}:1", raw, "parse_error", "no main content found in the page")
        return
    title = getattr(result, "title", None)
    yield document(text, f"{source.rel}:1", {"title": title} if title else {})


_READERS = {"jsonl": _read_jsonl, "json": _read_json, "csv": read_csv, "tsv": read_csv,
            "parquet": read_parquet, "txt": _read_txt, "html": _read_html, "xlsx": read_sheet,
            "xls": read_sheet, "hf_dataset": read_saved_dataset}


def read_all(inventory: Inventory, schema: str | None = None) -> Iterator[Record | Reject]:
    for source in inventory.files:
        yield from read_file(source, schema)
