"""Cost per request from a systems file's price or an hourly price, the dominated systems,
break-even counts, and the system to use at a monthly volume: hand-computed cases."""
import pytest
from _card_util import make_card
from _results_util import result_row

from evalkit.cost import check_cost_model, summarise
from evalkit.frontier import choose_at_volume, dominated, monthly_costs
from evalkit.scoring import score_results

PRICE = {"prompt_per_1m": 0.15, "completion_per_1m": 0.60}       # USD per million tokens
MODEL = {"usd_per_hour": 1.8, "train_usd_per_hour": 2.0}
QUESTIONS = ["मेरा ऑर्डर कहाँ है?", "Refund kab milega bhai?", "How do I close a <div> tag?",
             "What is 12 × 7?", "Reset my UPI PIN", "def f(x): return x**2 — what is f(3)?"]


def _rows(system, n=30, *, good=True, prompt_tokens=120, completion_tokens=30, latency=0.2):
    rows = []
    for i in range(n):
        reference = f"Answer {i}: {QUESTIONS[i % len(QUESTIONS)]} is handled in the app."
        rows.append(result_row(id=f"test.jsonl:{i + 1}", system=system, input=QUESTIONS[i % 6],
                               reference=reference, output=reference if good else f"no idea {i}",
                               prompt_tokens=prompt_tokens, completion_tokens=completion_tokens,
                               latency_s=latency))
    return rows


def test_endpoint_priced_by_its_tokens_and_local_by_compute_time_break_even_by_hand():
    by_system = {"big few-shot": _rows("big few-shot", 4, prompt_tokens=1000, completion_tokens=100),
                 "fine-tuned": _rows("fine-tuned", 4, latency=0.2)}
    cost = summarise(by_system, finetuned="fine-tuned", cost_model=MODEL,
                     train_card=make_card(train_time_s=1800.0),
                     prices={"big few-shot": PRICE}, endpoints={"big few-shot"})
    assert cost["unit"] == "usd"
    # 1000 × 0.15e-6 + 100 × 0.60e-6 = 0.00021 $; 0.2 s × 1.8 $/h = 0.0001 $
    assert cost["big few-shot"]["usd_per_request"] == pytest.approx(0.00021)
    assert cost["big few-shot"]["usd_per_1k_requests"] == pytest.approx(0.21)
    assert cost["fine-tuned"]["usd_per_1k_requests"] == pytest.approx(0.1)
    assert cost["training"]["usd_total"] == pytest.approx(1.0)          # 0.5 h × 2 $/h
    assert cost["break_even_requests"] == {"big few-shot": 9091}        # ceil(1 / 0.00011)
    assert "systems file" in cost["big few-shot"]["priced_by"]


def test_unpriced_systems_stay_unpriced_rather_than_borrowing_a_number():
    by_system = {"vllm": _rows("vllm", 3), "zero-shot": _rows("zero-shot", 3),
                 "fine-tuned": _rows("fine-tuned", 3)}
    cost = summarise(by_system, finetuned="fine-tuned", cost_model=None, train_card=None,
                     prices={"big": PRICE}, endpoints={"vllm"})
    assert cost["unit"] == "usd"                     # one price anywhere: the unit is dollars
    assert cost["vllm"]["usd_per_request"] is None and "endpoint" in cost["vllm"]["priced_by"]
    assert cost["zero-shot"]["usd_per_request"] is None    # no usd_per_hour for local compute
    assert "usd_per_hour" in cost["zero-shot"]["priced_by"]


def test_a_stated_training_price_and_a_served_adapters_build_cost():
    by_system = {"few-shot": _rows("few-shot", 2, latency=0.5), "fine-tuned": _rows("fine-tuned", 2),
                 "vllm fine-tuned": _rows("vllm fine-tuned", 2, latency=0.1)}
    model = {"usd_per_hour": 3.6, "train_usd": 5.0, "build_usd": {"vllm fine-tuned": 5.0}}
    cost = summarise(by_system, finetuned="fine-tuned", cost_model=model,
                     train_card=make_card(train_time_s=99999.0))
    assert cost["training"]["usd_total"] == 5.0
    assert cost["build"] == {"few-shot": 0.0, "fine-tuned": 5.0, "vllm fine-tuned": 5.0}
    # few-shot 0.5 s, fine-tuned 0.2 s at 0.001 $/s: 5 / 0.0003 = 16,667 requests
    assert cost["break_even_requests"]["few-shot"] == 16667
    assert cost["break_even_requests"]["vllm fine-tuned"] is None   # not cheaper to build


