"""Train a LoRA adapter on curate's output: `train.lora(...)` here, `train lora` in a shell.

    import train
    run = train.lora("clean/", model="smollm2-135m", out="runs/v1", max_steps=48)
    run.adapter, run.card["best"]

Importing `train` loads no torch (the CLI's --help and evalkit's imports stay fast): the names
below are imported on first use.
"""
from __future__ import annotations

from tunecraft.lazy import lazy_attributes

_LAZY = {"lora": "train.api", "TrainRun": "train.api", "TrainConfig": "train.config",
         "ConfigError": "train.config"}
__all__ = sorted(_LAZY)

__getattr__ = lazy_attributes(__name__, _LAZY)
