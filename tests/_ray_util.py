"""A pass that kills the worker process running it, once, and a worker set-up hook that kills the
first worker reading a marked line (the Ray engine's fault tests); the test modules' Ray cluster.

In a module of its own so Ray's worker processes can unpickle and import them."""
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


def local_ray(**runtime_env):
    """A local Ray cluster for a test module (2 CPUs, no dashboard); its workers import this
    repository and tests/. A generator for a module fixture. `runtime_env`: more of it
    (`worker_process_setup_hook`, `env_vars`). Started with retries: on a loaded machine Ray's
    raylet can miss its fixed 30 s start-up limit (curate.engines.ray_engine.init_local)."""
    import ray

    from curate.engines.ray_engine import init_local

    tests = Path(__file__).resolve().parent
    path = os.pathsep.join([str(tests), str(tests.parent), os.environ.get("PYTHONPATH", "")])
    env_vars = {"PYTHONPATH": path, **runtime_env.pop("env_vars", {})}
    init_local(ray, num_cpus=2, include_dashboard=False, log_to_driver=False,
               runtime_env={"env_vars": env_vars, **runtime_env})
    yield
    ray.shutdown()


KILL_READ_FLAG = "CURATE_TEST_KILL_READ_FLAG"


def kill_on_read() -> None:
    """A Ray worker set-up hook: reading a line holding KILL-READER exits the worker process
    (as `kill -9` would) the first time, while the flag file named by $CURATE_TEST_KILL_READ_FLAG
    is absent."""
    import curate.readers

    flag, lines = Path(os.environ[KILL_READ_FLAG]), curate.readers.byte_lines

    def byte_lines(path, encoding="utf-8"):
        for raw in lines(path, encoding):
            if b"KILL-READER" in raw and not flag.exists():
                flag.write_text(str(os.getpid()), encoding="utf-8")
                os._exit(1)
            yield raw
    curate.readers.byte_lines = byte_lines


KILL_WRITE_FLAG = "CURATE_TEST_KILL_WRITE_FLAG"


def kill_on_write() -> None:
    """A Ray worker set-up hook: writing a part file whose lines hold KILL-WRITER writes half of
    them under the part's own name and exits the worker process (as `kill -9` mid-write would)
    the first time, while the flag file named by $CURATE_TEST_KILL_WRITE_FLAG is absent."""
    import curate.engines.ray_write as ray_write

    flag, put = Path(os.environ[KILL_WRITE_FLAG]), ray_write._put_file

    def put_file(path: Path, data: bytes) -> None:
        if b"KILL-WRITER" in data and not flag.exists():
            flag.write_text(str(os.getpid()), encoding="utf-8")
            Path(path).write_bytes(data[: len(data) // 2])
            os._exit(1)
        put(path, data)
    ray_write._put_file = put_file


def kill_on_read_or_write() -> None:
    """Both hooks above, for a module whose tests kill a reader and a writer."""
    kill_on_read()
    kill_on_write()
