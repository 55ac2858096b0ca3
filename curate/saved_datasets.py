"""Folders written by `datasets.Dataset.save_to_disk` / `DatasetDict.save_to_disk` as inputs.

Why: a team that holds its data as a Hugging Face dataset should not have to export it to JSON
Lines first, and reading the folder as files would read its state.json as data. A Dataset folder
holds state.json and dataset_info.json beside its Arrow files; a DatasetDict folder holds
dataset_dict.json and one Dataset folder per split. Each Dataset folder is one input, read with
`datasets` itself (memory-mapped: memory stays flat). Row k has the id `<folder>:<k>`, k counted
from 0 as `ds[k]` counts, so an id points straight at its row.

Arrow pads structs with None fields; `tunecraft.text.json_value` drops them again (as for Parquet).
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Iterator

from curate.schemas import read_reject
from tunecraft.hashing import feed_file
from tunecraft.text import json_value

BATCH = 1024


def is_saved_dataset(folder: Path) -> bool:
    return (folder / "state.json").is_file() and (folder / "dataset_info.json").is_file()


def is_saved_dataset_dict(folder: Path) -> bool:
    return (folder / "dataset_dict.json").is_file()


def dataset_folders(root: Path) -> list[tuple[str, Path]]:
    """(relative name, folder) of each Dataset in `root` when `root` itself was saved by
    `save_to_disk`, else []: a Dataset is named by its folder, a DatasetDict's splits by split."""
    if is_saved_dataset(root):
        return [(root.resolve().name, root)]
    if is_saved_dataset_dict(root):
        return [(p.name, p) for p in sorted(root.iterdir()) if p.is_dir() and is_saved_dataset(p)]
    return []


def sha256_of_dataset(folder: Path) -> str:
    """The Arrow data files in the order state.json lists them (state.json itself holds a random
    fingerprint, so hashing it would make identical data look different)."""
    digest = hashlib.sha256()
    for name in _data_files(folder):
        feed_file(digest, folder / name)
    return digest.hexdigest()


def _data_files(folder: Path) -> list[str]:
    try:
        state = json.loads((folder / "state.json").read_text(encoding="utf-8"))
        return [f["filename"] for f in state["_data_files"]]
    except (OSError, ValueError, KeyError, TypeError):
        return sorted(p.name for p in folder.glob("*.arrow"))


def read_saved_dataset(source, mapper) -> Iterator:
    """Records (and read rejects) of one Dataset folder; a folder `datasets` cannot load is one
    parse-error reject, like a corrupt Parquet file."""
    try:
        from datasets import Dataset

        dataset = Dataset.load_from_disk(str(source.path))
    except Exception as e:  # datasets and pyarrow raise many types for a damaged folder
        yield read_reject(f"{source.rel}:0", "", "parse_error", f"cannot load the saved dataset: {e}")
        return
    index = 0
    for batch in dataset.with_format("arrow").iter(batch_size=BATCH):
        for row in batch.to_pylist():
            row = {str(k): json_value(v) for k, v in row.items()}
            yield mapper(row, index, json.dumps(row, ensure_ascii=False, default=str))
            index += 1

