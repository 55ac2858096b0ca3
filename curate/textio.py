"""How the bytes of a text input file become lines: its encoding, and where its lines end.

Why a module of its own: users bring Excel exports in cp1252, UTF-16 files with a byte-order mark,
old Mac files ending lines with CR alone, and UTF-8 files with one stray NUL or bad byte. Each used
to be skipped whole or merged into parse errors; here a file is decoded when it can be, and what
cannot be decoded is left for the reader to reject line by line (nothing is dropped silently).

- A BOM decides (UTF-8, UTF-16 LE/BE, UTF-32 LE/BE).
- Else a head that is valid UTF-8 without NUL bytes is UTF-8: the fast path, no detection.
- Else chardet (a well-kept detector; charset-normalizer read cp1252 French as cp1250 in our
  trials) names the encoding, or says the bytes are not text at all (a binary file is skipped).
  JSON is UTF-8/16/32 by definition (RFC 8259), so for .json/.jsonl only those are taken; other
  guesses leave the file as UTF-8 with its bad lines rejected.
- Lines end at LF, CRLF or a lone CR. Lines come out as UTF-8 bytes whatever the file's encoding,
  so the readers (and the JSONL lines shipped to worker processes) handle one form; bytes the
  encoding cannot decode become a lone surrogate, which fails UTF-8 decoding there: a line reject.
"""
from __future__ import annotations

import codecs
import io
from pathlib import Path
from typing import Iterator

SNIFF_BYTES = 8192
UTF8 = "utf-8"
JSON_ENCODINGS = ("utf-8", "utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be")
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
_BAD = "\udcff"                      # stands for undecodable bytes: a lone surrogate (see above)


def _mark_undecodable(error: UnicodeDecodeError) -> tuple[str, int]:
    return _BAD, error.end


codecs.register_error("curate-mark", _mark_undecodable)


class NotText(Exception):
    """The bytes are not text in any encoding (an image, a model file): skip the file."""


def sniff(head: bytes, json_only: bool = False) -> str:
    """The encoding of a file from its first bytes; raises NotText for binary content."""
    for bom, encoding in _BOMS:
        if head.startswith(bom):
            return encoding
    if b"\x00" not in head and _utf8_prefix(head):
        return UTF8
    import chardet

    guess = chardet.detect(head)
    if guess["encoding"] is None or not str(guess.get("mime_type") or "text/").startswith("text/"):
        raise NotText(guess.get("mime_type") or "binary")
    encoding = codecs.lookup(guess["encoding"]).name
    if encoding == "ascii" or (json_only and encoding not in JSON_ENCODINGS):
        return UTF8                  # valid-looking text with a few bad bytes: rejected per line
    return encoding


def inspect_file(path: Path, fmt: str | None) -> tuple[str | None, str]:
    """(why a file of data format `fmt` (None: unknown) is skipped, or None; its encoding).
    OSError propagates."""
    if path.is_symlink() and not path.exists():
        return "broken symbolic link", UTF8
    if fmt is None:
        return f"unknown file type '{path.suffix.lower() or path.name}'", UTF8
    size = path.stat().st_size
    with open(path, "rb") as f:
        head = f.read(SNIFF_BYTES)
    if fmt in ("parquet", "xlsx", "xls"):           # binary formats: their readers judge them
        return ("empty file" if size == 0 else None), UTF8
    try:
        encoding = sniff(head, json_only=fmt in ("json", "jsonl", "html"))
    except NotText:
        return f"binary content in a {path.suffix.lower()} file", UTF8
    if size == 0 or (size <= SNIFF_BYTES and not head.decode(encoding, "replace").lstrip("\ufeff").strip()):
        return "empty file", encoding
    return None, encoding


def _utf8_prefix(head: bytes) -> bool:
    """Valid UTF-8, allowing a character cut off at the end of the sniffed head."""
    try:
        head.decode(UTF8)
        return True
    except UnicodeDecodeError as e:
        return e.reason == "unexpected end of data" and e.start >= len(head) - 3


def byte_lines(path: Path, encoding: str = UTF8) -> Iterator[bytes]:
    """The file's physical lines (LF, CRLF or lone CR ends) as UTF-8 bytes."""
    with open(path, "rb") as f:
        if codecs.lookup(encoding).name == UTF8:
            yield from _split_lone_cr(f)
            return
        text = io.TextIOWrapper(f, encoding=encoding, errors="curate-mark", newline="")
        for line in text:
            yield line.encode(UTF8, "surrogatepass")


def _split_lone_cr(lines: Iterator[bytes]) -> Iterator[bytes]:
    """Binary-mode lines end at LF only; a CR not followed by LF also ends a line."""
    for raw in lines:
        cr = raw.find(b"\r")
        if cr == -1 or (cr == len(raw) - 2 and raw.endswith(b"\r\n")):
            yield raw
            continue
        body = raw[:-2] if raw.endswith(b"\r\n") else raw[:-1] if raw.endswith((b"\n", b"\r")) else raw
        yield from body.split(b"\r")


def read_text(path: Path, encoding: str = UTF8) -> str:
    """A whole file as text (JSON documents, web pages); undecodable bytes raise UnicodeDecodeError.
    The utf-16/utf-32 codecs remove their BOM themselves; utf-8-sig removes UTF-8's."""
    return path.read_bytes().decode("utf-8-sig" if codecs.lookup(encoding).name == UTF8 else encoding)


def text_lines(path: Path, encoding: str = UTF8) -> Iterator[tuple[int, str, str | None]]:
    """(1-based line, text, decode error) per physical line; a BOM and line ends are removed."""
    for number, raw in enumerate(byte_lines(path, encoding), start=1):
        yield (number, *decode_line(number, raw))


def decode_line(number: int, raw: bytes) -> tuple[str, str | None]:
    if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8").rstrip("\r\n"), None
    except UnicodeDecodeError as e:
        return raw.decode("utf-8", "replace").rstrip("\r\n"), f"not UTF-8: {e}"
