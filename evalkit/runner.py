"""`evalkit run` as a library call: test items → each system's prompts → generations and NLLs → rows
→ scores, metrics and the report. The CLI only parses flags and prints.

Every system runs on ONE loaded base model; the fine-tuned system is that model with the adapter
switched on (peft), the others run with it switched off, so "same base model" holds by construction.
"""
from __future__ import annotations

import random
from collections import defaultdict
from contextlib import nullcontext
from dataclasses import asdict, replace
from pathlib import Path

from evalkit import loaders
from evalkit.config import RunConfig
from evalkit.generate import (GenerationCache, GenerationParams, JsonlCache, digest, generate,
                              warm_up)
from evalkit.judge import check_judge, run_judge
from evalkit.likelihood import NLL, NLL_RECIPE, conditional_nll
from evalkit.loaders import LoadError
from evalkit.results import ResultRow, build_row
from evalkit.systems import FewShot, Rag, System, ZeroShot
from tunecraft.files import atomic_write_json, atomic_write_text
from tunecraft.text import json_value


class RunError(LoadError):
    """A user error in `evalkit run`'s flags; the message is one line."""


def build_systems(config: RunConfig, names: list[str], train, card=None,
                  labels: list[str] | None = None) -> list[System]:
    """The comma list's systems on the run's settings (evalkit.lineup builds every kind)."""
    from evalkit import lineup
    from evalkit.systems_file import from_names, with_defaults

    specs = with_defaults(from_names(",".join(names), config.adapter), config.model, config.k,
                          config.docs, config.system_prompt)
    return [lineup.build(s, train, labels, config.few_shot, config.seed) for s in specs]


def stratified_sample(items: list, limit: int | None, seed: int = 0) -> list:
    """`limit` items with every label in proportion (seeded), kept in file order.

    The first N of a test file ordered by label saw 8 of 10 intents. Each item is keyed by its
    (randomly ordered) rank within its label divided by the label's size, so the first N keys
    take labels in proportion; unlabelled items form one group, i.e. a plain seeded sample."""
    if not limit or limit >= len(items):
        return list(items)
    rng = random.Random(f"limit:{seed}")
    groups = defaultdict(list)
    for position, item in enumerate(items):
        groups[item.label].append(position)
    keys = {}
    for positions in groups.values():
        rng.shuffle(positions)
        for rank, position in enumerate(positions):
            keys[position] = ((rank + rng.random()) / len(positions), position)
    chosen = sorted(sorted(keys, key=keys.get)[:limit])
    return [items[i] for i in chosen]


def describe_baselines(systems: list[System], labels: list[str] | None, config: RunConfig,
                       n_train: int) -> dict:
    """What each baseline was given, stated in the report so a reader can judge its fairness."""
    said = {}
    for system in systems:
        if isinstance(system, ZeroShot):
            said[system.name] = (f"told the label set ({len(labels)} labels) and to answer with "
                                 f"one of them" if system.labels else "the input only")
        elif isinstance(system, FewShot):
            said[system.name] = (f"{system.k} examples per item chosen by {config.few_shot} from "
                                 f"the train split ({n_train} records), never from the test split")
        elif isinstance(system, Rag):
            files = sorted({p.source.split("#")[0] for p in system.passages})
            source = (f"documents in {config.docs}: {', '.join(files)}" if config.docs
                      else f"the train split ({n_train} records) as passages")
            said[system.name] = f"top {system.k} passages by BM25 from {source}"
    return said


def adapter_switch(model, on: bool):
    """Context in which the peft adapter is on (fine-tuned) or off (every other system)."""
    from peft import PeftModel

    return model.disable_adapter() if isinstance(model, PeftModel) and not on else nullcontext()


