"""Rows of (item × system) results in, the content of metrics.json out.

Glue between the metrics, the paired bootstrap, the cost model and the verdict. Only items that
every system answered are scored (the comparison must be on the same test set); any others are
listed under "missing". Items keep their first-seen order, so the same rows, seed and resample
count always give the same numbers.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from tunecraft.text import finite_or_none

from . import cost as cost_mod
from . import frontier, stats
from .metrics import Accuracy, Metric, build_metrics, is_classification, map_output
from .results import ResultRow
from .verdict import PRIMARY_DEFAULTS, choose_primary, decide  # noqa: F401 (re-exported)

if TYPE_CHECKING:
    from train.card import RunCard


class ScoringError(ValueError):
    """A user error in the results (one line)."""


@dataclass(frozen=True)
class Scored:
    """The content of metrics.json, and the rows given, each with its scores (new rows: the
    ones passed in are not changed)."""
    metrics: dict
    rows: list[ResultRow]


def align(rows: list[ResultRow]) -> tuple[list[str], dict[str, list[ResultRow]],
                                          dict[str, list[str]]]:
    """(item ids answered by every system, {system: its rows in that order}, {system: missing})."""
    by_system: dict[str, dict[str, ResultRow]] = {}
    order: dict[str, None] = {}
    for row in rows:
        seen = by_system.setdefault(row.system, {})
        if row.id in seen:
            raise ScoringError(f"item {row.id!r} appears twice for system {row.system!r}")
        seen[row.id] = row
        order.setdefault(row.id, None)
    common = [i for i in order if all(i in seen for seen in by_system.values())]
    if not common:
        raise ScoringError("no test item was answered by every system")
    missing = {s: [i for i in order if i not in seen] for s, seen in by_system.items()}
    return common, {s: [seen[i] for i in common] for s, seen in by_system.items()}, \
        {s: ids for s, ids in missing.items() if ids}


def _score_system(metrics, rows, weights) -> tuple[dict, dict, list[dict]]:
    """{metric: {value, low, high}}, {metric: resampled scores} and each row's {metric: value}
    for one system."""
    summary, samples, per_row = {}, {}, [{} for _ in rows]
    for metric in metrics:
        if not metric.applies(rows):
            continue
        item_stats = metric.item_stats(rows)
        point = float(metric.from_stats(item_stats.sum(axis=0)))
        samples[metric.name] = stats.bootstrap_scores(item_stats, metric.from_stats, weights)
        summary[metric.name] = stats.summarise(point, samples[metric.name])
        for scores, value in zip(per_row, metric.item_scores(rows, item_stats)):
            if value is not None:
                scores[metric.name] = finite_or_none(value)
    return summary, samples, per_row


def _compare(systems, samples, item_scores, finetuned) -> dict:
    """{baseline: {metric: diff (fine-tuned − baseline) with interval and p}}, paired."""
    if finetuned not in systems:
        return {}
    out = {}
    for baseline in (s for s in systems if s != finetuned):
        shared = [m for m in systems[finetuned] if m in systems[baseline]]
        out[baseline] = {m: stats.summarise_diff(
            systems[finetuned][m]["value"] - systems[baseline][m]["value"],
            samples[finetuned][m] - samples[baseline][m]) for m in shared}
        if "accuracy" in out[baseline]:
            right = {s: [scores["accuracy"] for scores in item_scores[s]]
                     for s in (finetuned, baseline)}
            out[baseline]["accuracy"]["mcnemar"] = stats.mcnemar(right[finetuned], right[baseline])
    return out


def _per_label(metrics, by_system) -> tuple[dict, dict]:
    """{system: {gold label: accuracy}} — where a system's errors concentrate — and {system:
    each row's predicted label}."""
    accuracy = next((m for m in metrics if isinstance(m, Accuracy)), None)
    if accuracy is None:
        return {}, {}
    out, predicted = {}, {}
    for system, rows in by_system.items():
        if not accuracy.applies(rows):
            continue
        correct: dict[str, list[float]] = {}
        for row, right in zip(rows, accuracy.item_scores(rows)):
            correct.setdefault(str(row.label), []).append(right)
        predicted[system] = [map_output(row.output, accuracy.labels) for row in rows]
        out[system] = {label: float(np.mean(v)) for label, v in sorted(correct.items())}
    return out, predicted


def _with_scores(rows, by_system, item_scores, predicted) -> list[ResultRow]:
    """Each given row, scored when every system answered its item (else as it was)."""
    found = {}
    for system, system_rows in by_system.items():
        labels = predicted.get(system, [None] * len(system_rows))
        for row, scores, label in zip(system_rows, item_scores[system], labels):
            found[row.system, row.id] = row.scored(scores or None, label)
    return [found.get((row.system, row.id), row) for row in rows]


