"""Run the passes over the records read from the input folder and write the clean folder.

Records stream: reader → passes (chained generators) → split files; rejects stream to disk as
they happen (curate.reject_spool) and into rejects.jsonl at the end, in a stable order. The chain
is generic: what a pass needs it declares on its class (curate.passes.base.Pass), and no pass is
known here by name. Consecutive per-record passes form a stage that curate.executor runs over
shards in worker processes; whole-dataset passes run in this process. The first stage reads the
files itself, shard by shard (curate.file_shards: in the Ray engine's worker tasks), and JSONL
lines reach it unparsed (readers.JsonlLines): parsing and mapping them is worker work too. The
Ray engine also writes the split files in its workers (`Pipeline.write`: part files joined here).

`run_curation` is the Python API behind `curate run`; it returns the manifest.
"""
from __future__ import annotations

import shutil
import tempfile
import time
from collections import deque
from itertools import groupby
from pathlib import Path
from typing import Any, Iterable, Iterator

from curate import display
from curate.engines import make_executor
from curate.executor import Held, Meter, ShardResult, run_shard, shards
from curate.file_shards import FILE_CUT, FileDone, file_pieces
from curate.manifest import RejectStats, SplitStats, build_manifest
from curate.passes.base import Context, Pass
from curate.readers import InputFile, check_input, discover
from curate.recipe import Recipe
from curate.reject_spool import RejectSpool
from curate.writers import (OutputError, RejectsWriter, SplitWriter, atomic_dir, check_writable,
                            claim_output, lock_path)
from tunecraft.files import atomic_write_json, atomic_write_text
from tunecraft.records import Record, Reject

READ = "read"        # the step name of the reader's rejects (unparseable rows), before every pass
CUT = "conversation_cut:shard_cap"   # a whole_conversations pass saw one in pieces (guards)


class AccountingError(RuntimeError):
    """Rows went missing or were counted twice: a bug in a pass, never a user error."""


def run_curation(input_dir, out_dir, recipe: Recipe, *, workers: int | None = None,
                 force: bool = False, progress: bool = True, engine: str = "local",
                 address: str | None = None) -> dict[str, Any]:
    """Curate `input_dir` into `out_dir` and return the manifest.

    `workers`: processes for per-record passes; None → the recipe's `workers`, else 1.
    `engine`: where per-record stages run (curate.engines); `address`: the Ray cluster's.
    """
    check_input(Path(input_dir))                   # cheap user errors before slow pass set-up
    check_writable(Path(out_dir), force)
    from curate.preflight import check_mappable
    check_mappable(Path(input_dir), Path(out_dir), recipe.reader_schema)
    return curate_folder(input_dir, out_dir, recipe.build_passes(), recipe=recipe,
                         workers=workers or recipe.workers or 1, force=force, progress=progress,
                         engine=engine, address=address)


def curate_folder(input_dir, out_dir, passes: list[Pass], *, recipe: Recipe, workers: int = 1,
                  force: bool = False, progress: bool = False, engine: str = "local",
                  address: str | None = None) -> dict[str, Any]:
    """`run_curation` with the passes already built (tests use it with stub passes)."""
    started = time.perf_counter()
    input_dir, out_dir = Path(input_dir), Path(out_dir)
    check_writable(out_dir, force)
    if input_dir.resolve().is_relative_to(out_dir.resolve()):
        raise OutputError(f"output folder {out_dir} contains the input {input_dir}; choose another --out")
    with claim_output(out_dir):                  # lock, leftovers removed, SIGTERM as Ctrl-C
        check_writable(out_dir, force)            # again: a run may have finished it meanwhile
        engine_ = dict(engine=engine, address=address)
        manifest = _curate_claimed(input_dir, out_dir, passes, recipe, workers, force, progress, started, engine_)
    if progress:
        display.print_summary(manifest)
    return manifest


