"""CSV and TSV files: the header, the delimiter Excel chose, one record per row.

A row's id is the physical line it starts on (a quoted field may hold line breaks), so an error
names the line a user can open the file at.
"""
from __future__ import annotations

import csv
import re
from typing import TYPE_CHECKING

from curate.schemas import read_reject
from curate.textio import text_lines

if TYPE_CHECKING:
    from curate.readers import InputFile
    from curate.schemas import FileSchema

csv.field_size_limit(2**31 - 1)     # a support transcript in one cell can pass the 128 KiB default


def read_csv(source: InputFile, mapper: FileSchema):
    """Header = line 1; a row's id is the physical line it starts on (quoted newlines allowed)."""
    consumed: list[tuple[str, str | None]] = []

    def feed():
        for _, text, error in text_lines(source.path, source.encoding):
            consumed.append((text, error))
            yield text + "\n"

    delimiter, sep_line = _delimiter(source)
    reader = csv.reader(feed(), delimiter=delimiter)
    header, start = None, 1
    try:
        for cells in reader:
            raw = "\n".join(t for t, _ in consumed)
            error = next((e for _, e in consumed if e), None)
            consumed.clear()
            line, start = start, reader.line_num + 1
            if not cells or (len(cells) == 1 and not cells[0].strip()) or (sep_line and line == 1):
                continue
            if header is None:
                header = unique_names(cells)
                continue
            yield _csv_row(source, mapper, header, cells, line, raw, error)
    except csv.Error as e:
        yield read_reject(f"{source.rel}:{start}", "\n".join(t for t, _ in consumed),
                          "parse_error", f"invalid CSV: {e}")


_OTHER_DELIMITERS = (";", "\t", "|")
_SEP_LINE = re.compile(r"sep=([,;\t|])", re.IGNORECASE)


def _delimiter(source: InputFile) -> tuple[str, bool]:
    """(delimiter, whether line 1 is Excel's `sep=` directive). Excel writes `;` wherever the
    decimal mark is a comma, so a `.csv` from a European or Indian desk is often `;`-separated;
    read with `,` it would be one column and the whole file unmappable. Only the header decides:
    `,` unless the header is one field with `,` and several with another delimiter."""
    if source.format == "tsv":
        return "\t", False
    for number, text, _ in text_lines(source.path, source.encoding):
        if not text.strip():
            continue
        directive = _SEP_LINE.fullmatch(text.strip()) if number == 1 else None
        if directive:
            return directive.group(1), True
        if len(next(csv.reader([text]))) > 1:
            return ",", False
        widths = {d: len(next(csv.reader([text], delimiter=d))) for d in _OTHER_DELIMITERS}
        best = max(_OTHER_DELIMITERS, key=lambda d: widths[d])
        return (best if widths[best] > 1 else ","), False
    return ",", False


def unique_names(cells: list[str]) -> list[str]:
    """Header names, stripped; a repeated name gets a suffix (`text`, `text.2`) so no column
    silently overwrites another."""
    names: list[str] = []
    for cell in cells:
        name, n = cell.strip(), 1
        while (name if n == 1 else f"{name}.{n}") in names:
            n += 1
        names.append(name if n == 1 else f"{name}.{n}")
    return names


def _csv_row(source, mapper, header, cells, line, raw, error):
    if error is None and len(cells) != len(header):
        error = f"expected {len(header)} fields (the header's), got {len(cells)}"
    if error:
        return read_reject(f"{source.rel}:{line}", raw, "parse_error", error)
    return mapper(dict(zip(header, cells)), line, raw)
