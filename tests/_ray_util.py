"""A pass that kills the worker process running it, once (the Ray engine's fault test).

In a module of its own so Ray's worker processes can unpickle it by import."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from curate.passes.base import Context, Pass
from tunecraft.records import Record


@dataclass
class KillOnceConfig:
    flag: str = ""                 # a file: absent → the first record containing `marker` kills
    marker: str = "KILL-WORKER"


class KillOnce(Pass):
    """Per-record, `unicode` slot: exits the process (no clean-up, as `kill -9` or an OOM kill
    would) the first time it meets the marker; after that it is the identity."""
    name = "unicode"
    Config = KillOnceConfig

    def apply(self, record: Record, ctx: Context) -> Record:
        flag = Path(self.config.flag)
        if self.config.marker in record.instruction and not flag.exists():
            flag.write_text(str(os.getpid()), encoding="utf-8")
            os._exit(1)
        return record


def local_ray():
    """A local Ray cluster for a test module (2 CPUs, no dashboard); its workers import this
    repository and tests/. A generator for a module fixture."""
    import ray

    tests = Path(__file__).resolve().parent
    path = os.pathsep.join([str(tests), str(tests.parent), os.environ.get("PYTHONPATH", "")])
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False,
             runtime_env={"env_vars": {"PYTHONPATH": path}})
    yield
    ray.shutdown()
