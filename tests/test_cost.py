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


def test_requests_from_side_by_side_workers_cost_their_share_of_the_machine():
    """Two one-thread --workers processes each take longer per request than one two-thread process
    but each holds half the machine; training held all of it. Pricing their latency whole would
    make prompting look dearer and fine-tuning repaid sooner than it is."""
    from dataclasses import replace

    halves = {name: [replace(row, latency_s=row.latency_s * 1.6, machine_share=0.5) for row in rows]
              for name, rows in BY_SYSTEM.items()}
    card = make_card(train_time_s=1800.0, tokens=(3e5, 2e6))
    cost = summarise(halves, finetuned="fine-tuned", cost_model=None, train_card=card)
    assert cost["few-shot"]["latency_s"] == pytest.approx(0.8)          # what a request waited
    assert cost["few-shot"]["compute_s_per_request"] == pytest.approx(0.4)
    assert cost["break_even_requests"] == {"few-shot": 7500, "rag": 4500}   # 1800 / 0.24, / 0.4
    dollars = summarise(halves, finetuned="fine-tuned", cost_model={"usd_per_hour": 3.6}, train_card=card)
    assert dollars["few-shot"]["usd_per_request"] == pytest.approx(0.4 * 3.6 / 3600)


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
