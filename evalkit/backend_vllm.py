"""`evalkit run --backend vllm`: the local systems generated and scored by vLLM (GPU machines),
the fine-tuned system through a LoRARequest for its adapter folder.

What stays the reference backend's, so the two backends' rows compare: the prompt text (each
system's `prompt()` with our tokenizer and chat template), its token ids (`encode_prompt`, the
tokenizer's BOS once: vLLM is given ids, never text it would tokenize its own way), the end
tokens, the decoding of the output (cut at the first end token, then at the stop strings) and
the likelihood's encoding (`likelihood.encode_for_scoring`: prompt and reference tokenized apart,
the prompt cut from the left to fit). The reference's NLL is read from vLLM's prompt log-probs
of prompt + reference, as lm-evaluation-harness' vLLM model does: entry j of `prompt_logprobs`
holds the log-probability of token j given tokens 0..j-1.

Why prefix caching is off: vLLM's prompt log-probs with prefix caching have been wrong or
order-dependent in several releases (vllm-project/vllm#3251, #8268, #42019); a likelihood that
depends on which request ran first is not one to base a verdict on.
Why engines outlive a run: a process holds one vLLM engine per GPU comfortably, not two; the
learning curve runs evalkit again in the same process with other adapters of the same rank,
which a LoRARequest switches without a new engine.
"""
from __future__ import annotations

import json
import time
from dataclasses import asdict
from pathlib import Path

from evalkit.generate import Generation, GenerationCache, JsonlCache, cache_key, digest, files_digest
from evalkit.likelihood import NLL, NLL_RECIPE, encode_for_scoring
from evalkit.loaders import LoadError, adapter_dir
from evalkit.results import ResultRow, build_row
from tunecraft.conversation import encode_prompt

MISSING = "--backend vllm needs vllm (GPU machines): pip install vllm"
LORA_RANKS = (8, 16, 32, 64, 128, 256, 320, 512)    # the max_lora_rank values vLLM accepts
_ENGINES: dict = {}      # (model folder, dtype, seed, LoRA settings) → vllm.LLM
_LORA_IDS: dict = {}     # adapter folder → its LoRARequest id (vLLM caches adapters by id)


def import_vllm():
    """The vllm module, or the one-line error a CPU machine gets."""
    try:
        import vllm
        from vllm.lora.request import LoRARequest
    except ImportError:
        raise LoadError(MISSING) from None
    return vllm, LoRARequest


def lora_rank_limit(ranks: list[int]) -> int:
    """The smallest max_lora_rank vLLM accepts that holds every adapter's rank."""
    need = max(ranks, default=1)
    fits = [r for r in LORA_RANKS if r >= need]
    if not fits:
        raise LoadError(f"--backend vllm: a LoRA rank of {need} is above vLLM's largest "
                        f"({LORA_RANKS[-1]})")
    return fits[0]


def adapter_rank(folder: Path) -> int:
    config = json.loads((folder / "adapter_config.json").read_text(encoding="utf-8"))
    return max([int(config.get("r") or 8), *map(int, (config.get("rank_pattern") or {}).values())])


class VllmModel:
    """What `pool.get` hands to run_system: the engine, a spec's LoRARequest (None: no adapter),
    the end tokens and the context length."""

    def __init__(self, llm, lora, ends: set[int], max_model_len: int | None):
        self.llm, self.lora, self.ends, self.max_model_len = llm, lora, ends, max_model_len


class VllmPool:
    """evalkit.lineup.ModelPool's role on vLLM: one engine for the run's local base model; each
    adapter becomes a LoRARequest, switched per request rather than per loaded model."""

    def __init__(self, specs, config):
        local = [s for s in specs if not s.is_endpoint]
        self.dtype, self.seed = config.dtype, config.seed
        self.tokenizers, self.models = {}, {}
        bases = sorted({str(s.model) for s in local})
        if len(bases) > 1:
            raise LoadError(f"--backend vllm runs one local base model per run; the systems name "
                            f"{len(bases)}: {', '.join(bases)}")
        if local:
            self.vllm, self.LoRARequest = import_vllm()
        self.adapters = {str(s.adapter): adapter_dir(s.adapter) for s in local if s.adapter}

    def engine(self, model_name: str):
        from tunecraft.models import local_folder, resolve

        folder = local_folder(resolve(model_name))
        ranks = [adapter_rank(f) for f in self.adapters.values()]
        lora = dict(enable_lora=True, max_lora_rank=lora_rank_limit(ranks),
                    max_loras=len(ranks)) if ranks else {}
        key = (folder, self.dtype, self.seed, *sorted(lora.items()))
        if key not in _ENGINES:
            _ENGINES[key] = self.vllm.LLM(model=folder, tokenizer=folder, dtype=self.dtype,
                                          seed=self.seed, enable_prefix_caching=False, **lora)
        return _ENGINES[key], folder

    def get(self, spec):
        """(VllmModel, tokenizer, identity), as ModelPool.get: identity's adapter is the spec's."""
        from tunecraft.models import resolve

        if spec.model not in self.models:
            llm, folder = self.engine(spec.model)
            tokenizer = self.tokenizer(spec.model)
            base = resolve(spec.model).identity()
            identity = {"model": base.get("sha256") or base.get("path"), "dtype": self.dtype,
                        "adapter": None, "backend": "vllm"}
            self.models[spec.model] = (llm, tokenizer, identity, end_ids(tokenizer, folder),
                                       max_model_len(llm))
        llm, tokenizer, identity, ends, limit = self.models[spec.model]
        folder = self.adapters.get(str(spec.adapter)) if spec.adapter else None
        lora = self.lora_request(folder) if folder else None
        adapter = files_digest(folder) if folder else None
        return VllmModel(llm, lora, ends, limit), tokenizer, {**identity, "adapter": adapter}

    def lora_request(self, folder: Path):
        lora_id = _LORA_IDS.setdefault(str(folder), len(_LORA_IDS) + 1)
        return self.LoRARequest(folder.parent.name or "adapter", lora_id, str(folder))

    def tokenizer(self, name: str | None):
        """Our tokenizer (never vLLM's): prompts are rendered and encoded as training did."""
        if name is None:
            return None
        if name not in self.tokenizers:
            from tunecraft.models import ModelError, load_tokenizer

            try:
                self.tokenizers[name] = load_tokenizer(name)
            except ModelError:
                return None
        return self.tokenizers[name]

    def chat(self, spec, params):
        """The judge's `chat(messages_batch)` on this engine (evalkit.judge)."""
        return VllmChat(*self.get(spec), params)


