"""The stand-in names of examples: Alice and Bob in a data literal, John Doe, Lorem ipsum.

Why: coding exercises and docs fill their sample data with the conventional cast of examples —
`[{'name': 'Alice', 'age': 30}, {'name': 'Bob', ...}]`, `{"name": "John", "age": 30}`,
`first_name: "John", last_name: "Doe"` — and with "Lorem ipsum" filler. On a code-instruction
set these were most of the false persons. The cast is a convention of its own (cryptography's
Alice, Bob, Carol, Eve, Mallory…; the law's John and Jane Doe), so a name of it written as a
quoted literal (or a CSV cell) of sample data is an example, not someone.

Policy, deliberately narrow: only these names, only as a whole quoted string or a field of a
data line, and "Doe" only as the placeholder surname. A real customer's name in the same JSON
(`{"name": "Meera Pillai"}`) is still replaced, and so is "Alice" in prose ("Alice called about
her refund"), where the convention does not hold.
"""
from __future__ import annotations

import re

_CAST = frozenset("Alice Bob Carol Charlie Dave Eve Mallory Peggy Sybil Trent Trudy John Jane Doe".split())
_LITERAL = re.compile(r"""(["'])([^"'\n]{1,40})\1""")
_LOREM = re.compile(r"(?i)\blorem[ \t]+ipsum\b")


def sample_name(text: str, start: int, end: int) -> bool:
    """Whether the PERSON span [start, end) is a name of the examples' cast in a quoted literal
    or a data line's cell, or the opening of Lorem ipsum."""
    value = text[start:end].strip()
    if _LOREM.match(text, start) or value.casefold() in ("lorem", "lorem ipsum"):
        return True
    words = value.replace(",", " ").split()
    if not words or not all(w in _CAST for w in words):
        return False
    return _quoted(text, start, end) or _data_cell(text, start, end)


def _quoted(text: str, start: int, end: int) -> bool:
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end) % (len(text) + 1)
    return any(m.start(2) <= start - line_start and end - line_start <= m.end(2)
               for m in _LITERAL.finditer(text[line_start:line_end]))


def _data_cell(text: str, start: int, end: int) -> bool:
    """A whole cell of a comma, pipe or tab separated line ("Alice,30", "John Doe|Software
    Engineer"): a row of a sample table."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end) % (len(text) + 1)
    line = text[line_start:line_end]
    cells = [c.strip() for c in re.split(r"[,|\t]", line)]
    return len(cells) >= 2 and text[start:end].strip() in cells
