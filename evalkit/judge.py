"""An LLM judge for free text, where chrF and ROUGE say little: fine-tuned against each baseline.

How it judges, after MT-Bench (FastChat llm_judge, "pair-math-v1": pairwise with a reference) and
its paper's handling of position bias (Zheng et al. 2023):
- one item, two answers, the reference: the judge explains briefly, then gives [[A]], [[B]] or
  [[C]] (a tie). A reply with no tag, or with two different tags, is unparseable: counted and
  reported, never guessed (FastChat takes the first tag it finds; "[[A]] is wrong, [[B]]" would
  read as A);
- every pair is judged in both orders (fine-tuned as A, then as B). A win counts only when both
  orders prefer the same answer; orders that disagree make a tie (MT-Bench's conservative rule),
  so a judge that always says "A" gives only ties, and the share of items whose verdict changes
  with the order is reported as the judge's self-contradiction rate. alpaca_eval instead shows
  one random order per item, which cancels the bias on average but hides it per item.
Rates come with 95% item-bootstrap intervals; `net` (wins − losses, per item +1/0/−1) is the
paired difference the verdict reads under `--primary judge`. Replies are cached by (judge,
messages), like generations, so a resumed run does not pay for a judgement twice.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from . import stats
from .agreement import cohen_kappa
from .generate import JsonlCache, digest

JUDGE_SYSTEM = (
    "You are an impartial judge. You will see a user's request, a reference answer written by "
    "an expert, and the answers of two assistants, A and B. Decide which assistant answered the "
    "request better, using the reference to check correctness: an answer that contradicts the "
    "reference or misses what it says is worse; wording may differ from the reference. The order "
    "in which the answers appear, their length and the assistants' names must not influence you. "
    "First explain your decision in at most three sentences. Then give your verdict on its own "
    'line, exactly "[[A]]" if A is better, "[[B]]" if B is better, or "[[C]]" for a tie.')
JUDGE_TEMPLATE = (
    "[User request]\n{question}\n\n[Reference answer]\n{reference}\n[End of reference answer]\n\n"
    "[Assistant A's answer]\n{answer_a}\n[End of assistant A's answer]\n\n"
    "[Assistant B's answer]\n{answer_b}\n[End of assistant B's answer]")
JUDGE_MAX_NEW_TOKENS = 256
"""A local judge writes up to this many tokens: three sentences and the verdict fit; a reply cut
off before its verdict counts as unparseable."""
TAG = re.compile(r"\[\[\s*([ABC])\s*\]\]")
OUTCOMES = ("win", "tie", "loss")
Chat = Callable[[list[list[dict]]], list[str]]


def judge_messages(question: str, reference: str, answer_a: str, answer_b: str) -> list[dict]:
    return [{"role": "system", "content": JUDGE_SYSTEM},
            {"role": "user", "content": JUDGE_TEMPLATE.format(
                question=question, reference=reference, answer_a=answer_a, answer_b=answer_b)}]


def parse_verdict(reply: str | None) -> str | None:
    """"A", "B", "tie", or None when the reply names no verdict or more than one."""
    tags = set(TAG.findall(reply or ""))
    if len(tags) != 1:
        return None
    return {"A": "A", "B": "B", "C": "tie"}[tags.pop()]


def combine(first: str | None, second: str | None) -> tuple[str | None, bool]:
    """(outcome for the fine-tuned system, whether the verdict changed with the order).
    `first`: fine-tuned shown as A; `second`: fine-tuned shown as B."""
    if first is None or second is None:
        return None, False
    ft_first = {"A": "win", "B": "loss", "tie": "tie"}[first]
    ft_second = {"B": "win", "A": "loss", "tie": "tie"}[second]
    return (ft_first if ft_first == ft_second else "tie"), ft_first != ft_second


class JudgeError(ValueError):
    """A user error in --judge (one line)."""


@dataclass(frozen=True)
class Judged:
    summary: dict          # metrics.json's `judge` section
    rows: list[dict]       # judgements.jsonl: one per item × baseline, with both replies


def ask(chat: Chat, identity: dict, conversations: list[list[dict]], cache: JsonlCache | None,
        batch_size: int = 8, on_batch: Callable[[int], None] | None = None) -> list[str]:
    """The judge's replies, in order; cached ones are not asked again."""
    keys = [digest({"judge": identity, "messages": m}) for m in conversations]
    replies = [(cache.get_row(k) or {}).get("reply") if cache else None for k in keys]
    todo = [i for i, r in enumerate(replies) if r is None]
    if on_batch and len(todo) < len(replies):
        on_batch(len(replies) - len(todo))
    for start in range(0, len(todo), batch_size):
        batch = todo[start:start + batch_size]
        for i, reply in zip(batch, chat([conversations[i] for i in batch])):
            replies[i] = reply
            if cache is not None:
                cache.put_row(keys[i], {"reply": reply})
        if on_batch:
            on_batch(len(batch))
    return replies


