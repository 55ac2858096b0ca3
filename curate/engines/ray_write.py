"""Writing the splits on Ray: each shard's lines made and written in tasks, joined on the driver.

Why: with the split files written by the driver, every output record came back to it (pickled,
unpickled, turned into JSON): the last per-record cost the driver paid for each row. Here the
last stage's task (the template pass, by default) serialises what it kept into exactly the lines
the local writer writes (curate.writers.split_lines) and counts them (a SplitStats: a few
counters), and a writer (one Ray actor) puts each split's lines into a part file of the run's
temporary output folder. The driver gets the counts and the part sizes, never a record, and joins
the parts in shard order into train/validation/test.jsonl: a byte copy, streaming, no record
parsed. So the files are the local engine's, byte for byte, and the atomic-output guarantee is unchanged: parts
live inside the temporary folder, which becomes the output only after the manifest is written.

- The writer runs on the driver's node (node affinity, no CPU reserved): the temporary folder
  is on its disk (an `s3://` output too is staged there and uploaded at the end, curate.remote).
  The lines reach it through the object store from the stage task, wherever that ran. One actor,
  not a task per part: a task asking no CPU is not held back by the CPU count, so Ray would start
  a worker process (an interpreter importing curate) for each write in flight.
- Idempotent: a part's name is its shard's number, and it is written under a temporary name and
  renamed. A writer that dies is restarted and its unfinished calls run again (`max_restarts`,
  `max_task_retries`), writing the same name with the same bytes; a stage task run again makes
  the same bytes. The driver checks each part's size against what the writer reported before
  joining it, so a part cut short by a dead writer is never joined.
"""
from __future__ import annotations

import shutil
from collections import deque
from pathlib import Path
from typing import Any, Iterator

from curate.engines.ray_engine import run_stage
from curate.engines.ray_read import _got
from curate.executor import ShardResult, run_shard
from curate.manifest import SplitStats
from curate.writers import SPLITS, split_lines, split_of
from tunecraft.files import atomic_write_bytes

PARTS = ".parts"      # the part files' folder, inside the run's temporary output folder
RETRIES = 3           # restarts of a dead writer, as a task is retried: a part that kills every
                      # writer ends the run instead of stalling it


def write_in_tasks(ray, job: dict[str, Any], shards: Iterator[list], folder: Path, window: int
                   ) -> Iterator[tuple[ShardResult, SplitStats]]:
    """(the shard's ShardResult without its records, the counts of what it kept) per shard, in
    order, while the parts are written; then the parts joined into `folder`'s split files.
    `job`: the last stage (its `indices` may be empty: only serialising)."""
    from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

    here = NodeAffinitySchedulingStrategy(ray.get_runtime_context().get_node_id(), soft=False)
    stage = ray.remote(serialised).options(num_cpus=1, num_returns=2)
    writer = ray.remote(PartWriter).options(num_cpus=0, scheduling_strategy=here, max_restarts=RETRIES,
                                            max_task_retries=RETRIES).remote()
    parts = folder / PARTS
    parts.mkdir()
    pending: deque = deque()
    written: list[dict[str, int]] = []
    for i, shard in enumerate(shards):
        summary, lines = stage.remote(shard, job["passes"], job["indices"], job["seed"])
        pending.append((summary, writer.write.remote(lines, str(parts), i)))
        while len(pending) > window:
            yield _finished(ray, pending.popleft(), written)
    while pending:
        yield _finished(ray, pending.popleft(), written)
    join_parts(parts, written, folder)


def _finished(ray, refs: tuple, written: list[dict[str, int]]) -> tuple[ShardResult, SplitStats]:
    summary, sizes = refs
    written.append(_got(ray, sizes))
    return _got(ray, summary)


def serialised(shard: list, passes, indices: list[int], seed: int) -> tuple[tuple, dict[str, bytes]]:
    """A Ray task: the stage over the shard, then its kept records as split lines. Returns
    ((ShardResult without records, SplitStats), {split: lines})."""
    result = run_stage(shard, passes, indices, False, seed) if indices else run_shard([], shard, seed)
    stats = SplitStats()
    for record in result.kept:
        stats.add(record, split_of(record))
    lines = split_lines(result.kept)
    result.kept = []
    return (result, stats), lines


class PartWriter:
    """A Ray actor on the driver's node: shard i's lines as one part file per split; their sizes.
    One process for the run (writing is disk work, and a task asking no CPU would have Ray start a
    worker process per write in flight); restarted, and its unfinished calls run again, when it
    dies."""

    def write(self, lines: dict[str, bytes], parts: str, i: int) -> dict[str, int]:
        for split, data in lines.items():
            _put_file(Path(parts) / part_name(split, i), data)
        return {split: len(data) for split, data in lines.items()}


def part_name(split: str, i: int) -> str:
    return f"{split}-{i:09d}.jsonl"


def _put_file(path: Path, data: bytes) -> None:
    atomic_write_bytes(path, data)


def join_parts(parts: Path, written: list[dict[str, int]], folder: Path) -> None:
    """Each split's parts, in shard order, into `folder`/<split>.jsonl (created only when some
    part has lines: an empty split has no file, as with the local writer); then the parts go."""
    for i, sizes in enumerate(written):
        for split, size in sizes.items():
            if (got := (parts / part_name(split, i)).stat().st_size) != size:
                raise RuntimeError(f"ray engine: part {part_name(split, i)} has {got} bytes, its writer wrote {size}")
    for split in SPLITS:
        numbered = [i for i, sizes in enumerate(written) if split in sizes]
        if not numbered:
            continue
        with open(folder / f"{split}.jsonl", "wb") as out:
            for i in numbered:
                with open(parts / part_name(split, i), "rb") as part:
                    shutil.copyfileobj(part, out, 1 << 20)
    shutil.rmtree(parts)
