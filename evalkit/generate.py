"""Batched generation with left padding, and an on-disk cache so a re-run costs no generation.

Why left padding: a decoder continues from the last position of each row, so prompts must end at
the same column; right padding would make short prompts continue after pad tokens.
Why the cache key is sha256(model identity, adapter identity, prompt, parameters, batch): in
bfloat16 a greedy output also depends on which prompts share its batch (padding changes the matmul
shapes, so the rounding, so a near-tie argmax). Batches are therefore always formed over ALL the
prompts (sorted by token count), never over the uncached ones, and each row is keyed with its
batch's size and members: a re-run, a resumed run or a new metric reuses exactly the rows a fresh
run would compute, and another --batch-size never reuses a row. A batch with any row missing is
computed whole again (its rows then overwrite the cached ones).
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

from evalkit.likelihood import NLL
from tunecraft.conversation import PROMPT_ENCODING, encode_prompt
from tunecraft.hashing import feed_file, text_sha256


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


MACHINE_SHARE = 1.0
"""The share of the run's torch threads this process holds: 1 in a single process, 1/2 in each of
two `--workers` processes of one thread on a 2-thread machine (evalkit/parallel.py sets it). A
request's compute cost is its latency × this share (evalkit/cost.py): two one-thread processes
each take longer per request than one two-thread process, but each holds half the machine, and
training — which the cost is compared with — held all of it."""


@dataclass
class Generation:
    output: str
    prompt_tokens: int
    completion_tokens: int          # generated tokens up to and including the end-of-turn token
    latency_s: float
    cached: bool = False
    nll: object = None              # the reference's likelihood.NLL when scored with the prompt
    machine_share: float = 1.0      # MACHINE_SHARE of the process that generated it


def digest(value: dict) -> str:
    """sha256 of a JSON value with sorted keys: the same content always gives the same key."""
    blob = json.dumps(value, sort_keys=True, ensure_ascii=False)
    return text_sha256(blob)


def cache_key(identity: dict, prompt: str, params: GenerationParams,
              batch: dict | None = None) -> str:
    """`batch` (local generation: `batch_of`) is what decides the row's batch composition."""
    value = {"identity": identity, "prompt": prompt, "params": params.to_dict(),
             "encoding": PROMPT_ENCODING}
    return digest(value if batch is None else {**value, "batch": batch})


def batch_of(prompts: list[str], batch_size: int) -> dict:
    """The batch a row was generated in: the batch size, its prompts (sha256s, in order) and
    torch's thread count — in bf16 each of them can change a greedy output (the thread count
    changed 0–3 of 16 outputs per system between 1 and 2 threads, bench/RESULTS.md)."""
    import torch

    return {"size": batch_size, "members": [text_sha256(p) for p in prompts],
            "threads": torch.get_num_threads()}


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
    """Generations by `cache_key`; a hit keeps the latency measured when it was generated, and
    the reference's NLL when it was scored with the generation (it depends on the batch too)."""

    def get(self, key: str) -> Generation | None:
        row = self.get_row(key)
        if row is None:
            return None
        nll = NLL(**row["nll"]) if row.get("nll") else None
        return Generation(row["output"], row["prompt_tokens"], row["completion_tokens"],
                          row["latency_s"], cached=True, nll=nll,
                          machine_share=row.get("machine_share", 1.0))

    def put(self, key: str, gen: Generation) -> None:
        self.put_row(key, {"output": gen.output, "prompt_tokens": gen.prompt_tokens,
                           "completion_tokens": gen.completion_tokens, "latency_s": gen.latency_s,
                           "nll": asdict(gen.nll) if gen.nll is not None else None,
                           **({"machine_share": gen.machine_share} if gen.machine_share != 1.0 else {})})


def files_digest(folder: str | Path, patterns=("*.safetensors", "*.bin", "*.json")) -> str:
    """sha256 over a folder's weight and config files (names and bytes), in sorted order."""
    digest = hashlib.sha256()
    folder = Path(folder)
    for path in sorted({p for pat in patterns for p in folder.glob(pat) if p.is_file()}):
        digest.update(path.name.encode())
        feed_file(digest, path)
    return digest.hexdigest()