class VllmChat:
    def __init__(self, model: VllmModel, tokenizer, identity: dict, params):
        self.model, self.tokenizer, self.identity, self.params = model, tokenizer, identity, params

    def chat(self, messages_batch: list[list[dict]]) -> list[str]:
        from tunecraft.conversation import generation_prompt

        prompts = [generation_prompt(self.tokenizer, m) for m in messages_batch]
        return [g.output for g in generate(self.model, self.tokenizer, prompts, self.params,
                                           self.model.lora)]


def end_ids(tokenizer, folder: str) -> set[int]:
    """The reference backend's end tokens: the tokenizer's EOS and pad, and the model folder's
    generation_config eos ids."""
    ids = {tokenizer.eos_token_id, tokenizer.pad_token_id}
    try:
        from transformers import GenerationConfig

        configured = GenerationConfig.from_pretrained(folder).eos_token_id
        ids.update(configured if isinstance(configured, (list, tuple)) else [configured])
    except OSError:
        pass
    return {i for i in ids if i is not None}


def max_model_len(llm) -> int | None:
    try:
        return int(llm.llm_engine.model_config.max_model_len)
    except AttributeError:
        return None


def sampling(vllm, params, ends: set[int]):
    """Greedy unless the params sample; evalkit's stop strings and end tokens."""
    options = dict(max_tokens=params.max_new_tokens, stop=list(params.stop) or None,
                   stop_token_ids=sorted(ends), seed=params.seed)
    if params.do_sample:
        return vllm.SamplingParams(temperature=params.temperature, top_p=params.top_p, **options)
    return vllm.SamplingParams(temperature=0.0, **options)


def run_system(system, items, model: VllmModel, tokenizer, identity, params, cache, config,
               progress) -> list[ResultRow]:
    """runner.run_system's rows, from vLLM: the LoRA request only on a spec with an adapter
    (`VllmPool.get`), as the reference backend switches its peft adapter on only there."""
    prompts = [system.prompt(item, tokenizer) for item in items]
    lora = model.lora
    system_identity = {**identity, "adapter": identity["adapter"] if lora else None}
    advance = progress.task(f"{system.name}: generating (vLLM)", len(prompts)) if progress else None
    gens = generate(model, tokenizer, prompts, params, lora, system_identity, cache, advance)
    advance = progress.task(f"{system.name}: scoring the reference (vLLM)", len(prompts)) \
        if progress else None
    nlls = reference_nlls(model, tokenizer, prompts, items, lora, system_identity, config, advance)
    return [build_row(item, system.name, prompt, gen.output, gen=gen, nll=nll,
                      sources=system.sources(item))
            for item, prompt, gen, nll in zip(items, prompts, gens, nlls)]


def generate(model: VllmModel, tokenizer, prompts: list[str], params, lora, identity=None,
             cache: GenerationCache | None = None, advance=None) -> list[Generation]:
    """One Generation per prompt; the uncached ones in one vLLM call (it batches them itself),
    each given the call's wall time divided by its number of prompts as its latency."""
    keys = [cache_key(identity, p, params) for p in prompts] if cache is not None else []
    results = [cache.get(k) for k in keys] if cache is not None else [None] * len(prompts)
    todo = [i for i, r in enumerate(results) if r is None]
    if todo:
        vllm, _ = import_vllm()
        ids = [encode_prompt(tokenizer, prompts[i]) for i in todo]
        started = time.perf_counter()
        outputs = model.llm.generate([{"prompt_token_ids": x} for x in ids],
                                     sampling(vllm, params, model.ends), lora_request=lora,
                                     use_tqdm=False)
        latency = (time.perf_counter() - started) / len(todo)
        for i, prompt_ids, out in zip(todo, ids, outputs):
            results[i] = finish(tokenizer, list(out.outputs[0].token_ids), model.ends,
                                params.stop, len(prompt_ids), latency)
            if cache is not None:
                cache.put(keys[i], results[i])
    if advance:
        advance(len(prompts))
    return results


