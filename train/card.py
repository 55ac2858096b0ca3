"""What a run leaves behind: the adapter folder, an optional merged model, and `run.json`.

`run.json` is the contract with evalkit: it names the base model (and the sha256 of its weights),
the template the data was rendered with (and the exact chat template text), so inference builds
prompts exactly as training did. Everything else is there so a run can be reproduced and costed.
`RunCard` is that file as one typed object: train builds and writes it, evalkit, the demo and
the bench scripts read it with `RunCard.read`; a card of a version this code does not know is an
error naming the file, never a guess.
"""
from __future__ import annotations

import json
import platform
import resource
import shutil
import sys
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

from tunecraft.files import atomic_folder, atomic_write_json
from tunecraft.hashing import file_sha256, text_sha256
from tunecraft.text import finite_or_none, first_line

if TYPE_CHECKING:
    from train.config import TrainConfig

CARD_VERSION = 1


RUN_FILES = ("run.json", "adapter", "checkpoint.pt", "merged")


class RunExistsError(ValueError):
    """The run folder already holds a run; the message is one line."""


def claim_run_dir(out: Path, force: bool = False, resume: bool = False) -> None:
    """Refuse to train over an earlier run (like `curate run` without --force). With force, the
    earlier card and checkpoint go first, so a crash cannot leave the old card describing a new
    adapter or a later --resume continuing the old run; the adapter is replaced at the end."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise RunExistsError(f"{out}: exists and is not a folder")
    found = [name for name in RUN_FILES if (out / name).exists()]
    if not found or resume:
        return
    if not force:
        raise RunExistsError(f"{out}: already holds a run ({', '.join(found)}); use --force to "
                             "replace it or --resume to continue it")
    for name in ("run.json", "checkpoint.pt", "merged"):
        path = out / name
        shutil.rmtree(path) if path.is_dir() else path.unlink(missing_ok=True)


def save_adapter(model, tokenizer, folder: Path) -> None:
    """The adapter (PeftModel.from_pretrained loads it) plus the tokenizer and its chat template."""
    with _model_folder(folder) as tmp:
        model.save_pretrained(tmp)
        tokenizer.save_pretrained(tmp)
        _sort_target_modules(tmp / "adapter_config.json")


def _sort_target_modules(config_path: Path) -> None:
    """peft keeps target_modules as a set and writes it in hash order, which changes with every
    process (PYTHONHASHSEED): the same training would give a different adapter_config.json, a
    different adapter digest, and evalkit's generation cache would miss. Written sorted instead."""
    config = json.loads(config_path.read_text(encoding="utf-8"))
    if isinstance(config.get("target_modules"), list):
        config["target_modules"] = sorted(config["target_modules"])
        config_path.write_text(json.dumps(config, indent=2, sort_keys=True), encoding="utf-8")


def save_merged(model_name: str, adapter: Path, folder: Path) -> None:
    """Base (float32) + adapter merged into one ordinary model folder."""
    from peft import PeftModel

    from tunecraft.models import load_model

    base, tokenizer = load_model(model_name)
    merged = PeftModel.from_pretrained(base, adapter).merge_and_unload()
    with _model_folder(folder) as tmp:
        merged.save_pretrained(tmp)
        tokenizer.save_pretrained(tmp)


@contextmanager
def _model_folder(folder: Path) -> Iterator[Path]:
    """An atomic folder readable by others, like any model folder (mkdtemp makes it private)."""
    with atomic_folder(folder) as tmp:
        yield tmp
        tmp.chmod(0o755)


def template_identity(template: str, tokenizer) -> "Template":
    chat = tokenizer.chat_template if template == "chat" else None
    return Template(kind=template, chat_template=chat,
                    chat_template_sha256=text_sha256(chat) if chat else None,
                    add_generation_prompt=template == "chat", bos_token=tokenizer.bos_token,
                    eos_token=tokenizer.eos_token, pad_token=tokenizer.pad_token)