def _curate_claimed(input_dir, out_dir, passes, recipe, workers, force, progress, started,
                    engine: dict[str, Any]) -> dict[str, Any]:
    """The run itself, with `out_dir`'s lock held and earlier runs' leftovers removed."""
    inventory = discover(input_dir, exclude=(out_dir, lock_path(out_dir)))
    for p in passes:
        if p.scrubs_rejects:      # ids are built from file names: scrubbed before any is read
            p.scrub_inventory(inventory, recipe.seed)
    steps = [READ] + [p.name for p in passes]
    with atomic_dir(out_dir, force) as tmp, \
            RejectSpool(tmp, steps, [f.rel for f in inventory.files]) as spool, \
            Pipeline(passes, seed=recipe.seed, workers=workers, sink=spool.add, spool_dir=tmp,
                     **engine) as pipeline, \
            display.progress(progress, pipeline, inventory) as bar:
        split_stats = pipeline.write(tmp, inventory.files, recipe.reader_schema, bar.file_done, bar.tick)
        reject_stats = _write_rejects(tmp, pipeline.scrub_rejects(spool.ordered()))
        manifest = build_manifest(inventory=inventory, recipe=recipe, pipeline=pipeline,
                                  split_stats=split_stats, rejects=reject_stats, workers=workers,
                                  seconds=time.perf_counter() - started)
        manifest["engine"] = engine["engine"]
        _check_accounting(manifest["accounting"])
        atomic_write_json(tmp / "manifest.json", manifest, default=str)
        from curate.report import render_report
        atomic_write_text(tmp / "report.html", render_report(manifest))
    return manifest


def _write_splits(folder: Path, records: Iterable[Record], tick) -> SplitStats:
    stats, writer = SplitStats(), SplitWriter(folder)
    try:
        for record in records:
            stats.add(record, writer.write(record))
            tick()
    finally:
        writer.close()
    return stats


def _write_rejects(folder: Path, rejects: Iterable[Reject]) -> RejectStats:
    stats = RejectStats()
    with RejectsWriter(folder) as writer:
        for reject in rejects:
            writer.write(reject)
            stats.add(reject)
    return stats


def _check_accounting(accounting: dict[str, Any]) -> None:
    if not accounting["ok"]:
        raise AccountingError(
            f"accounting identity violated: rows read {accounting['rows_read']} != rows in splits "
            f"{accounting['rows_in_splits']} + rejects {accounting['rejects']}")


