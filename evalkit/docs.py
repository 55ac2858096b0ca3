"""Passages for RAG: a `--docs` folder of .txt/.md/.html files, or the train split, chunked.

Chunking: windows of CHUNK_WORDS whitespace-separated words with CHUNK_OVERLAP words shared between
neighbours, so an answer that straddles a boundary is still whole in one passage. Words (not model
tokens) keep chunks independent of the model, and whitespace splitting works for Hindi and English.
HTML is reduced to its main text with trafilatura (falling back to selectolax's visible text for
pages trafilatura finds no main content in); escaped markup inside the text, e.g. a question about
`<div>` tags, is content and survives.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tunecraft.text import html_page_to_text

CHUNK_WORDS = 120
CHUNK_OVERLAP = 30
DOC_SUFFIXES = (".txt", ".md", ".html", ".htm")


class DocsError(ValueError):
    """A user error in the docs folder (one line, names the path)."""


@dataclass(frozen=True)
class Passage:
    source: str      # "<relative path>#<chunk number>" or the train record id
    text: str
    key: str         # compared with a test item's input to exclude copies of it


def chunk_words(text: str, size: int = CHUNK_WORDS, overlap: int = CHUNK_OVERLAP) -> list[str]:
    words = text.split()
    if not words:
        return []
    if len(words) <= size:      # one passage: keep its line breaks
        return [text.strip()]
    step = max(1, size - overlap)
    starts = range(0, max(1, len(words) - overlap), step)
    return [" ".join(words[s:s + size]) for s in starts]


def read_doc(path: Path) -> str:
    try:
        raw = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as err:
        raise DocsError(f"{path}: not UTF-8 text ({err.reason} at byte {err.start})") from None
    return html_page_to_text(raw) if path.suffix.lower() in (".html", ".htm") else raw


def passages_from_docs(folder: str | Path) -> list[Passage]:
    """Every chunk of every document under `folder`, in sorted path order."""
    folder = Path(folder)
    if not folder.is_dir():
        raise DocsError(f"--docs {folder}: not a folder")
    paths = sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in DOC_SUFFIXES)
    if not paths:
        raise DocsError(f"--docs {folder}: no .txt, .md or .html files in it")
    passages = []
    for path in paths:
        rel = path.relative_to(folder).as_posix()
        for n, chunk in enumerate(chunk_words(read_doc(path)), start=1):
            passages.append(Passage(f"{rel}#{n}", chunk, chunk))
    if not passages:
        raise DocsError(f"--docs {folder}: the documents contain no text")
    return passages


def passages_from_records(records) -> list[Passage]:
    """One passage per train record, "question\\nanswer", chunked when long."""
    passages = []
    for record in records:
        text = f"{record.instruction}\n{record.response}".strip()
        for n, chunk in enumerate(chunk_words(text), start=1):
            source = record.id if n == 1 else f"{record.id}#{n}"
            passages.append(Passage(source, chunk, record.instruction))
    return passages