def judge_pairs(chat: Chat, identity: dict, by_system: dict[str, list], *, finetuned: str,
                cache_path: Path | None = None, seed: int = 0, resamples: int = 1000,
                judge_name: str = "judge", batch_size: int = 8,
                on_batch: Callable[[int], None] | None = None) -> Judged:
    """Judge `finetuned` against every other system, item by item, in both orders.
    `by_system`: {system: rows aligned on the same items} (ResultRow or dicts)."""
    cache = JsonlCache(cache_path) if cache_path else None
    ft_rows = by_system[finetuned]
    rows, summary = [], {}
    for baseline in (s for s in by_system if s != finetuned):
        conversations = []
        for ft, base in zip(ft_rows, by_system[baseline]):
            question, reference = _get(ft, "input"), _get(ft, "reference")
            conversations += [judge_messages(question, reference, _get(ft, "output"), _get(base, "output")),
                              judge_messages(question, reference, _get(base, "output"), _get(ft, "output"))]
        replies = ask(chat, identity, conversations, cache, batch_size, on_batch)
        judged = []
        for k, ft in enumerate(ft_rows):
            first, second = replies[2 * k], replies[2 * k + 1]
            outcome, changed = combine(parse_verdict(first), parse_verdict(second))
            judged.append({"id": _get(ft, "id"), "baseline": baseline, "outcome": outcome,
                           "order_changed_verdict": changed,
                           "finetuned_as_a": {"verdict": parse_verdict(first), "reply": first},
                           "finetuned_as_b": {"verdict": parse_verdict(second), "reply": second}})
        rows += judged
        summary[baseline] = summarise(judged, seed=seed, resamples=resamples)
    return Judged({"judge": judge_name, "finetuned": finetuned, "system_prompt": JUDGE_SYSTEM,
                   "template": JUDGE_TEMPLATE, "rule": "both orders; a win needs both, else a tie",
                   "baselines": summary,
                   "bootstrap": {"seed": seed, "resamples": resamples, "unit": "item"}}, rows)


def _get(row, key):
    return row[key] if isinstance(row, dict) else getattr(row, key)


def summarise(judged: list[dict], *, seed: int = 0, resamples: int = 1000) -> dict:
    """Win/tie/loss shares and net preference with item-bootstrap intervals; unparseable items
    and self-contradictions counted."""
    parsed = [j for j in judged if j["outcome"] is not None]
    out = {"items": len(judged), "judged": len(parsed), "unparseable": len(judged) - len(parsed)}
    if not parsed:
        return {**out, **{k: None for k in (*OUTCOMES, "net", "self_contradiction")}}
    weights = stats.resample_weights(len(parsed), resamples, seed)
    for outcome in OUTCOMES:
        hits = np.array([j["outcome"] == outcome for j in parsed], dtype=float)
        out[outcome] = stats.summarise(hits.mean(), weights @ hits / len(parsed))
    net = np.array([{"win": 1.0, "tie": 0.0, "loss": -1.0}[j["outcome"]] for j in parsed])
    out["net"] = stats.summarise_diff(net.mean(), weights @ net / len(parsed))
    changed = sum(j["order_changed_verdict"] for j in parsed)
    out["self_contradiction"] = changed / len(parsed)
    out["self_contradictions"] = changed
    return out