# --- the chain ----------------------------------------------------------------------------------
class Pipeline:
    """Chains the passes over a stream of records, merging every pass's counts; each reject goes
    to `sink` as it is made (without one, contexts keep them). Whole-dataset passes keep their
    records on disk, in a folder made in `spool_dir` (default: the system's temporary folder)
    for the run (curate.record_spool)."""

    def __init__(self, passes: list[Pass], *, seed: int = 0, workers: int = 1, sink=None,
                 engine: str = "local", address: str | None = None, spool_dir: Path | None = None):
        self.passes, self.seed, self.spool_dir, self.spool = passes, seed, spool_dir, None
        self.read, self.read_meter = Context(READ, seed, sink), Meter()
        self.contexts = {p.name: Context(p.name, seed, sink) for p in passes}
        self.meters = {p.name: Meter() for p in passes}
        self.scrubbed = {p.name: Context(p.name, seed) for p in passes if p.scrubs_rejects}
        self.stages = _stages(passes)
        ahead = [p for i in range(len(self.stages)) if (p := _prepared_by(self.stages, i))]
        self._prepared = {p.name: deque() for p in ahead}
        # The workers hold the parallel stages' passes, and each main-process pass whose
        # `prepare` the parallel stage before it runs.
        self.executor = make_executor(engine, [p for parallel, stage in self.stages if parallel for p in stage]
                                      + ahead, seed=seed, workers=workers, address=address)

    def __enter__(self) -> "Pipeline":
        self.spool = Path(tempfile.mkdtemp(prefix=".records-", dir=self.spool_dir))
        for ctx in self.contexts.values():
            ctx.spool = self.spool
        self.executor.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        try:
            self.executor.__exit__(*exc)       # terminates worker pools, also on Ctrl-C
        finally:
            shutil.rmtree(self.spool, ignore_errors=True)

    def write(self, folder: Path, files: list[InputFile], schema: str | None = None, file_done=None,
              tick=lambda n=1: None) -> SplitStats:
        """The records of `files` through the passes into `folder`'s split files; their counts.
        An executor that writes in its workers (the Ray engine's `write_splits`) gets the last
        stage, when it is per-record, to run in the same tasks: only counts come back here."""
        write = getattr(self.executor, "write_splits", None)
        if write is None:
            return _write_splits(folder, self.run(files, schema, file_done), tick)
        fused = len(self.stages) > 1 and self.stages[-1][0]
        stage = self.stages[-1][1] if fused else []
        stream = self.run(files, schema, file_done, upto=len(self.stages) - fused)
        stats = SplitStats()
        for result, counted in write(stage, shards(stream, on_cap=self._cut_counter(stage)), folder):
            self._take(result, None)
            stats.merge(counted)
            tick(sum(s["rows"] for s in counted.splits.values()))
        return stats

    def run(self, files: list[InputFile], schema: str | None = None, file_done=None,
            upto: int | None = None) -> Iterator[Record]:
        """The records of `files` through the passes (the stages before `upto`: all by default).
        Files are read shard by shard (curate.file_shards) where the first stage runs: the Ray
        engine reads them in its workers. `file_done()` is called as each file is finished."""
        stages = self.stages[:upto]
        parallel = bool(stages) and stages[0][0]
        first = stages[0][1] if parallel else []
        parse = not parallel or any(p.whole_conversations for p in first)
        if parallel:
            pairs = self.executor.map_files(first, files, schema, parse, _prepared_by(stages, 1))
        else:
            pairs = ((piece, None) for source in files for piece in file_pieces(source, schema, True))
        stream = self._read(pairs, first, iter(files), file_done or (lambda: None))
        start = 1 if parallel else 0             # the first stage ran in map_files
        for i, (parallel_, stage) in enumerate(stages[start:], start=start):
            if parallel_:
                stream = self._parallel(stage, stream, ahead=_prepared_by(stages, i + 1))
            else:
                stream = self._serial(stage[0], stream)
        return stream

    def _read(self, pairs, first: list[Pass], files: Iterator[InputFile], file_done) -> Iterator[Record]:
        """Records from (Piece | FileDone, the first stage's result or None) pairs, counting what
        the reader read and rejected."""
        ahead = _prepared_by(self.stages, 1) if first else None
        watch = [self.contexts[p.name] for p in first if p.whole_conversations]
        last = None
        for meta, result in pairs:
            self.read_meter.n_in += meta.rows
            self._count_read(0, meta.rejects)
            if isinstance(meta, FileDone):
                last = self._file_done(next(files), meta, watch, last)
                file_done()
            elif result is None:
                self._count_read(meta.records, [])
                yield from meta.items
            else:
                self._count_read(meta.records, [])
                yield from self._take(result, ahead)

    @staticmethod
    def _file_done(source: InputFile, done: FileDone, watch: list[Context], last: str | None) -> str | None:
        """Take what reading `source` (perhaps in a worker) found; count the conversations cut by
        the shard cap or by the file's start; return the conversation the file ends with."""
        source.rows, source.sha256, source.schema = done.source.rows, done.source.sha256, done.source.schema
        crossed = done.first is not None and done.first == last
        for ctx in watch:
            if done.capped:
                ctx.count(CUT, done.capped)
            if crossed:
                ctx.count(FILE_CUT)
        return done.last if done.first is not None else last

    def _count_read(self, n_records: int, rejects: list[Reject]) -> None:
        for reject in rejects:
            self.read.take(reject)
        self.read_meter.n_out += n_records

    def _serial(self, pass_: Pass, upstream: Iterator[Record] | Held) -> Iterator[Record] | Held:
        """One pass in this process; its time excludes the time spent waiting on upstream. A
        step whose executor keeps its records (a Held) gets the one before's Held as it is."""
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
        handed = upstream if isinstance(upstream, Held) else None
        output = self.executor.run_whole(pass_, counted() if handed is None else handed, ctx)
        if isinstance(output, Held):
            return _metered(output, meter, handed, waited)
        return self._streamed(output, meter, waited, handed)

    @staticmethod
    def _streamed(output: Iterator[Record], meter: Meter, waited: list[float], handed: Held | None
                  ) -> Iterator[Record]:
        if handed is not None:
            handed.value()             # the step before runs first, on its own meter
        while True:
            t, before = time.perf_counter(), waited[0]
            record = next(output, None)
            meter.seconds += time.perf_counter() - t - (waited[0] - before)
            if record is None:
                meter.n_in += 0 if handed is None else len(handed)
                return
            meter.n_out += 1
            yield record

    def _parallel(self, stage: list[Pass], upstream: Iterator[Record],
                  ahead: Pass | None = None) -> Iterator[Record]:
        """Shards through the executor. `ahead`: the next pass, whose `prepare` runs on this
        stage's output in the same place."""
        for result in self.executor.map(stage, shards(upstream, on_cap=self._cut_counter(stage)), ahead):
            yield from self._take(result, ahead)

    def _cut_counter(self, stage: list[Pass]):
        """What `shards` calls when it cuts a conversation: a count for the stage's passes that
        need conversations whole."""
        watch = [self.contexts[p.name] for p in stage if p.whole_conversations]

        def cut() -> None:
            for ctx in watch:
                ctx.count(CUT)
        return cut

    def _take(self, result: ShardResult, ahead: Pass | None) -> list[Record]:
        """A shard's result into the run's counts; its kept records."""
        self._count_read(result.parsed, result.read_rejects)
        if ahead is not None:
            self._prepared[ahead.name].extend(result.prepared)   # in the order `kept` is yielded
        for ctx, meter in result.reports:
            self.contexts[ctx.pass_name].merge(ctx)
            mine = self.meters[ctx.pass_name]
            mine.n_in, mine.n_out = mine.n_in + meter.n_in, mine.n_out + meter.n_out
            mine.seconds += meter.seconds
        return result.kept

    # --- rejects ------------------------------------------------------------------------------
    def scrub_rejects(self, rejects: Iterable[Reject]) -> Iterator[Reject]:
        """`rejects` (in their final order) with those made before each `scrubs_rejects` pass
        (by the reader or an earlier pass) put through it: no raw PII reaches rejects.jsonl."""
        earlier = {READ}
        for p in self.passes:
            if p.scrubs_rejects:
                rejects = self._scrubbed_by(p, rejects, frozenset(earlier))
            earlier.add(p.name)
        return iter(rejects)

    def _scrubbed_by(self, scrubber: Pass, rejects: Iterable[Reject], earlier: frozenset) -> Iterator[Reject]:
        for needed, run in groupby(rejects, key=lambda r: r.pass_name in earlier):
            if not needed:
                yield from run
                continue
            batches: deque[list[Reject]] = deque()

            def records():
                for batch in shards(run):
                    batches.append(batch)
                    yield [r.record for r in batch]
            for result in self._run_alone(scrubber, records()):
                yield from self._put_back(scrubber, batches.popleft(), result)

    def _run_alone(self, p: Pass, shards_: Iterator[list[Record]]) -> Iterator[ShardResult]:
        """`p` over shards, in the workers when they hold it (their models are loaded)."""
        if p in self.executor.passes:
            return self.executor.map([p], shards_)
        return (run_shard([p], shard, self.seed) for shard in shards_)

    def _put_back(self, scrubber: Pass, batch: list[Reject], result: ShardResult) -> list[Reject]:
        if len(result.kept) != len(batch):
            raise AccountingError(f"{scrubber.name} returned {len(result.kept)} of {len(batch)} "
                                  "rejected records")
        for reject, record in zip(batch, result.kept):
            reject.record = record
        for ctx, _ in result.reports:
            self.scrubbed[scrubber.name].merge(ctx)
        scrubber.scrub_details(batch, self.seed)
        return batch


