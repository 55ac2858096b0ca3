"""Loaders of issue 12's eighth-round doc corpora for bench/pii_precision.py.

Fetched with the `fetch` tool into the scratch folder and split even/odd by file BEFORE any
record was read (-a tuned on, -b held out, counts only); one record per markdown section.
Files that by their name list people (release notes, contributors, about, code of conduct,
third-party packages with their authors) were left out by name, before reading:
- typer-docs: fastapi/typer @9a7b2e8 `docs/**/*.md` (MIT), a CLI library's tutorial and
  reference: prose, shell sessions and Python; copied as `typer-docs/docs/`.
- httpx-docs: encode/httpx @ae1b9f6 `docs/**/*.md` (BSD-3-Clause), an HTTP client's docs:
  prose, Python, HTTP headers, URLs and proxies; copied as `httpx-docs/docs/`.
"""
from __future__ import annotations

from pathlib import Path

from pii_corpora6 import file_sections

_PEOPLE = {"release-notes.md", "management.md", "contributing.md", "help-typer.md",
           "code_of_conduct.md", "third_party_packages.md"}


def eighth_round_docs(scratch: Path) -> dict[str, list[list[str]]]:
    out: dict[str, list[list[str]]] = {}
    for name in ("typer-docs", "httpx-docs"):
        docs = scratch / name / "docs"
        if not docs.is_dir():
            continue
        paths = sorted(p for p in docs.rglob("*.md") if p.name not in _PEOPLE and "about" not in p.parts)
        out.update({f"{name}-{side}": [r for p in paths[k::2] for r in file_sections(p)]
                    for side, k in (("a", 0), ("b", 1))})
    return out
