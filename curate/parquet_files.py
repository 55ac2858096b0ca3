"""Parquet files as inputs (moved out of curate.readers unchanged, to keep that module small)."""
from __future__ import annotations

import json
from typing import Any

from curate.schemas import read_reject


def read_parquet(source, mapper):
    """Row k (0-based) gets line k+1; batches keep memory flat."""
    import pyarrow.parquet as pq

    try:
        table = pq.ParquetFile(source.path)
    except Exception as e:  # pyarrow raises several types for a corrupt file
        yield read_reject(f"{source.rel}:1", "", "parse_error", f"invalid Parquet: {e}")
        return
    line = 0
    for batch in table.iter_batches(batch_size=4096):
        for row in batch.to_pylist():
            line += 1
            row = {k: _jsonable(v) for k, v in row.items()}
            yield mapper(row, line, json.dumps(row, ensure_ascii=False, default=str))


def _jsonable(value: Any) -> Any:
    """Parquet cells can be dates, decimals, bytes: keep them as JSON the writers can emit."""
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value.isoformat() if hasattr(value, "isoformat") else str(value)
