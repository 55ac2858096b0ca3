"""Loaders of issue 12's ninth-round doc corpora (pii9b) for bench/pii_precision.py.

Fetched with the `fetch` tool into the scratch folder and split even/odd by file BEFORE any
record was read (-a tuned on, -b held out, counts only); one record per markdown section.
Files that by their name list people (release notes, changelog, contributing, sponsors,
third-party packages with their authors, the licence) were left out by name, before reading:
- starlette-docs: encode/starlette @cb8f84f `docs/*.md` (BSD-3-Clause), an ASGI framework's
  docs: prose, Python, HTTP, shell; copied as `starlette-docs/docs/`.
- click-docs: pallets/click @2c8cd3a `docs/*.md` (BSD-3-Clause), a CLI library's docs: prose,
  Python, shell sessions; copied as `click-docs/docs/`.
"""
from __future__ import annotations

from pathlib import Path

from pii_corpora6 import file_sections

_PEOPLE = {"release-notes.md", "contributing.md", "sponsorship.md", "third-party-packages.md",
           "changes.md", "contrib.md", "license.md"}


def ninth_round_docs(scratch: Path) -> dict[str, list[list[str]]]:
    out: dict[str, list[list[str]]] = {}
    for name in ("starlette-docs", "click-docs"):
        docs = scratch / name / "docs"
        if not docs.is_dir():
            continue
        paths = sorted(p for p in docs.glob("*.md") if p.name not in _PEOPLE)
        out.update({f"{name}-{side}": [r for p in paths[k::2] for r in file_sections(p)]
                    for side, k in (("a", 0), ("b", 1))})
    return out
