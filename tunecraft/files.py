"""Atomic writes: a file or folder is written under a temporary name beside its target and
renamed over it at the end, so a crash, Ctrl-C or full disk leaves the old version or none,
never half of one (a resumed training, evalkit's reports and the human ratings all read back
what was written earlier).

Every writer of the three packages goes through here; each passes its own JSON shape (indent,
sort order) so the bytes it wrote before are the bytes it writes now. Text is UTF-8 with '\\n'
line endings on every OS: same data in, same bytes out.
"""
from __future__ import annotations

import json
import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator


@contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside `path` for a writer that wants a file name (torch.save);
    on success it replaces `path`, on any exception it is removed."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    try:
        yield tmp
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def atomic_write_bytes(path: str | Path, data: bytes) -> None:
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)


def atomic_write_text(path: str | Path, text: str) -> None:
    """UTF-8, and '\\n' stays '\\n' (no '\\r\\n' on Windows)."""
    atomic_write_bytes(path, text.encode("utf-8"))


def atomic_write_json(path: str | Path, data: Any, *, indent: int | None = 2,
                      sort_keys: bool = False, default: Callable[[Any], Any] | None = None) -> None:
    """Readable JSON: non-ASCII kept as is (Devanagari stays legible), one trailing newline."""
    text = json.dumps(data, ensure_ascii=False, indent=indent, sort_keys=sort_keys, default=default)
    atomic_write_text(path, text + "\n")


@contextmanager
def atomic_folder(folder: str | Path) -> Iterator[Path]:
    """Yield an empty temporary folder beside `folder`; on success it takes `folder`'s place,
    on any exception it is removed and the old `folder` is kept. The temporary name is
    `.<name>.tmp-*` (curate knows such folders for its own and never reads them as input)."""
    folder = Path(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.tmp-", dir=folder.parent))
    try:
        yield tmp
        replace_folder(tmp, folder)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def replace_folder(new: Path, folder: Path) -> None:
    """Swap `new` in as `folder`. The old folder is moved aside first, not deleted, so a failed
    rename can put it back: at no moment is there neither."""
    old = None
    if folder.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{folder.name}.old-", dir=folder.parent))
        old.rmdir()
        folder.rename(old)
    try:
        new.rename(folder)
    except BaseException:
        if old is not None:
            old.rename(folder)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
