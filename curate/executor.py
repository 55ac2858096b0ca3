"""The process pool the per-record passes run in: shards out, results back in input order.

Why a module of its own (datatrove's PipelineStep / LocalPipelineExecutor split): the pipeline
decides which passes form a stage; this module only knows how to run a stage over shards, in
worker processes or in this one, and it knows no pass by name. Workers are spawned (no forked
copies of loaded models), unpickle the passes once and build their resources in `setup`; results
are collected in submission order with at most 2 × workers shards in flight, so output order is
input order whatever the worker count, and memory stays bounded.
"""
from __future__ import annotations

import multiprocessing
import pickle
import signal
import time
from collections import deque
from contextlib import ExitStack
from dataclasses import dataclass, field
from itertools import chain, islice
from typing import Any, Iterable, Iterator

from curate.passes.base import Context, Pass
from curate.pii.spread import conversation
from curate.readers import JsonlLines
from tunecraft.records import Record, Reject

CHUNK = 512                          # records per shard sent to a worker
MAX_SHARD = 20                       # x CHUNK: the most rows a conversation stretches a shard to


@dataclass
class Meter:
    n_in: int = 0
    n_out: int = 0
    seconds: float = 0.0


@dataclass
class ShardResult:
    """What running a stage over one shard gives back to the main process."""
    kept: list[Record]
    reports: list[tuple[Context, Meter]]          # per pass of the stage, in order
    parsed: int = 0                               # records parsed here from JsonlLines
    read_rejects: list[Reject] = field(default_factory=list)   # rows that did not parse
    prepared: list[Any] | None = None             # the next pass's `prepare`, per kept record


class Held:
    """The records a whole-dataset step left where its executor keeps them (the Ray engine:
    blocks in the object store), made on first use so that the chain stays lazy. The pipeline
    hands it as it is to the next whole-dataset step (`run_whole`), which takes the records
    without their passing through this process; anything else iterates them here."""

    def __init__(self, make):
        self._make, self._value = make, None

    def value(self):
        if self._value is None:
            self._value = self._make()
        return self._value

    def __len__(self) -> int:
        return len(self.value())

    def __iter__(self) -> Iterator[Record]:
        return iter(self.value())

    def drop(self) -> None:
        """Let go of the records (a step that took them made its own)."""
        self._value = self._make = None


def shards(items: Iterable[Any], size: int | None = None, on_cap=None) -> Iterator[list[Any]]:
    """Lists of about `size` (default CHUNK) rows, in order; a JsonlLines batch counts as its
    number of lines.

    A shard goes on past `size` while the next record belongs to a conversation already in it
    (`meta.conversation_id`), so the pii pass, which spreads a value over the rows of a
    conversation within one shard only (state carried across shards would make the output
    depend on the worker count), sees a conversation's consecutive rows whole. Up to
    MAX_SHARD x `size` rows: the rest of a longer conversation starts the next shard (DESIGN.md,
    PII), and `on_cap()` is called so the run can say so. Only parsed Records show their
    conversation; a pass that needs it sets `whole_conversations` and the pipeline parses lines
    before its stage.
    """
    size = size or CHUNK
    shard: list[Any] = []
    rows, open_ = 0, set()
    for item in items:
        key = conversation(item) if isinstance(item, Record) else None
        if rows >= MAX_SHARD * size or (rows >= size and (key is None or key not in open_)):
            if key in open_ and on_cap is not None:
                on_cap()
            yield shard
            shard, rows, open_ = [], 0, set()
        shard.append(item)
        rows += len(item.lines) if isinstance(item, JsonlLines) else 1
        if key is not None:
            open_.add(key)
    if shard:
        yield shard


def parse_lines(items: list[Record | JsonlLines]) -> tuple[list[Record], list[Reject]]:
    """Records in input order, and the read rejects of the JsonlLines among `items`."""
    records, rejects = [], []
    for item in items:
        for row in item.parse() if isinstance(item, JsonlLines) else [item]:
            (records if isinstance(row, Record) else rejects).append(row)
    return records, rejects


