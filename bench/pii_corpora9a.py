"""Loaders of issue 12's ninth-round code/shell/config corpora (pii9a) for bench/pii_precision.py.

Fetched with the `fetch` tool into the scratch folder and split even/odd BEFORE any record was
read (-a may be tuned on, -b held out: counts only, hits never printed):
- awesome-cheatsheets: LeCoupa/awesome-cheatsheets @8249479 (MIT), the cheat sheets of
  `backend/ databases/ frontend/ languages/ tools/` (bash, git, docker, nginx, curl, aws, redis,
  mysql, node, django, ...: commands, config, code and their comments), copied as
  `awesome-cheatsheets/`; even/odd by file; one record per blank-line-separated block
  (a markdown file: per heading's section).
- secret-knowledge: trimstray/the-book-of-secret-knowledge @7d37069 `README.md` (MIT), lists of
  admin/network/security tools and shell one-liners, copied as `secret-knowledge/README.md`;
  one record per heading's section, even/odd by section.
"""
from __future__ import annotations

import re
from pathlib import Path

from pii_corpora6 import file_sections

_BLANK = re.compile(r"\n\s*\n")


def _blocks(path: Path) -> list[list[str]]:
    """A code/config/shell file as one record per block between blank lines."""
    if path.suffix == ".md":
        return file_sections(path)
    text = path.read_text(encoding="utf-8", errors="replace")
    return [[b.strip()] for b in _BLANK.split(text) if b.strip()]


def ninth_round_code(scratch: Path) -> dict[str, list[list[str]]]:
    out: dict[str, list[list[str]]] = {}
    sheets = scratch / "awesome-cheatsheets"
    if sheets.is_dir():
        paths = sorted(p for p in sheets.rglob("*") if p.is_file())
        out.update({f"awesome-cheatsheets-{side}": [r for p in paths[k::2] for r in _blocks(p)]
                    for side, k in (("a", 0), ("b", 1))})
    book = scratch / "secret-knowledge" / "README.md"
    if book.exists():
        sections = file_sections(book)
        out.update({"secret-knowledge-a": sections[0::2], "secret-knowledge-b": sections[1::2]})
    return out
