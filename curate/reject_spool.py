"""Rejects on disk while the run goes on, read back at the end in rejects.jsonl's order.

Why: a run that rejects most of a large input (a wrong language allow-list, a file of duplicates)
must not hold every rejected record in memory. rejects.jsonl is ordered by the step that rejected
(the reader, then the passes in chain order) and then by input position, but rejects arrive
interleaved across steps and a whole-dataset pass may reject out of input order. So each step
appends its rejects to a file of its own as they happen (pickled in small batches: lossless, as
the records may still go through a `scrubs_rejects` pass); at the end a step's file is read back
as written when it arrived in order, else sorted on disk (sorted runs of RUN rejects, merged).
Ties keep arrival order, as the stable in-memory sort this replaces did.
"""
from __future__ import annotations

import heapq
import pickle
import re
import shutil
import tempfile
from pathlib import Path
from typing import BinaryIO, Iterator

from curate.record_spool import load_batches
from tunecraft.records import Reject

RUN = 20_000        # rejects sorted in memory at a time, for a step that rejected out of order
BATCH = 256         # rejects pickled together (one call per reject costs more than the pickling)


def input_position(record_id: str, files: dict[str, int]) -> tuple:
    """(file rank, line, row on that line, id) from "<file>:<line>[<k>]#copy<n>": the order the
    reader produced it in, without keeping an index of every id read."""
    path, _, rest = record_id.rpartition(":")
    match = re.match(r"(\d+)(?:\[(\d+)\])?", rest)
    line, row = (int(match[1]), int(match[2] or 0)) if match else (0, 0)
    return files.get(path, len(files)), line, row, record_id


class RejectSpool:
    """Append-only files of (position, reject), one per step (`steps`: the reader, then the passes)."""

    def __init__(self, folder: Path, steps: list[str], file_order: list[str]):
        self.folder = Path(tempfile.mkdtemp(prefix=".rejects-", dir=folder))
        self.rank = {name: i for i, name in reversed(list(enumerate(steps)))}
        self.files = {rel: i for i, rel in enumerate(file_order)}
        self._steps = [_Step(self.folder / f"{i}.pickle") for i in range(len(steps))]

    def __enter__(self) -> "RejectSpool":
        return self

    def __exit__(self, *exc) -> None:
        for step in self._steps:
            step.close()
        shutil.rmtree(self.folder, ignore_errors=True)

    def add(self, reject: Reject) -> None:
        step = self._steps[self.rank[reject.pass_name]]
        step.add(input_position(reject.record.id, self.files), reject)

    def ordered(self) -> Iterator[Reject]:
        """Every reject: by step, then by input position."""
        for step in self._steps:
            yield from step.ordered()


class _Step:
    def __init__(self, path: Path):
        self.path, self.in_order, self.last = path, True, None
        self.file: BinaryIO = open(path, "wb")
        self.batch: list[tuple[tuple, Reject]] = []

    def add(self, key: tuple, reject: Reject) -> None:
        if self.last is not None and key < self.last:
            self.in_order = False
        self.last = key
        self.batch.append((key, reject))
        if len(self.batch) >= BATCH:
            self._flush()

    def _flush(self) -> None:
        if self.batch:
            pickle.dump(self.batch, self.file, protocol=pickle.HIGHEST_PROTOCOL)
            self.batch = []

    def close(self) -> None:
        if not self.file.closed:
            self._flush()
            self.file.close()

    def ordered(self) -> Iterator[Reject]:
        self.close()
        if self.in_order:
            yield from (reject for _, reject in load_batches(self.path))
            return
        runs = []
        items = load_batches(self.path)
        while run := [item for _, item in zip(range(RUN), items)]:
            runs.append(self.path.with_suffix(f".run{len(runs)}"))
            with open(runs[-1], "wb") as f:
                run.sort(key=lambda kr: kr[0])
                for start in range(0, len(run), BATCH):
                    pickle.dump(run[start:start + BATCH], f, protocol=pickle.HIGHEST_PROTOCOL)
        merged = heapq.merge(*(load_batches(run) for run in runs), key=lambda kr: kr[0])
        yield from (reject for _, reject in merged)
