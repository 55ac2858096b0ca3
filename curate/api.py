"""curate from Python: a folder, a file, a pandas DataFrame or a `datasets` Dataset in, the clean
splits out as a `datasets.DatasetDict`.

Why here and not in the CLI: `curate run` and a notebook must curate the same way, so the command
is a shell around `curate_into` and `run` is `curate_into` and then `load`. Nothing is curated in
memory: a DataFrame or Dataset is saved to a temporary folder with `save_to_disk` and read as any
saved dataset is (curate.saved_datasets), so it meets the same schema detection, column maps,
passes, rejects and manifest as files do. Its rows get the ids `dataframe:<k>` / `dataset:<k>` /
`<split>:<k>` (k from 0, as `df.iloc[k]` and `ds[k]` count). In the examples, `out` is a scratch
folder.

    >>> import pandas as pd, curate
    >>> tickets = pd.DataFrame({
    ...     "question": ["Mera refund kab aayega?", "मेरा खाता बंद हो गया है, कृपया मदद करें।"],
    ...     "answer": ["Aapka refund 3 din mein aa jayega.", "आपका खाता दोबारा खोल दिया गया है।"]})
    >>> splits = curate.run(tickets, out / "clean", skip="pii")
    >>> splits["train"][0]["id"], splits["train"][0]["messages"][0]["content"]
    ('dataframe:0', 'Mera refund kab aayega?')
    >>> curate.load(out / "clean")["train"].num_rows == splits["train"].num_rows
    True
    >>> list(curate.rejects(out / "clean").columns)
    ['pass', 'reason', 'id', 'details', 'record']
"""
from __future__ import annotations

import os
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

from curate.readers import InputError
from curate.recipe import Recipe, load_recipe
from curate.writers import SPLITS, OutputError

REJECT_COLUMNS = ["pass", "reason", "id", "details", "record"]


def run(source, out, recipe=None, *, seed: int | None = None, workers: int | None = None,
        force: bool = False, lang: str | None = None, skip: str | tuple = (),
        columns: str | None = None, progress: bool = False, engine: str = "local",
        address: str | None = None):
    """Curate `source` into the folder `out` and return its splits as a `datasets.DatasetDict`.

    `source`: a folder or file path (any format `curate run` reads, a `save_to_disk` folder
    included), a pandas DataFrame, or a `datasets` Dataset or DatasetDict; the source folder or
    file and `out` may be fsspec URLs ("s3://bucket/raw/", curate.remote). `recipe`: a YAML
    recipe's path; `seed`, `lang` ("en,hi"), `skip` ("pii,dedup_near") and `columns`
    ("prompt=dialogue,completion=summary") override it as the CLI's flags do. `workers`: default
    all cores. `engine="ray"` runs the passes on Ray Data (`address`: a running cluster's, e.g.
    "auto"; None: the Ray this process has initialised, else a local one for the run): the same
    outputs, byte for byte (curate.engines). Raises InputError / OutputError / RecipeError /
    EngineError with the message the CLI prints.

    >>> import curate
    >>> (raw := out / "raw").mkdir()
    >>> _ = (raw / "faq.jsonl").write_text('{"prompt": "UPI PIN kaise reset karein?", '
    ...                                     '"completion": "Settings mein Reset PIN chunein."}\\n')
    >>> curate.run(raw, out / "faq", seed=7, workers=1, skip="pii")["train"][0]["id"]
    'faq.jsonl:1'
    """
    resolved = load_recipe(recipe, seed=seed, skip=skip or (), lang=lang, workers=workers, columns=columns)
    curate_into(source, out, resolved, workers=min(resolved.workers or cores(), cores()),
                force=force, progress=progress, engine=engine, address=address)
    return load(out)


def curate_into(source, out, recipe: Recipe, *, workers: int, force: bool = False,
                progress: bool = True, engine: str = "local", address: str | None = None) -> dict[str, Any]:
    """Curate `source` (as `run` takes it) into `out` with a resolved recipe; returns the manifest.
    `curate run` is this and its printing. `source` and `out` may be fsspec URLs (s3://...,
    curate.remote); `engine`: "local" or "ray" (curate.engines), `address`: the Ray cluster's."""
    from curate.pipeline import run_curation
    from curate.remote import local_input, local_output

    with local_input(source) as local, local_output(out, force) as local_out, _as_folder(local) as folder:
        return run_curation(folder, local_out, recipe, workers=workers, force=force, progress=progress,
                            engine=engine, address=address)


def load(out):
    """The splits of a finished run as a `datasets.DatasetDict` of train/validation/test sharing
    one set of features, inferred from the rows of all three (one `load_dataset` over the files
    fails when a later split has a meta key the first lacks). A split with no rows is an empty
    Dataset with those features. Held in memory: clean splits are what one fine-tune reads.

    >>> import curate
    >>> sorted(curate.load(out / "clean"))
    ['test', 'train', 'validation']
    """
    import datasets
    import pyarrow

    with _finished(out) as folder:
        rows = {s: _read_rows(folder / f"{s}.jsonl") for s in SPLITS}
    try:
        schema = pyarrow.Table.from_pylist([r for s in SPLITS for r in rows[s]]).schema
    except (pyarrow.ArrowInvalid, pyarrow.ArrowTypeError) as e:
        raise OutputError(f"{out}: the splits hold values no one Dataset column can: {e}") from None
    schema = schema if schema.names else _record_schema()
    return datasets.DatasetDict({s: datasets.Dataset(pyarrow.Table.from_pylist(rows[s], schema=schema))
                                 for s in SPLITS})


