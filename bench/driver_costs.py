"""CPU per record of the work the driver did or does in a curate run, in one process.

    PYTHONPATH=. .venv/bin/python bench/driver_costs.py /tmp/engines/raw_100000

Reading (`file_pieces`: lines, sha256, shards; then with lines parsed and mapped, as when pii is
in the first stage) over every file; then, on the first 20,000 parsed records: pickling shards of
512 (sent to a task), unpickling them (a task's result coming back), writing the split files and
counting them for the manifest (what the driver did with every output record until the Ray
engine wrote parts in tasks), and what it does instead: merging one SplitStats per shard and
joining the part files (a byte copy).
`time.process_time`: CPU time, so a loaded machine changes it much less than wall time.
"""
import pickle
import sys
import tempfile
import time
from pathlib import Path

from curate.engines.ray_write import join_parts, part_name
from curate.file_shards import Piece, file_pieces
from curate.manifest import SplitStats
from curate.readers import discover
from curate.writers import SplitWriter, split_lines, split_of


def per_row(label: str, seconds: float, n: int) -> None:
    print(f"{label}: {seconds / n * 1e6:.1f} us per record ({n} records)")


def main(folder: str) -> None:
    files = discover(Path(folder)).files
    for parse in (False, True):
        t = time.process_time()
        n = sum(p.rows for f in files for p in file_pieces(f, None, parse))
        per_row(f"read, parse={parse}", time.process_time() - t, n)
    records = [r for p in file_pieces(files[0], None, True) if isinstance(p, Piece) for r in p.items][:20_000]
    for i, r in enumerate(records):
        r.split = ("train", "validation", "test")[i % 3]
    shards = [records[k:k + 512] for k in range(0, len(records), 512)]
    t = time.process_time()
    blobs = [pickle.dumps(s, protocol=pickle.HIGHEST_PROTOCOL) for s in shards]
    per_row("pickle out", time.process_time() - t, len(records))
    t = time.process_time()
    for blob in blobs:
        pickle.loads(blob)
    per_row("unpickle in", time.process_time() - t, len(records))
    with tempfile.TemporaryDirectory() as d:
        writer, t = SplitWriter(Path(d)), time.process_time()
        for r in records:
            writer.write(r)
        writer.close()
        per_row("write splits", time.process_time() - t, len(records))
        stats, t = SplitStats(), time.process_time()
        for r in records:
            stats.add(r, split_of(r))
        per_row("count for the manifest", time.process_time() - t, len(records))
        parts, written, counted = Path(d) / ".parts", [], []
        parts.mkdir()
        for i, shard in enumerate(shards):          # the workers' side, not timed
            lines = split_lines(shard)
            for split, data in lines.items():
                (parts / part_name(split, i)).write_bytes(data)
            written.append({split: len(data) for split, data in lines.items()})
            counted.append(SplitStats())
            for r in shard:
                counted[-1].add(r, split_of(r))
        t, total = time.process_time(), SplitStats()
        for part in counted:
            total.merge(part)
        join_parts(parts, written, Path(d))
        per_row("merge counts + join parts", time.process_time() - t, len(records))


if __name__ == "__main__":
    main(sys.argv[1])