def build(cfg, precision, device, source, tokenizer, targets, model, train_set, val_set,
          state) -> "RunCard":
    data = Path(cfg.data)
    train_time = state["train_time"]
    n_trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    history = state["history"]
    return RunCard(
        config=cfg, precision=precision, device=device,
        base_model=BaseModel(**source.identity(),
                             architecture=type(model.get_base_model()).__name__),
        template=template_identity(cfg.template, tokenizer),
        data=Data(dir=str(data.resolve()), manifest_sha256=_sha256_if_file(data / "manifest.json"),
                  train_sha256=_sha256_if_file(data / "train.jsonl"),
                  validation_sha256=_sha256_if_file(data / "validation.jsonl"),
                  train=dict(sorted(train_set.counts.items())),
                  validation=dict(sorted(val_set.counts.items()))),
        lora=Lora(cfg.rank, cfg.alpha, cfg.dropout, targets, n_trainable, adapted_layers(model),
                  state.get("frozen_cache")),
        steps=state["step"], stopped_early=state["stopped_early"], stop=stop_summary(cfg, state),
        best=Best(state["best_step"], finite_or_none(state["best_loss"])),
        history=History([TrainPoint(p["step"], finite_or_none(p["loss"]), finite_or_none(p["lr"]))
                         for p in history["train"]],
                        [ValPoint(p["step"], finite_or_none(p["loss"]),
                                   finite_or_none(p.get("fall_se")))
                          for p in history["validation"]]),
        tokens=Tokens(**state["tokens"]), train_time_s=round(train_time, 3),
        tokens_per_s=Tokens(**{k: round(v / train_time, 2) if train_time else None
                               for k, v in state["tokens"].items()}),
        peak_memory_mb=peak_memory_mb(device), adapter="adapter",
        merged="merged" if cfg.merge else None, versions=versions())


def adapted_layers(model) -> list[int] | None:
    """The block indices peft put adapters on (its `layers_to_transform`), None for every block."""
    config = getattr(model, "peft_config", {}).get("default")
    layers = getattr(config, "layers_to_transform", None)
    return sorted(layers) if isinstance(layers, list) else layers


STOP_REASONS = {
    "early_stopping": "validation loss stopped improving (patience reached); best adapter kept",
    "epochs": "every planned epoch ran",
    "max_steps": "the --max-steps cap",
    "time_budget": "the --time-budget ran out",
}


def stop_summary(cfg, state) -> "Stop":
    """Why training ended and how far it got: evalkit's verdict reads this to tell an adapter
    that converged from one that was cut off."""
    reason = state.get("stop_reason", "max_steps" if cfg.max_steps > 0 else "epochs")
    per_epoch = state.get("steps_per_epoch") or 0
    return Stop(reason=reason, why=STOP_REASONS.get(reason, reason),
                planned_steps=state.get("planned_steps"),
                epochs_done=round(state["step"] / per_epoch, 3) if per_epoch else None,
                patience=cfg.patience, time_budget_s=cfg.time_budget or None,
                wall_time_s=round(state.get("wall_time", 0.0), 3))


def peak_memory_mb(device: str) -> float:
    if device.startswith("cuda"):
        import torch

        return round(torch.cuda.max_memory_allocated() / 2**20, 1)
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)  # KiB on Linux


