"""The decision a sceptical reviewer accepts: does the fine-tuned system beat prompting?

Rule, on the primary metric, with differences oriented so that positive favours fine-tuning:
- "fine-tuning wins" only when the lower bound of the 95% paired-bootstrap interval of
  (fine-tuned − best baseline) exceeds `min_effect` (best = best point estimate on the metric);
- "<baseline> wins" when the best baseline's interval lies entirely on its side of zero;
- otherwise "cannot tell", with the reason: the interval straddles zero (with the test-set size,
  the interval width and a rough count of items that would resolve the observed effect), or
  fine-tuning is ahead but by less than the minimum effect that was asked for;
- always "cannot tell" below MIN_ITEMS items: a percentile bootstrap over a handful of items
  underestimates the spread (5 of 5 right against 0 of 5 gives the interval [1, 1]);
- "cannot tell (undertrained)" when train's run.json shows the adapter had not finished training
  (evalkit.convergence), unless fine-tuning wins anyway: a baseline that beats an adapter cut off
  mid-descent says nothing about fine-tuning. The warning is the first sentence either way.
"""
from __future__ import annotations

import math
from typing import TYPE_CHECKING

from evalkit.convergence import assess

if TYPE_CHECKING:
    from train.card import RunCard

MIN_ITEMS = 20
PRIMARY_DEFAULTS = {"labelled": "accuracy", "generation": "chrf"}
"""Labelled data (every test item has a gold label): accuracy — interpretable, and paired with
McNemar's test; choose macro_f1 for heavily imbalanced label sets. Free text: chrF — character
n-grams need no word tokenizer, so Hindi, Hinglish and spelling variants are scored fairly, and it
agrees with human judgements better than BLEU in the WMT metrics studies. Override with --primary."""


def choose_primary(labelled: bool, override: str | None = None) -> str:
    return override or PRIMARY_DEFAULTS["labelled" if labelled else "generation"]


def _oriented(comparison: dict, higher_is_better: bool) -> tuple[float, float, float]:
    """(diff, low, high) with positive meaning the fine-tuned system is better."""
    if higher_is_better:
        return comparison["diff"], comparison["low"], comparison["high"]
    return -comparison["diff"], -comparison["high"], -comparison["low"]


def _fmt(x: float) -> str:
    return f"{x:+.3g}" if math.isfinite(x) else "n/a"


def items_needed(n_items: int, diff: float, low: float, high: float) -> int | None:
    """Rough test-set size at which an interval this wide per item would exclude zero for the
    observed effect: interval half-width shrinks like 1/sqrt(n)."""
    half = (high - low) / 2
    if not (math.isfinite(half) and diff) or half <= 0:
        return None
    return int(math.ceil(n_items * (half / abs(diff)) ** 2))


def decide(systems: dict, comparisons: dict, *, primary: str, finetuned: str,
           higher_is_better: bool, n_items: int, min_effect: float = 0.0,
           break_even: dict | None = None, train_card: RunCard | None = None) -> dict:
    """The `verdict` section of metrics.json."""
    base = {"primary": primary, "finetuned": finetuned, "n_items": n_items,
            "min_effect": min_effect}
    baselines = [s for s in comparisons if primary in comparisons[s]]
    if finetuned not in systems or not baselines:
        why = (f"no '{finetuned}' system with {primary} results" if finetuned not in systems
               else f"no baseline has {primary} results to compare with")
        return {**base, "decision": "cannot tell", "reason": "nothing_to_compare",
                "text": f"Cannot tell: {why}."}
    sign = 1 if higher_is_better else -1
    best = max(baselines, key=lambda s: (sign * systems[s][primary]["value"], s))
    oriented = {s: _oriented(comparisons[s][primary], higher_is_better) for s in baselines}
    decision, reason = _rule(oriented[best], n_items, min_effect)
    decision = f"{best} wins" if decision == "baseline wins" else decision
    text = _explain(reason, primary, finetuned, best, systems, oriented[best], n_items,
                    min_effect, higher_is_better)
    text += _more_evidence(comparisons[best][primary].get("mcnemar"), finetuned, best,
                           (break_even or {}).get(best))
    training = assess(train_card)
    if training and training["undertrained"]:
        decision, reason, text = _undertrained(decision, reason, text, training["text"])
    return {**base, "decision": decision, "reason": reason, "best_baseline": best,
            "training": training,
            "diff": comparisons[best][primary]["diff"], "low": comparisons[best][primary]["low"],
            "high": comparisons[best][primary]["high"], "text": text}


