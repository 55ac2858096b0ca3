"""The systems of one run (SystemSpecs) turned into prompting systems, local models and endpoints.

Why a pool of local models: a systems file may name several local models and adapters. A system
without an adapter reuses a loaded model of the same base with its adapter switched off (peft),
so the comma list's promise holds: zero-shot and fine-tuned run on one loaded base model.
"""
from __future__ import annotations

from pathlib import Path

from evalkit import loaders
from evalkit.endpoint import EndpointSystem, messages_text
from evalkit.generate import JsonlCache
from evalkit.loaders import LoadError
from evalkit.results import ResultRow, build_row
from evalkit.systems import FewShot, FineTuned, Rag, System, ZeroShot
from evalkit.systems_file import (SystemSpec, finetuned_name, from_names, is_systems_file,
                                  load_systems_file)


def specs_of(config) -> list[SystemSpec]:
    """--systems as specs: a systems file, or the comma list on --model/--adapter."""
    if is_systems_file(config.systems):
        return load_systems_file(config.systems)
    specs = from_names(config.systems, config.adapter)
    if any(s.name == "fine-tuned" and s.adapter is None for s in specs):
        raise LoadError("--systems includes fine-tuned but no --adapter was given")
    return specs


def backend(config, specs: list[SystemSpec]):
    """A context yielding the specs the run's loop uses: as they are on transformers, or with the
    local ones served by another backend's server while it runs (--backend)."""
    from contextlib import nullcontext

    if config.backend == "llamacpp":
        from evalkit.backend_llamacpp import served

        return served(specs, Path(config.out), config.served_perplexity)
    return nullcontext(specs)


def finetuned_spec(specs: list[SystemSpec]) -> SystemSpec | None:
    """The local system with an adapter the others are compared with (None: none is local)."""
    name = finetuned_name(specs)
    return next((s for s in specs if s.name == name and s.adapter is not None), None)


def build(spec: SystemSpec, train, labels, few_shot: str, seed: int,
          finetuned: bool = False) -> System:
    """The prompting system of a spec, named as the spec (results.jsonl's `system`). A served
    fine-tuned model (`finetuned`, no local adapter) gets the input as it was trained on it: not
    told the label set, as zero-shot is."""
    from evalkit.docs import passages_from_docs, passages_from_records

    if spec.prompt in ("few-shot", "rag") and not train and not (spec.prompt == "rag" and spec.docs):
        raise LoadError(f"{spec.name} needs train.jsonl in the data folder (or --docs / docs: "
                        "for rag)")
    if spec.adapter is not None:
        template, chat_template = loaders.trained_template(loaders.load_train_card(spec.adapter))
        system = FineTuned(template, spec.system_prompt, chat_template)
    elif finetuned and spec.prompt == "zero-shot":
        system = System(spec.system_prompt)
    elif spec.prompt == "few-shot":
        system = FewShot(train, spec.k, few_shot, seed, spec.system_prompt)
    elif spec.prompt == "rag":
        passages = passages_from_docs(spec.docs) if spec.docs else passages_from_records(train)
        system = Rag(passages, spec.k, spec.system_prompt)
    else:
        system = ZeroShot(spec.system_prompt, labels)
    system.name = spec.name
    return system


class ModelPool:
    """Local models loaded once each: by (model, adapter); a spec without an adapter shares the
    first loaded model of its base (with the adapter switched off while it runs)."""

    def __init__(self, specs: list[SystemSpec], dtype: str):
        self.dtype, self.loaded = dtype, {}
        self.adapter_of = {}
        for spec in specs:
            if not spec.is_endpoint and spec.adapter is not None:
                self.adapter_of.setdefault(spec.model, spec.adapter)

    def get(self, spec: SystemSpec):
        """(model, tokenizer, identity) for a local spec; identity's adapter is None unless the
        spec's own adapter is on."""
        adapter = spec.adapter or self.adapter_of.get(spec.model)
        key = (spec.model, str(adapter) if adapter else None)
        if key not in self.loaded:
            self.loaded[key] = loaders.load(spec.model, adapter, self.dtype)
        model, tokenizer, identity = self.loaded[key]
        return model, tokenizer, {**identity, "adapter": identity["adapter"] if spec.adapter else None}

    def tokenizer(self, name: str | None):
        """A local tokenizer for servers that report no usage (None when the run has no model)."""
        if name is None:
            return None
        loaded = next((t for (m, _), (_, t, _) in self.loaded.items() if m == name), None)
        if loaded is not None:
            return loaded
        from tunecraft.models import ModelError, load_tokenizer

        try:
            return load_tokenizer(name)
        except ModelError:
            return None


def run_endpoint(spec: SystemSpec, system: System, items, params, out: Path, pool: ModelPool,
                 tokenizer_name: str | None, progress=None,
                 perplexity: bool = False) -> tuple[list[ResultRow], str]:
    """Ask the served model every item (cached, bounded concurrency); rows like a local system's.
    Also returns how its perplexity was obtained, or "n/a: why" (metrics.json says which)."""
    tokenizer = pool.tokenizer(tokenizer_name)
    cache = JsonlCache(out / "cache" / "endpoint-generations.jsonl")
    endpoint = EndpointSystem(spec, params, cache, tokenizer, tokenizer_name)
    messages = [system.messages(item) for item in items]
    advance = progress.task(f"{spec.name}: asking {spec.endpoint}", len(items)) if progress else None
    replies = endpoint.replies(messages, on_done=advance)
    nlls, said = ([None] * len(items), "n/a: not asked for (--served-perplexity)")
    if perplexity:
        nlls, said = served_nlls(endpoint, messages, items, tokenizer, tokenizer_name, out)
    rows = [build_row(item, spec.name, messages_text(m), reply.output, gen=reply, nll=nll,
                      sources=system.sources(item))
            for item, m, reply, nll in zip(items, messages, replies, nlls)]
    return rows, said


def served_nlls(endpoint, messages, items, tokenizer, tokenizer_name, out: Path):
    """The reference's NLL from the server's own prompt log-probs (evalkit.endpoint_nll), cached
    like generations; the prompt text is the local model's chat template over the messages."""
    from evalkit.endpoint_nll import NLL, reference_nlls
    from evalkit.generate import digest
    from tunecraft.conversation import generation_prompt

    if tokenizer is None:
        return [None] * len(items), ("n/a: no local model whose chat template writes the "
                                     "messages as the text prompt the completions API takes")
    prompts = [generation_prompt(tokenizer, m) for m in messages]
    store = JsonlCache(out / "cache" / "endpoint-likelihoods.jsonl")
    keys = [digest({"identity": endpoint.identity, "prompt": p, "reference": it.reference})
            for p, it in zip(prompts, items)]
    found = [store.get_row(k) for k in keys]
    todo = [i for i, row in enumerate(found) if row is None]
    fresh, why = reference_nlls(endpoint, [prompts[i] for i in todo],
                                [items[i].reference for i in todo])
    if why:
        return [None] * len(items), f"n/a: {why}"
    for i, nll in zip(todo, fresh):
        found[i] = {"nll": nll.nll, "ref_tokens": nll.ref_tokens, "ref_bytes": nll.ref_bytes}
        store.put_row(keys[i], found[i])
    said = (f"the server's prompt log-probs (completions, echo); prompt written with "
            f"{tokenizer_name}'s chat template")
    return [NLL(row["nll"], row["ref_tokens"], row["ref_bytes"]) for row in found], said
