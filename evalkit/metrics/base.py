"""The one interface every evalkit metric implements, so the bootstrap can treat them alike.

Modelled on sacrebleu's `Metric`: a metric turns each item into *sufficient statistics* (a row of
numbers that can be summed), and computes its score from summed statistics. A mean metric's
statistics are `[score, 1]`; BLEU's are n-gram match counts; perplexity's are `[nll, tokens]`.
Summing rows of a resample and calling `from_stats` recomputes a corpus-level metric exactly as
it would be computed on that resample — the bootstrap never averages sentence-level BLEU.
"""
from __future__ import annotations

import numpy as np


def make_signature(name: str, **fields) -> str:
    """A sacrebleu-style reproducibility string: `name|key:value|...`, keys in the given order."""
    return "|".join([name, *(f"{key}:{value}" for key, value in fields.items())])


class Metric:
    """Base class (rows are evalkit.results.ResultRow). Subclasses set `name`, `needs` (row fields
    that must be non-None) and implement
    `item_stats`, `from_stats` and `signature`; `item_scores` gives the per-item number that goes
    into results.jsonl (None where a per-item value means nothing, e.g. macro-F1), reusing the
    statistics when the caller already has them."""

    name = "metric"
    higher_is_better = True
    needs: tuple[str, ...] = ("output", "reference")

    def applies(self, rows: list[dict]) -> bool:
        return bool(rows) and all(getattr(row, key) is not None for row in rows for key in self.needs)

    def item_stats(self, rows: list[dict]) -> np.ndarray:
        raise NotImplementedError

    def from_stats(self, totals: np.ndarray) -> np.ndarray:
        """Score(s) from summed statistics: `totals` has shape (..., k); returns shape (...)."""
        raise NotImplementedError

    def item_scores(self, rows: list[dict], stats: np.ndarray | None = None) -> list[float | None]:
        stats = self.item_stats(rows) if stats is None else stats
        return [float(x) for x in self.from_stats(stats)]

    def score_rows(self, rows: list[dict]) -> float:
        return float(self.from_stats(self.item_stats(rows).sum(axis=0)))

    def signature(self) -> str:
        raise NotImplementedError


class MeanMetric(Metric):
    """A metric that is the plain mean of one per-item score (ROUGE, exact match, accuracy)."""

    def item_score(self, row: dict) -> float:
        raise NotImplementedError

    def compute_scores(self, rows: list[dict]) -> list[float]:
        return [float(self.item_score(row)) for row in rows]

    def item_scores(self, rows: list[dict], stats: np.ndarray | None = None) -> list[float | None]:
        return [float(x) for x in stats[:, 0]] if stats is not None else self.compute_scores(rows)

    def item_stats(self, rows: list[dict]) -> np.ndarray:
        scores = np.asarray(self.compute_scores(rows), dtype=float).reshape(-1)
        return np.column_stack([scores, np.ones_like(scores)])

    def from_stats(self, totals: np.ndarray) -> np.ndarray:
        totals = np.asarray(totals, dtype=float)
        return totals[..., 0] / totals[..., 1]