def _undertrained(decision: str, reason: str, text: str, warning: str) -> tuple[str, str, str]:
    """The training warning first; the decision held back unless fine-tuning wins anyway."""
    if decision == "fine-tuning wins":
        return decision, reason, f"{warning} It wins already; more training may widen the lead. {text}"
    return ("cannot tell (undertrained)", "undertrained",
            f"{warning} Train longer before concluding. Without that caveat: {text}")


def _rule(best_diff: tuple, n_items: int, min_effect: float) -> tuple[str, str]:
    diff, low, high = best_diff
    if n_items < MIN_ITEMS:
        return "cannot tell", "too_few_items"
    if low > min_effect:
        return "fine-tuning wins", "interval_above_min_effect"
    if high < 0:
        return "baseline wins", "interval_below_zero"
    if low > 0:
        return "cannot tell", "effect_below_min_effect"
    return "cannot tell", "interval_includes_zero"


def _more_evidence(mcnemar: dict | None, finetuned: str, best: str, break_even: int | None) -> str:
    text = ""
    if mcnemar:
        text += (f" McNemar's test on the {mcnemar['b'] + mcnemar['c']} items where exactly one "
                 f"of the two is right: {mcnemar['b']} favour {finetuned}, {mcnemar['c']} favour "
                 f"{best}, mid-p = {mcnemar['p_midp']:.3g}.")
    if break_even is not None:
        text += (f" On cost, training is repaid after {break_even:,} requests against "
                 f"{best}'s longer prompts.")
    return text


def _explain(reason, primary, finetuned, best, systems, best_diff, n_items, min_effect,
             higher_is_better) -> str:
    diff, low, high = best_diff
    facts = _facts(primary, finetuned, best, systems, best_diff, n_items, higher_is_better)
    if reason == "interval_above_min_effect":
        floor = f" the minimum effect of {min_effect:g}" if min_effect else " zero"
        return f"Fine-tuning wins. {facts} The whole interval lies above{floor}."
    if reason == "interval_below_zero":
        return f"{best} wins. {facts} The whole interval lies below zero."
    if reason == "effect_below_min_effect":
        return (f"Cannot tell whether fine-tuning is worth it. {facts} The interval excludes zero "
                f"but its lower bound does not clear the minimum effect of {min_effect:g}.")
    if reason == "too_few_items":
        return (f"Cannot tell: the test set is too small. {facts} With fewer than {MIN_ITEMS} "
                f"items a bootstrap interval understates the uncertainty.")
    need = items_needed(n_items, diff, low, high)
    more = (f" If the effect is real, roughly {need:,} items would be needed to resolve it."
            if need and need > n_items else "")
    return (f"Cannot tell. {facts} The interval includes zero: with {n_items} items it is "
            f"{high - low:.3g} wide, too wide to separate the systems.{more}")


def _facts(primary, finetuned, best, systems, best_diff, n_items, higher_is_better) -> str:
    diff, low, high = best_diff
    interval = f"(95% paired bootstrap interval {_fmt(low)} to {_fmt(high)}, n={n_items} items)"
    if primary == "judge":
        said = systems[best]["judge"]
        shares = ", ".join(f"{k} {said[k]['value']:.0%}" for k in ("win", "tie", "loss"))
        return (f"Judged in both orders against the closest baseline, {best}, {finetuned} scores "
                f"{shares}: a net preference for fine-tuning of {_fmt(diff)} {interval}.")
    ft, bl = systems[finetuned][primary]["value"], systems[best][primary]["value"]
    direction = "higher" if higher_is_better else "lower"
    return (f"On {primary} ({direction} is better), {finetuned} scores {ft:.4g} and the best "
            f"baseline, {best}, {bl:.4g}: an advantage for fine-tuning of {_fmt(diff)} {interval}.")
