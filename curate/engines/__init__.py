"""Where curate's per-record stages run: `local` (a process pool on this machine,
curate.executor) or `ray` (Ray Data tasks on a Ray cluster, curate.engines.ray_engine).

Both take the same shards through the same `run_shard` and hand the pipeline the same results in
the same order, so the engine changes where the work runs and nothing in the outputs.
"""
from __future__ import annotations

from curate.executor import Executor

ENGINES = ("local", "ray")


class EngineError(RuntimeError):
    """An engine cannot start (ray missing, no cluster at --address): a user error."""


def make_executor(engine: str, passes, *, seed: int = 0, workers: int = 1, address: str | None = None):
    """The executor of `engine` for `passes` (the pipeline enters and leaves it)."""
    if engine == "local":
        return Executor(passes, seed=seed, workers=workers)
    if engine == "ray":
        from curate.engines.ray_engine import RayExecutor
        return RayExecutor(passes, seed=seed, workers=workers, address=address)
    raise EngineError(f"unknown engine {engine!r}; choose one of {', '.join(ENGINES)}")
