"""Batched generation with left padding, and an on-disk cache so a re-run costs no generation.

Why left padding: a decoder continues from the last position of each row, so prompts must end at
the same column; right padding would make short prompts continue after pad tokens.
Why the cache key is sha256(model identity, adapter identity, prompt, parameters): those are all
that determine a greedy output, so a re-run, a new metric or a re-rendered report reuses every
generation. The batch size is not in the key (it does not change what is asked for).
Latency per request is the wall time of its batch divided by the number of prompts in the batch;
cached generations keep the latency measured when they were made, so cost figures survive re-runs.
"""
from __future__ import annotations

import hashlib
import json
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable


@dataclass(frozen=True)
class GenerationParams:
    max_new_tokens: int = 128
    do_sample: bool = False          # greedy by default
    temperature: float = 1.0
    top_p: float = 1.0
    seed: int = 0
    stop: tuple[str, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict:
        out = asdict(self)
        out["stop"] = list(self.stop)
        return out


@dataclass
class Generation:
    output: str
    prompt_tokens: int
    completion_tokens: int          # generated tokens up to and including the end-of-turn token
    latency_s: float
    cached: bool = False


def digest(value: dict) -> str:
    """sha256 of a JSON value with sorted keys: the same content always gives the same key."""
    blob = json.dumps(value, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def cache_key(identity: dict, prompt: str, params: GenerationParams) -> str:
    return digest({"identity": identity, "prompt": prompt, "params": params.to_dict()})


class JsonlCache:
    """Append-only JSONL of {"key", ...} rows; a torn last line (a crash mid-write) is ignored."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._rows: dict[str, dict] = {}
        if self.path.exists():
            for line in self.path.read_text(encoding="utf-8").splitlines():
                try:
                    row = json.loads(line)
                    self._rows[row["key"]] = row
                except (json.JSONDecodeError, KeyError, TypeError):
                    continue

    def get_row(self, key: str) -> dict | None:
        return self._rows.get(key)

    def put_row(self, key: str, row: dict) -> None:
        row = {"key": key, **row}
        self._rows[key] = row
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as f:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")


class GenerationCache(JsonlCache):
    """Generations by `cache_key`; a hit keeps the latency measured when it was generated."""

    def get(self, key: str) -> Generation | None:
        row = self.get_row(key)
        if row is None:
            return None
        return Generation(row["output"], row["prompt_tokens"], row["completion_tokens"],
                          row["latency_s"], cached=True)

    def put(self, key: str, gen: Generation) -> None:
        self.put_row(key, {"output": gen.output, "prompt_tokens": gen.prompt_tokens,
                           "completion_tokens": gen.completion_tokens, "latency_s": gen.latency_s})


def files_digest(folder: str | Path, patterns=("*.safetensors", "*.bin", "*.json")) -> str:
    """sha256 over a folder's weight and config files (names and bytes), in sorted order."""
    digest = hashlib.sha256()
    folder = Path(folder)
    for path in sorted({p for pat in patterns for p in folder.glob(pat) if p.is_file()}):
        digest.update(path.name.encode())
        with path.open("rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()


def generate(model, tokenizer, prompts: list[str], params: GenerationParams, *,
             identity: dict, cache: GenerationCache | None = None, batch_size: int = 8,
             on_batch: Callable[[int], None] | None = None) -> list[Generation]:
    """One Generation per prompt, in order; prompts already in `cache` are not generated."""
    keys = [cache_key(identity, p, params) for p in prompts]
    results: list[Generation | None] = [cache.get(k) if cache else None for k in keys]
    todo = sorted((i for i, r in enumerate(results) if r is None), key=lambda i: (len(prompts[i]), i))
    if len(todo) < len(prompts) and on_batch:
        on_batch(len(prompts) - len(todo))
    for start in range(0, len(todo), batch_size):
        batch = todo[start:start + batch_size]
        for i, gen in zip(batch, generate_batch(model, tokenizer, [prompts[i] for i in batch], params)):
            results[i] = gen
            if cache is not None:
                cache.put(keys[i], gen)
        if on_batch:
            on_batch(len(batch))
    return results  # type: ignore[return-value]


def warm_up(model, tokenizer, prompt: str) -> None:
    """One untimed 1-token generation, so the first system measured does not also pay for
    one-off start-up work (allocator, kernels) and latencies compare across systems."""
    generate_batch(model, tokenizer, [prompt], GenerationParams(max_new_tokens=1))


def end_token_ids(model, tokenizer) -> set[int]:
    ids = {tokenizer.eos_token_id, tokenizer.pad_token_id}
    configured = getattr(model.generation_config, "eos_token_id", None)
    ids.update(configured if isinstance(configured, (list, tuple)) else [configured])
    return {i for i in ids if i is not None}


def generate_batch(model, tokenizer, prompts: list[str], params: GenerationParams) -> list[Generation]:
    """Generate for one batch of prompts (left padded); time it; cut each output at its stops."""
    import torch

    pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id
    enc = tokenizer(prompts, return_tensors="pt", padding=True, add_special_tokens=False,
                    padding_side="left").to(model.device)
    kwargs = dict(max_new_tokens=params.max_new_tokens, do_sample=params.do_sample,
                  pad_token_id=pad_id, eos_token_id=tokenizer.eos_token_id)
    if params.do_sample:
        kwargs.update(temperature=params.temperature, top_p=params.top_p)
        torch.manual_seed(params.seed)
    else:
        kwargs.update(temperature=None, top_p=None, top_k=None)
    if params.stop:
        kwargs.update(stop_strings=list(params.stop), tokenizer=tokenizer)
    started = time.perf_counter()
    with torch.inference_mode():
        out = model.generate(**enc, **kwargs)
    latency = (time.perf_counter() - started) / len(prompts)
    new_tokens = out[:, enc["input_ids"].shape[1]:].tolist()
    ends = end_token_ids(model, tokenizer)
    prompt_lengths = enc["attention_mask"].sum(dim=1).tolist()
    return [_finish(tokenizer, row, ends, params.stop, int(n), latency)
            for row, n in zip(new_tokens, prompt_lengths)]


def _finish(tokenizer, row: list[int], ends: set[int], stops, prompt_tokens: int,
            latency: float) -> Generation:
    length = next((i + 1 for i, t in enumerate(row) if t in ends), len(row))
    text = tokenizer.decode(row[:length], skip_special_tokens=True)
    for stop in stops:
        text = text.split(stop, 1)[0]
    return Generation(text.strip(), prompt_tokens, length, latency)
