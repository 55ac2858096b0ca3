"""Records on disk between whole-dataset passes, so the run's memory does not grow with the input.

Why: near dedup, split, decontaminate and balance decide from every record, but each needs only a
small index of them (shingle hashes, group keys and labels, word hashes, label positions) and
then one more look at the records to apply the decision. Holding the records themselves for that
second look cost about 2 KB per row. Here a pass's input is written once to a file (pickled in
small batches, lossless) and read back as often as the pass needs, in the same order; the file
goes when the pass drops it. The split's output order (a sort on a hash of the id) is made the
same way: the records go to bucket files by the top bits of the hash (a uniform hash, so the
buckets are even and every key of one bucket is below every key of the next), and each bucket
is sorted in memory. Ties keep input order, as the in-memory stable sort this replaces did.

Passes never see a file: they ask their Context (`replayable`, `sorted_by_digest`), which
answers with these when the pipeline gave it a spool folder, and with a list otherwise.
"""
from __future__ import annotations

import os
import pickle
import shutil
import tempfile
import weakref
from itertools import islice
from pathlib import Path
from typing import Callable, Iterable, Iterator

from tunecraft.records import Record

BATCH = 256          # records pickled together (one call per record costs more than the pickling)
BUCKET = 2048        # records per bucket of a sort on disk (what a sort holds in memory at once)
MAX_BUCKETS = 256    # open bucket files at most; past BUCKET x MAX_BUCKETS rows buckets grow


class Spooled:
    """The records of an iterable, written to a file in `folder`; iterate it as often as needed."""

    def __init__(self, records: Iterable[Record], folder: Path):
        fd, path = tempfile.mkstemp(prefix="records-", suffix=".pickle", dir=folder)
        self.path, self.n = Path(path), 0
        weakref.finalize(self, _remove, self.path)
        with os.fdopen(fd, "wb") as f:
            it = iter(records)
            while batch := list(islice(it, BATCH)):
                pickle.dump(batch, f, protocol=pickle.HIGHEST_PROTOCOL)
                self.n += len(batch)

    def __len__(self) -> int:
        return self.n

    def __iter__(self) -> Iterator[Record]:
        return load_batches(self.path)


def sorted_on_disk(records: Iterable[Record], key: Callable[[Record], bytes], n: int,
                   folder: Path) -> Iterator[Record]:
    """`sorted(records, key=key)` for a `key` that is a uniform hash (bytes), holding about
    BUCKET records at a time; `n`: how many records there are (it sets the bucket count)."""
    buckets = min(MAX_BUCKETS, max(1, -(-n // BUCKET)))
    if buckets == 1:
        yield from sorted(records, key=key)
        return
    work = Path(tempfile.mkdtemp(prefix="sort-", dir=folder))
    try:
        paths = _bucketed(records, key, buckets, work)
        for path in paths:
            items = list(load_batches(path))
            path.unlink()
            items.sort(key=lambda kr: kr[0])
            yield from (record for _, record in items)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _bucketed(records, key, buckets: int, work: Path) -> list[Path]:
    """Write (key, record) to bucket files by the key's top 32 bits; their paths in key order."""
    paths = [work / f"{k}.pickle" for k in range(buckets)]
    files = [open(p, "wb") for p in paths]
    pending: list[list] = [[] for _ in paths]
    small = max(1, BATCH // 16)        # many files are open: keep each one's batch small
    try:
        for record in records:
            k = key(record)
            b = int.from_bytes(k[:4].ljust(4, b"\0"), "big") * buckets >> 32
            pending[b].append((k, record))
            if len(pending[b]) >= small:
                pickle.dump(pending[b], files[b], protocol=pickle.HIGHEST_PROTOCOL)
                pending[b] = []
        for batch, f in zip(pending, files):
            if batch:
                pickle.dump(batch, f, protocol=pickle.HIGHEST_PROTOCOL)
    finally:
        for f in files:
            f.close()
    return paths


def load_batches(path: Path) -> Iterator:
    """Every item of a file of pickled lists, in order (the spools' on-disk form)."""
    with open(path, "rb") as f:
        while True:
            try:
                yield from pickle.load(f)
            except EOFError:
                return


def _remove(path: Path) -> None:
    try:
        path.unlink()
    except OSError:
        pass