def run(config: RunConfig, progress=None) -> dict:
    """Run the evaluation, write results.jsonl, metrics.json and the report; return the metrics."""
    from evalkit import lineup
    from evalkit.systems_file import finetuned_name, with_defaults

    specs = lineup.specs_of(config)
    finetuned, tuned = finetuned_name(specs), lineup.finetuned_spec(specs)
    check_judge(config.judge, [s.name for s in specs], finetuned, config.primary)
    items, train, labels = loaders.load_items(config.data)
    items = stratified_sample(items, config.limit, config.seed)
    card = loaders.load_train_card(tuned.adapter) if tuned else None
    model_name = config.model or (tuned.model if tuned else None) or (card.base_model.name if card else None)
    if not model_name and any(not s.is_endpoint and not s.model for s in specs):
        raise RunError("--model is required (no run.json names the base model)")
    config = replace(config, model=model_name, adapter=tuned.adapter if tuned else config.adapter)
    specs = with_defaults(specs, model_name, config.k, config.docs, config.system_prompt)
    tuned = lineup.finetuned_spec(specs)
    systems = [lineup.build(s, train, labels, config.few_shot, config.seed, s.name == finetuned)
               for s in specs]                                # input errors before the slow load
    pool, run_local, check_adapter = local_backend(config, specs)
    params = GenerationParams(max_new_tokens=config.max_new_tokens, seed=config.seed,
                              stop=tuple(config.stop))
    cache = GenerationCache(Path(config.out) / "cache" / "generations.jsonl")
    rows, described = [], {s.name: s.describe() for s in specs}
    with lineup.backend(config, specs) as running:     # --backend: who answers the local specs
        side_by_side = in_processes(config, running, systems, items, params, progress, run_local)
        for spec, system in zip(running, systems):
            if spec.name in side_by_side:
                rows += side_by_side[spec.name]
                continue
            if spec.is_endpoint:
                served, described[spec.name]["perplexity"] = lineup.run_endpoint(
                    spec, system, items, params, Path(config.out), pool, model_name, progress,
                    config.served_perplexity)
                rows += served
                continue
            model, tokenizer, identity = pool.get(spec)
            rows += run_local(system, items, model, tokenizer, identity, params, cache, config,
                              progress)
    model, tokenizer, identity = pool.get(tuned) if tuned else (None, None, None)
    warnings = loaders.card_warnings(tuned.model, card, tokenizer) if tuned else []
    check = check_adapter(model, tokenizer, rows, finetuned) if tuned else None
    if check and check.get("warning"):
        warnings.append(check["warning"])
    if identity is None and any(not s.is_endpoint for s in specs):
        identity = pool.get(next(s for s in specs if not s.is_endpoint))[2]
    judged = run_judge(config, specs, finetuned, rows, pool, progress) \
        if config.judge else None   # evalkit.judge
    metrics, rows = finish(rows, config, labels, card, check, warnings, identity, params,
                           describe_baselines(systems, labels, config, len(train)), finetuned,
                           described, judge=judged, pricing=pricing(specs))
    if config.curve and tuned and finetuned == "fine-tuned":
        from evalkit.curve import learning_curve

        primary = metrics["verdict"]["primary"]
        metrics["curve"] = learning_curve(config, card, config.curve, primary, metrics)
        write_outputs(Path(config.out), rows, metrics)
    return metrics


def local_backend(config: RunConfig, specs):
    """(model pool, run_system, adapter_check) of --backend: transformers here, or vLLM
    (evalkit.backend_vllm), which fails in one line where vllm is not installed."""
    from evalkit import lineup

    if config.backend == "vllm":
        from evalkit import backend_vllm

        return (backend_vllm.VllmPool(specs, config), backend_vllm.run_system,
                backend_vllm.adapter_check)
    return lineup.ModelPool(specs, config.dtype), run_system, adapter_check


def in_processes(config, specs, systems, items, params, progress, run_local) -> dict:
    """{name: rows} of the local systems run side by side in processes (evalkit/parallel.py);
    empty when they run here, one after the other."""
    from evalkit import parallel

    workers = parallel.workers_for(config, specs) if run_local is run_system else 1
    if workers < 2:
        return {}
    jobs = parallel.longest_first([(spec, system, items) for spec, system in zip(specs, systems)
                                   if not spec.is_endpoint])
    done = parallel.run_systems(jobs, specs, config, params, progress, workers)
    return {spec.name: rows for (spec, _, _), rows in zip(jobs, done)}


