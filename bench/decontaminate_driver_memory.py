"""The driver's memory in the Ray engine's decontaminate step, per input row.

    PYTHONPATH=. .venv/bin/python bench/decontaminate_driver_memory.py /tmp/engines/raw_100000

Reads the generated tickets of bench/curate_engines.py, gives each record a split by a hash of
its id (80/10/10, as the split pass's ratios), and runs the step (`ray_steps.run_step`) on a
local 2-CPU Ray cluster with the records streamed from the files (never a list), then streams its
output. The figure is the peak of the driver's Python and numpy allocations during the step
(tracemalloc: what the driver holds, without Ray's own processes and without the interpreter's
fixed size, which an RSS figure at 100k rows drowns it in), divided by the rows read. A first
run over 2,000 rows, before measuring, takes the imports and Ray Data's one-time state out.
"""
import hashlib
import sys
import tracemalloc
from pathlib import Path

from curate.engines.ray_engine import init_local
from curate.file_shards import Piece, file_pieces
from curate.passes.base import Context
from curate.passes.decontaminate import Decontaminate
from curate.readers import discover


def records(folder: str):
    for source in discover(Path(folder)).files:
        for piece in file_pieces(source, None, True):
            if isinstance(piece, Piece):
                for record in piece.items:
                    roll = hashlib.blake2b(record.id.encode(), digest_size=2).digest()[0] % 10
                    record.split = "test" if roll == 0 else "validation" if roll == 1 else "train"
                    yield record


def main(folder: str) -> None:
    import ray

    init_local(ray, num_cpus=2, include_dashboard=False, log_to_driver=False)
    from curate.engines.ray_steps import run_step

    warm = records(folder)                  # imports and Ray Data's first-job state: not per row
    sum(1 for _ in run_step(ray, Decontaminate(), (next(warm) for _ in range(2000)), Context("decontaminate")))
    n = [0]

    def counted():
        for record in records(folder):
            n[0] += 1
            yield record
    tracemalloc.start()
    ctx = Context("decontaminate", seed=1)
    kept = sum(1 for _ in run_step(ray, Decontaminate(), counted(), ctx))
    _, peak = tracemalloc.get_traced_memory()
    print(f"rows {n[0]}, kept {kept}, contaminated {ctx.info['contaminated_train']}, "
          f"driver peak {peak / 2 ** 20:.1f} MiB = {peak / n[0]:.0f} bytes per row")
    ray.shutdown()


if __name__ == "__main__":
    main(sys.argv[1])
