"""The verdict rule: wins only with the interval clear of zero (or the minimum effect)."""
import random

from _results_util import result_row

from evalkit.scoring import score_results
from evalkit.verdict import MIN_ITEMS, PRIMARY_DEFAULTS, choose_primary, decide, items_needed

LABELS = ["refund", "billing", "delivery", "account"]


def _rows(n, accuracy, seed=0):
    """Labelled support-desk rows; `accuracy` maps system → chance of answering right."""
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        gold = LABELS[i % len(LABELS)]
        for system, p in accuracy.items():
            wrong = rng.choice([x for x in LABELS if x != gold])
            rows.append(result_row(id=f"test.jsonl:{i + 1}", system=system, prompt="…",
                                   output=f"Intent: {gold if rng.random() < p else wrong}",
                                   reference=gold, label=gold, prompt_tokens=100,
                                   completion_tokens=4, latency_s=0.1))
    return rows


def test_tiny_test_set_cannot_tell_even_with_a_perfect_score():
    rows = _rows(6, {"zero-shot": 0.0, "few-shot": 0.0, "rag": 0.0, "fine-tuned": 1.0})
    verdict = score_results(rows, resamples=200).metrics["verdict"]
    assert verdict["decision"] == "cannot tell"
    assert verdict["reason"] == "too_few_items" and "n=6" in verdict["text"]


def test_small_noisy_test_set_cannot_tell_and_says_how_wide_the_interval_is():
    rows = _rows(24, {"zero-shot": 0.5, "few-shot": 0.55, "rag": 0.5, "fine-tuned": 0.65}, seed=3)
    verdict = score_results(rows, resamples=500).metrics["verdict"]
    assert verdict["decision"] == "cannot tell" and verdict["reason"] == "interval_includes_zero"
    assert verdict["low"] < 0 < verdict["high"]
    assert "n=24" in verdict["text"] and "wide" in verdict["text"]


def test_clear_large_effect_means_fine_tuning_wins():
    rows = _rows(200, {"zero-shot": 0.4, "few-shot": 0.55, "rag": 0.6, "fine-tuned": 0.9}, seed=1)
    metrics = score_results(rows, resamples=500).metrics
    verdict = metrics["verdict"]
    assert verdict["decision"] == "fine-tuning wins"
    assert verdict["best_baseline"] == max(("zero-shot", "few-shot", "rag"),
                                           key=lambda s: metrics["systems"][s]["accuracy"]["value"])
    assert verdict["low"] > 0 and "accuracy" in verdict["text"] and "mid-p" in verdict["text"]


def test_a_baseline_that_is_clearly_better_wins():
    rows = _rows(200, {"zero-shot": 0.4, "rag": 0.9, "fine-tuned": 0.5}, seed=2)
    assert score_results(rows, resamples=500).metrics["verdict"]["decision"] == "rag wins"


def test_minimum_effect_must_be_cleared():
    rows = _rows(300, {"few-shot": 0.6, "fine-tuned": 0.8}, seed=4)
    strict = score_results(rows, resamples=500, min_effect=0.5).metrics["verdict"]
    assert strict["decision"] == "cannot tell" and strict["reason"] == "effect_below_min_effect"


def _entry(value):
    return {"value": value, "low": value, "high": value}


def test_lower_is_better_metrics_are_oriented():
    systems = {"fine-tuned": {"byte_perplexity": _entry(2.0)}, "rag": {"byte_perplexity": _entry(3.0)}}
    comparisons = {"rag": {"byte_perplexity": {"diff": -1.0, "low": -1.3, "high": -0.7, "p": 0.001}}}
    verdict = decide(systems, comparisons, primary="byte_perplexity", finetuned="fine-tuned",
                     higher_is_better=False, n_items=MIN_ITEMS)
    assert verdict["decision"] == "fine-tuning wins" and "lower is better" in verdict["text"]


def test_no_fine_tuned_system_cannot_tell():
    verdict = decide({"rag": {"chrf": _entry(40.0)}}, {}, primary="chrf", finetuned="fine-tuned",
                     higher_is_better=True, n_items=100)
    assert verdict["decision"] == "cannot tell" and "fine-tuned" in verdict["text"]


def test_primary_defaults_and_override():
    assert choose_primary(True) == PRIMARY_DEFAULTS["labelled"] == "accuracy"
    assert choose_primary(False) == "chrf"
    assert choose_primary(True, "macro_f1") == "macro_f1"


def test_items_needed_scales_with_the_square_of_the_interval():
    assert items_needed(25, 0.05, -0.05, 0.15) == 100  # half-width 0.1 = 2 × effect → 4 × n
    assert items_needed(25, 0.0, -0.1, 0.1) is None
