"""score_results end to end: the metrics.json contract, per-item scores, determinism, errors."""
import json
import math
from dataclasses import replace

import pytest
from _card_util import make_card
from _results_util import result_row

from evalkit.scoring import ScoringError, score_results

ITEMS = [
    ("मेरा ऑर्डर कहाँ है?", "आपका ऑर्डर कल पहुँच जाएगा।"),
    ("Refund kab milega?", "Refund 5-7 din mein aapke account mein aa jayega."),
    ("How do I close a <div> tag?", "Write </div> after the content of the div."),
    ("Reset password", "Use the 'Forgot password' link on the login page."),
] * 6


def _rows(systems=("zero-shot", "few-shot", "rag", "fine-tuned"), nll=True):
    rows = []
    for i, (prompt, ref) in enumerate(ITEMS):
        for k, system in enumerate(systems):
            good = system == "fine-tuned" or i % (k + 2) == 0
            rows.append(result_row(id=f"test.jsonl:{i + 1}", system=system, prompt=prompt,
                                   output=ref if good else "मुझे नहीं पता / I don't know",
                                   reference=ref, nll=(5.0 + k) if nll else None,
                                   ref_tokens=10 if nll else None,
                                   prompt_tokens=40 if system == "fine-tuned" else 400,
                                   completion_tokens=12,
                                   latency_s=0.1 if system == "fine-tuned" else 0.3))
    return rows


def test_metrics_json_contract():
    rows = _rows()
    metrics = score_results(rows, resamples=200, seed=5, train_card=make_card(train_time_s=120)).metrics
    assert metrics["n_items"] == len(ITEMS)
    assert set(metrics["systems"]) == {"zero-shot", "few-shot", "rag", "fine-tuned"}
    chrf = metrics["systems"]["fine-tuned"]["chrf"]
    assert chrf["value"] == pytest.approx(100.0) and chrf["low"] <= chrf["value"] <= chrf["high"]
    rag_diff = metrics["comparisons"]["rag"]["chrf"]
    assert set(rag_diff) == {"diff", "low", "high", "p"} and rag_diff["diff"] > 0
    assert metrics["verdict"]["primary"] == "chrf" and metrics["verdict"]["decision"] == "fine-tuning wins"
    assert metrics["bootstrap"]["seed"] == 5 and metrics["bootstrap"]["resamples"] == 200
    assert "tok:13a" in metrics["signatures"]["bleu"] and "token_perplexity" in metrics["signatures"]
    assert metrics["cost"]["break_even_requests"]["rag"] is not None
    assert metrics["metric_info"]["byte_perplexity"]["higher_is_better"] is False
    json.dumps(metrics, allow_nan=False)  # strict JSON: no NaN anywhere


def test_scoring_returns_scored_rows_and_leaves_the_given_ones_alone():
    rows = _rows()
    scored = score_results(rows, resamples=50).rows
    first = scored[0].scores
    assert {"rouge1", "rouge2", "rougeL", "bleu", "chrf", "exact_match", "token_perplexity"} <= set(first)
    hindi_ft = next(r for r in scored if r.system == "fine-tuned" and r.id == "test.jsonl:1")
    assert hindi_ft.scores["rougeL"] == 1.0 and hindi_ft.scores["exact_match"] == 1.0
    assert hindi_ft.scores["token_perplexity"] == pytest.approx(math.exp(8.0 / 10))
    assert [(r.id, r.system) for r in scored] == [(r.id, r.system) for r in rows]   # same order
    assert rows == _rows() and all(r.scores is None for r in rows)                   # not mutated


def test_same_rows_and_seed_give_identical_numbers():
    a = json.dumps(score_results(_rows(), resamples=100, seed=1).metrics, sort_keys=True)
    b = json.dumps(score_results(_rows(), resamples=100, seed=1).metrics, sort_keys=True)
    c = json.dumps(score_results(_rows(), resamples=100, seed=2).metrics, sort_keys=True)
    assert a == b and a != c


def test_labelled_rows_get_accuracy_mcnemar_and_per_label():
    rows = []
    for r in _rows(("rag", "fine-tuned")):
        label = "delivery" if "ऑर्डर" in r.reference else "account"
        rows.append(replace(r, label=label, reference=label,   # the answer is the label
                            output=label if r.system == "fine-tuned" else "Category: account"))
    scored = score_results(rows, resamples=100)
    metrics = scored.metrics
    assert metrics["verdict"]["primary"] == "accuracy"
    mcnemar = metrics["comparisons"]["rag"]["accuracy"]["mcnemar"]
    assert (mcnemar["b"], mcnemar["c"]) == (6, 0)
    assert metrics["per_label"]["rag"] == {"account": 1.0, "delivery": 0.0}
    assert scored.rows[0].predicted_label == "account"


def test_a_labelled_reply_task_is_judged_on_the_reply_not_the_label():
    # Support tickets tagged with an intent: the model writes a reply, which never names the intent.
    rows = [replace(r, label="delivery" if "ऑर्डर" in r.reference else "account") for r in _rows()]
    metrics = score_results(rows, resamples=50).metrics
    assert metrics["verdict"]["primary"] == "chrf"
    assert "accuracy" in metrics["systems"]["fine-tuned"]     # still reported, as a secondary


def test_items_missing_for_one_system_are_left_out_and_listed():
    rows = [r for r in _rows() if not (r.system == "rag" and r.id == "test.jsonl:3")]
    metrics = score_results(rows, resamples=50).metrics
    assert metrics["n_items"] == len(ITEMS) - 1 and metrics["missing"] == {"rag": ["test.jsonl:3"]}


def test_a_system_without_likelihoods_gets_no_perplexity():
    rows = _rows(("zero-shot", "fine-tuned"))
    rows += [replace(r, system="api-model", nll=None, ref_tokens=None) for r in rows
             if r.system == "zero-shot"]
    metrics = score_results(rows, resamples=50).metrics
    assert "token_perplexity" not in metrics["systems"]["api-model"]
    assert "token_perplexity" not in metrics["comparisons"]["api-model"]
    assert "token_perplexity" in metrics["comparisons"]["zero-shot"]


def test_user_errors_are_one_line():
    rows = _rows()
    with pytest.raises(ScoringError, match="appears twice"):
        score_results(rows + rows[:1], resamples=10)
    with pytest.raises(ScoringError, match="primary metric 'accuracy' was not computed"):
        score_results(rows, primary="accuracy", resamples=10)


def test_empty_outputs_and_references_score_without_errors():
    rows = _rows(("rag", "fine-tuned"), nll=False)
    rows[:4] = [replace(r, output="", reference="" if n < 2 else r.reference)
                for n, r in enumerate(rows[:4])]
    scored = score_results(rows, resamples=20)
    metrics = scored.metrics
    assert scored.rows[0].scores["exact_match"] == 1.0 and scored.rows[0].scores["chrf"] == 0.0
    assert metrics["systems"]["rag"]["bleu"]["value"] >= 0.0
