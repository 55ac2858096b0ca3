"""Atomic output: everything is written into a temporary folder beside `--out` and renamed into
place at the very end, so a crash or Ctrl-C leaves either the old `clean/` or none, never half.

A temporary folder holds a marker file from its first moment, and a finished one its manifest, so a
later run whose input folder contains either knows it for curate's output and never reads it back
as data; a temporary folder left by a killed run is removed by the next run to the same `--out`,
which holds a lock for its whole length (two runs to one `--out` would otherwise both "succeed"
and one result would be lost). A failed write (read-only folder, full disk) is one OutputError.

Lines are compact UTF-8 JSON (orjson) with a fixed key order and '\\n' endings: same records in,
same bytes out (byte-identical reruns are part of the output contract).
"""
from __future__ import annotations

import errno
import json
import shutil
import signal
import tempfile
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

import orjson

from tunecraft.files import replace_folder
from tunecraft.records import Record, Reject

SPLITS = ("train", "validation", "test")


class OutputError(Exception):
    """The output folder cannot be written as asked (exists without --force, ...): a user error."""


MARKER = ".curate-output"
MARKER_TEXT = "Written by `curate run`. curate never reads this folder as input.\n"


@contextmanager
def atomic_dir(out_dir: Path, force: bool = False) -> Iterator[Path]:
    """Yield a temporary folder; on success it replaces `out_dir`, on any exception it is removed."""
    out_dir = Path(out_dir)
    check_writable(out_dir, force)
    with _as_output_error(out_dir):
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.tmp-", dir=out_dir.parent))
    try:
        with _as_output_error(out_dir, within=(tmp, out_dir)):
            (tmp / MARKER).write_text(MARKER_TEXT, encoding="utf-8")
            yield tmp
            (tmp / MARKER).unlink()      # the finished folder is known by its manifest
            replace_folder(tmp, out_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


_WRITE_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS}


@contextmanager
def _as_output_error(out_dir: Path, within: tuple[Path, ...] | None = None) -> Iterator[None]:
    """An OSError while writing the output (no space, read-only, not a folder) is a user error.
    `within`: only errors about those paths (or a full disk, which names no file) are converted;
    the run's other OSErrors are not the output's fault."""
    try:
        yield
    except OSError as e:
        name = getattr(e, "filename", None)
        if within is not None and e.errno not in _WRITE_ERRNOS and not (
                name and any(Path(name).is_relative_to(p) for p in within)):
            raise
        where = f" ({name})" if name else ""
        raise OutputError(f"cannot write {out_dir}: {e.strerror or e}{where}") from None


@contextmanager
def claim_output(out_dir: Path) -> Iterator[None]:
    """Hold `out_dir`'s lock for a whole run, remove what killed runs to it left behind, and
    have SIGTERM stop the run as Ctrl-C does (see sigterm_as_interrupt).

    The lock is a file beside `out_dir` (flock through filelock: released by the OS when the
    process dies, even by kill -9, so a stale lock never blocks the next run).
    """
    from filelock import FileLock, Timeout

    out_dir = Path(out_dir)
    lock = FileLock(lock_path(out_dir), timeout=0)
    with _as_output_error(out_dir):
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        try:
            lock.acquire()
        except Timeout:
            raise OutputError(f"another curate run is writing {out_dir} (lock {lock_path(out_dir)}); "
                              "wait for it to finish or choose another --out") from None
    try:
        with _as_output_error(out_dir):
            remove_stale(out_dir)
        with sigterm_as_interrupt():
            yield
    finally:
        lock.release()


@contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """SIGTERM (`kill`, a container stop, a job scheduler) raises KeyboardInterrupt as Ctrl-C does,
    so the temporary folder is removed, workers stopped and the previous output kept. Main thread
    only: the one that may set signal handlers."""
    main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _interrupt) if main else None
    try:
        yield
    finally:
        if main:
            signal.signal(signal.SIGTERM, previous)


def _interrupt(signum, frame):
    raise KeyboardInterrupt(f"signal {signum}")


