"""Loaders of issue 12's seventh-round doc/instruction corpora for bench/pii_precision.py.

Fetched with the `fetch` tool into the scratch folder and split even/odd BEFORE any record was
read (-a tuned on, -b held out, counts only):
- rust-book: rust-lang/book @9175448 `src/*.md` (MIT OR Apache-2.0), the Rust book; one record per
  markdown section, even/odd by file (a chapter's sections stay on one side).
- gpteacher-tools: teknium1/GPTeacher @4810751 `Toolformer/toolformer-dedupe-only-dataset.json`
  (MIT): general-English requests answered with API calls; instruction + input, response; by row.
- gpteacher-code: the same repository's `Codegen/codegen-instruct.json` (MIT): how-to and code
  requests with code answers; instruction + input, response; by row.
"""
from __future__ import annotations

import json
from pathlib import Path

from pii_corpora6 import file_sections


def _rows(path: Path) -> list[list[str]]:
    return [["\n\n".join(x for x in (r["instruction"], r.get("input", "")) if x), r["response"]]
            for r in json.loads(path.read_text(encoding="utf-8"))]


def seventh_round_docs(scratch: Path) -> dict[str, list[list[str]]]:
    out: dict[str, list[list[str]]] = {}
    book = scratch / "rust-book" / "src"
    if book.is_dir():
        paths = sorted(book.glob("*.md"))
        out.update({f"rust-book-{side}": [r for p in paths[k::2] for r in file_sections(p)]
                    for side, k in (("a", 0), ("b", 1))})
    for name, file in (("gpteacher-tools", "toolformer-dedupe-only-dataset.json"),
                       ("gpteacher-code", "codegen-instruct.json")):
        path = scratch / "gpteacher" / file
        if path.exists():
            rows = _rows(path)
            out.update({f"{name}-a": rows[::2], f"{name}-b": rows[1::2]})
    return out
