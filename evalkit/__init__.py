"""Does fine-tuning beat prompting? `evalkit.run(...)` here, `evalkit run` in a shell.

    import evalkit
    ev = evalkit.run("clean/", systems="zero-shot,fine-tuned", adapter="runs/v1", out="evals/v1")
    ev.results, ev.metrics, ev.verdict

Importing `evalkit` loads no torch: the names below are imported on first use.
"""
from __future__ import annotations

import importlib

_LAZY = {"run": "evalkit.api", "load": "evalkit.api", "Evaluation": "evalkit.api",
         "RunConfig": "evalkit.config", "ConfigError": "evalkit.config"}
__all__ = sorted(_LAZY)


def __getattr__(name: str):
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'evalkit' has no attribute {name!r}")
