"""The decoded view of a string: what a reader would see, with a map back to the original.

Why: detectors match `name@gmail.com`, not `name%40gmail.com` (URL-encoded, from exported links),
`ｒａｖｉ．ｋ＠ｇｍａｉｌ．ｃｏｍ` (full-width, from CJK keyboards and some PDFs), `name&#64;gmail.com`
(HTML entities the html pass leaves in text that is not markup), or `kavita.rao@⏎gmail.com` and
`98201⏎23456` (a value wrapped by an editor or a CSV export). Detection runs on the view; the span
found there is mapped back and replaced in the original, so the text is never normalised itself
(the unicode pass decides that, and NFKC would change Devanagari and maths).
"""
from __future__ import annotations

import html
import re
import unicodedata

_ENTITY = re.compile(r"&(?:#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_PERCENT = re.compile(r"(?:%[0-9A-Fa-f]{2})+")
_BREAK = re.compile(r"[ \t]*\r?\n[ \t]*")
_MAYBE = re.compile(r"[%&\n]")


def decoded_view(text: str) -> tuple[str, list[int], list[int]] | None:
    """(view, start, end): view[i] comes from text[start[i]:end[i]]; None when the view would
    equal the text (the common case, decided without a per-character loop)."""
    if not _MAYBE.search(text) and unicodedata.is_normalized("NFKC", text):
        return None
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    i, n = 0, len(text)
    while i < n:
        j, decoded = _decode_at(text, i, out)
        if decoded is None or not _revealing(decoded):
            decoded, j = _nfkc(text[i]), i + 1
        for ch in decoded:
            out.append(ch)
            starts.append(i)
            ends.append(j)
        i = j
    view = "".join(out)
    return None if view == text else (view, starts, ends)


# What a decoding may reveal for the view to differ: the characters e-mail addresses, phone numbers,
# identifiers and keys are written with. `&nbsp;`, `&amp;`, `&#39;`, "…" or "™" reveal nothing, and
# a view that differs only by them would cost a second analysis for nothing.
_VALUE_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789@.+-_:/")


def _revealing(decoded: str) -> bool:
    return decoded == "" or all(c in _VALUE_CHARS for c in decoded)


def _nfkc(ch: str) -> str:
    """The compatibility form of one character when it is one such character (full-width
    `＠`, `９`, `ｋ`), else the character itself."""
    if ch.isascii():
        return ch
    form = unicodedata.normalize("NFKC", ch)
    return form if len(form) == 1 and form in _VALUE_CHARS else ch


def _decode_at(text: str, i: int, out: list[str]) -> tuple[int, str | None]:
    """An encoded run starting at text[i]: (its end, what it decodes to) or (i, None)."""
    ch = text[i]
    if ch == "%":
        match = _PERCENT.match(text, i)
        if match:
            try:
                return match.end(), bytes.fromhex(match.group().replace("%", "")).decode("utf-8")
            except UnicodeDecodeError:
                return i, None
    elif ch == "&":
        match = _ENTITY.match(text, i)
        if match and (decoded := html.unescape(match.group())) != match.group():
            return match.end(), decoded
    elif ch in " \t\r\n":
        match = _BREAK.match(text, i)
        if match and "\n" in match.group() and _joins(out, text, match.end(),
                                                       match.group().endswith((" ", "\t"))):
            return match.end(), ""
    return i, None


def _joins(before: list[str], text: str, after: int, indented: bool = False) -> bool:
    """A line break inside one value: digits on both sides (`98201⏎23456`), or an e-mail address
    broken at its "@" or at a dot of its domain (`kavita.rao@⏎gmail.com`). Not a break before an
    "@" after a dot (an address's local part never ends in one) or before an indented "@" (a
    docstring's `@param` or a decorator: "eaten.⏎    @need")."""
    if not before or after >= len(text):
        return False
    prev, nxt = before[-1], text[after]
    if prev.isdigit() and nxt.isdigit():
        return True
    if nxt == "@":
        return not indented and (prev.isalnum() or prev in "_-")
    if prev == "@":
        return nxt.isalnum()
    return prev == "." and nxt.isalpha() and "@" in "".join(before[-64:])


def map_back(span_start: int, span_end: int, starts: list[int], ends: list[int]) -> tuple[int, int]:
    """A [start, end) of the view as the [start, end) of the original text it came from."""
    return starts[span_start], ends[span_end - 1]
