"""Exact duplicates: the same conversation up to case, Unicode form, whitespace and punctuation.

The key is a blake2b hash of every turn (role and normalised content, in order) plus the label:
- both sides of the conversation count, so one question with two different answers is NOT a
  duplicate (that is a disagreement, worth keeping visible); a different label is not one either.
- normalisation: NFKC, casefold, every Unicode punctuation character (category P*, including the
  Devanagari danda "।") replaced by a space, whitespace runs collapsed. Punctuation becomes a space
  rather than vanishing so "3.5%" and "35%" stay different. Symbols (₹, €, $) are kept.
The first record in input order is kept; later ones are rejected as "exact_duplicate" with
`duplicate_of` = the kept record's id. Streaming: memory is one 16-byte digest per distinct record.
The hash is computed in the worker processes when the pipeline can (`prepare`); only the index
lookup needs this process.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Iterable, Iterator

from curate.passes.base import Context, Pass
from tunecraft.records import Record
from tunecraft.text import fold_punctuation


# ASCII fast path (same result, ~2x faster): NFKC is the identity on ASCII, casefold is lower(),
# and the ASCII characters of Unicode category P are these (plus the separators str.split() splits on).
_ASCII_FOLD = bytearray(range(256))
for _c in b"""!"#%&'()*,-./:;?@[\\]_{}\x1c\x1d\x1e\x1f""":
    _ASCII_FOLD[_c] = 32
_ASCII_FOLD[65:91] = range(97, 123)
_ASCII_FOLD = bytes(_ASCII_FOLD)


def _normalised_bytes(text: str) -> bytes:
    if text.isascii():
        return b" ".join(text.encode("ascii").translate(_ASCII_FOLD).split())
    return fold_punctuation(text).encode("utf-8")


def record_key(record: Record) -> bytes:
    digest = hashlib.blake2b(digest_size=16)
    for m in record.messages:      # fed piecewise: the digest of the concatenation, fewer copies
        digest.update(m["role"].encode())
        digest.update(b"\x1f")
        digest.update(_normalised_bytes(m["content"]))
        digest.update(b"\x1e")
    digest.update(b"label\x1f" + (record.label or "").encode("utf-8"))
    return digest.digest()


@dataclass
class DedupExactConfig:
    pass


class DedupExactPass(Pass):
    name = "dedup_exact"
    per_record = False  # needs every earlier record, in input order
    prepares = True     # the hash, in the worker stage before it

    Config = DedupExactConfig

    def prepare(self, record: Record) -> bytes:
        return record_key(record)

    def run(self, records: Iterable[Record], ctx: Context) -> Iterator[Record]:
        first_id: dict[bytes, str] = {}
        prepared = ctx.prepared
        for record in records:
            key = prepared.popleft() if prepared is not None else record_key(record)
            kept = first_id.get(key)
            if kept is None:
                first_id[key] = record.id
                yield record
            else:
                ctx.reject(record, "exact_duplicate", duplicate_of=kept)
        ctx.info["distinct"] = len(first_id)
