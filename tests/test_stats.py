"""Paired bootstrap: coverage on synthetic data, exactness for corpus metrics, McNemar."""
import numpy as np
import pytest
import sacrebleu
from _results_util import result_row
from scipy.stats import binomtest

from evalkit import stats
from evalkit.metrics import Bleu


def _mean_stats(values):
    values = np.asarray(values, dtype=float)
    return np.column_stack([values, np.ones_like(values)])


def _mean(totals):
    return totals[..., 0] / totals[..., 1]


def test_interval_covers_the_true_mean_at_about_the_nominal_rate():
    rng = np.random.default_rng(123)
    truth, trials, covered = 0.3, 300, 0
    for trial in range(trials):
        sample = rng.random(100) < truth
        weights = stats.resample_weights(100, 400, seed=trial)
        low, high = stats.interval(stats.bootstrap_scores(_mean_stats(sample), _mean, weights))
        covered += low <= truth <= high
    assert 0.90 <= covered / trials <= 0.99  # nominal 0.95; percentile bootstrap runs a bit low


def test_paired_difference_covers_truth_and_is_narrower_than_unpaired():
    rng = np.random.default_rng(7)
    covered, paired_widths, unpaired_widths = 0, [], []
    for trial in range(200):
        difficulty = rng.normal(0, 1, 80)                    # shared by both systems: pairing
        base = difficulty + rng.normal(0, 0.3, 80)
        tuned = difficulty + 0.2 + rng.normal(0, 0.3, 80)    # true difference 0.2
        w = stats.resample_weights(80, 300, seed=trial)
        diff = stats.bootstrap_scores(_mean_stats(tuned), _mean, w) - \
            stats.bootstrap_scores(_mean_stats(base), _mean, w)
        low, high = stats.interval(diff)
        covered += low <= 0.2 <= high
        w2 = stats.resample_weights(80, 300, seed=10_000 + trial)
        unpaired = stats.bootstrap_scores(_mean_stats(tuned), _mean, w) - \
            stats.bootstrap_scores(_mean_stats(base), _mean, w2)
        paired_widths.append(high - low)
        unpaired_widths.append(np.subtract(*stats.interval(unpaired)[::-1]))
    assert 0.90 <= covered / 200 <= 0.99
    assert np.mean(paired_widths) < 0.5 * np.mean(unpaired_widths)


def test_resamples_are_seeded_and_recorded_counts():
    a = stats.resample_weights(30, 50, seed=1)
    assert a.shape == (50, 30) and (a.sum(axis=1) == 30).all()
    assert np.array_equal(a, stats.resample_weights(30, 50, seed=1))
    assert not np.array_equal(a, stats.resample_weights(30, 50, seed=2))


def test_corpus_bleu_is_recomputed_exactly_on_each_resample():
    hyps = ["the cat sat on the mat", "a quick brown fox jumps", "my order has not arrived yet",
            "मेरा ऑर्डर अभी तक नहीं आया", "reset the password now please"]
    refs = ["the cat sat on a mat", "the quick brown fox jumped", "my order did not arrive yet",
            "मेरा ऑर्डर अभी तक नहीं आया है", "please reset your password"]
    bleu = Bleu()
    rows = [result_row(output=h, reference=r) for h, r in zip(hyps, refs)]
    weights = stats.resample_weights(len(rows), 5, seed=3)
    scores = stats.bootstrap_scores(bleu.item_stats(rows), bleu.from_stats, weights)
    for b in range(5):
        picked = [i for i, count in enumerate(weights[b].astype(int)) for _ in range(count)]
        expected = sacrebleu.corpus_bleu([hyps[i] for i in picked], [[refs[i] for i in picked]])
        assert scores[b] == pytest.approx(expected.score)


def test_a_system_compared_with_itself_has_a_zero_interval_and_p_one():
    w = stats.resample_weights(40, 200, seed=0)
    s = stats.bootstrap_scores(_mean_stats(np.arange(40) % 3), _mean, w)
    out = stats.summarise_diff(0.0, s - s)
    assert (out["low"], out["high"], out["p"]) == (0.0, 0.0, 1.0)


def test_paired_p_value_is_small_for_a_clear_difference():
    w = stats.resample_weights(100, 500, seed=0)
    a = stats.bootstrap_scores(_mean_stats(np.ones(100)), _mean, w)
    b = stats.bootstrap_scores(_mean_stats(np.arange(100) % 2), _mean, w)
    assert stats.paired_p_value(a - b, 0.5) < 0.01


def test_mcnemar_exact_matches_binomial_test_and_mid_p_by_hand():
    a = [True] * 10 + [False] * 2 + [True] * 30   # 10 only-A, 2 only-B, 30 both right
    b = [False] * 10 + [True] * 2 + [True] * 30
    out = stats.mcnemar(a, b)
    assert (out["b"], out["c"]) == (10, 2)
    assert out["p_exact"] == pytest.approx(binomtest(2, 12, 0.5).pvalue)
    # mid-p = 2 * (P(X <= 2) - P(X = 2) / 2), X ~ Bin(12, 1/2) = 2 * (79 - 33) / 4096
    assert out["p_midp"] == pytest.approx(2 * (79 - 33) / 4096)
    assert stats.mcnemar([True, False], [True, False])["p_midp"] == 1.0


def test_jsonable_turns_undefined_numbers_into_null():
    from tunecraft.text import finite_or_none

    assert finite_or_none({"a": [np.float64("nan"), np.int64(3)], "b": float("inf")}) == \
        {"a": [None, 3], "b": None}
