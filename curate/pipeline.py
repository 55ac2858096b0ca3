"""Run the passes over the records read from the input folder and write the clean folder.

Records stream: reader → passes (chained generators) → split files. Consecutive per-record passes
form a stage that runs in worker processes over shards of records (spawn start method, bounded
and ordered, so output order = input order whatever the worker count). Whole-dataset passes, and
dedup_exact (its index must see every record), run in this process. JSONL lines reach the first
stage unparsed (readers.JsonlLines): parsing and mapping them is worker work too.

`run_curation` is the Python API behind `curate run`; it returns the manifest.
"""
from __future__ import annotations

import multiprocessing
import pickle
import re
import signal
import time
from collections import deque
from contextlib import ExitStack
from dataclasses import dataclass
from itertools import chain, islice
from pathlib import Path
from typing import Any, Iterable, Iterator

from curate.manifest import SplitStats, build_manifest
from curate.passes import DEFAULT_ORDER
from curate.passes.base import Context, Pass
from curate.readers import Inventory, JsonlLines, check_input, discover, read_file
from curate.recipe import Recipe
from curate.writers import (OutputError, SplitWriter, atomic_dir, check_writable, claim_output,
                            lock_path, write_json, write_rejects, write_text)
from tunecraft.records import Record, Reject

CHUNK = 512                          # records per shard sent to a worker
MAIN_PROCESS_PASSES = {"dedup_exact"}  # per-record in shape, but needs one index over everything


class AccountingError(RuntimeError):
    """Rows went missing or were counted twice: a bug in a pass, never a user error."""


@dataclass
class Meter:
    n_in: int = 0
    n_out: int = 0
    seconds: float = 0.0


def run_curation(input_dir, out_dir, recipe: Recipe, *, workers: int | None = None,
                 force: bool = False, progress: bool = True) -> dict[str, Any]:
    """Curate `input_dir` into `out_dir` and return the manifest.

    `workers`: processes for per-record passes; None → the recipe's `workers`, else 1.
    """
    check_input(Path(input_dir))                   # cheap user errors before slow pass set-up
    check_writable(Path(out_dir), force)
    from curate.preflight import check_mappable
    check_mappable(Path(input_dir), Path(out_dir), recipe.reader_schema)
    return curate_folder(input_dir, out_dir, recipe.build_passes(), recipe=recipe,
                         workers=workers or recipe.workers or 1, force=force, progress=progress)


def curate_folder(input_dir, out_dir, passes: list[Pass], *, recipe: Recipe, workers: int = 1,
                  force: bool = False, progress: bool = False) -> dict[str, Any]:
    """`run_curation` with the passes already built (tests use it with stub passes)."""
    started = time.perf_counter()
    input_dir, out_dir = Path(input_dir), Path(out_dir)
    check_writable(out_dir, force)
    if input_dir.resolve().is_relative_to(out_dir.resolve()):
        raise OutputError(f"output folder {out_dir} contains the input {input_dir}; choose another --out")
    with claim_output(out_dir):                  # lock, leftovers removed, SIGTERM as Ctrl-C
        check_writable(out_dir, force)            # again: a run may have finished it meanwhile
        manifest = _curate_claimed(input_dir, out_dir, passes, recipe, workers, force, progress, started)
    if progress:
        from curate.manifest import print_summary
        print_summary(manifest)
    return manifest


def _curate_claimed(input_dir, out_dir, passes, recipe, workers, force, progress, started) -> dict[str, Any]:
    """The run itself, with `out_dir`'s lock held and earlier runs' leftovers removed."""
    inventory = discover(input_dir, exclude=(out_dir, lock_path(out_dir)))
    pii = next((p for p in passes if p.name == "pii"), None)
    if hasattr(pii, "scrub_names"):   # ids are built from file names: no PII in them (curate.pii.outside)
        from curate.pii.outside import scrub_inventory
        scrub_inventory(inventory, pii, recipe.seed)
    pipeline = Pipeline(passes, seed=recipe.seed, workers=workers)
    with _progress(progress, pipeline, inventory) as bar, atomic_dir(out_dir, force) as tmp, pipeline:
        split_stats = _write_splits(tmp, pipeline.run(_read(inventory, recipe, bar)), bar)
        rejects = pipeline.final_rejects([f.rel for f in inventory.files])
        write_rejects(tmp, rejects)
        manifest = build_manifest(inventory=inventory, recipe=recipe, pipeline=pipeline,
                                  split_stats=split_stats, rejects=rejects, workers=workers,
                                  seconds=time.perf_counter() - started)
        _check_accounting(manifest["accounting"])
        write_json(tmp / "manifest.json", manifest)
        from curate.report import render_report
        write_text(tmp / "report.html", render_report(manifest))
    return manifest


