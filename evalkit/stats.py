"""Paired bootstrap confidence intervals, paired bootstrap p-values and McNemar's test.

Every system answers the same test items, so the item is the unit that is resampled, and one set
of resamples is shared by all systems and metrics: the difference between two systems is taken
resample by resample, which keeps the pairing (an unpaired test, resampling each system on its own,
throws away the correlation between systems and most of the power on small test sets).

Resamples are drawn as multinomial counts — `weights[b, i]` is how often item i appears in resample
b — so a resample's summed sufficient statistics are one matrix product, `weights @ stats`; that
recomputes corpus-level metrics (BLEU, chrF, perplexity, macro-F1) exactly on each resample, as
sacrebleu's paired bootstrap does, and costs the same for mean metrics. Intervals are percentile
intervals. Compare lm-evaluation-harness, which bootstraps only a standard error per system.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

CONFIDENCE = 0.95


def resample_weights(n_items: int, resamples: int, seed: int) -> np.ndarray:
    """(resamples, n_items) counts; row b says how many times each item is drawn in resample b."""
    rng = np.random.default_rng(seed)
    return rng.multinomial(n_items, np.full(n_items, 1.0 / n_items), size=resamples).astype(float)


def bootstrap_scores(stats: np.ndarray, from_stats: Callable, weights: np.ndarray) -> np.ndarray:
    """The metric on every resample: `from_stats` of the resample's summed item statistics."""
    return np.asarray(from_stats(weights @ np.asarray(stats, dtype=float)), dtype=float)


def interval(samples: np.ndarray, confidence: float = CONFIDENCE) -> tuple[float, float]:
    """Percentile interval; resamples where the metric is undefined (NaN) are ignored."""
    tail = 100 * (1 - confidence) / 2
    finite = samples[np.isfinite(samples)]
    if finite.size == 0:
        return float("nan"), float("nan")
    low, high = np.percentile(finite, [tail, 100 - tail])
    return float(low), float(high)


def paired_p_value(diff_samples: np.ndarray, observed: float) -> float:
    """Two-sided bootstrap p-value for "no difference": the share of null-centred resampled
    differences at least as extreme as the observed one, (c + 1) / (B + 1) (as in sacrebleu)."""
    finite = diff_samples[np.isfinite(diff_samples)]
    if finite.size == 0 or not np.isfinite(observed):
        return float("nan")
    centred = finite - finite.mean()
    extreme = int(np.sum(np.abs(centred) >= abs(observed) - 1e-12))
    return (extreme + 1) / (finite.size + 1)


def mcnemar(correct_a, correct_b) -> dict:
    """McNemar's exact test on paired right/wrong outcomes, with the mid-p correction (recommended
    by Fagerland et al. 2013: the exact test is conservative). `b`: only A right; `c`: only B right."""
    from scipy.stats import binom

    a, bb = np.asarray(correct_a, dtype=bool), np.asarray(correct_b, dtype=bool)
    only_a, only_b = int(np.sum(a & ~bb)), int(np.sum(~a & bb))
    n, low = only_a + only_b, min(only_a, only_b)
    if n == 0:
        return {"b": 0, "c": 0, "p_exact": 1.0, "p_midp": 1.0}
    exact = min(1.0, 2 * binom.cdf(low, n, 0.5))
    midp = min(1.0, 2 * (binom.cdf(low, n, 0.5) - 0.5 * binom.pmf(low, n, 0.5)))
    return {"b": only_a, "c": only_b, "p_exact": float(exact), "p_midp": float(midp)}


def summarise(point: float, samples: np.ndarray) -> dict:
    low, high = interval(samples)
    return {"value": float(point), "low": low, "high": high}


def summarise_diff(point: float, samples: np.ndarray) -> dict:
    low, high = interval(samples)
    return {"diff": float(point), "low": low, "high": high, "p": paired_p_value(samples, point)}
