"""Input and output folders on any fsspec filesystem: s3://, gs://, az://, hdfs://, memory://, file://.

Why staged through a local folder: the readers, the reject spool and the atomic output folder
work on local paths. So a URL input is copied to a temporary folder first (its files keep their
relative paths, so record ids are what they are for a local copy of the same folder), and a URL
output is written locally and published when the run has succeeded.

What an object store can promise, and so what publishing does: each object appears whole or not
at all, but there is no rename of a folder and no transaction over several objects (S3's "move"
is a copy and a delete per object). So the files are first uploaded under a temporary prefix
beside the output (`<out>.curate-tmp-<hex>/`: the slow, failure-prone step; a failed upload
leaves nothing under `<out>/` and its prefix is removed), then copied inside the store to
`<out>/` (server-side, quick), manifest.json last: a reader that finds the manifest finds the
whole folder. With --force the old manifest goes first, then the old folder. What is NOT
promised: a process killed during the copy leaves `<out>/` without its manifest (incomplete,
and recognisable as such), and one killed during the upload can leave its temporary prefix
(safe to delete). The filesystem comes from the URL's protocol (`s3fs` for s3://, `gcsfs` for
gs://); credentials are the filesystem's usual ones (environment, config files).
"""
from __future__ import annotations

import os
import tempfile
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from curate.readers import InputError
from curate.writers import OutputError
from tunecraft.text import first_line

LAST = "manifest.json"
BUCKETED = ("s3", "s3a", "gs", "gcs", "az", "abfs", "abfss")   # the path's first part is a bucket


def is_url(path) -> bool:
    """A "<protocol>://..." string (a local path is never one)."""
    return isinstance(path, str) and "://" in path


def _filesystem(url: str, error=InputError):
    import fsspec

    try:
        fs, root = fsspec.core.url_to_fs(url)
    except (ImportError, ValueError) as e:        # s3:// without s3fs, an unknown protocol
        raise error(f"{url}: {first_line(e)}") from None
    return fs, root.rstrip("/")


def _bucket_missing(fs, root: str, url: str) -> str | None:
    """"bucket not found: ..." when `url` names a bucket that does not exist, else None."""
    protocol = url.split("://", 1)[0].lower()
    bucket = root.lstrip("/").split("/", 1)[0]
    if protocol in BUCKETED and not fs.exists(bucket):
        return f"bucket not found: {protocol}://{bucket} (in {url})"
    return None


def _store_call(url: str, error, fn, *args):
    """`fn(*args)` on a filesystem; its failure (no credentials, no permission, no network) as
    one line naming the URL."""
    try:
        return fn(*args)
    except (InputError, OutputError):
        raise
    except Exception as e:            # each filesystem raises its own (botocore, aiohttp, OSError)
        raise error(f"{url}: {type(e).__name__}: {first_line(e)}") from None


@contextmanager
def local_input(source) -> Iterator:
    """`source` itself, or for a URL a local copy of the file or folder it names."""
    if not is_url(source):
        yield source
        return
    fs, root = _filesystem(source)
    with tempfile.TemporaryDirectory(prefix="curate-remote-input-") as tmp:
        local = Path(tmp) / (Path(root).name or "input")
        _store_call(source, InputError, _download, fs, root, source, local)
        yield local


def _download(fs, root: str, url: str, local: Path) -> None:
    if fs.isfile(root):
        fs.get_file(root, str(local))
    elif fs.isdir(root):
        for path in sorted(fs.find(root)):
            target = local / os.path.relpath(path, root)
            target.parent.mkdir(parents=True, exist_ok=True)
            fs.get_file(path, str(target))
    else:
        raise InputError(_bucket_missing(fs, root, url) or f"input not found: {url}")


@contextmanager
def local_output(out, force: bool) -> Iterator[Path]:
    """`out` as a Path, or for a URL a local folder published to it after the run succeeded."""
    if not is_url(out):
        yield Path(out)
        return
    fs, root = _filesystem(out, OutputError)
    _store_call(out, OutputError, _check_output, fs, root, out, force)
    with tempfile.TemporaryDirectory(prefix="curate-remote-output-") as tmp:
        folder = Path(tmp) / "out"
        yield folder
        names = sorted((p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()),
                       key=lambda name: (name == LAST, name))            # manifest.json last
        staging = f"{root}.curate-tmp-{uuid.uuid4().hex[:12]}"
        try:
            _store_call(out, OutputError, _upload, fs, folder, staging, names)
            _store_call(out, OutputError, _publish, fs, staging, root, names)
        finally:
            _store_call(out, OutputError, _remove, fs, staging)


def _check_output(fs, root: str, url: str, force: bool) -> None:
    if missing := _bucket_missing(fs, root, url):
        raise OutputError(missing)
    if fs.exists(root) and not force:
        raise OutputError(f"output folder already exists: {url} (use --force to replace it)")


def _upload(fs, folder: Path, staging: str, names: list[str]) -> None:
    for name in names:
        target = f"{staging}/{name}"
        fs.makedirs(target.rpartition("/")[0], exist_ok=True)
        fs.put_file(str(folder / name), target)


def _publish(fs, staging: str, root: str, names: list[str]) -> None:
    """The staged files copied to `root` inside the store, manifest last; an older output
    (--force) removed first, its manifest before the rest."""
    _remove(fs, f"{root}/{LAST}")
    _remove(fs, root)
    for name in names:
        target = f"{root}/{name}"
        fs.makedirs(target.rpartition("/")[0], exist_ok=True)
        fs.copy(f"{staging}/{name}", target)


def _remove(fs, path: str) -> None:
    if fs.exists(path):
        fs.rm(path, recursive=True)
