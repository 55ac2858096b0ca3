"""Accuracy and macro-F1 for labelled data, after mapping free-text outputs onto the label set.

A generative model answers "The intent is Refund." rather than "refund", so outputs are mapped:
1. the normalised output equals a normalised label (case, punctuation, `_`/`-` vs space ignored);
2. otherwise the label mentioned earliest in the output as a whole phrase (the longest label wins
   at the same position, so "refund status" beats "refund");
3. otherwise "unmapped", which is always wrong and is reported as its own rate.
"""
from __future__ import annotations

import numpy as np

from .base import MeanMetric, Metric, make_signature
from .text import normalise_text

UNMAPPED = "unmapped"


def normalise_label(text: str) -> str:
    return normalise_text(str(text).replace("_", " ").replace("-", " "))


def map_output(output: str, labels: list[str]) -> str:
    """The label `output` names, or UNMAPPED."""
    said = normalise_label(output)
    by_norm = {normalise_label(label): label for label in labels}
    if said in by_norm:
        return by_norm[said]
    padded = f" {said} "
    mentions = [(padded.find(f" {norm} "), -len(norm), label)
                for norm, label in by_norm.items() if norm and f" {norm} " in padded]
    return min(mentions)[2] if mentions else UNMAPPED


def label_set(rows: list[dict], labels: list[str] | None = None) -> list[str]:
    """The given labels, else the sorted distinct gold labels (sorted: deterministic order)."""
    return list(labels) if labels else sorted({str(row.label) for row in rows})


class _LabelMetric(Metric):
    needs = ("output", "label")

    def __init__(self, labels: list[str]):
        self.labels = list(labels)

    def predictions(self, rows: list[dict]) -> list[str]:
        return [map_output(row.output, self.labels) for row in rows]

    def _correct(self, rows: list[dict]) -> np.ndarray:
        gold = [normalise_label(row.label) for row in rows]
        return np.array([normalise_label(p) == g for p, g in zip(self.predictions(rows), gold)])

    def signature(self, **more) -> str:
        return make_signature(self.name, map="exact>mention>unmapped", labels=len(self.labels),
                              **more)


class Accuracy(_LabelMetric, MeanMetric):
    """Share of items whose mapped output equals the gold label (0–1)."""

    name = "accuracy"

    def compute_scores(self, rows: list[dict]) -> list[float]:
        return [float(c) for c in self._correct(rows)]


class UnmappedRate(_LabelMetric, MeanMetric):
    """Share of outputs that name no label — a format failure rather than a wrong answer."""

    name = "unmapped_rate"
    higher_is_better = False

    def compute_scores(self, rows: list[dict]) -> list[float]:
        return [float(p == UNMAPPED) for p in self.predictions(rows)]


class MacroF1(_LabelMetric):
    """Unweighted mean of per-label F1 over the label set (0–1). Statistics per item are one-hot
    true-positive / false-positive / false-negative counts per label, so a resample's macro-F1 is
    recomputed from its own confusion counts. A label with no gold item and no prediction in a
    sample has undefined F1 and is left out of that sample's mean (sklearn would count it as 0)."""

    name = "macro_f1"

    def item_stats(self, rows: list[dict]) -> np.ndarray:
        index = {normalise_label(label): i for i, label in enumerate(self.labels)}
        k = len(self.labels)
        stats = np.zeros((len(rows), 3 * k))
        for n, (row, pred) in enumerate(zip(rows, self.predictions(rows))):
            gold_i, pred_i = index.get(normalise_label(row.label)), index.get(normalise_label(pred))
            if gold_i is not None and gold_i == pred_i:
                stats[n, gold_i] += 1                    # true positive
                continue
            if pred_i is not None:
                stats[n, k + pred_i] += 1                # false positive
            if gold_i is not None:
                stats[n, 2 * k + gold_i] += 1            # false negative
        return stats

    def from_stats(self, totals: np.ndarray) -> np.ndarray:
        tp, fp, fn = np.split(np.asarray(totals, dtype=float), 3, axis=-1)
        denom = 2 * tp + fp + fn
        with np.errstate(invalid="ignore", divide="ignore"):
            f1 = np.where(denom > 0, 2 * tp / np.where(denom > 0, denom, 1), np.nan)
            return np.nanmean(f1, axis=-1)

    def item_scores(self, rows: list[dict], stats=None) -> list[float | None]:
        return [None] * len(rows)

    def signature(self) -> str:
        return super().signature(absent="skipped")
