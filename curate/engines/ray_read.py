"""Reading on Ray: input files read in worker tasks, the first stage run over their shards in
others, results back to the driver in input order.

Why Ray core tasks and not a Ray Data job: Ray Data fuses consecutive maps and packs a task's
outputs into blocks of up to 128 MiB, so one big file's shards would run one after another in
the task that read it. Here a file is a generator task that yields its shards one object at a
time, cut exactly as the local engine cuts them (curate.file_shards: a shard never spans two
files, so a file's shards depend on that file alone), and every shard is a task of its own on
any node of the cluster. A shard goes from the reading worker to the stage's worker through the
object store; the driver holds references and gets each shard's result (what it kept, its
counts and rejects), as it did when it read the files itself.

- Readers run on the driver's node (node affinity): the input paths are the driver's (an
  `s3://` input is copied to its disk first, curate.remote). They ask for no CPU: reading was
  the driver's work, outside the cluster's CPUs, and a reader paused by backpressure (AHEAD
  shards not yet taken) must not hold a CPU the stage tasks wait for. One reader per
  CPUS_PER_READER CPUs reads at a time, the next files' readers running ahead of the driver.
- A worker killed mid-read: Ray runs the generator again from its start and hands the driver
  only the objects it has not handed out yet (a replay that yields other objects fails the task:
  StreamingGeneratorReplayInconsistentError), and file_pieces is deterministic. A shard task
  whose worker died is run again (Ray's `max_retries`, 3 by default: a record that kills every
  worker it meets ends the run instead of stalling it). The driver writes nothing until it has a
  shard's whole result: nothing is lost or written twice.
"""
from __future__ import annotations

from collections import deque
from typing import Any, Iterator

from curate.engines.ray_engine import run_stage
from curate.file_shards import FileDone, Piece, file_pieces
from curate.readers import InputFile

AHEAD = 16            # objects a reader may yield before the driver takes them
CPUS_PER_READER = 8   # files read at once: one per this many CPUs of the cluster, at least one


def read_in_tasks(ray, files: list[InputFile], schema: str | None, parse: bool, job: dict[str, Any],
                  window: int) -> Iterator[tuple[Piece | FileDone, Any]]:
    """(Piece | FileDone, ShardResult | None) pairs, as curate.file_shards.read_here gives them;
    at most `window` shard tasks in flight."""
    from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

    here = NodeAffinitySchedulingStrategy(ray.get_runtime_context().get_node_id(), soft=False)
    reader = ray.remote(_read_file).options(num_cpus=0, scheduling_strategy=here,
                                            _generator_backpressure_num_objects=AHEAD)
    stage = ray.remote(run_stage).options(num_cpus=1)
    cpus = int(ray.cluster_resources().get("CPU", 1))
    todo = iter(files)
    readers = deque(reader.remote(f, schema, parse) for f in _take(todo, max(1, cpus // CPUS_PER_READER)))
    pending: deque = deque()
    while readers:
        pieces = readers.popleft()
        readers.extend(reader.remote(f, schema, parse) for f in _take(todo, 1))
        while (meta_ref := next(pieces, None)) is not None:
            meta = _got(ray, meta_ref)
            result = None
            if isinstance(meta, Piece):
                result = stage.remote(next(pieces), job["passes"], job["indices"], job["has_ahead"], job["seed"])
            pending.append((meta, result))
            while len(pending) > window:
                yield _finished(ray, pending.popleft())
    while pending:
        yield _finished(ray, pending.popleft())


def _take(it: Iterator, n: int) -> list:
    return [x for _, x in zip(range(n), it)]


def _finished(ray, pair: tuple) -> tuple:
    meta, ref = pair
    return meta, None if ref is None else _got(ray, ref)


def _got(ray, ref):
    """`ray.get`, raising a task's own error (a file that cannot be read is a user error with a
    one-line message, not a Ray traceback)."""
    try:
        return ray.get(ref)
    except ray.exceptions.RayTaskError as e:
        if isinstance(e.cause, Exception):
            raise e.cause from None
        raise


def _read_file(source: InputFile, schema: str | None, parse: bool):
    """A Ray generator task: each Piece without its shard, then the shard as an object of its
    own (the driver passes its reference on to a stage task); the FileDone last."""
    for piece in file_pieces(source, schema, parse):
        if isinstance(piece, Piece):
            items, piece.items = piece.items, None
            yield piece
            yield items
        else:
            yield piece
