"""The training config: every setting of `train lora` declared once, with its default, its help
text and its validation (peft-style, in `__post_init__`), before anything is loaded.

The CLI's flags, the keys of a `--config run.yaml` and the keyword arguments of `train.lora(...)`
are all generated from these fields (train/options.py). A zero batch size or a negative step count
used to surface minutes later as a ZeroDivisionError or an empty run; checked here, the library and
the CLI both get one line naming the setting.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from train.options import ConfigError, check_keys, parse_fields, setting

PRECISIONS = ("auto", "bf16", "fp32")
SWITCHES = ("on", "off")
MAX_SEED = 2**63 - 1          # torch.manual_seed takes a 64-bit seed

__all__ = ["ConfigError", "TrainConfig", "parse_duration"]


def parse_duration(text) -> float:
    """'90s', '10m', '1.5h' or plain seconds → seconds."""
    text = str(text).strip().lower()
    units = {"s": 1, "m": 60, "h": 3600}
    scale = units.get(text[-1:], None)
    try:
        seconds = float(text[:-1] if scale else text) * (scale or 1)
    except ValueError:
        raise ValueError(f"must be a duration like 90s, 10m or 1.5h, got {text!r}") from None
    if seconds < 0 or not math.isfinite(seconds):
        raise ValueError(f"must be a positive duration, got {text!r}")
    return seconds


@dataclass
class TrainConfig:
    data: str = setting(help="curate's output folder (train.jsonl, validation.jsonl); "
                             "required (here or in --config)", cli_type=Path, parse=str)
    out: str = setting(help="run folder: adapter/, run.json, checkpoint.pt; "
                            "required (here or in --config)", cli_type=Path, parse=str)
    model: str = setting("smollm2-135m", help="alias, local HF folder or .gguf file")
    template: str = setting("chat", help="chat (the model's chat template) | prompt-completion")
    rank: int = setting(16, help="LoRA rank")
    alpha: int = setting(32, help="LoRA alpha")
    dropout: float = setting(0.05, help="LoRA dropout")
    lora_layers: int = setting(0, help="adapters only on the top N transformer blocks; the "
                                       "blocks below run without gradients or checkpointing, "
                                       "so a step costs less (0: every block)")
    epochs: int = setting(3, help="at most this many passes over the training split "
                                  "(early stopping usually ends sooner)")
    max_steps: int = setting(0, help="optimizer steps; > 0 overrides --epochs")
    lr: float = setting(0.0, help="peak learning rate (warmup, then cosine decay); "
                                  "0: by model size, 5e-4 for models under 0.5B")
    warmup_ratio: float = setting(0.05, help="share of the steps spent warming up", cli=False)
    weight_decay: float = setting(0.0, help="AdamW weight decay", cli=False)
    clip: float = setting(1.0, help="gradient norm clipping", cli=False)
    max_len: int = setting(512, help="tokens per example; completions are never cut")
    batch_size: int = setting(8, help="examples per micro-batch")
    grad_accum: int = setting(1, help="micro-batches per optimizer step")
    eval_every: int = setting(0, help="validate and checkpoint every N steps (0: 4 per epoch)")
    patience: int = setting(2, help="stop after N evaluations without improvement (0: off)")
    val_limit: int = setting(200, help="validation rows scored during training, a seeded "
                                       "sample (0: all)")
    time_budget: float = setting(0.0, help="stop after this much wall time, e.g. 10m, 90s, "
                                           "1.5h (0: none)",
                                 cli_type=str, cli_default="0", parse=parse_duration)
    seed: int = setting(0, help="seed for adapter init, data order and dropout")
    precision: str = setting("auto", help="auto (bf16 where the hardware has it) | bf16 | fp32")
    gradient_checkpointing: str = setting("on", help="recompute activations in the backward "
                                          "pass: on (~half the peak memory) | off (faster)")
    packing: bool = setting(False, help="lay each micro-batch's examples end to end (position "
                                        "ids restart per example; none sees another)")
    qlora: bool = setting(False, help="4-bit NF4 base model through bitsandbytes (CUDA only)")
    merge: bool = setting(False, help="also write OUT/merged, base + adapter in one model")

    @classmethod
    def from_dict(cls, values: dict, source: str | None = None) -> "TrainConfig":
        """A saved config (a checkpoint's, a run card's); an unknown key is an error, not dropped."""
        check_keys(cls, values, source)
        return cls(**values)

    def __post_init__(self):
        parse_fields(self)
        check(self)


def check(cfg: TrainConfig) -> None:
    """Raise ConfigError on the first setting that cannot train."""
    from train.data import TEMPLATES

    _ints(cfg, ("rank", "max_len", "batch_size", "grad_accum"), 1)
    _ints(cfg, ("epochs", "max_steps", "patience", "seed", "eval_every", "val_limit",
                "lora_layers"), 0)   # 0: auto/off
    if cfg.seed > MAX_SEED:
        raise ConfigError("seed", f"must be at most {MAX_SEED}, got {cfg.seed}")
    if cfg.max_steps == 0 and cfg.epochs == 0:
        raise ConfigError("max_steps", "and epochs are both 0: nothing to train "
                                       "(set --epochs or --max-steps to at least 1)")
    _numbers(cfg, {"alpha": (0, math.inf, False), "dropout": (0, 0.999, True),
                   "lr": (0, math.inf, True), "warmup_ratio": (0, 1, True),
                   "weight_decay": (0, math.inf, True), "clip": (0, math.inf, False),
                   "time_budget": (0, math.inf, True)})
    _choice(cfg, "template", TEMPLATES)
    _choice(cfg, "precision", PRECISIONS)
    _choice(cfg, "gradient_checkpointing", SWITCHES)
    if cfg.qlora and cfg.merge:
        raise ConfigError("merge", "cannot merge into a 4-bit base (--qlora); merge the adapter "
                                   "into the full-precision model afterwards")


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


def _choice(cfg, name: str, allowed: tuple[str, ...]) -> None:
    value = getattr(cfg, name)
    if value not in allowed:
        raise ConfigError(name, f"must be one of {', '.join(allowed)}, got {value!r}")