def _metric_info(metrics: list[Metric], systems: dict) -> tuple[dict, dict]:
    used = [m for m in metrics if any(m.name in s for s in systems.values())]
    return ({m.name: m.signature() for m in used},
            {m.name: {"higher_is_better": m.higher_is_better} for m in used})


def _judge_evidence(judge: dict, finetuned: str) -> tuple[dict, dict, int]:
    """The judge's verdicts in the shape `decide` reads: a baseline's "score" is how much it
    holds the fine-tuned system off (−net), so the closest baseline is the one compared."""
    said = {b: s for b, s in judge["baselines"].items() if s.get("net")}
    systems = {finetuned: {"judge": {"value": 0.0}},
               **{b: {"judge": {"value": -s["net"]["diff"], **{k: s[k] for k in
                                                               ("win", "tie", "loss", "judged")}}}
                  for b, s in said.items()}}
    comparisons = {b: {"judge": s["net"]} for b, s in said.items()}
    n = min((s["judged"] for s in said.values()), default=0)
    return systems, comparisons, n


def score_results(rows: list[ResultRow], *, labels: list[str] | None = None,
                  primary: str | None = None,
                  finetuned: str = "fine-tuned", seed: int = 0, resamples: int = 1000,
                  min_effect: float = 0.0, train_card: RunCard | None = None,
                  cost_model: dict | None = None, prices: dict | None = None,
                  endpoints=frozenset(), judge: dict | None = None,
                  requests_per_month: int | None = None) -> Scored:
    """Score every system, compare the fine-tuned one with each baseline, decide. The rows come
    back as new rows with `scores` (and `predicted_label` for labelled data). `prices` and
    `endpoints`: evalkit.cost.summarise's; `judge`: evalkit.judge's summary (metrics' `judge`)."""
    if resamples < 1:
        raise ScoringError(f"resamples must be at least 1 (got {resamples})")
    if seed < 0:
        raise ScoringError(f"seed must be a non-negative integer (got {seed})")
    ids, by_system, missing = align(rows)
    metrics = build_metrics([r for rs in by_system.values() for r in rs], labels)
    weights = stats.resample_weights(len(ids), resamples, seed)
    systems, samples, item_scores = {}, {}, {}
    for system, system_rows in by_system.items():
        systems[system], samples[system], item_scores[system] = _score_system(
            metrics, system_rows, weights)
    comparisons = _compare(systems, samples, item_scores, finetuned)
    signatures, info = _metric_info(metrics, systems)
    default = choose_primary(is_classification(rows))
    primary = choose_primary(is_classification(rows), primary)
    if primary == "judge" and not judge:
        raise ScoringError("--primary judge needs a judge (--judge NAME)")
    if primary not in info and primary != "judge":
        raise ScoringError(f"primary metric {primary!r} was not computed; choose one of "
                           f"{', '.join([*info, 'judge'] if judge else info)}")
    cost = cost_mod.summarise(by_system, finetuned=finetuned, train_card=train_card,
                              cost_model=cost_model, prices=prices, endpoints=endpoints)
    verdict_systems, verdict_comparisons, n_verdict = systems, comparisons, len(ids)
    if primary == "judge":
        verdict_systems, verdict_comparisons, n_verdict = _judge_evidence(judge, finetuned)
    higher = info[primary]["higher_is_better"] if primary in info else True
    verdict = decide(verdict_systems, verdict_comparisons, primary=primary, finetuned=finetuned,
                     higher_is_better=higher, n_items=n_verdict,
                     min_effect=min_effect, break_even=cost["break_even_requests"],
                     train_card=train_card)
    quality = primary if primary in info else default
    front = frontier.summarise(
        systems, samples, cost, metric=quality, higher_is_better=info[quality]["higher_is_better"],
        per_month=requests_per_month, min_effect=min_effect,
        leads=frontier.judge_leads(judge, finetuned) if primary == "judge" else None,
        lead_metric="judge" if primary == "judge" else None)
    if front.get("volume"):
        verdict["at_volume"] = front["volume"]
        verdict["text"] += " " + front["volume"]["text"]
    per_label, predicted = _per_label(metrics, by_system)
    result = {"n_items": len(ids), "systems": systems, "comparisons": comparisons, "cost": cost,
              "frontier": front, "verdict": verdict, "signatures": signatures, "metric_info": info,
              "bootstrap": {"seed": seed, "resamples": resamples, "confidence": stats.CONFIDENCE,
                            "method": "paired percentile, items resampled"},
              "per_label": per_label}
    if judge:
        result["judge"] = judge
    if missing:
        result["missing"] = missing
    return Scored(finite_or_none(result), _with_scores(rows, by_system, item_scores, predicted))
