"""`evalkit run --backend llamacpp`: the run's local systems answered by llama.cpp, not transformers.

Why: the GGUF (and the adapter as a GGUF LoRA) is what a llama.cpp deployment serves, so this
evaluates the model as it would be deployed, on the same items and metrics. Why it is not the
default: it is not the same model numerically (Q4_1 weights, activations quantised in the dot
products, sums in another order), so a near-tie argmax flips and a greedy output parts from
transformers' mid-answer, and llama-cpp-python's server answers one request at a time, so on the
demo it was not faster than transformers' batches (bench/RESULTS.md, issue 20: agreement item by
item, CPU time). The transformers backend stays the reference.

How: each local system becomes a served one (evalkit.endpoint) on a llama-cpp-python server
started here, so rows, the cache, retries, concurrency and metrics are the endpoint path's. The
server holds the base GGUF under one alias and, for a system with an adapter, the same GGUF with
the adapter converted to a GGUF LoRA (tunecraft.gguf_lora) under another. It renders the messages
with the GGUF's own chat template, the one the local tokenizer was converted from. Generations are
cached by the GGUF's and adapter's sha256 and llama-cpp-python's version, not by the server's URL
(a new port each run). The reference's perplexity comes from the server only with
--served-perplexity (llama-cpp-python sorts the vocabulary in Python for every prompt token: slow).
"""
from __future__ import annotations

import json
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from pathlib import Path

from evalkit.loaders import LoadError
from evalkit.systems_file import SystemSpec

TIMEOUT_S = 600.0       # a request may wait behind the others at the server's one-model lock
CONCURRENCY = 2         # keeps the server busy while the client reads the previous reply
N_CTX = 8192            # SmolLM2's context; a longer prompt is refused by the server in one line


class BackendError(LoadError):
    """The llama.cpp backend cannot run this lineup (one line)."""


@dataclass(frozen=True)
class LlamaCppSpec(SystemSpec):
    """A local system as served by this module's server; `served_identity` keys its cache."""
    served_identity: dict = field(default_factory=dict, compare=False)


@contextmanager
def served(specs: list[SystemSpec], out: Path, perplexity: bool = False):
    """Yield `specs` with every local one served by a llama.cpp server running meanwhile."""
    from evalkit.llama_server import ServerError, serve_models

    local = [s for s in specs if not s.is_endpoint]
    if not local:
        yield specs
        return
    folder = Path(out) / "cache" / "llamacpp"
    folder.mkdir(parents=True, exist_ok=True)
    models, identities = {}, {}
    for spec in local:
        alias, settings, identity = model_entry(spec, folder, perplexity)
        models.setdefault(alias, settings)
        identities[spec.name] = (alias, identity)
    try:
        with serve_models(list(models.values()), log_dir=folder) as server:
            yield [as_served(s, server.base_url, *identities[s.name]) if s.name in identities else s
                   for s in specs]
    except ServerError as exc:
        raise BackendError(f"--backend llamacpp: {exc}") from None


def model_entry(spec: SystemSpec, folder: Path, perplexity: bool) -> tuple[str, dict, dict]:
    """(alias, llama-cpp-python ModelSettings, cache identity) of a local spec: the base model's
    name for a spec without an adapter (specs of one base share it), model+system with one."""
    import llama_cpp
    import torch

    from evalkit.generate import files_digest
    from evalkit.llama_server import ServerError, gguf_path
    from tunecraft.hashing import cached_file_sha256

    try:
        gguf = gguf_path(spec.model)
    except ServerError as exc:
        raise BackendError(f"--backend llamacpp: {exc}") from None
    threads = torch.get_num_threads()   # as many as transformers would use (OMP_NUM_THREADS)
    settings = {"model": gguf, "model_alias": spec.model, "n_ctx": N_CTX, "n_threads": threads,
                "n_threads_batch": threads, "logits_all": perplexity, "verbose": False}
    identity = {"backend": "llamacpp", "llama_cpp": llama_cpp.__version__,
                "gguf_sha256": cached_file_sha256(gguf), "adapter": None}
    if spec.adapter is None:
        return spec.model, settings, identity
    adapter = _chat_adapter(spec)
    lora = lora_gguf(spec, adapter, folder / f"{spec.name}.lora.gguf")
    identity["adapter"] = files_digest(adapter)
    alias = f"{spec.model}+{spec.name}"
    return alias, {**settings, "model_alias": alias, "lora_path": str(lora)}, identity


def _chat_adapter(spec: SystemSpec) -> Path:
    """The adapter folder; one trained on prompt-completion text cannot be sent chat messages."""
    from evalkit import loaders

    template, _ = loaders.trained_template(loaders.load_train_card(spec.adapter))
    if template != "chat":
        raise BackendError(f"--backend llamacpp: {spec.adapter} was trained on prompt-completion "
                           "text; the llama.cpp backend sends chat messages (use --backend "
                           "transformers)")
    return loaders.adapter_dir(spec.adapter)


def lora_gguf(spec: SystemSpec, adapter: Path, out: Path) -> Path:
    """The adapter as a GGUF LoRA for the base's architecture (tunecraft.gguf_lora)."""
    from tunecraft.gguf_lora import AdapterError, convert
    from tunecraft.models import local_folder, resolve

    base_config = json.loads((Path(local_folder(resolve(spec.model))) / "config.json").read_text())
    try:
        return convert(adapter, out, base_config)
    except AdapterError as exc:
        raise BackendError(f"--backend llamacpp: {exc}") from None


def as_served(spec: SystemSpec, url: str, alias: str, identity: dict) -> LlamaCppSpec:
    kept = {f.name: getattr(spec, f.name) for f in fields(SystemSpec)}
    kept.update(endpoint=url, model=alias, adapter=None, api_key_env=None, timeout=TIMEOUT_S,
                max_concurrency=CONCURRENCY)
    return LlamaCppSpec(**kept, served_identity=identity)
