"""curate: raw data → clean train/validation/test splits (see curate.api for Python use).

`run`, `load` and `rejects` are imported on first use: `import curate` stays cheap, and the CLI
and worker processes that never call them do not import pandas or datasets.
"""
__all__ = ["run", "load", "rejects"]


def __getattr__(name: str):
    if name in __all__:
        from curate import api

        return getattr(api, name)
    raise AttributeError(f"module 'curate' has no attribute {name!r}")
