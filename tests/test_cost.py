"""Cost per request, training cost from run.json, break-even request counts."""
import pytest
from _card_util import make_card
from _results_util import result_row

from evalkit.cost import break_even, summarise, training_cost


def _rows(prompt_tokens, latency, n=4):
    return [result_row(prompt_tokens=prompt_tokens, completion_tokens=20, latency_s=latency)] * n


BY_SYSTEM = {"few-shot": _rows(900, 0.5), "rag": _rows(1400, 0.7), "fine-tuned": _rows(150, 0.2)}


def test_compute_seconds_break_even_by_hand():
    cost = summarise(BY_SYSTEM, finetuned="fine-tuned", cost_model=None,
                     train_card=make_card(train_time_s=1800.0, tokens=(3e5, 2e6)))
    assert cost["unit"] == "compute_s"
    assert cost["few-shot"]["prompt_tokens"] == 900 and cost["fine-tuned"]["latency_s"] == 0.2
    assert cost["training"] == {"wall_time_s": 1800.0, "tokens": 2e6, "compute_s_total": 1800.0}
    assert cost["break_even_requests"] == {"few-shot": 6000, "rag": 3600}   # 1800 / 0.3, / 0.5


def test_dollar_cost_model_by_hand():
    model = {"usd_per_1k_prompt_tokens": 0.5, "usd_per_1k_completion_tokens": 1.5,
             "train_usd_per_hour": 2.0}
    cost = summarise(BY_SYSTEM, finetuned="fine-tuned", cost_model=model,
                     train_card=make_card(train_time_s=3600))
    assert cost["unit"] == "usd"
    # few-shot: 0.9 * 0.5 + 0.02 * 1.5 = 0.48 $; fine-tuned: 0.075 + 0.03 = 0.105 $
    assert cost["few-shot"]["usd_per_request"] == pytest.approx(0.48)
    assert cost["fine-tuned"]["usd_per_request"] == pytest.approx(0.105)
    assert cost["break_even_requests"]["few-shot"] == 6   # ceil(2.0 / 0.375)


def test_no_card_gives_no_break_even_instead_of_failing():
    """An adapter trained elsewhere has no run.json: its training cost is unknown."""
    assert training_cost(None) == {"wall_time_s": None, "tokens": None}
    cost = summarise(BY_SYSTEM, finetuned="fine-tuned", cost_model=None, train_card=None)
    assert cost["break_even_requests"] == {"few-shot": None, "rag": None}


def test_no_break_even_when_fine_tuned_requests_are_not_cheaper():
    assert break_even(100.0, 0.2, 0.3) is None
    assert break_even(0.0, 0.3, 0.2) == 0


def test_outputs_scored_elsewhere_have_no_token_counts():
    rows = [result_row()]
    cost = summarise({"api": rows}, finetuned="fine-tuned", cost_model=None, train_card=None)
    assert cost["api"]["prompt_tokens"] is None and cost["break_even_requests"] == {}