def _read(inventory: Inventory, recipe: Recipe, bar) -> Iterator[Record | Reject]:
    for source in inventory.files:
        yield from read_file(source, recipe.reader_schema, defer_parsing=True)
        bar.file_done()


def _write_splits(folder: Path, records: Iterable[Record], bar) -> SplitStats:
    stats, writer = SplitStats(), SplitWriter(folder)
    try:
        for record in records:
            stats.add(record, writer.write(record))
            bar.tick()
    finally:
        writer.close()
    return stats


def _check_accounting(accounting: dict[str, Any]) -> None:
    if not accounting["ok"]:
        raise AccountingError(
            f"accounting identity violated: rows read {accounting['rows_read']} != rows in splits "
            f"{accounting['rows_in_splits']} + rejects {accounting['rejects']}")


# --- the pass runner ----------------------------------------------------------------------------
class Pipeline:
    """Chains the passes over a stream of records, merging every pass's counts and rejects."""

    def __init__(self, passes: list[Pass], *, seed: int = 0, workers: int = 1):
        self.passes, self.seed, self.workers = passes, seed, max(1, workers)
        self.contexts = {p.name: Context(p.name, seed) for p in passes}
        self.meters = {p.name: Meter() for p in passes}
        self.read_rejects: list[Reject] = []
        self.read_meter = Meter()
        self.scrubbed = Context("pii", seed)      # pii run over rejects (see final_rejects)
        self._stack = ExitStack()
        self._pool = None
        stages = _stages(passes)
        ahead = [p for i in range(len(stages)) if (p := _prepared_by(stages, i))]
        # Passes the workers hold: the parallel stages', and each main-process pass whose
        # `prepare` the parallel stage before it runs (dedup_exact's hash).
        self._worker_passes = [p for parallel, stage in stages if parallel for p in stage] + ahead
        self._prepared = {p.name: deque() for p in ahead}

    def __enter__(self) -> "Pipeline":
        return self

    def __exit__(self, *exc) -> None:
        self._stack.close()       # terminates worker pools, also on Ctrl-C

    def run(self, items: Iterable[Record | Reject | JsonlLines]) -> Iterator[Record]:
        stages = _stages(self.passes)
        stream = self._take_records(items, keep_lines=bool(stages) and stages[0][0])
        for i, (parallel, stage) in enumerate(stages):
            if parallel:
                stream = self._parallel(stage, stream, ahead=_prepared_by(stages, i + 1))
            else:
                stream = self._serial(stage[0], stream)
        return stream

    def _take_records(self, items, keep_lines: bool) -> Iterator[Record | JsonlLines]:
        """Reader output minus its rejects; JsonlLines go on to the first (parallel) stage when
        `keep_lines`, else they are parsed here."""
        for item in items:
            if isinstance(item, JsonlLines):
                self.read_meter.n_in += len(item.lines)
                if keep_lines:
                    yield item
                    continue
                records, rejects = _parse_lines([item])
            else:
                self.read_meter.n_in += 1
                records, rejects = ([item], []) if isinstance(item, Record) else ([], [item])
            self._count_read(len(records), rejects)
            yield from records

    def _count_read(self, n_records: int, rejects: list[Reject]) -> None:
        self.read_rejects.extend(rejects)
        self.read_meter.n_out += n_records

    def _serial(self, pass_: Pass, upstream: Iterator[Record]) -> Iterator[Record]:
        """One pass in this process; its time excludes the time spent waiting on upstream."""
        meter, waited = self.meters[pass_.name], [0.0]

        def counted():
            while True:
                t = time.perf_counter()
                record = next(upstream, None)
                waited[0] += time.perf_counter() - t
                if record is None:
                    return
                meter.n_in += 1
                yield record

        ctx = self.contexts[pass_.name]
        ctx.prepared = self._prepared.get(pass_.name)
        output = pass_.run(counted(), ctx)
        while True:
            t, before = time.perf_counter(), waited[0]
            record = next(output, None)
            meter.seconds += time.perf_counter() - t - (waited[0] - before)
            if record is None:
                return
            meter.n_out += 1
            yield record

    def _parallel(self, stage: list[Pass], upstream: Iterator[Record | JsonlLines],
                  target=None, ahead: Pass | None = None) -> Iterator[Record]:
        """Shards through the worker pool; in this process when one worker or a single shard.
        `ahead`: the next pass, whose `prepare` runs on this stage's output in the same place."""
        shards = _shards(upstream)
        head = list(islice(shards, 2))
        if self.workers == 1 or (len(head) < 2 and self._pool is None):
            for shard in chain(head, shards):
                yield from self._absorb(_run_shard(stage, shard, self.seed, ahead), target, ahead)
            return
        pool = self._start_pool()
        indices = [self._worker_passes.index(p) for p in stage + ([ahead] if ahead else [])]
        pending: deque = deque()
        for shard in chain(head, shards):
            pending.append(pool.apply_async(_run_shard_in_worker, (indices, shard, ahead is not None)))
            if len(pending) >= 2 * self.workers:
                yield from self._absorb(pending.popleft().get(), target, ahead)
        while pending:
            yield from self._absorb(pending.popleft().get(), target, ahead)

    def _start_pool(self):
        """One pool for every per-record pass: each worker unpickles them once and sets them up."""
        if self._pool is None:
            context = multiprocessing.get_context("spawn")
            self._pool = context.Pool(self.workers, initializer=_init_worker,
                                      initargs=(pickle.dumps(self._worker_passes), self.seed))
            self._stack.callback(self._pool.terminate)
        return self._pool

    def _absorb(self, result, target=None, ahead: Pass | None = None) -> list[Record]:
        kept, reports, (parsed, read_rejects), prepared = result
        self._count_read(parsed, read_rejects)
        if ahead is not None:
            self._prepared[ahead.name].extend(prepared)    # in the order `kept` is yielded
        for ctx, meter in reports:
            if target is None:
                self.contexts[ctx.pass_name].merge(ctx)
                mine = self.meters[ctx.pass_name]
                mine.n_in, mine.n_out = mine.n_in + meter.n_in, mine.n_out + meter.n_out
                mine.seconds += meter.seconds
            else:
                target.merge(ctx)
        return kept

    def all_rejects(self, file_order: list[str]) -> list[Reject]:
        """Every reject, by pass (in the default order) then by position in the input."""
        rejects = self.read_rejects + [r for p in self.passes for r in self.contexts[p.name].rejects]
        rank = {name: i for i, name in enumerate(["read"] + DEFAULT_ORDER)}
        files = {rel: i for i, rel in enumerate(file_order)}
        return sorted(rejects, key=lambda r: (rank.get(r.pass_name, len(rank)),
                                              *_input_position(r.record.id, files)))

    def final_rejects(self, file_order: list[str]) -> list[Reject]:
        """All rejects in a stable order (pass, then input position), with the rejects of the
        reader and of passes before pii anonymised by pii: no raw PII reaches rejects.jsonl."""
        rejects = self.all_rejects(file_order)
        pii = next((p for p in self.passes if p.name == "pii"), None)
        if pii is None:
            return rejects
        before = {"read", *DEFAULT_ORDER[:DEFAULT_ORDER.index("pii")]}
        raw = [r for r in rejects if r.pass_name in before]
        records = [r.record for r in raw]
        if any(p is pii for p in self._worker_passes):     # reuse the workers' loaded models
            scrubbed = list(self._parallel([pii], iter(records), target=self.scrubbed))
        else:
            scrubbed = list(pii.run(records, self.scrubbed))
        if len(scrubbed) != len(raw):
            raise AccountingError(f"pii returned {len(scrubbed)} of {len(raw)} rejected records")
        for reject, record in zip(raw, scrubbed):
            reject.record = record
        if hasattr(pii, "scrub_texts"):     # error messages quote raw values
            from curate.pii.outside import scrub_details
            scrub_details(raw, pii, self.seed)
        return rejects