def _metered(output: Held, meter: Meter, upstream: Held | None, waited: list[float]) -> Held:
    """`output` counted into `meter` when it is made: rows in and out, and its seconds without
    those of the steps before it (`upstream`, made first on their own meters)."""
    def make():
        n_in = len(upstream) if upstream is not None else 0
        t = time.perf_counter()
        value = output.value()
        meter.seconds += time.perf_counter() - t - waited[0]
        meter.n_in += n_in
        meter.n_out += len(value)
        if upstream is not None:
            upstream.drop()
        return value
    return Held(make)


def _stages(passes: list[Pass]) -> list[tuple[bool, list[Pass]]]:
    """Group consecutive per-record passes: [(True, [html, unicode, ...]), (False, [split]), ...]."""
    stages: list[tuple[bool, list[Pass]]] = []
    for p in passes:
        if p.per_record and stages and stages[-1][0]:
            stages[-1][1].append(p)
        else:
            stages.append((p.per_record, [p]))
    return stages


def _prepared_by(stages: list[tuple[bool, list[Pass]]], i: int) -> Pass | None:
    """The pass of stage i when it is a main-process pass whose `prepare` the stage before (a
    parallel one) can run; else None."""
    if 0 < i < len(stages) and stages[i - 1][0] and not stages[i][0] and stages[i][1][0].prepares:
        return stages[i][1][0]
    return None