def pricing(specs) -> dict:
    """What the systems file says about each system's price (`price:`; served systems only)
    and which systems are served (priced per token, not per compute second)."""
    return {"prices": {s.name: s.price for s in specs},
            "endpoints": {s.name for s in specs if s.is_endpoint}}


def run_system(system: System, items, model, tokenizer, identity, params, cache, config,
               progress) -> list[ResultRow]:
    prompts = [system.prompt(item, tokenizer) for item in items]
    system_identity = {**identity, "adapter": identity["adapter"] if system.uses_adapter else None}
    advance = progress.task(f"{system.name}: generating", len(prompts)) if progress else None
    with adapter_switch(model, system.uses_adapter):
        gens = generate(model, tokenizer, prompts, params, identity=system_identity, cache=cache,
                        batch_size=config.batch_size, on_batch=advance,
                        references=[item.reference for item in items],
                        before_first=lambda: warm_once(model, tokenizer, prompts[0]))
        advance = progress.task(f"{system.name}: scoring the reference", len(prompts)) if progress else None
        nlls = reference_nlls(model, tokenizer, prompts, items, system_identity, config, advance, gens)
    return [build_row(item, system.name, prompt, gen.output, gen=gen, nll=nll,
                      sources=system.sources(item))
            for item, prompt, gen, nll in zip(items, prompts, gens, nlls)]


def warm_once(model, tokenizer, prompt: str) -> None:
    """Before the first timed generation only (none at all when everything is cached)."""
    if not getattr(model, "_evalkit_warm", False):
        warm_up(model, tokenizer, prompt)
        model._evalkit_warm = True


def reference_nlls(model, tokenizer, prompts, items, identity, config, advance, gens=()) -> list[NLL]:
    """Conditional NLL of each item's reference, cached like generations (by model, adapter,
    prompt and reference), so a re-run or a new metric costs no forward pass either. NLLs the
    generation scored from the prompt's KV cache (`gen.nll`, cached with the generation, keyed by
    its batch) come first: in bf16 they depend on the batch, as the outputs do."""
    store = JsonlCache(Path(config.out) / "cache" / "likelihoods.jsonl")
    keys = [digest({"identity": identity, "prompt": p, "reference": it.reference, "nll": NLL_RECIPE})
            for p, it in zip(prompts, items)]
    found = [store.get_row(k) for k in keys]
    for i, gen in enumerate(gens):
        if gen.nll is not None:
            found[i] = asdict(gen.nll)
    todo = [i for i, row in enumerate(found) if row is None]
    if advance and len(todo) < len(keys):
        advance(len(keys) - len(todo))
    fresh = conditional_nll(model, tokenizer, [(prompts[i], items[i].reference) for i in todo],
                            batch_size=config.batch_size, on_batch=advance) if todo else []
    for i, nll in zip(todo, fresh):
        found[i] = asdict(nll)
        store.put_row(keys[i], found[i])
    return [NLL(**{k: v for k, v in row.items() if k != "key"}) for row in found]


def adapter_check(model, tokenizer, rows: list[ResultRow], finetuned: str = "fine-tuned") -> dict | None:
    """Did the adapter change anything? Identical outputs to zero-shot's, or logits that do not
    move when the adapter is switched on, mean it silently failed to load (or never trained)."""
    import torch

    tuned = {r.id: r for r in rows if r.system == finetuned}
    if not tuned:
        return None
    base = {r.id: r for r in rows if r.system == "zero-shot" and r.id in tuned
            and r.prompt == tuned[r.id].prompt}   # not when zero-shot was told the labels
    same = sum(base[i].output == tuned[i].output for i in base)
    first = next(iter(tuned.values())).prompt
    ids = tokenizer(first, return_tensors="pt", add_special_tokens=False).to(model.device)
    with torch.inference_mode():
        on = model(**ids).logits
        with adapter_switch(model, False):
            off = model(**ids).logits
    check = {"items_compared_with_zero_shot": len(base), "identical_outputs": same,
             "max_logit_change": float((on - off).abs().max())}
    check["warning"] = adapter_warning(check["max_logit_change"], len(base), same)
    return check


