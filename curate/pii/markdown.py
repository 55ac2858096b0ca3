"""Where a document's structure says a capitalised word is a term: headings and option tables of
technical docs, and a product's version number.

Why: cheat sheets and library docs title their sections with one or two words ("### Recursive",
"Submodules⏎----", "title: Chrome") and describe options and shortcuts in tables
("| `-R` | Recursive |", "| `^⇧9` | Split pane |"); spaCy's small model reads a capitalised word
standing alone as a name, and most of these words are too short for the dictionary check
(`common_words`: "Split", "Jump", "Cherry" are census surnames or under five letters). Three
signals that a word names a thing, not a person:
- a heading of a text that also holds code (fenced, inline or code lines): a page of technical
  docs; a person in such a heading still goes when a name cue or a census given name leads it
  ("## Derek's setup");
- a cell of a table row whose other cell is code: the row documents that code;
- a version number right after it ("Claude 3.5", "Gemini 1.5 Pro", "Chrome 18.0"): software is
  released in versions, people are not;
- an abbreviation in brackets right after the words it abbreviates ("Chain-of-Verification
  (CoVe)"), found as Schwartz and Hearst's algorithm finds them (PSB 2003): its capitals, read
  backwards, are initials of the words before it.
"""
from __future__ import annotations

import re

_ATX = re.compile(r"[ \t]{0,3}#{1,6}[ \t]+")
_UNDERLINE = re.compile(r"[ \t]{0,3}(?:-{3,}|={3,})[ \t]*(?:\n|$)")
_TITLE = re.compile(r"title:[ \t]*")
# A cell of inline code, not a handle or a mailbox (`@rahul` names a person).
_CODE_CELL = re.compile(r"\|[ \t]*`[^`|@\n]+`[^|\n]*\|")
# "3.5", "1.5.2", "v2" before a capitalised word, a bracket, a comma or the line's end ("Claude 3.5
# Sonnet", "(Gemini 1.5)"); an amount is followed by its unit ("Derek 2.50 dollars").
_VERSION = re.compile(r"[ \t]+v?\d+(?:\.\d+)+(?=[ \t]*(?:[),;]|$|[ \t]+[A-Z]))", re.M)


def heading_term(text: str, start: int, end: int, code) -> bool:
    """Whether text[start:end] opens a heading (ATX, setext or a front matter title) of a text
    that holds code, and is no possessive ("## Derek's notes")."""
    if not code or text.startswith(("'s", "’s"), end):
        return False
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end) % (len(text) + 1)
    before = text[line_start:start]
    if "\n" in text[start:end]:
        return False
    if (atx := _ATX.match(before)) and atx.end() == len(before):
        return True
    if not before.strip() and _UNDERLINE.match(text, line_end + 1):
        return True                                # setext: "Submodules\n----"
    title = _TITLE.match(before)
    return bool(title and title.end() == len(before) and text.startswith("---"))


def code_table_cell(text: str, start: int, end: int) -> bool:
    """Whether text[start:end] sits in a markdown table row that has a cell of inline code."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end) % (len(text) + 1)
    row = text[line_start:line_end]
    if not row.lstrip().startswith("|") or "\n" in text[start:end]:
        return False
    return any(not (m.start() <= start - line_start < m.end()) for m in _CODE_CELL.finditer(row))


def versioned(text: str, end: int) -> bool:
    """Whether a version number follows the span ending at `end` ("Claude 3.5 Sonnet")."""
    return bool(_VERSION.match(text, end))


_WORDS_BEFORE = re.compile(r"[A-Za-z]+")


def defined_abbreviation(text: str, start: int, end: int) -> bool:
    """Whether text[start:end] is "(Xy)" after the words it abbreviates: each capital, last to
    first, is the initial of an earlier word among the len+2 words before the bracket, the first
    capital that of a word (Schwartz & Hearst's short-form match)."""
    value = text[start:end]
    capitals = [c for c in value if c.isupper()]
    if not (value.isalpha() and len(capitals) >= 2 and text[start - 1:start] == "("
            and text[end:end + 1] == ")"):
        return False
    words = _WORDS_BEFORE.findall(text, max(0, start - 120), start - 1)[-(len(value) + 2):]
    for capital in reversed(capitals):
        while words and words[-1][0].upper() != capital:
            words.pop()
        if not words:
            return False
        words.pop()
    return True
