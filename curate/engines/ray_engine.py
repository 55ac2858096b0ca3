"""curate's per-record stages on Ray Data: the same pass classes, the same shards, the same bytes.

Why Ray Data rather than a scheduler of our own (NeMo Curator and Data-Juicer scale out on it
too): it places tasks over a cluster, runs again a task whose worker died, and spills blocks to
disk. `RayExecutor` stands in for curate.executor.Executor: `map(stage, shards, ahead)` yields
each shard's ShardResult in input order. The shards are cut on the driver by the same
`executor.shards` (so a conversation is kept whole exactly as on one machine), each goes through
the same `executor.run_shard` in a `map_batches` task, and the pipeline does the rest as it does
locally: the outputs are byte-identical by construction.

Shards go out in windows (one Ray Data job per window) so the driver holds one window of input
and results, never the whole input. A task returns a whole shard's result or nothing, a task
whose worker process died is run again on the same shard (Ray Data's tasks retry system failures
without limit), and the split files are written from parts that retried tasks rewrite whole
(curate.engines.ray_write): a killed worker neither loses nor duplicates a row.
"""
from __future__ import annotations

import hashlib
import logging
import pickle
from itertools import islice
from typing import Any, Iterator

import numpy as np

from curate.engines import EngineError
from curate.executor import Held, ShardResult, run_shard
from curate.passes.base import Context, Pass
from tunecraft.records import Record

SHARDS_PER_CPU = 16      # shards per Ray Data job, per CPU of the cluster


def import_ray():
    try:
        import ray
    except ImportError:
        raise EngineError("--engine ray needs the ray package: pip install 'ray[data]'") from None
    return ray


class RayExecutor:
    """Runs stages of `passes` over shards as Ray Data tasks. Connects to the cluster at
    `address` ("auto": the one `ray start` began on this machine), else to the Ray already
    initialised in this process, else starts a local one with `workers` CPUs for the run."""

    def __init__(self, passes: list[Pass], *, seed: int = 0, workers: int = 1,
                 address: str | None = None):
        self.ray = import_ray()
        self.passes, self.seed = passes, seed
        self._started = not self.ray.is_initialized()
        if self._started:
            _start(self.ray, address, workers)
        blob = pickle.dumps(passes)
        self._passes = (hashlib.blake2b(blob, digest_size=16).hexdigest(), self.ray.put(blob))
        _quiet()
        cpus = int(self.ray.cluster_resources().get("CPU", workers))
        self.window = SHARDS_PER_CPU * max(1, cpus)

    def __enter__(self) -> "RayExecutor":
        return self

    def __exit__(self, *exc) -> None:
        if self._started:
            self.ray.shutdown()
            self._started = False

    def map(self, stage: list[Pass], shards: Iterator[list], ahead: Pass | None = None
            ) -> Iterator[ShardResult]:
        """The result of each shard, in order (see curate.executor.Executor.map)."""
        job = self._job(stage, ahead)
        while window := list(islice(shards, self.window)):
            yield from self._run_window(window, job)

    def map_files(self, stage: list[Pass], files: list, schema: str | None, parse: bool,
                  ahead: Pass | None = None) -> Iterator[tuple]:
        """The files read in Ray tasks and `stage` run over their shards in others: the pairs of
        curate.file_shards.read_here, in the same order (curate.engines.ray_read)."""
        from curate.engines.ray_read import read_in_tasks

        return read_in_tasks(self.ray, files, schema, parse, self._job(stage, ahead), self.window)

    def write_splits(self, stage: list[Pass], shards: Iterator[list], folder) -> Iterator[tuple]:
        """`stage` (may be empty) over the shards, and what it keeps written as `folder`'s split
        files, in Ray tasks: (ShardResult without records, SplitStats) per shard, in order
        (curate.engines.ray_write). The local Executor has no such method: its driver writes."""
        from pathlib import Path

        from curate.engines.ray_write import write_in_tasks

        return write_in_tasks(self.ray, self._job(stage), shards, Path(folder), self.window)

    def _job(self, stage: list[Pass], ahead: Pass | None = None) -> dict[str, Any]:
        return dict(passes=self._passes, indices=[self.passes.index(p) for p in stage + ([ahead] if ahead else [])],
                    has_ahead=ahead is not None, seed=self.seed)

    def run_whole(self, pass_: Pass, records: Iterator[Record] | Held, ctx: Context) -> Iterator[Record] | Held:
        """A whole-dataset pass as distributed steps (curate.engines.ray_steps) where it has
        them: its kept records stay in the object store (a Held, which the next step takes as
        it is); else its own `run` on the driver, over the records streamed from the stage before."""
        from curate.engines.ray_steps import step_of

        step = step_of(pass_)
        if step is None:
            return pass_.run(records, ctx)
        return Held(lambda: step(self.ray, pass_, records, ctx))

    def _run_window(self, window: list[list], job: dict[str, Any]) -> list[ShardResult]:
        from ray import data

        rows = [{"i": i, "shard": pickle.dumps(shard, protocol=pickle.HIGHEST_PROTOCOL)}
                for i, shard in enumerate(window)]
        ds = data.from_items(rows, override_num_blocks=len(rows)).map_batches(
            _run_batch, batch_size=1, fn_kwargs=job, num_cpus=1)
        done = sorted(ds.take_all(), key=lambda row: int(row["i"]))
        if len(done) != len(window):
            raise RuntimeError(f"ray engine: {len(done)} results for {len(window)} shards")
        return [pickle.loads(row["result"]) for row in done]