def adapter_warning(change: float, compared: int, same: int, what: str = "logit") -> str | None:
    """The warning when switching the adapter on changed nothing, or no output."""
    if change == 0.0:
        return (f"ADAPTER HAD NO EFFECT: switching it on does not change a single {what} "
                "(untrained or not loaded); the fine-tuned system is the base model")
    if compared and same == compared:
        return (f"FINE-TUNED OUTPUTS ARE IDENTICAL TO ZERO-SHOT on all {compared} "
                "items: the adapter may have silently failed to load")
    return None


def finish(rows, config: RunConfig, labels, card, check, warnings, identity, params,
           baselines: dict | None = None, finetuned: str = "fine-tuned",
           systems: dict | None = None, *, judge: dict | None = None,
           pricing: dict | None = None) -> tuple[dict, list[ResultRow]]:
    """Score the rows, attach the run's recipe, write the outputs and the report; returns the
    metrics and the scored rows."""
    from evalkit.docs import CHUNK_OVERLAP, CHUNK_WORDS
    from evalkit.scoring import score_results

    scored = score_results(rows, labels=labels, primary=config.primary, seed=config.seed,
                           resamples=config.resamples, min_effect=config.min_effect,
                           train_card=card, cost_model=config.cost_model, finetuned=finetuned,
                           judge=judge, requests_per_month=config.requests_per_month,
                           **(pricing or {}))
    metrics = scored.metrics
    metrics["run"] = {
        "data": str(config.data), "model": config.model, "identity": identity,
        "backend": config.backend,
        "adapter": str(config.adapter) if config.adapter else None,
        "template": loaders.trained_template(card)[0] if config.adapter else None,
        "limit": config.limit, "seed": config.seed,
        "system_prompt": config.system_prompt, "generation": params.to_dict(),
        "systems": systems or {},
        "retrieval": {"k": config.k, "few_shot": config.few_shot, "rag_source":
                      str(config.docs) if config.docs else "train split", "bm25": "bm25s lucene k1=1.5 b=0.75",
                      "chunk_words": CHUNK_WORDS, "chunk_overlap_words": CHUNK_OVERLAP},
        "nll": "sum of ln-probabilities of the reference's tokens (tokenized apart from the "
               "prompt, no end-of-turn token) given the system's prompt",
    }
    metrics["baselines"] = baselines or {}
    metrics["adapter_check"] = check
    metrics["warnings"] = warnings
    write_outputs(Path(config.out), scored.rows, metrics)
    return metrics, scored.rows


def write_outputs(out: Path, rows: list[ResultRow], metrics: dict) -> None:
    from evalkit.report import write_report

    atomic_write_text(out / "results.jsonl", "".join(r.to_json() + "\n" for r in rows))
    atomic_write_json(out / "metrics.json", metrics, default=json_value)
    write_report(out)



def score_outputs(hyps: list[Path], refs: Path, out: Path, *, primary: str | None = None,
                  seed: int = 0, resamples: int = 1000, min_effect: float = 0.0) -> dict:
    """`evalkit score`: outputs made elsewhere (one file per system, named by its stem) against
    the test split; no model, so no likelihood metrics and no generation cost."""
    from evalkit.scoring import score_results

    records = loaders.read_records(Path(refs))
    try:
        items = [loaders.EvalItem.from_record(r) for r in records]
    except loaders.SystemsError as exc:
        raise LoadError(f"{refs}: {exc}") from None
    labels = sorted({i.label for i in items if i.label}) or None
    rows = []
    for path in hyps:
        outputs = loaders.read_hyps(path, {i.id for i in items})
        missing = [i.id for i in items if i.id not in outputs]
        if missing:
            raise LoadError(f"{path}: no output for {len(missing)} test items (first: {missing[0]!r})")
        rows += [build_row(i, Path(path).stem, i.instruction, outputs[i.id]) for i in items]
    scored = score_results(rows, labels=labels, primary=primary, seed=seed, resamples=resamples,
                           min_effect=min_effect)
    metrics = scored.metrics
    metrics["run"] = {"refs": str(refs), "hyps": [str(h) for h in hyps], "seed": seed}
    metrics["warnings"] = []
    write_outputs(Path(out), scored.rows, metrics)
    return metrics
