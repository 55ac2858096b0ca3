"""What a run leaves behind: the adapter folder, an optional merged model, and `run.json`.

`run.json` is the contract with evalkit: it names the base model (and the sha256 of its weights),
the template the data was rendered with (and the exact chat template text), so inference builds
prompts exactly as training did. Everything else is there so a run can be reproduced and costed.
"""
from __future__ import annotations

import json
import os
import platform
import resource
import shutil
import sys
from dataclasses import asdict
from importlib import metadata
from pathlib import Path

from tunecraft.hashing import file_sha256, text_sha256
from tunecraft.text import finite_or_none

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
    _atomic_folder(folder, lambda tmp: (model.save_pretrained(tmp), tokenizer.save_pretrained(tmp),
                                        _sort_target_modules(Path(tmp) / "adapter_config.json")))


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
    _atomic_folder(folder, lambda tmp: (merged.save_pretrained(tmp), tokenizer.save_pretrained(tmp)))


def _atomic_folder(folder: Path, write) -> None:
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = folder.with_name(folder.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    write(tmp)
    shutil.rmtree(folder, ignore_errors=True)
    os.replace(tmp, folder)


def template_identity(template: str, tokenizer) -> dict:
    chat = tokenizer.chat_template if template == "chat" else None
    return {"kind": template, "chat_template": chat,
            "chat_template_sha256": text_sha256(chat) if chat else None,
            "add_generation_prompt": template == "chat",
            "bos_token": tokenizer.bos_token, "eos_token": tokenizer.eos_token,
            "pad_token": tokenizer.pad_token}


def build(cfg, precision, device, source, tokenizer, targets, model, train_set, val_set,
          state) -> dict:
    data = Path(cfg.data)
    train_time = state["train_time"]
    n_trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    return finite_or_none({
        "card_version": CARD_VERSION,
        "config": asdict(cfg),
        "precision": precision, "device": device,
        "base_model": {**source.identity(), "architecture": type(model.get_base_model()).__name__},
        "template": template_identity(cfg.template, tokenizer),
        "data": {"dir": str(data.resolve()),
                 "manifest_sha256": _sha256_if_file(data / "manifest.json"),
                 "train_sha256": _sha256_if_file(data / "train.jsonl"),
                 "validation_sha256": _sha256_if_file(data / "validation.jsonl"),
                 "train": dict(sorted(train_set.counts.items())),
                 "validation": dict(sorted(val_set.counts.items()))},
        "lora": {"rank": cfg.rank, "alpha": cfg.alpha, "dropout": cfg.dropout,
                 "target_modules": targets, "trainable_params": n_trainable},
        "steps": state["step"], "stopped_early": state["stopped_early"],
        "stop": stop_summary(cfg, state),
        "best": {"step": state["best_step"], "val_loss": state["best_loss"]},
        "history": state["history"],
        "tokens": dict(state["tokens"]),
        "train_time_s": round(train_time, 3),
        "tokens_per_s": {k: round(v / train_time, 2) if train_time else None
                         for k, v in state["tokens"].items()},
        "tokens_per_s_note": "'all' counts every non-padding token of the training batches; "
                             "'completion' only the tokens the loss is computed on; "
                             "time is training steps only (no evaluation or checkpointing)",
        "peak_memory_mb": peak_memory_mb(device),
        "adapter": "adapter", "merged": "merged" if cfg.merge else None,
        "versions": versions(),
    })


STOP_REASONS = {
    "early_stopping": "validation loss stopped improving (patience reached); best adapter kept",
    "epochs": "every planned epoch ran",
    "max_steps": "the --max-steps cap",
    "time_budget": "the --time-budget ran out",
}


def stop_summary(cfg, state) -> dict:
    """Why training ended and how far it got: evalkit's verdict reads this to tell an adapter
    that converged from one that was cut off."""
    reason = state.get("stop_reason", "max_steps" if cfg.max_steps > 0 else "epochs")
    per_epoch = state.get("steps_per_epoch") or 0
    return {"reason": reason, "why": STOP_REASONS.get(reason, reason),
            "planned_steps": state.get("planned_steps"),
            "epochs_done": round(state["step"] / per_epoch, 3) if per_epoch else None,
            "patience": cfg.patience, "time_budget_s": cfg.time_budget or None,
            "wall_time_s": round(state.get("wall_time", 0.0), 3)}


def peak_memory_mb(device: str) -> float:
    if device == "cuda":
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


def write(run: dict, path: Path) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(run, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def read(run_dir: str | Path) -> dict:
    """run.json of a finished run (evalkit reads the template and base model from it)."""
    return json.loads((Path(run_dir) / "run.json").read_text(encoding="utf-8"))
