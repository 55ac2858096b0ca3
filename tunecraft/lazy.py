"""Package attributes imported on first use (PEP 562): `import curate`, `import train` and
`import evalkit` stay cheap (no torch, pandas or datasets) for the CLIs' --help, the worker
processes and each other's imports, while `curate.run`, `train.lora`, `evalkit.run` just work."""
from __future__ import annotations

import importlib
from typing import Any, Callable


def lazy_attributes(package: str, where: dict[str, str]) -> Callable[[str], Any]:
    """A module `__getattr__`: `name` comes from module `where[name]`, imported when first used."""
    def __getattr__(name: str) -> Any:
        if name in where:
            return getattr(importlib.import_module(where[name]), name)
        raise AttributeError(f"module {package!r} has no attribute {name!r}")
    return __getattr__
