"""Parquet files as inputs (moved out of curate.readers unchanged, to keep that module small)."""
from __future__ import annotations

import json

from curate.schemas import read_reject
from tunecraft.text import json_value


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
            row = {k: json_value(v) for k, v in row.items()}
            yield mapper(row, line, json.dumps(row, ensure_ascii=False, default=str))

