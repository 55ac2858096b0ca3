"""Validation of a training config before anything is loaded (peft-style, from `__post_init__`).

A zero batch size or a negative step count used to surface minutes later as a ZeroDivisionError
or an empty run; checked here, the library and the CLI both get one line naming the setting.
"""
from __future__ import annotations

import math

PRECISIONS = ("auto", "bf16", "fp32")
MAX_SEED = 2**63 - 1          # torch.manual_seed takes a 64-bit seed


class ConfigError(ValueError):
    """One setting of the config is out of range; `key` names it (the CLI shows it as a flag)."""

    def __init__(self, key: str, problem: str):
        super().__init__(f"{key} {problem}")
        self.key, self.problem = key, problem


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value) -> bool:
    return (_is_int(value) or isinstance(value, float)) and math.isfinite(value)


def _ints(cfg, names: tuple[str, ...], low: int) -> None:
    for name in names:
        value = getattr(cfg, name)
        if not _is_int(value) or value < low:
            raise ConfigError(name, f"must be an integer ≥ {low}, got {value!r}")


def _numbers(cfg, ranges: dict[str, tuple[float, float, bool]]) -> None:
    """name → (low, high, low is allowed)."""
    for name, (low, high, closed) in ranges.items():
        value = getattr(cfg, name)
        ok = _is_number(value) and (value >= low if closed else value > low) and value <= high
        if not ok:
            bounds = f"{'[' if closed else '('}{low}, {high}]"
            raise ConfigError(name, f"must be a number in {bounds}, got {value!r}")


def check_train_config(cfg) -> None:
    """Raise ConfigError on the first setting that cannot train."""
    from train.data import TEMPLATES

    _ints(cfg, ("rank", "max_len", "batch_size", "grad_accum"), 1)
    _ints(cfg, ("epochs", "max_steps", "patience", "seed", "eval_every", "val_limit"), 0)   # 0: auto/off
    if cfg.seed > MAX_SEED:
        raise ConfigError("seed", f"must be at most {MAX_SEED}, got {cfg.seed}")
    if cfg.max_steps == 0 and cfg.epochs == 0:
        raise ConfigError("max_steps", "and epochs are both 0: nothing to train "
                                       "(set --epochs or --max-steps to at least 1)")
    _numbers(cfg, {"alpha": (0, math.inf, False), "dropout": (0, 0.999, True),
                   "lr": (0, math.inf, True), "warmup_ratio": (0, 1, True),
                   "weight_decay": (0, math.inf, True), "clip": (0, math.inf, False),
                   "time_budget": (0, math.inf, True)})
    if cfg.template not in TEMPLATES:
        raise ConfigError("template", f"must be one of {', '.join(TEMPLATES)}, got {cfg.template!r}")
    if cfg.precision not in PRECISIONS:
        raise ConfigError("precision", f"must be one of {', '.join(PRECISIONS)}, "
                                       f"got {cfg.precision!r}")
