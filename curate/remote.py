"""Input and output folders on any fsspec filesystem: s3://, gs://, az://, hdfs://, memory://, file://.

Why staged through a local folder: the readers, the reject spool and the atomic output folder
work on local paths, and an object store has no rename to make a folder appear at once. So a URL
input is copied to a temporary folder first (its files keep their relative paths, so record ids
are what they are for a local copy of the same folder), and a URL output is written locally and
uploaded when the run has succeeded, manifest.json last: a reader that finds the manifest finds
the whole folder. The filesystem comes from the URL's protocol (`s3fs` for s3://, `gcsfs` for
gs://); credentials are the filesystem's usual ones (environment, config files).
"""
from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from curate.readers import InputError
from curate.writers import OutputError

LAST = "manifest.json"


def is_url(path) -> bool:
    """A "<protocol>://..." string (a local path is never one)."""
    return isinstance(path, str) and "://" in path


def _filesystem(url: str):
    import fsspec

    try:
        return fsspec.core.url_to_fs(url)
    except (ImportError, ValueError) as e:        # s3:// without s3fs, an unknown protocol
        raise InputError(f"{url}: {e}") from None


@contextmanager
def local_input(source) -> Iterator:
    """`source` itself, or for a URL a local copy of the file or folder it names."""
    if not is_url(source):
        yield source
        return
    fs, root = _filesystem(source)
    root = root.rstrip("/")
    with tempfile.TemporaryDirectory(prefix="curate-remote-input-") as tmp:
        local = Path(tmp) / (Path(root).name or "input")
        if fs.isfile(root):
            fs.get_file(root, str(local))
        elif fs.isdir(root):
            for path in sorted(fs.find(root)):
                target = local / os.path.relpath(path, root)
                target.parent.mkdir(parents=True, exist_ok=True)
                fs.get_file(path, str(target))
        else:
            raise InputError(f"input not found: {source}")
        yield local


@contextmanager
def local_output(out, force: bool) -> Iterator[Path]:
    """`out` as a Path, or for a URL a local folder uploaded to it after the run succeeded."""
    if not is_url(out):
        yield Path(out)
        return
    fs, root = _filesystem(out)
    root = root.rstrip("/")
    if fs.exists(root) and not force:
        raise OutputError(f"output folder already exists: {out} (use --force to replace it)")
    with tempfile.TemporaryDirectory(prefix="curate-remote-output-") as tmp:
        yield Path(tmp) / "out"
        if fs.exists(root):
            fs.rm(root, recursive=True)
        _upload(fs, Path(tmp) / "out", root)


def _upload(fs, folder: Path, root: str) -> None:
    files = sorted((p for p in folder.rglob("*") if p.is_file()), key=lambda p: (p.name == LAST, str(p)))
    for path in files:
        target = f"{root}/{path.relative_to(folder).as_posix()}"
        fs.makedirs(target.rpartition("/")[0], exist_ok=True)
        fs.put_file(str(path), target)
