"""The verdict reads the run card: an adapter cut off mid-descent is "undertrained", a converged
one is not. Cards come from the real trainer on the tiny model (validation losses scripted so the
curve's shape is the test's, not the random model's) or are made by hand (tests/_card_util.py)."""
import json

import pytest
from _card_util import make_card
from test_verdict import _rows

from evalkit.convergence import assess
from evalkit.scoring import score_results
from train import loop
from train.card import RunCard
from train.config import parse_duration
from train.loop import TrainConfig, train

from _train_util import write_clean

FEW_SHOT_AHEAD = {"zero-shot": 0.3, "few-shot": 0.85, "fine-tuned": 0.35}


def scripted_run(tiny_model_dir, tmp_path, monkeypatch, losses, **overrides):
    scripted = iter(losses)
    monkeypatch.setattr(loop, "evaluate", lambda *args: next(scripted))
    values = dict(data=str(write_clean(tmp_path / "clean")), out=str(tmp_path / "run"),
                  model=str(tiny_model_dir), lr=1e-2, batch_size=4, precision="fp32", seed=1)
    return train(TrainConfig(**{**values, **overrides}), quiet=True)


def test_an_adapter_stopped_on_the_step_cap_mid_descent_is_undertrained(tiny_model_dir, tmp_path,
                                                                        monkeypatch):
    card = scripted_run(tiny_model_dir, tmp_path, monkeypatch, [4.0, 2.0, 1.5],
                        max_steps=4, eval_every=2)
    assert card.stop.reason == "max_steps"
    verdict = score_results(_rows(200, FEW_SHOT_AHEAD, seed=5), resamples=300,
                            train_card=card).metrics["verdict"]
    assert verdict["decision"] == "cannot tell (undertrained)"
    assert verdict["text"].startswith("Fine-tuning may be undertrained: validation loss fell 25% "
                                      "over the last 2 steps")
    assert "Train longer before concluding" in verdict["text"]
    assert "few-shot" in verdict["text"]           # the numbers are still shown


def test_a_converged_adapter_lets_the_baseline_win(tiny_model_dir, tmp_path, monkeypatch):
    card = scripted_run(tiny_model_dir, tmp_path, monkeypatch, [4.0, 2.0, 1.9, 1.95, 2.0],
                        epochs=8, eval_every=1, patience=2)
    assert card.stop.reason == "early_stopping" and card.best.step == 2
    verdict = score_results(_rows(200, FEW_SHOT_AHEAD, seed=5), resamples=300,
                            train_card=card).metrics["verdict"]
    assert verdict["decision"] == "few-shot wins"
    assert verdict["training"]["undertrained"] is False
    assert "undertrained" not in verdict["text"]


def test_fine_tuning_that_wins_while_undertrained_still_wins_with_the_warning_first(
        tiny_model_dir, tmp_path, monkeypatch):
    card = scripted_run(tiny_model_dir, tmp_path, monkeypatch, [4.0, 3.0, 2.0],
                        max_steps=2, eval_every=1)
    rows = _rows(200, {"few-shot": 0.4, "fine-tuned": 0.9}, seed=6)
    verdict = score_results(rows, resamples=300, train_card=card).metrics["verdict"]
    assert verdict["decision"] == "fine-tuning wins"
    assert verdict["text"].startswith("Fine-tuning may be undertrained: validation loss fell 33.3%")


def test_time_budget_stops_training_and_is_the_recorded_reason(tiny_model_dir, tmp_path,
                                                               monkeypatch):
    card = scripted_run(tiny_model_dir, tmp_path, monkeypatch, [4.0, 3.0],
                        epochs=3, time_budget=1e-6)
    assert card.steps == 1 and card.stop.reason == "time_budget"
    assert [v.step for v in card.history.validation] == [0, 1]   # validated before stopping
    assert card.stop.planned_steps == 6 and card.stop.epochs_done == 0.5
    assert assess(card)["undertrained"]


def test_a_flat_curve_at_the_cap_is_not_undertrained():
    """The last fall (0.05) is smaller than a rise seen earlier (0.08): noise, not progress."""
    losses = [4.1, 2.0, 2.08, 1.60, 1.55]
    card = make_card([(20 * i, loss) for i, loss in enumerate(losses)], steps=80)
    assert assess(card)["undertrained"] is False


@pytest.mark.parametrize("card", [
    make_card([(10, 1.2)], steps=10),
    make_card([], reason="time_budget", steps=3),
    make_card([(0, 5.0383), (1, 5.0383)], reason="time_budget", steps=1),  # inside the warmup
])
def test_a_capped_run_without_a_curve_to_judge_is_undertrained(card):
    result = assess(card)
    assert result["undertrained"] and "too few to show it had converged" in result["text"]


def test_no_card_no_training_judgement():
    verdict = score_results(_rows(200, FEW_SHOT_AHEAD, seed=5), resamples=300).metrics["verdict"]
    assert verdict["decision"] == "few-shot wins" and verdict["training"] is None


@pytest.mark.parametrize("text,seconds", [("10m", 600), ("90s", 90), ("1.5h", 5400), ("45", 45)])
def test_time_budget_durations(text, seconds):
    assert parse_duration(text) == seconds


def test_time_budget_rejects_words():
    with pytest.raises(ValueError, match="10 minutes"):
        parse_duration("10 minutes")


def test_an_old_card_without_a_stop_section_is_judged_by_its_config(tmp_path):
    """Cards from before the stop reason was recorded: a capped run with one evaluation."""
    raw = make_card([(10, 1.2)], steps=10).to_dict()
    del raw["stop"]
    (tmp_path / "run.json").write_text(json.dumps(raw), encoding="utf-8")
    result = assess(RunCard.read(tmp_path))
    assert result["undertrained"] and result["stop_reason"] == "max_steps"


# The noise of the last fall (the card's fall_se, paired over the validation examples): a fall
# inside twice its standard error is not evidence of progress; a large fall still is.
def test_a_last_fall_inside_its_paired_noise_is_not_undertrained():
    card = make_card([(0, 3.1, None), (52, 1.5, 0.02), (104, 0.9, 0.015),
                      (156, 0.60, 0.012), (208, 0.588, 0.009)], steps=208)
    assert assess(card)["undertrained"] is False       # fell 2.0% = 0.012 < 2 × 0.009


def test_the_same_fall_with_little_noise_is_undertrained():
    card = make_card([(0, 3.1, None), (52, 1.5, 0.02), (104, 0.9, 0.015),
                      (156, 0.60, 0.012), (208, 0.588, 0.002)], steps=208)
    result = assess(card)
    assert result["undertrained"] is True
    assert result["still_improving"]["margin"] == pytest.approx(0.006)     # 1% of 0.60


def test_an_adapter_stopped_mid_descent_is_undertrained_whatever_its_noise():
    card = make_card([(0, 3.1, None), (52, 1.5, 0.05), (104, 0.9, 0.04)], steps=104)
    result = assess(card)
    assert result["undertrained"] is True and result["still_improving"]["fell_pct"] == 40