def versions() -> dict:
    out = {"python": sys.version.split()[0], "platform": platform.platform()}
    for package in ("tunecraft", "torch", "transformers", "peft", "tokenizers", "safetensors"):
        try:
            out[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            out[package] = None
    return out


def _sha256_if_file(path: Path) -> str | None:
    """An empty split has no file: its hash is None, not an error."""
    return file_sha256(path) if path.is_file() else None


# --- the card itself: one type, written and read by the same code -----------------------------

class CardError(ValueError):
    """run.json cannot be read as a run card; the message is one line naming the file."""


@dataclass(frozen=True)
class BaseModel:
    """What was asked for and the sha256 of the weights that were loaded (tunecraft.models)."""
    name: str
    kind: str
    path: str
    weights_file: str | None
    sha256: str | None
    architecture: str


@dataclass(frozen=True)
class Template:
    """How the data was rendered: evalkit builds the fine-tuned system's prompts from this."""
    kind: str                       # "chat" or "prompt-completion"
    chat_template: str | None       # the exact template text (chat only)
    chat_template_sha256: str | None
    add_generation_prompt: bool
    bos_token: str | None
    eos_token: str | None
    pad_token: str | None


@dataclass(frozen=True)
class Data:
    """Which curated splits trained the adapter (the demo reuses an adapter when they match)."""
    dir: str
    manifest_sha256: str | None
    train_sha256: str | None
    validation_sha256: str | None
    train: dict[str, int]           # kept / dropped / truncated counts
    validation: dict[str, int]


@dataclass(frozen=True)
class Lora:
    rank: int
    alpha: float
    dropout: float
    target_modules: list[str]
    trainable_params: int
    layers: list[int] | None = None     # the blocks holding adapters (--lora-layers); None: all
    frozen_cache: dict | None = None    # the blocks below them computed once (train/frozen_prefix.py)


@dataclass(frozen=True)
class Stop:
    """Why training ended: evalkit's undertrained verdict reads `reason`."""
    reason: str
    why: str
    planned_steps: int | None
    epochs_done: float | None
    patience: int | None
    time_budget_s: float | None
    wall_time_s: float | None

    @classmethod
    def inferred(cls, stopped_early: bool, config) -> "Stop":
        """Cards written before the `stop` section (still card_version 1) say only whether early
        stopping fired; the rest of the reason follows from the config."""
        reason = ("early_stopping" if stopped_early
                  else "max_steps" if config.max_steps > 0 else "epochs")
        return cls(reason, STOP_REASONS[reason], None, None, config.patience, None, None)


@dataclass(frozen=True)
class Best:
    step: int
    val_loss: float | None          # None: no validation (the adapter is the last step's)


@dataclass(frozen=True)
class TrainPoint:
    step: int
    loss: float | None
    lr: float | None


@dataclass(frozen=True)
class ValPoint:
    step: int
    loss: float | None
    fall_se: float | None = None    # paired standard error of the change since the evaluation
                                    # before (train/loss.py); None: first, or an older card


@dataclass(frozen=True)
class History:
    train: list[TrainPoint]
    validation: list[ValPoint]


@dataclass(frozen=True)
class Tokens:
    """Counts (`tokens`) or counts per second of training (`tokens_per_s`)."""
    completion: float | None
    all: float | None


TOKENS_NOTE = ("'all' counts every non-padding token of the training batches; 'completion' only "
               "the tokens the loss is computed on; time is training steps only (no evaluation "
               "or checkpointing)")


@dataclass(frozen=True, kw_only=True)
class RunCard:
    """run.json. Field order is the file's key order; `read` accepts the versions in READS."""
    card_version: int = CARD_VERSION
    config: TrainConfig
    precision: str
    device: str
    base_model: BaseModel
    template: Template
    data: Data
    lora: Lora
    steps: int
    stopped_early: bool
    stop: Stop
    best: Best
    history: History
    tokens: Tokens
    train_time_s: float
    tokens_per_s: Tokens
    tokens_per_s_note: str = TOKENS_NOTE
    peak_memory_mb: float
    adapter: str
    merged: str | None
    versions: dict[str, str | None]

    def to_dict(self) -> dict:
        return finite_or_none(asdict(self))          # JSON has no NaN/Infinity

    def write(self, path: Path) -> None:
        atomic_write_json(path, self.to_dict())

    @classmethod
    def read(cls, run_dir: str | Path) -> "RunCard":
        """`run_dir`/run.json; CardError (one line, naming the file) when it is not a card."""
        path = Path(run_dir) / "run.json"
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise CardError(f"{path}: missing (a `train lora` run folder holds one)") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise CardError(f"{path}: unreadable ({exc})") from None
        except json.JSONDecodeError as exc:
            raise CardError(f"{path}: not JSON ({exc.msg} at line {exc.lineno})") from None
        return cls.from_dict(raw, path)

    @classmethod
    def from_dict(cls, raw, where: str | Path = "run.json") -> "RunCard":
        version = raw.get("card_version") if isinstance(raw, dict) else None
        if isinstance(version, bool) or version not in READS:
            raise CardError(f"{where}: card_version {version!r} is not one this code reads "
                            f"(it reads {', '.join(map(str, READS))}); write it again with "
                            "`train lora` of this version")
        try:
            return _parse(cls, raw)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            problem = f"missing {exc}" if isinstance(exc, KeyError) else first_line(exc)
            raise CardError(f"{where}: not a valid run card ({problem})") from None


READS = (1,)     # card_version values RunCard.read accepts


def _parse(cls, raw: dict) -> RunCard:
    from train.config import TrainConfig

    config = TrainConfig.from_dict(raw["config"])
    history = raw["history"]
    return cls(
        card_version=raw["card_version"], config=config, precision=raw["precision"],
        device=raw["device"], base_model=BaseModel(**raw["base_model"]),
        template=Template(**raw["template"]), data=Data(**raw["data"]), lora=Lora(**raw["lora"]),
        steps=raw["steps"], stopped_early=raw["stopped_early"],
        stop=Stop(**raw["stop"]) if "stop" in raw else Stop.inferred(raw["stopped_early"], config),
        best=Best(**raw["best"]),
        history=History([TrainPoint(**p) for p in history["train"]],
                        [ValPoint(**p) for p in history["validation"]]),
        tokens=Tokens(**raw["tokens"]), train_time_s=raw["train_time_s"],
        tokens_per_s=Tokens(**raw["tokens_per_s"]), tokens_per_s_note=raw["tokens_per_s_note"],
        peak_memory_mb=raw["peak_memory_mb"], adapter=raw["adapter"], merged=raw["merged"],
        versions=raw["versions"])