def _input_position(record_id: str, files: dict[str, int]) -> tuple:
    """(file rank, line, row on that line, id) from "<file>:<line>[<k>]#copy<n>": the order the
    reader produced it in, without keeping an index of every id read."""
    path, _, rest = record_id.rpartition(":")
    match = re.match(r"(\d+)(?:\[(\d+)\])?", rest)
    line, row = (int(match[1]), int(match[2] or 0)) if match else (0, 0)
    return files.get(path, len(files)), line, row, record_id


def _stages(passes: list[Pass]) -> list[tuple[bool, list[Pass]]]:
    """Group consecutive parallelisable passes: [(True, [html, unicode, ...]), (False, [split]), ...]."""
    stages: list[tuple[bool, list[Pass]]] = []
    for p in passes:
        parallel = p.per_record and p.name not in MAIN_PROCESS_PASSES
        if parallel and stages and stages[-1][0]:
            stages[-1][1].append(p)
        else:
            stages.append((parallel, [p]))
    return stages


def _shards(items: Iterator[Record | JsonlLines]) -> Iterator[list[Record | JsonlLines]]:
    """Lists of about CHUNK rows, in order; a JsonlLines batch counts as its number of lines."""
    shard: list[Record | JsonlLines] = []
    rows = 0
    for item in items:
        shard.append(item)
        rows += len(item.lines) if isinstance(item, JsonlLines) else 1
        if rows >= CHUNK:
            yield shard
            shard, rows = [], 0
    if shard:
        yield shard


