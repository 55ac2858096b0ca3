"""Repair text encoding and normalise it without touching what carries meaning.

- ftfy repairs mojibake ("donâ€™t" -> "don’t"). Its defaults also straighten curly quotes, fold
  full-width letters and unescape HTML; those change clean text, so they are switched off here
  (entities are the html pass's job).
- NFC, except for the Indic nukta letters that are composition exclusions (U+0958 क़ ...): NFC
  would decompose them, so clean Hindi typed with them would not pass through byte-for-byte.
- Control characters out (newline and tab kept; CR/CRLF become newlines, a BOM is dropped);
  zero-width joiner/non-joiner are format characters, not controls, and are kept (they select
  conjunct forms in Devanagari and other Indic scripts).
- Whitespace: runs of spaces inside a line become one space, trailing spaces go, 3+ newlines become
  2; ``` fenced blocks and indented lines (4 spaces or a tab: Markdown code) are left as they are.
Fast paths (same output, measured on the bench corpus): ASCII text skips ftfy and NFC; text whose
only non-ASCII characters are Indic letters, ZWJ/ZWNJ or ₹ skips ftfy (no mojibake is made of
those); other text skips ftfy when ftfy's `is_bad` cannot fire (checked first by a cheaper superset
of its patterns) and none of the characters its other fixers act on (C1 controls, ligatures,
surrogates, escapes, odd line breaks) is present.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from curate.passes.base import Context, Pass
from tunecraft.records import Record

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ufeff]")
_NEWLINE_LIKE = re.compile(r"\r\n?|[\x0b\x0c\u2028\u2029]")
_NFC_EXCLUDED = re.compile(r"([\u0958-\u095f\u09dc\u09dd\u09df\u0a33\u0a36\u0a59-\u0a5b\u0a5e"
                           r"\u0b5c\u0b5d])")
_HSPACE = r"[ \t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]"
_OTHER_SPACE = re.compile(r"[\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]")
_RUN = re.compile(rf"(?<=\S){_HSPACE}{{2,}}")
_FENCE = re.compile(r"(```.*?(?:```|\Z))", re.DOTALL)
_MANY_NL = re.compile(r"\n{3,}")
_NOT_INDIC = re.compile(r"[^\x00-\x7f\u0900-\u0dff\u200c\u200d\u20b9]")
# Every alternative of ftfy's BADNESS_RE (ftfy 6.3) needs two adjacent non-ASCII characters, a C1
# control (in _FTFY_TARGETS), "Ã "/"Â " or "Œ"/"œ"; text without any of these cannot be is_bad().
_MAYBE_MOJIBAKE = re.compile("[^\x00-\x7f]{2}|[\u00c2\u00c3] |[\u0152\u0153]")
_FTFY_TARGETS = re.compile(r"[\x80-\x9f\x1b\r\x0b\x0c\u2028\u2029\u0132\u0133\u0149\u01c4-\u01cc"
                           r"\u01f1-\u01f3\ufb00-\ufb06\ud800-\udfff\ufffd]")


def _ftfy_config():
    from ftfy import TextFixerConfig

    return TextFixerConfig(unescape_html=False, uncurl_quotes=False, fix_character_width=False,
                           normalization=None, explain=False)


def nfc(text: str) -> str:
    """NFC that leaves the Indic composition-exclusion letters as typed."""
    if unicodedata.is_normalized("NFC", text):
        return text
    pieces = _NFC_EXCLUDED.split(text)  # odd indexes are the protected letters
    return "".join(p if i % 2 else unicodedata.normalize("NFC", p) for i, p in enumerate(pieces))


def collapse_whitespace(text: str) -> str:
    """Collapse runs of spaces in prose; leave fenced and indented code alone."""
    if not _needs_whitespace_work(text):
        return text
    segments = _FENCE.split(text)
    text = "".join(seg if i % 2 else _collapse_prose(seg) for i, seg in enumerate(segments))
    text = text.rstrip().lstrip("\n")
    return text if text.startswith(("    ", "\t")) else text.lstrip()


def _needs_whitespace_work(text: str) -> bool:
    """Cheap pre-check (plain substring tests): most texts have nothing to collapse."""
    if not text:
        return False
    if text[0].isspace() or text[-1].isspace():
        return True
    if "  " in text or " \n" in text or "\t" in text or "\n\n\n" in text:
        return True
    return not text.isascii() and _OTHER_SPACE.search(text) is not None


def _collapse_prose(segment: str) -> str:
    lines = segment.split("\n")
    for i, line in enumerate(lines):
        if line.startswith(("    ", "\t")):
            continue  # Markdown indented code
        body = line.lstrip(" ")
        lines[i] = line[: len(line) - len(body)] + _RUN.sub(" ", body).rstrip()
    return _MANY_NL.sub("\n\n", "\n".join(lines))


@dataclass
class UnicodeConfig:
    pass


class UnicodePass(Pass):
    name = "unicode"
    Config = UnicodeConfig

    def setup(self) -> None:
        import ftfy

        from ftfy.badness import is_bad

        self._fix, self._is_bad = ftfy.fix_text, is_bad
        self._ftfy_config = _ftfy_config()

    def needs_ftfy(self, text: str) -> bool:
        if not _NOT_INDIC.search(text):
            return False
        if _FTFY_TARGETS.search(text):
            return True
        return _MAYBE_MOJIBAKE.search(text) is not None and self._is_bad(text)

    def clean(self, text: str) -> str:
        if not text.isascii():
            if self.needs_ftfy(text):
                text = self._fix(text, self._ftfy_config)  # also turns CRLF/NEL into \n
            text = nfc(text)
        if not text.isprintable():
            text = _CONTROL.sub("", _NEWLINE_LIKE.sub("\n", text))
        return collapse_whitespace(text)

    def apply(self, record: Record, ctx: Context) -> Record:
        self.ensure_setup()
        changed = False
        for message in record.messages:
            content = message["content"]
            cleaned = self.clean(content)
            if cleaned != content:
                message["content"] = cleaned
                changed = True
        if changed:
            ctx.count("changed")
        return record