def generate(model, tokenizer, prompts: list[str], params: GenerationParams, *,
             identity: dict, cache: GenerationCache | None = None, batch_size: int = 8,
             on_batch: Callable[[int], None] | None = None,
             references: list[str | None] | None = None,
             before_first: Callable[[], None] | None = None) -> list[Generation]:
    """One Generation per prompt, in order; batches wholly in `cache` are not generated.

    With `references` (one per prompt, None to skip), the greedy path also scores each reference
    from its prompt's KV cache and puts the NLL on the Generation (`nll`); other rows have None.
    `before_first` runs once before the first batch that is generated (the warm-up)."""
    batches = plan_batches(tokenizer, prompts, batch_size)
    results: list[Generation | None] = [None] * len(prompts)
    for batch in batches:
        keys = batch_keys(identity, prompts, params, batch, batch_size)
        found = [cache.get(k) for k in keys] if cache else [None] * len(batch)
        if all(found):
            for i, gen in zip(batch, found):
                results[i] = gen
        else:
            if before_first:
                before_first()
                before_first = None
            refs = [references[i] for i in batch] if references else None
            fresh = generate_batch(model, tokenizer, [prompts[i] for i in batch], params, refs)
            for i, key, gen in zip(batch, keys, fresh):
                gen.machine_share = MACHINE_SHARE
                results[i] = gen
                if cache is not None:
                    cache.put(key, gen)
        if on_batch:
            on_batch(len(batch))
    return results  # type: ignore[return-value]


def plan_batches(tokenizer, prompts: list[str], batch_size: int) -> list[list[int]]:
    """Prompt indices in batches, over all prompts sorted by token count (ties: input order),
    so a batch wastes little on padding and its members never depend on what is cached."""
    lengths = token_counts(tokenizer, prompts)
    order = sorted(range(len(prompts)), key=lambda i: (lengths[i], i))
    return [order[start:start + batch_size] for start in range(0, len(order), batch_size)]


def batch_keys(identity: dict, prompts: list[str], params: GenerationParams, batch: list[int],
               batch_size: int) -> list[str]:
    members = batch_of([prompts[i] for i in batch], batch_size)
    return [cache_key(identity, prompts[i], params, members) for i in batch]


def encode_prompts(tokenizer, prompts: list[str]) -> list[list[int]]:
    """Prompt ids as training encoded them (tunecraft.conversation: the tokenizer's BOS once)."""
    return [encode_prompt(tokenizer, p) for p in prompts]


def token_counts(tokenizer, prompts: list[str]) -> list[int]:
    return [len(ids) for ids in encode_prompts(tokenizer, prompts)]


def warm_up(model, tokenizer, prompt: str) -> None:
    """One untimed 1-token generation, so the first system measured does not also pay for
    one-off start-up work (allocator, kernels) and latencies compare across systems."""
    generate_batch(model, tokenizer, [prompt], GenerationParams(max_new_tokens=1))


def end_token_ids(model, tokenizer) -> set[int]:
    ids = {tokenizer.eos_token_id, tokenizer.pad_token_id}
    configured = getattr(model.generation_config, "eos_token_id", None)
    ids.update(configured if isinstance(configured, (list, tuple)) else [configured])
    return {i for i in ids if i is not None}


def generate_batch(model, tokenizer, prompts: list[str], params: GenerationParams,
                   references: list[str | None] | None = None) -> list[Generation]:
    """Generate for one batch of prompts (left padded); time it; cut each output at its stops.
    Greedy runs without stop strings take evalkit.decode's path (same outputs, less waste)."""
    from evalkit.decode import plain_greedy

    if params.do_sample or params.stop or not plain_greedy(model):
        return _hf_generate_batch(model, tokenizer, prompts, params)
    return _greedy_batch(model, tokenizer, prompts, params, references)


def _greedy_batch(model, tokenizer, prompts, params, references) -> list[Generation]:
    from evalkit.decode import greedy
    from evalkit.likelihood import context_limit

    prompt_ids = encode_prompts(tokenizer, prompts)
    ref_ids = [None] * len(prompts)
    limit = context_limit(model)
    for i, ref in enumerate(references or []):   # pairs that fit unchanged; the rest score apart
        ids = tokenizer(ref, add_special_tokens=False)["input_ids"] if ref is not None else None
        if ids is not None and prompt_ids[i] and (limit is None or len(prompt_ids[i]) + len(ids) <= limit):
            ref_ids[i] = ids
    ends = end_token_ids(model, tokenizer)
    started = time.perf_counter()
    decoded, scoring_s = greedy(model, prompt_ids, params.max_new_tokens, ends, _pad_id(tokenizer),
                                ref_ids)
    latency = (time.perf_counter() - started - scoring_s) / len(prompts)
    gens = [_finish(tokenizer, d.tokens, ends, params.stop, len(p), latency)
            for d, p in zip(decoded, prompt_ids)]
    for gen, d, ids, ref in zip(gens, decoded, ref_ids, references or [None] * len(gens)):
        if ids is not None:
            gen.nll = NLL(d.reference_nll, len(ids), len(ref.encode("utf-8")))
    return gens


def _pad_id(tokenizer) -> int:
    return tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id


def _hf_generate_batch(model, tokenizer, prompts: list[str], params: GenerationParams) -> list[Generation]:
    """`model.generate`: sampling, stop strings, and generation configs with logits processors."""
    import torch

    pad_id = _pad_id(tokenizer)
    enc = tokenizer.pad({"input_ids": encode_prompts(tokenizer, prompts)}, return_tensors="pt",
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