def lock_path(out_dir: Path) -> Path:
    return out_dir.parent / f".{out_dir.name}.lock"


def remove_stale(out_dir: Path) -> list[Path]:
    """Temporary folders of earlier runs to `out_dir` (killed before they could clean up); only
    folders that are curate's (marker or manifest) are touched. Call it with the lock held."""
    stale = [p for pattern in (f".{out_dir.name}.tmp-*", f".{out_dir.name}.old-*")
             for p in sorted(out_dir.parent.glob(pattern)) if p.is_dir() and curate_output_reason(p)]
    for folder in stale:
        shutil.rmtree(folder)
    return stale


def curate_output_reason(folder: Path) -> str | None:
    """Why `folder` is curate's own output and must not be read as input (None: it is not).
    Its marker says so; an output written before markers existed is known by its manifest."""
    if (folder / MARKER).is_file():
        return "unfinished curate run (temporary folder)"
    manifest = folder / "manifest.json"
    if manifest.is_file() and (folder / "rejects.jsonl").is_file():
        try:
            data = json.loads(manifest.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if isinstance(data, dict) and "accounting" in data and "inputs" in data:
            return "curate output folder (has its manifest.json)"
    return None


def check_writable(out_dir: Path, force: bool) -> None:
    if out_dir.exists() and not force:
        raise OutputError(f"output folder already exists: {out_dir} (use --force to replace it)")
    if out_dir.exists() and not out_dir.is_dir():
        raise OutputError(f"output path exists and is not a folder: {out_dir}")


def _dumps(row: dict[str, Any]) -> bytes:
    """One JSON line. orjson is 2x faster than the stdlib; what it refuses (integers over 64 bits,
    non-string keys from Parquet maps) goes through `json` with the same compact separators."""
    try:
        return orjson.dumps(row, default=str) + b"\n"
    except TypeError:
        return (json.dumps(row, ensure_ascii=False, separators=(",", ":"), default=str) + "\n").encode("utf-8")


def split_of(record: Record) -> str:
    """The split file a record goes to; a record without a split is train."""
    split = record.split or "train"
    if split not in SPLITS:
        raise ValueError(f"record {record.id} has unknown split '{split}'")
    return split


def split_lines(records: list[Record]) -> dict[str, bytes]:
    """The lines SplitWriter would write for `records`, per split (only the splits they hold):
    the Ray engine's workers write these bytes as part files (curate.engines.ray_write)."""
    lines: dict[str, list[bytes]] = {}
    for record in records:
        lines.setdefault(split_of(record), []).append(_dumps(record.to_dict()))
    return {split: b"".join(lines[split]) for split in SPLITS if split in lines}


class SplitWriter:
    """Streams records into train/validation/test.jsonl; a record without a split is train.

    A split file is created at its first record: an empty split has no file, because
    `datasets.load_dataset("json", data_dir=clean)` fails on an empty one ("corresponds to no
    data"); the manifest still lists the split with 0 rows."""

    def __init__(self, folder: Path):
        self.folder, self.files = folder, {}

    def write(self, record: Record) -> str:
        split = split_of(record)
        if split not in self.files:
            self.files[split] = open(self.folder / f"{split}.jsonl", "wb")
        self.files[split].write(_dumps(record.to_dict()))
        return split

    def close(self) -> None:
        for f in self.files.values():
            f.close()


class RejectsWriter:
    """Appends rejects to rejects.jsonl as they come (in the temporary folder, which is renamed
    into place with the splits at the end); nothing is held in memory."""

    def __init__(self, folder: Path):
        self.file = open(folder / "rejects.jsonl", "wb")

    def __enter__(self) -> "RejectsWriter":
        return self

    def __exit__(self, *exc) -> None:
        self.file.close()

    def write(self, reject: Reject) -> None:
        self.file.write(_dumps(reject.to_dict()))


def write_json(path: Path, data: dict[str, Any]) -> None:
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


def write_text(path: Path, text: str) -> None:
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)