def _quiet() -> None:
    """No "Starting execution" / "finished" lines and bars for each Ray Data job (one per window
    and per shuffle): curate shows its own progress. Ray Data configures its loggers on import."""
    from ray import data

    context = data.DataContext.get_current()
    context.enable_progress_bars = context.print_on_execution_start = False
    logging.getLogger("ray.data._internal.execution.streaming_executor").setLevel(logging.WARNING)


def _start(ray, address: str | None, workers: int) -> None:
    try:
        if address:
            ray.init(address=address, include_dashboard=False, log_to_driver=False,
                     logging_level=logging.WARNING)
        else:
            init_local(ray, num_cpus=max(1, workers), include_dashboard=False, log_to_driver=False,
                       logging_level=logging.WARNING)
    except ConnectionError as e:
        raise EngineError(f"--engine ray: no Ray cluster at {address!r} ({e}); "
                          "start one with `ray start --head`, or leave out --address") from None


STARTS = 3      # tries at starting a local cluster


def init_local(ray, **kwargs) -> None:
    """`ray.init` of a new local cluster, tried STARTS times. Why: Ray waits a fixed 30 s for its
    raylet to register (ray/_private/node.py, no setting changes it), and on a loaded machine it
    sometimes takes longer; a second start then usually succeeds."""
    for attempt in range(1, STARTS + 1):
        before = _children()
        try:
            ray.init(**kwargs)
            return
        except Exception as e:  # Ray raises a bare Exception for this timeout
            if "timed out during startup" not in str(e) or attempt == STARTS:
                raise
            ray.shutdown()
            _end_new_children(before)


def _children() -> set[int]:
    try:
        import psutil
    except ImportError:
        return set()
    return {p.pid for p in psutil.Process().children(recursive=True)}


def _end_new_children(before: set[int]) -> None:
    """End what a failed start left running (its GCS, raylet and agents: children of this
    process that were not there before it), by pid; `ray.shutdown` does not know them. Without
    psutil they are left to Ray's reaper, which ends them with this process."""
    try:
        import psutil
    except ImportError:
        return
    for child in psutil.Process().children(recursive=True):
        if child.pid not in before:
            try:
                child.kill()
            except psutil.Error:
                pass


_WORKER: dict[str, Any] = {}


def _worker_passes(key: str, ref) -> list[Pass]:
    """The passes, unpickled and set up once per worker process (Ray reuses them across tasks)."""
    if _WORKER.get("key") != key:
        import ray
        passes = pickle.loads(ray.get(ref))
        for p in passes:
            p.ensure_setup()
        _WORKER.update(key=key, passes=passes)
    return _WORKER["passes"]


def _run_batch(batch: dict[str, np.ndarray], *, passes, indices, has_ahead, seed) -> dict[str, np.ndarray]:
    """One Ray Data batch of shards → their pickled ShardResults."""
    results = [pickle.dumps(run_stage(pickle.loads(blob), passes, indices, has_ahead, seed),
                            protocol=pickle.HIGHEST_PROTOCOL) for blob in batch["shard"]]
    return {"i": batch["i"], "result": np.array(results, dtype=object)}


def run_stage(shard: list, passes, indices: list[int], has_ahead: bool, seed: int) -> ShardResult:
    """`run_shard` in a worker, with the passes it holds."""
    held = _worker_passes(*passes)
    stage = [held[i] for i in indices]
    ahead = stage.pop() if has_ahead else None
    return run_shard(stage, shard, seed, ahead)