def _parse_lines(items: list[Record | JsonlLines]) -> tuple[list[Record], list[Reject]]:
    """Records in input order, and the read rejects of the JsonlLines among `items`."""
    records, rejects = [], []
    for item in items:
        for row in item.parse() if isinstance(item, JsonlLines) else [item]:
            (records if isinstance(row, Record) else rejects).append(row)
    return records, rejects


def _run_shard(stage: list[Pass], shard: list[Record | JsonlLines], seed: int,
               ahead: Pass | None = None):
    """Parse the shard's JsonlLines, run a stage's passes over it, and `ahead.prepare` over what
    they kept; returns (kept, [(context, meter) per pass], (records parsed here, read rejects
    found here), [prepared value per kept record] or None)."""
    records, read_rejects = _parse_lines(shard)
    parsed = len(records) - sum(isinstance(item, Record) for item in shard)
    reports = []
    for p in stage:
        ctx, t = Context(p.name, seed), time.perf_counter()
        n_in = len(records)
        records = list(p.run(records, ctx))
        reports.append((ctx, Meter(n_in, len(records), time.perf_counter() - t)))
    prepared = [ahead.prepare(r) for r in records] if ahead is not None else None
    return records, reports, (parsed, read_rejects), prepared


def _prepares(p: Pass) -> bool:
    return type(p).prepare is not Pass.prepare


def _prepared_by(stages: list[tuple[bool, list[Pass]]], i: int) -> Pass | None:
    """The pass of stage i when it is a main-process pass whose `prepare` the stage before (a
    parallel one) can run; else None."""
    if 0 < i < len(stages) and stages[i - 1][0] and not stages[i][0] and _prepares(stages[i][1][0]):
        return stages[i][1][0]
    return None


_WORKER: dict[str, Any] = {}


def _init_worker(passes_blob: bytes, seed: int) -> None:
    """Unpickle the passes once per worker and build their resources; Ctrl-C is the parent's job."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    passes = pickle.loads(passes_blob)
    for p in passes:
        p.ensure_setup()
    _WORKER.update(passes=passes, seed=seed)


def _run_shard_in_worker(indices: list[int], shard: list[Record | JsonlLines], has_ahead: bool):
    passes = [_WORKER["passes"][i] for i in indices]
    ahead = passes.pop() if has_ahead else None
    return _run_shard(passes, shard, _WORKER["seed"], ahead)


class _NoProgress:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return None

    def file_done(self):
        pass

    def tick(self):
        pass


def _progress(enabled: bool, pipeline: Pipeline, inventory: Inventory):
    if not enabled:
        return _NoProgress()
    from curate.manifest import LiveProgress
    return LiveProgress(pipeline, inventory)
