"""Inter-rater agreement for the human-evaluation sheets: Cohen's κ and Krippendorff's α.

No agreement library is a dependency (krippendorff and statsmodels are not installed, and nltk's
α has no ordinal metric), so both are written out here from their definitions; the tests check
them against hand-computed values and Krippendorff's own worked example.
"""
from __future__ import annotations

import numpy as np


def cohen_kappa(rater_a: list, rater_b: list, weights: str | None = None) -> float | None:
    """Cohen's κ for two raters over the same units. `weights="quadratic"` for ordinal scores
    (disagreeing by 1 costs less than by 4). None when undefined (no variation at all)."""
    categories = sorted(set(rater_a) | set(rater_b))
    index = {c: i for i, c in enumerate(categories)}
    observed = np.zeros((len(categories), len(categories)))
    for a, b in zip(rater_a, rater_b):
        observed[index[a], index[b]] += 1
    observed /= observed.sum()
    expected = np.outer(observed.sum(axis=1), observed.sum(axis=0))
    if weights == "quadratic":
        values = np.asarray(categories, dtype=float)
        disagreement = (values[:, None] - values[None, :]) ** 2
    else:
        disagreement = 1.0 - np.eye(len(categories))
    chance = float((disagreement * expected).sum())
    return None if chance == 0 else 1.0 - float((disagreement * observed).sum()) / chance


def _delta(values: list, totals: np.ndarray, level: str) -> np.ndarray:
    """Krippendorff's squared difference δ² between every pair of values."""
    k = len(values)
    if level == "nominal":
        return 1.0 - np.eye(k)
    if level == "interval":
        v = np.asarray(values, dtype=float)
        return (v[:, None] - v[None, :]) ** 2
    cumulative = np.concatenate([[0.0], np.cumsum(totals)])  # ordinal: ranks by marginal mass
    delta = np.zeros((k, k))
    for c in range(k):
        for d in range(c + 1, k):
            span = cumulative[d + 1] - cumulative[c] - (totals[c] + totals[d]) / 2
            delta[c, d] = delta[d, c] = span ** 2
    return delta


def krippendorff_alpha(units: list[list], level: str = "nominal") -> float | None:
    """α = 1 − D_o / D_e from the coincidence matrix. `units`: for each rated unit, the values
    the raters gave it (missing ratings simply absent); units with one value are not pairable.
    `level`: "nominal", "ordinal" or "interval". None when undefined (no variation)."""
    pairable = [u for u in units if len(u) >= 2]
    values = sorted({v for u in pairable for v in u})
    if len(values) < 2:
        return None
    index = {v: i for i, v in enumerate(values)}
    coincidences = np.zeros((len(values), len(values)))
    for unit in pairable:
        counts = np.bincount([index[v] for v in unit], minlength=len(values)).astype(float)
        coincidences += (np.outer(counts, counts) - np.diag(counts)) / (len(unit) - 1)
    totals = coincidences.sum(axis=1)
    n = totals.sum()
    delta = _delta(values, totals, level)
    expected = float((np.outer(totals, totals) * delta).sum())
    return 1.0 - (n - 1) * float((coincidences * delta).sum()) / expected


def rating_agreement(ratings: dict, items: list[str], key_items: dict, aspects) -> dict:
    """κ (two raters) and α over the preference (nominal) and each 1–5 aspect (ordinal).
    `ratings`: {rater: {item: {"best", "scores": {system: {aspect: value}}}}} as sheets reads
    them; a unit is an item (preference) or an item × system (scores)."""
    raters = list(ratings)
    units = {"preference": [[ratings[r][i]["best"] if i in ratings[r] else None for r in raters]
                            for i in items]}
    for aspect in aspects:
        units[aspect] = [[ratings[r][i]["scores"][s][aspect] if i in ratings[r] else None
                          for r in raters] for i in items for s in key_items[i].values()]
    out = {"raters": len(raters)}
    for measure, table in units.items():
        level = "nominal" if measure == "preference" else "ordinal"
        given = [[v for v in unit if v is not None] for unit in table]
        entry = {"units": sum(len(u) >= 2 for u in given),
                 "krippendorff_alpha": krippendorff_alpha(given, level), "alpha_level": level}
        if len(raters) == 2:
            both = [u for u in table if None not in u]
            weights = None if measure == "preference" else "quadratic"
            entry["cohen_kappa"] = cohen_kappa([u[0] for u in both], [u[1] for u in both],
                                               weights) if both else None
            entry["kappa_weights"] = weights or "none"
        out[measure] = entry
    return out