@pytest.mark.parametrize("bad", [{"usd_per_hr": 1.0}, {"usd_per_hour": -1}, {"train_usd": "5"},
                                 {"build_usd": {"x": -2}}, {"horizon_months": 0}])
def test_a_typo_or_negative_price_in_the_cost_model_is_an_error(bad):
    with pytest.raises(ValueError):
        check_cost_model(bad)


def test_dominated_means_at_least_as_good_and_as_cheap_and_strictly_better_on_one():
    points = {"zero-shot": (20.0, 0.05), "few-shot": (40.0, 0.10), "rag": (18.0, 0.20),
              "big": (55.0, 2.0), "same-as-few": (40.0, 0.10), "fine-tuned": (38.0, 0.10)}
    out = dominated(points)
    assert out == {"rag": "few-shot", "fine-tuned": "few-shot"}
    # lower is better (perplexity): the point with the lower value wins
    assert dominated({"a": (3.0, 1.0), "b": (4.0, 1.5)}, higher_is_better=False) == {"b": "a"}


def _volume(n, train_cost=1.0):
    cost = {"unit": "usd", "horizon_months": 12, "build": {"base": 0.0, "fine-tuned": train_cost},
            "base": {"usd_per_request": 0.00021}, "fine-tuned": {"usd_per_request": 0.0001}}
    level = {("base", "fine-tuned"): (0.4, -1.0, 1.8), ("fine-tuned", "base"): (-0.4, -1.8, 1.0)}
    return choose_at_volume(monthly_costs(cost, n), level, per_month=n, horizon=12, unit="usd",
                            metric="chrf")


def test_the_volume_choice_flips_where_amortised_training_is_repaid():
    """Quality cannot be told apart, so the cheaper a month wins; fine-tuned pays 1 $ / 12 a
    month and saves 0.00011 $ a request: it is cheaper from 1/12 / 0.00011 = 757.6 a month."""
    assert _volume(757)["choice"] == "base"
    assert _volume(758)["choice"] == "fine-tuned"
    text = _volume(758)["text"]
    assert "758 requests a month" in text and "12 months" in text
    assert "base scores higher but not by a margin" in text and "-1 to +1.8" in text


def test_a_significantly_better_system_is_used_even_when_dearer():
    rows = _rows("fine-tuned") + _rows("few-shot", good=False, latency=0.1)
    scored = score_results(rows, cost_model=MODEL, train_card=make_card(train_time_s=3600),
                           resamples=200, requests_per_month=1_000_000)
    volume = scored.metrics["verdict"]["at_volume"]
    assert volume["choice"] == "fine-tuned" and volume["ruled_out"] == {"few-shot": "fine-tuned"}
    assert "The cheaper few-shot" in volume["text"] and "scores worse" in volume["text"]
    assert "use fine-tuned" in scored.metrics["verdict"]["text"]
    assert scored.metrics["frontier"]["dominated"] == {}       # better but dearer: a trade-off


def test_scoring_puts_every_system_on_the_frontier_and_flags_the_dominated_one():
    rows = (_rows("fine-tuned") + _rows("few-shot", good=False, latency=0.5)
            + _rows("big", good=True, prompt_tokens=900))
    scored = score_results(rows, cost_model=MODEL, train_card=make_card(train_time_s=3600),
                           resamples=100, prices={"big": PRICE}, endpoints={"big"})
    front = scored.metrics["frontier"]
    assert front["metric"] == "chrf" and set(front["points"]) == {"fine-tuned", "few-shot", "big"}
    # few-shot: worse and dearer (0.5 s vs 0.2 s); big: as good, dearer (0.000153 $ vs 0.0001 $)
    assert front["dominated"] == {"few-shot": "fine-tuned", "big": "fine-tuned"}
    assert front["points"]["big"]["cost"] == pytest.approx(0.153)
    assert "volume" not in front and "at_volume" not in scored.metrics["verdict"]
