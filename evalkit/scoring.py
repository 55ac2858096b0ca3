"""Rows of (item × system) results in, the content of metrics.json out.

Glue between the metrics, the paired bootstrap, the cost model and the verdict. Only items that
every system answered are scored (the comparison must be on the same test set); any others are
listed under "missing". Items keep their first-seen order, so the same rows, seed and resample
count always give the same numbers.
"""
from __future__ import annotations

import numpy as np

from tunecraft.text import finite_or_none

from . import cost as cost_mod
from . import stats
from .metrics import Accuracy, Metric, build_metrics, is_classification, map_output
from .verdict import PRIMARY_DEFAULTS, choose_primary, decide  # noqa: F401 (re-exported)


class ScoringError(ValueError):
    """A user error in the results (one line)."""


def align(rows: list[dict]) -> tuple[list[str], dict[str, list[dict]], dict[str, list[str]]]:
    """(item ids answered by every system, {system: its rows in that order}, {system: missing})."""
    by_system: dict[str, dict[str, dict]] = {}
    order: dict[str, None] = {}
    for row in rows:
        seen = by_system.setdefault(row["system"], {})
        if row["id"] in seen:
            raise ScoringError(f"item {row['id']!r} appears twice for system {row['system']!r}")
        seen[row["id"]] = row
        order.setdefault(row["id"], None)
    common = [i for i in order if all(i in seen for seen in by_system.values())]
    if not common:
        raise ScoringError("no test item was answered by every system")
    missing = {s: [i for i in order if i not in seen] for s, seen in by_system.items()}
    return common, {s: [seen[i] for i in common] for s, seen in by_system.items()}, \
        {s: ids for s, ids in missing.items() if ids}


def _score_system(metrics, rows, weights) -> tuple[dict, dict]:
    """{metric: {value, low, high}} and {metric: resampled scores} for one system."""
    summary, samples = {}, {}
    for metric in metrics:
        if not metric.applies(rows):
            continue
        item_stats = metric.item_stats(rows)
        point = float(metric.from_stats(item_stats.sum(axis=0)))
        samples[metric.name] = stats.bootstrap_scores(item_stats, metric.from_stats, weights)
        summary[metric.name] = stats.summarise(point, samples[metric.name])
        for row, value in zip(rows, metric.item_scores(rows, item_stats)):
            if value is not None:
                row.setdefault("scores", {})[metric.name] = finite_or_none(value)
    return summary, samples


def _compare(systems, samples, by_system, finetuned) -> dict:
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
            right = {s: [r["scores"]["accuracy"] for r in by_system[s]] for s in (finetuned, baseline)}
            out[baseline]["accuracy"]["mcnemar"] = stats.mcnemar(right[finetuned], right[baseline])
    return out


def _per_label(metrics, by_system) -> dict:
    """{system: {gold label: accuracy}} — where a system's errors concentrate."""
    accuracy = next((m for m in metrics if isinstance(m, Accuracy)), None)
    if accuracy is None:
        return {}
    out = {}
    for system, rows in by_system.items():
        if not accuracy.applies(rows):
            continue
        correct: dict[str, list[float]] = {}
        for row, right in zip(rows, accuracy.item_scores(rows)):
            correct.setdefault(str(row["label"]), []).append(right)
            row["predicted_label"] = map_output(row["output"], accuracy.labels)
        out[system] = {label: float(np.mean(v)) for label, v in sorted(correct.items())}
    return out


def _metric_info(metrics: list[Metric], systems: dict) -> tuple[dict, dict]:
    used = [m for m in metrics if any(m.name in s for s in systems.values())]
    return ({m.name: m.signature() for m in used},
            {m.name: {"higher_is_better": m.higher_is_better} for m in used})


def score_results(rows: list[dict], *, labels: list[str] | None = None, primary: str | None = None,
                  finetuned: str = "fine-tuned", seed: int = 0, resamples: int = 1000,
                  min_effect: float = 0.0, train_card: dict | None = None,
                  cost_model: dict | None = None) -> dict:
    """Score every system, compare the fine-tuned one with each baseline, decide. Adds
    `row["scores"]` (and `row["predicted_label"]` for labelled data) to the rows in place."""
    if resamples < 1:
        raise ScoringError(f"resamples must be at least 1 (got {resamples})")
    if seed < 0:
        raise ScoringError(f"seed must be a non-negative integer (got {seed})")
    ids, by_system, missing = align(rows)
    metrics = build_metrics([r for rs in by_system.values() for r in rs], labels)
    weights = stats.resample_weights(len(ids), resamples, seed)
    systems, samples = {}, {}
    for system, system_rows in by_system.items():
        systems[system], samples[system] = _score_system(metrics, system_rows, weights)
    comparisons = _compare(systems, samples, by_system, finetuned)
    signatures, info = _metric_info(metrics, systems)
    primary = choose_primary(is_classification(rows), primary)
    if primary not in info:
        raise ScoringError(f"primary metric {primary!r} was not computed; choose one of "
                           f"{', '.join(info)}")
    cost = cost_mod.summarise(by_system, finetuned=finetuned, train_card=train_card,
                              cost_model=cost_model)
    verdict = decide(systems, comparisons, primary=primary, finetuned=finetuned,
                     higher_is_better=info[primary]["higher_is_better"], n_items=len(ids),
                     min_effect=min_effect, break_even=cost["break_even_requests"],
                     train_card=train_card)
    result = {"n_items": len(ids), "systems": systems, "comparisons": comparisons, "cost": cost,
              "verdict": verdict, "signatures": signatures, "metric_info": info,
              "bootstrap": {"seed": seed, "resamples": resamples, "confidence": stats.CONFIDENCE,
                            "method": "paired percentile, items resampled"},
              "per_label": _per_label(metrics, by_system)}
    if missing:
        result["missing"] = missing
    return finite_or_none(result)