def run_shard(stage: list[Pass], shard: list[Record | JsonlLines], seed: int,
              ahead: Pass | None = None) -> ShardResult:
    """Parse the shard's JsonlLines, run the stage's passes over it, and `ahead.prepare` over
    what they kept."""
    records, read_rejects = parse_lines(shard)
    parsed = len(records) - sum(isinstance(item, Record) for item in shard)
    reports = []
    for p in stage:
        ctx, t = Context(p.name, seed), time.perf_counter()
        n_in = len(records)
        records = list(p.run(records, ctx))
        reports.append((ctx, Meter(n_in, len(records), time.perf_counter() - t)))
    prepared = [ahead.prepare(r) for r in records] if ahead is not None else None
    return ShardResult(records, reports, parsed, read_rejects, prepared)


class Executor:
    """Runs stages of `passes` over shards; one pool for all of them, started at the first
    stage that has two shards or more (a small input never pays for spawning workers)."""

    def __init__(self, passes: list[Pass], *, seed: int = 0, workers: int = 1):
        self.passes, self.seed, self.workers = passes, seed, max(1, workers)
        self._stack = ExitStack()
        self._pool = None

    def __enter__(self) -> "Executor":
        return self

    def __exit__(self, *exc) -> None:
        self._stack.close()       # terminates the pool, also on Ctrl-C

    def map(self, stage: list[Pass], shards: Iterator[list], ahead: Pass | None = None
            ) -> Iterator[ShardResult]:
        """The result of each shard, in order. The passes of `stage` (and `ahead`) must be among
        the executor's `passes`: those are what the workers hold."""
        head = list(islice(shards, 2))
        if self.workers == 1 or (len(head) < 2 and self._pool is None):
            for shard in chain(head, shards):
                yield run_shard(stage, shard, self.seed, ahead)
            return
        pool = self._start_pool()
        indices = [self.passes.index(p) for p in stage + ([ahead] if ahead else [])]
        pending: deque = deque()
        for shard in chain(head, shards):
            pending.append(pool.apply_async(_run_in_worker, (indices, shard, ahead is not None)))
            if len(pending) >= 2 * self.workers:
                yield pending.popleft().get()
        while pending:
            yield pending.popleft().get()

    def map_files(self, stage: list[Pass], files: list, schema: str | None, parse: bool,
                  ahead: Pass | None = None) -> Iterator[tuple]:
        """The files read in this process, `stage` run over their shards: see
        curate.file_shards.read_here (the Ray engine reads in its workers)."""
        from curate.file_shards import read_here
        return read_here(self.map, stage, files, schema, parse, ahead)

    def run_whole(self, pass_: Pass, records: Iterator[Record], ctx: Context) -> Iterator[Record]:
        """A whole-dataset pass, in this process (the Ray engine has distributed forms)."""
        return pass_.run(records, ctx)

    def _start_pool(self):
        """Each worker unpickles the passes once and sets them up."""
        if self._pool is None:
            context = multiprocessing.get_context("spawn")
            self._pool = context.Pool(self.workers, initializer=_init_worker,
                                      initargs=(pickle.dumps(self.passes), self.seed))
            self._stack.callback(self._pool.terminate)
        return self._pool


_WORKER: dict[str, Any] = {}


def _init_worker(passes_blob: bytes, seed: int) -> None:
    """Unpickle the passes once per worker and build their resources; Ctrl-C is the parent's job."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    passes = pickle.loads(passes_blob)
    for p in passes:
        p.ensure_setup()
    _WORKER.update(passes=passes, seed=seed)


def _run_in_worker(indices: list[int], shard: list[Record | JsonlLines], has_ahead: bool) -> ShardResult:
    passes = [_WORKER["passes"][i] for i in indices]
    ahead = passes.pop() if has_ahead else None
    return run_shard(passes, shard, _WORKER["seed"], ahead)
