"""Spreadsheets (.xlsx with openpyxl, .xls with xlrd) as inputs: one input per sheet.

Why: support teams export tickets from spreadsheets, often a sheet per queue or month, and the
sheets need not share columns. So each sheet is an input of its own, named `<file>:<sheet>`, with
its own schema, and a row's id is file, sheet and the row number Excel shows (the header is row 1):
`tickets.xlsx:Billing:7`. Cells are read as their last computed value. A cell holding an Excel
error (#N/A, #REF!, ...) or a value right of the header's last column makes its row a read reject
naming the cell: an error code is not data, and a stray value has no column to go to.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

from curate.schemas import read_reject
from tunecraft.text import json_value

Cell = tuple[Any, str | None]          # (value, what is wrong with it or None)


def sheet_names(path: Path, fmt: str) -> list[str]:
    """The workbook's sheets in their order; raises for a file that is not a workbook."""
    if fmt == "xlsx":
        import openpyxl

        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        try:
            return list(book.sheetnames)
        finally:
            book.close()
    import xlrd

    return xlrd.open_workbook(str(path), on_demand=True).sheet_names()


def read_sheet(source, mapper) -> Iterator:
    """Records and read rejects of one sheet (`source.sheet`); a workbook that cannot be opened is
    one parse-error reject, like a corrupt Parquet file."""
    line = 0
    try:
        header = None
        for line, cells in _rows(source.path, source.format, source.sheet):
            if all(value in (None, "") for value, _ in cells):
                continue
            if header is None:
                header = _header(cells)
                continue
            yield _row(source, mapper, header, cells, line)
    except Exception as e:  # openpyxl, zipfile and xlrd raise many types for a damaged workbook
        yield read_reject(f"{source.rel}:{line + 1}", "", "parse_error", f"invalid spreadsheet: {e}")


def _header(cells: list[Cell]) -> list[str]:
    """Names up to the last non-empty header cell, made unique as a CSV header's are; an empty
    one is named by its column letter."""
    from curate.csv_files import unique_names

    width = max(i for i, (value, _) in enumerate(cells) if value not in (None, "")) + 1
    return unique_names([str(value) if value not in (None, "") else f"column {_letter(i)}"
                          for i, (value, _) in enumerate(cells[:width])])


def _row(source, mapper, header: list[str], cells: list[Cell], line: int):
    raw = "\t".join("" if value is None else str(value) for value, _ in cells)
    for i, (value, error) in enumerate(cells):
        cell = f"{_letter(i)}{line}"
        if error:
            return read_reject(f"{source.rel}:{line}", raw, "parse_error", f"cell {cell} {error}")
        if i >= len(header) and value not in (None, ""):
            return read_reject(f"{source.rel}:{line}", raw, "parse_error",
                               f"cell {cell} holds a value right of the header's last column "
                               f"({_letter(len(header) - 1)})")
    return mapper(dict(zip(header, (value for value, _ in cells))), line, raw)


def _letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA: the column names Excel shows."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _rows(path: Path, fmt: str, sheet: str) -> Iterator[tuple[int, list[Cell]]]:
    return _xlsx_rows(path, sheet) if fmt == "xlsx" else _xls_rows(path, sheet)


def _xlsx_rows(path: Path, sheet: str) -> Iterator[tuple[int, list[Cell]]]:
    """Streamed (read-only mode keeps memory flat); every row, empty ones included, so the row
    numbers are Excel's."""
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        for number, row in enumerate(book[sheet].iter_rows(min_row=1), start=1):
            yield number, [_xlsx_cell(c) for c in row]
    finally:
        book.close()


def _xlsx_cell(cell) -> Cell:
    if cell.data_type == "e":
        return cell.value, f"holds the Excel error {cell.value}"
    return json_value(cell.value), None


def _xls_rows(path: Path, sheet: str) -> Iterator[tuple[int, list[Cell]]]:
    import xlrd

    book = xlrd.open_workbook(str(path), on_demand=True)
    table = book.sheet_by_name(sheet)
    for index in range(table.nrows):
        yield index + 1, [_xls_cell(c, book.datemode) for c in table.row(index)]


def _xls_cell(cell, datemode: int) -> Cell:
    import xlrd

    if cell.ctype == xlrd.XL_CELL_ERROR:
        code = xlrd.error_text_from_code.get(cell.value, cell.value)
        return code, f"holds the Excel error {code}"
    if cell.ctype == xlrd.XL_CELL_DATE:
        return json_value(xlrd.xldate_as_datetime(cell.value, datemode)), None
    if cell.ctype == xlrd.XL_CELL_BOOLEAN:
        return bool(cell.value), None
    if cell.ctype == xlrd.XL_CELL_NUMBER and float(cell.value).is_integer():
        return int(cell.value), None           # .xls keeps every number as a float
    return (None if cell.ctype == xlrd.XL_CELL_EMPTY else cell.value), None