def rejects(out):
    """rejects.jsonl of a finished run as a pandas DataFrame, one row per reject: pass, reason,
    id, details (a dict: the error, the id a duplicate copies, ...) and the rejected record.

    >>> import curate
    >>> curate.rejects(out / "clean")[["pass", "reason"]].value_counts().to_dict()
    {}
    """
    import pandas as pd

    with _finished(out) as folder:
        return pd.DataFrame(_read_rows(folder / "rejects.jsonl"), columns=REJECT_COLUMNS)


def cores() -> int:
    """Cores this process may use (a container's CPU set, not the host's count)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:       # macOS, Windows
        return os.cpu_count() or 1


def _read_rows(path: Path) -> list[dict[str, Any]]:
    """The rows of a JSON Lines output; an empty split has no file."""
    import orjson

    if not path.is_file():
        return []
    with open(path, "rb") as f:
        return [orjson.loads(line) for line in f if line.strip()]


@contextmanager
def _finished(out) -> Iterator[Path]:
    """The folder of a finished run (for a URL, a local copy of it)."""
    from curate.remote import is_url, local_input

    with local_input(out) as local:
        if not (Path(local) / "manifest.json").is_file():
            raise OutputError(f"{out if is_url(out) else Path(out)}: not a folder written by `curate run` "
                              "(no manifest.json)")
        yield Path(local)


def _record_schema():
    """The columns of splits that every row was rejected from: a Record's id and messages."""
    import pyarrow

    turn = pyarrow.struct([("role", pyarrow.string()), ("content", pyarrow.string())])
    return pyarrow.schema([("id", pyarrow.string()), ("messages", pyarrow.list_(turn))])


@contextmanager
def _as_folder(source) -> Iterator[Path]:
    """A folder `run_curation` can read that holds `source`: a folder path as it is, else a
    temporary folder (a link to a file; a DataFrame or Dataset saved with `save_to_disk`)."""
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        if path.is_dir() or not path.exists():
            yield path                    # a missing path: run_curation names it
            return
    with tempfile.TemporaryDirectory(prefix="curate-input-") as tmp:
        _materialise(source, Path(tmp))
        yield Path(tmp)


def _materialise(source, tmp: Path) -> None:
    datasets, pandas = sys.modules.get("datasets"), sys.modules.get("pandas")
    if isinstance(source, (str, os.PathLike)):
        _link(Path(source), tmp / Path(source).name)
    elif pandas is not None and isinstance(source, pandas.DataFrame):
        with _quiet_datasets():
            _from_pandas(source).save_to_disk(str(tmp / "dataframe"))
    elif datasets is not None and isinstance(source, (datasets.Dataset, datasets.DatasetDict)):
        with _quiet_datasets():
            source.save_to_disk(str(tmp / "dataset" if isinstance(source, datasets.Dataset) else tmp))
    else:
        raise InputError(f"cannot curate a {type(source).__name__}: give a folder or file path, "
                         "a pandas DataFrame, or a datasets Dataset or DatasetDict")


@contextmanager
def _quiet_datasets() -> Iterator[None]:
    """No "Saving the dataset" bar for a temporary copy the user did not ask for."""
    import datasets

    if not datasets.is_progress_bar_enabled():
        yield
        return
    datasets.disable_progress_bars()
    try:
        yield
    finally:
        datasets.enable_progress_bars()


def _link(path: Path, link: Path) -> None:
    try:
        link.symlink_to(path.resolve())
    except OSError:                    # no symbolic links (Windows without the right): a copy
        import shutil
        shutil.copyfile(path, link)


def _from_pandas(frame):
    """A Dataset of the DataFrame's rows (NaN becomes None). An index other than 0..n-1 (a
    filtered frame, ticket numbers) becomes the column `index` (or its name; `dataframe_index`
    when `index` is taken), so it reaches meta.
    A column Arrow cannot hold, mixing numbers and text, is a user error that says how to fix it
    rather than a guess."""
    import pandas
    import pyarrow
    from datasets import Dataset

    if not frame.index.equals(pandas.RangeIndex(len(frame))):
        taken = "index" in frame.columns and frame.index.name is None
        frame = frame.reset_index(names="dataframe_index" if taken else None)
    try:
        return Dataset.from_pandas(frame.rename(columns=str), preserve_index=False)
    except (pyarrow.ArrowInvalid, pyarrow.ArrowTypeError) as e:
        raise InputError(f"dataframe: {e}; give each column one type, e.g. "
                         "df[column] = df[column].astype(str)") from None