def human_preference(rating: dict, finetuned: str, baseline: str) -> str | None:
    """The rater's view of this pair as the judge's outcome: their "best" pick when it names one
    of the two (or a tie), else their correctness scores compared; None when neither says."""
    best = rating.get("best")
    if best in (finetuned, baseline, "tie"):
        return {finetuned: "win", baseline: "loss", "tie": "tie"}[best]
    scores = rating.get("scores") or {}
    a = (scores.get(finetuned) or {}).get("correctness")
    b = (scores.get(baseline) or {}).get("correctness")
    if a is None or b is None:
        return None
    return "win" if a > b else "loss" if a < b else "tie"


def agreement_with_humans(rows: list[dict], human: dict, finetuned: str) -> dict:
    """Cohen's κ (unweighted, win/tie/loss) between the judge and each rater, over the
    (item, baseline) pairs both judged."""
    out = {}
    for rater, ratings in (human.get("ratings") or {}).items():
        pairs = [(r["outcome"], human_preference(ratings[r["id"]], finetuned, r["baseline"]))
                 for r in rows if r["outcome"] is not None and r["id"] in ratings]
        pairs = [p for p in pairs if p[1] is not None]
        out[rater] = {"units": len(pairs),
                      "agreement": sum(a == b for a, b in pairs) / len(pairs) if pairs else None,
                      "cohen_kappa": cohen_kappa([a for a, _ in pairs], [b for _, b in pairs])
                      if pairs else None}
    return out


def check_judge(judge: str | None, names: list[str], finetuned: str | None,
                primary: str | None = None) -> None:
    """Before the slow model load: the judge must be a system of this run, and there must be a
    fine-tuned system for it to compare with the baselines."""
    if judge is None:
        if primary == "judge":
            raise JudgeError("--primary judge needs --judge NAME (a system of this run)")
        return
    if judge not in names:
        raise JudgeError(f"--judge {judge}: not a system of this run ({', '.join(names)})")
    if finetuned not in names or len(names) < 2:
        raise JudgeError("--judge needs the fine-tuned system and at least one baseline in --systems")


def judge_chat(spec, pool, seed: int, batch_size: int):
    """(chat, identity keying the judgement cache) for the judging system: a served model through
    its own chat completions, a local one through its loaded model (evalkit.local_chat)."""
    from .endpoint import EndpointSystem
    from .generate import GenerationParams
    from .local_chat import LocalChat

    params = GenerationParams(max_new_tokens=JUDGE_MAX_NEW_TOKENS, seed=seed)
    if spec.is_endpoint:
        served = EndpointSystem(spec, params)
        return served.chat, {**served.identity, "params": params.to_dict()}
    if hasattr(pool, "chat"):     # a backend that generates itself (evalkit.backend_vllm)
        local = pool.chat(spec, params)
        return local.chat, {**local.identity, "params": params.to_dict()}
    model, tokenizer, identity = pool.get(spec)
    local = LocalChat(model, tokenizer, identity, params, adapter_on=spec.adapter is not None,
                      batch_size=batch_size)
    return local.chat, {**local.identity, "params": params.to_dict()}


def run_judge(config, specs, finetuned: str, rows, pool, progress):
    """Judge the fine-tuned system against each baseline with the system named by --judge;
    write judgements.jsonl; return metrics' `judge` section."""
    from tunecraft.files import atomic_write_text

    from .scoring import align

    spec = next(s for s in specs if s.name == config.judge)
    chat, judge_id = judge_chat(spec, pool, config.seed, config.batch_size)
    _, by_system, _ = align(rows)
    advance = progress.task(f"judge ({config.judge})", 2 * len(by_system[finetuned]) *
                            (len(by_system) - 1)) if progress else None
    judged = judge_pairs(chat, judge_id, by_system, finetuned=finetuned,
                         cache_path=Path(config.out) / "cache" / "judgements.jsonl",
                         seed=config.seed, resamples=config.resamples, judge_name=config.judge,
                         batch_size=config.batch_size, on_batch=advance)
    atomic_write_text(Path(config.out) / "judgements.jsonl",
                      "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in judged.rows))
    return judged.summary
