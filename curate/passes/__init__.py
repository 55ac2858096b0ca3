"""Registry of curation passes: one module per pass, imported lazily (some pull in heavy libraries).

Attributes whose name starts with "_" on a pass are treated as per-process resources built in
`setup()` and are not pickled to worker processes.
"""
from __future__ import annotations

import importlib

from curate.passes.base import Pass, RecipeError

# Default order (DESIGN.md). balance runs on the train split only; the test set is never resampled.
DEFAULT_ORDER = [
    "html", "unicode", "quality", "language", "dedup_exact", "pii",
    "dedup_near", "split", "decontaminate", "balance", "template",
]


def get_pass_class(name: str) -> type[Pass]:
    if name not in DEFAULT_ORDER:
        raise RecipeError(f"unknown pass '{name}'; valid passes: {', '.join(DEFAULT_ORDER)}")
    module = importlib.import_module(f"curate.passes.{name}")
    for value in vars(module).values():
        if isinstance(value, type) and issubclass(value, Pass) and value.name == name:
            return value
    raise RecipeError(f"module curate.passes.{name} defines no Pass named '{name}'")
