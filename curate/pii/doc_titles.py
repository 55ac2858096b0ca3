"""Titles in documents: a heading names a topic, a quoted or emphasised title names a work.

Why: docs and books title their sections in Title Case ("### Improving Throughput with a Thread
Pool", "> ### The `args` Function and Invalid Unicode", "## How Rust is Made"), cite talks and
pages by their title ("“Null References: The Billion Dollar Mistake”", "the page is titled
"History of Hamburg""), and set a defined term in emphasis ("_Null_ is a value that means...").
spaCy's small model reads capitalised words there as persons. `markdown.heading_term` covers
the word that opens a heading of a page with code; this covers any word of the heading line of
a document (code, a second heading, or a section's worth of prose), and titles in quotes or
emphasis.

The doubt loses to evidence (`person_evidence._evidence`: a cue such as "Mr.", a verb of a person
after the span, a census given name followed by a surname), and a span whose first word is a
census given name is not judged here at all ("## Notes from Derek", "“Thanks, Priya”").
"""
from __future__ import annotations

import re

from curate.pii.names import given_names

_ATX = re.compile(r"[ \t]{0,3}(?:>[ \t]?)*[ \t]{0,3}#{1,6}[ \t]+")
_SETEXT = re.compile(r"[ \t]{0,3}(?:-{3,}|={3,})[ \t]*$")
_HEADING_LINE = re.compile(r"^[ \t]{0,3}(?:>[ \t]?)*#{1,6}[ \t]", re.M)
_CODE = re.compile(r"```|`[^`\n]+`|^(?: {4}|\t)\S", re.M)
_DOC_PROSE = 400   # characters: a section of a document, not a chat note under a heading
# A title in curly or straight double quotes, or a term in _emphasis_ / *emphasis* (one line).
_QUOTED = re.compile(r"“([^”\n]{2,120})”|\"([^\"\n]{2,120})\"|(?<![\w*])[_*]{1,2}([^_*\n]{2,80})[_*]{1,2}(?![\w*])")
_TITLE_WORDS = 12
_SMALL = frozenset("a an the and or but nor for of on in at to by with from as vs via up into per".split())


def doc_title(text: str, start: int, end: int) -> bool:
    """Whether the span sits in a heading line of a document or in a quoted/emphasised title,
    and does not open with a census given name."""
    words = text[start:end].split()
    if not words or words[0].strip(".,'’:") in given_names():
        return False
    return _in_heading(text, start, end) or _in_title(text, start, end)


def _in_heading(text: str, start: int, end: int) -> bool:
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end < 0 else line_end
    if "\n" in text[start:end] or not _is_document(text):
        return False
    if _ATX.match(text, line_start):
        return True
    next_line = text[line_end + 1:text.find("\n", line_end + 1) % (len(text) + 1)]
    return line_end < len(text) and bool(_SETEXT.match(next_line))


def _is_document(text: str) -> bool:
    return (len(_HEADING_LINE.findall(text)) >= 2 or bool(_CODE.search(text))
            or len(text) >= _DOC_PROSE)


def _in_title(text: str, start: int, end: int) -> bool:
    """Inside a quoted title with other words than the span ("“Null References: The Billion
    Dollar Mistake”"), or a term in emphasis ("_Null_", "**Thread Pool**")."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line = text[line_start:len(text) if line_end < 0 else line_end]
    for m in _QUOTED.finditer(line):
        group = next(g for g in (1, 2, 3) if m.group(g) is not None)
        s, e = m.start(group) + line_start, m.end(group) + line_start
        if s <= start and end <= e:
            inner = m.group(group)
            emphasis = group == 3
            return emphasis or (len(inner.split()) <= _TITLE_WORDS and _title_case(inner)
                                and inner.strip(" ,.") != text[start:end].strip(" ,."))
    return False


def _title_case(phrase: str) -> bool:
    """Every word capitalised but the small ones ("History of Hamburg"), not a sentence quoted
    ("I met Kowalski")."""
    words = [w.strip(".,:;!?()'’") for w in phrase.split()]
    return bool(words) and words[0][:1].isupper() and all(
        w[:1].isupper() or not w[:1].isalpha() or w in _SMALL for w in words[1:])
