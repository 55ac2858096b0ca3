"""Does fine-tuning beat prompting? `evalkit.run(...)` here, `evalkit run` in a shell.

    import evalkit
    ev = evalkit.run("clean/", systems="zero-shot,fine-tuned", adapter="runs/v1", out="evals/v1")
    ev.results, ev.metrics, ev.verdict

Importing `evalkit` loads no torch: the names below are imported on first use.
"""
from __future__ import annotations

from tunecraft.lazy import lazy_attributes

_LAZY = {"run": "evalkit.api", "load": "evalkit.api", "Evaluation": "evalkit.api",
         "RunConfig": "evalkit.config", "ConfigError": "evalkit.config"}
__all__ = sorted(_LAZY)

__getattr__ = lazy_attributes(__name__, _LAZY)