def finish(tokenizer, tokens: list[int], ends: set[int], stops, prompt_tokens: int,
           latency: float) -> Generation:
    """As the reference backend: the tokens up to and including the first end token, decoded
    without special tokens, cut at the first stop string, stripped."""
    length = next((i + 1 for i, t in enumerate(tokens) if t in ends), len(tokens))
    text = tokenizer.decode(tokens[:length], skip_special_tokens=True)
    for stop in stops:
        text = text.split(stop, 1)[0]
    return Generation(text.strip(), prompt_tokens, length, latency)


def reference_nlls(model: VllmModel, tokenizer, prompts, items, lora, identity, config,
                   advance=None) -> list[NLL]:
    """Each item's reference NLL given its prompt, cached as the reference backend caches them
    (the identity names the backend, so neither reuses the other's numbers)."""
    store = JsonlCache(Path(config.out) / "cache" / "likelihoods.jsonl")
    keys = [digest({"identity": identity, "prompt": p, "reference": it.reference, "nll": NLL_RECIPE})
            for p, it in zip(prompts, items)]
    found = [store.get_row(k) for k in keys]
    todo = [i for i, row in enumerate(found) if row is None]
    fresh = score(model, tokenizer, [(prompts[i], items[i].reference) for i in todo], lora)
    for i, nll in zip(todo, fresh):
        found[i] = asdict(nll)
        store.put_row(keys[i], found[i])
    if advance:
        advance(len(prompts))
    return [NLL(**{k: v for k, v in row.items() if k != "key"}) for row in found]


def score(model: VllmModel, tokenizer, pairs: list[tuple[str, str]], lora) -> list[NLL]:
    """NLL of each completion's tokens from the prompt log-probs of prompt + completion (one
    token generated, which vLLM needs; room is left for it under the context length)."""
    if not pairs:
        return []
    vllm, _ = import_vllm()
    limit = model.max_model_len - 1 if model.max_model_len else None
    encoded = [encode_for_scoring(tokenizer, p, c, limit) for p, c in pairs]
    params = vllm.SamplingParams(temperature=0.0, max_tokens=1, prompt_logprobs=1)
    outputs = model.llm.generate([{"prompt_token_ids": p + c} for p, c, _ in encoded], params,
                                 lora_request=lora, use_tqdm=False)
    return [NLL(completion_nll(out.prompt_logprobs, len(p), c), len(c), len(text.encode("utf-8")), d)
            for out, (p, c, d), (_, text) in zip(outputs, encoded, pairs)]


def completion_nll(prompt_logprobs, start: int, completion: list[int]) -> float:
    """−Σ log p(completion token j | everything before it): entries start … start+len−1."""
    total = 0.0
    for j, token in enumerate(completion):
        entry = prompt_logprobs[start + j]
        value = entry[token]
        total -= float(getattr(value, "logprob", value))   # a Logprob, or a float (old vLLM)
    return total


def adapter_check(model: VllmModel, tokenizer, rows: list[ResultRow],
                  finetuned: str = "fine-tuned") -> dict | None:
    """runner.adapter_check on vLLM: outputs identical to zero-shot's, or prompt log-probs that
    do not move when the LoRA request is added, mean the adapter did nothing."""
    from evalkit.runner import adapter_warning

    tuned = {r.id: r for r in rows if r.system == finetuned}
    if not tuned or model.lora is None:
        return None
    base = {r.id: r for r in rows if r.system == "zero-shot" and r.id in tuned
            and r.prompt == tuned[r.id].prompt}
    same = sum(base[i].output == tuned[i].output for i in base)
    first = next(iter(tuned.values()))
    vllm, _ = import_vllm()
    ids = encode_prompt(tokenizer, first.prompt) + tokenizer(first.reference,
                                                             add_special_tokens=False)["input_ids"]
    params = vllm.SamplingParams(temperature=0.0, max_tokens=1, prompt_logprobs=1)
    on, off = (model.llm.generate([{"prompt_token_ids": ids}], params, lora_request=lora,
                                  use_tqdm=False)[0].prompt_logprobs for lora in (model.lora, None))
    change = max((abs(completion_nll(on, j, [t]) - completion_nll(off, j, [t]))
                  for j, t in enumerate(ids) if j > 0), default=0.0)
    check = {"items_compared_with_zero_shot": len(base), "identical_outputs": same,
             "max_logprob_change": change}
    check["warning"] = adapter_warning(change, len(base), same, "log-probability")
    return check
