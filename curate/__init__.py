"""curate: raw data → clean train/validation/test splits (see curate.api for Python use).

`run`, `load` and `rejects` are imported on first use: `import curate` stays cheap, and the CLI
and worker processes that never call them do not import pandas or datasets.
"""
from tunecraft.lazy import lazy_attributes

__all__ = ["run", "load", "rejects"]
__getattr__ = lazy_attributes(__name__, dict.fromkeys(__all__, "curate.api"))
