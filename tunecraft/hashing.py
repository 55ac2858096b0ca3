"""sha256 of files and texts: the identities written into manifests, run cards and cache keys.

Files are read in 1 MiB blocks, so hashing a multi-gigabyte model or input keeps memory flat.
`cached_file_sha256` is for files hashed again and again in one process (model weights: the run
card, the GGUF cache key); it trusts size + mtime, as make does. A caller for which a missing file
is normal (an empty split has no file) says so itself: `file_sha256(p) if p.is_file() else None`.
"""
from __future__ import annotations

import hashlib
import os
from functools import lru_cache

BLOCK = 1 << 20


def feed_file(digest, path: str | os.PathLike) -> None:
    """Update a hashlib object with a file's bytes, one block at a time."""
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(BLOCK), b""):
            digest.update(block)


def file_sha256(path: str | os.PathLike) -> str:
    digest = hashlib.sha256()
    feed_file(digest, path)
    return digest.hexdigest()


@lru_cache(maxsize=16)
def _sha256_cached(path: str, size: int, mtime_ns: int) -> str:
    return file_sha256(path)


def cached_file_sha256(path: str | os.PathLike) -> str:
    stat = os.stat(path)
    return _sha256_cached(str(path), stat.st_size, stat.st_mtime_ns)


def text_sha256(text: str) -> str:
    """Hex sha256 of a string's UTF-8 bytes."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
