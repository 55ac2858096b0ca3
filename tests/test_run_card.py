"""run.json as one type: what train writes is what evalkit reads, key for key and byte for byte;
a card of another version, or not a card at all, is one line naming the file."""
import json
from dataclasses import replace

import pytest
from _card_util import make_card
from _train_util import write_clean

from evalkit.loaders import LoadError, load_train_card
from train.card import CardError, RunCard
from train.loop import TrainConfig, train

KEYS = ["card_version", "config", "precision", "device", "base_model", "template", "data", "lora",
        "steps", "stopped_early", "stop", "best", "history", "tokens", "train_time_s",
        "tokens_per_s", "tokens_per_s_note", "peak_memory_mb", "adapter", "merged", "versions"]


def test_what_training_writes_reads_back_equal_and_rewrites_byte_identical(tiny_model_dir, tmp_path):
    cfg = TrainConfig(data=str(write_clean(tmp_path / "clean")), out=str(tmp_path / "run"),
                      model=str(tiny_model_dir), max_steps=2, eval_every=1, batch_size=4,
                      precision="fp32")
    written = train(cfg, quiet=True)
    card = RunCard.read(tmp_path / "run")
    assert card == written
    assert card.config == replace(cfg, lr=card.config.lr)     # the learning rate as resolved
    raw = (tmp_path / "run" / "run.json").read_text(encoding="utf-8")
    assert list(json.loads(raw)) == KEYS
    card.write(tmp_path / "again.json")
    assert (tmp_path / "again.json").read_text(encoding="utf-8") == raw


def test_hand_made_card_round_trips_with_nulls_and_hindi(tmp_path):
    card = make_card([(0, 4.0), (10, float("nan"))], chat_template="{{ 'नमस्ते' }}")
    card.write(tmp_path / "run.json")
    back = RunCard.read(tmp_path)
    assert back.history.validation[1].loss is None            # NaN is written as null
    assert back.template.chat_template == "{{ 'नमस्ते' }}"
    assert "नमस्ते" in (tmp_path / "run.json").read_text(encoding="utf-8")  # not \u-escaped


@pytest.mark.parametrize("version", [2, 0, "1", None, True])
def test_a_card_version_this_code_does_not_read_is_a_clear_error(tmp_path, version):
    raw = make_card().to_dict()
    raw["card_version"] = version
    if version is None:
        del raw["card_version"]
    (tmp_path / "run.json").write_text(json.dumps(raw), encoding="utf-8")
    with pytest.raises(CardError) as error:
        RunCard.read(tmp_path)
    message = str(error.value)
    assert str(tmp_path / "run.json") in message and "it reads 1" in message
    assert "\n" not in message


def test_a_run_json_from_another_trainer_is_refused_not_guessed(tmp_path):
    (tmp_path / "run.json").write_text(json.dumps({"config": {"model": "smollm2-135m"},
                                                   "train_time_s": 12.5}), encoding="utf-8")
    with pytest.raises(CardError, match="card_version None is not one this code reads"):
        RunCard.read(tmp_path)


def test_a_version_1_card_missing_a_section_names_it(tmp_path):
    raw = make_card().to_dict()
    del raw["history"]
    (tmp_path / "run.json").write_text(json.dumps(raw), encoding="utf-8")
    with pytest.raises(CardError, match=r"run.json: not a valid run card \(missing 'history'\)"):
        RunCard.read(tmp_path)


def test_a_truncated_card_is_not_json_with_its_line(tmp_path):
    text = json.dumps(make_card().to_dict(), indent=2)
    (tmp_path / "run.json").write_text(text[: len(text) // 2], encoding="utf-8")
    with pytest.raises(CardError, match=r"run.json: not JSON \(.* at line \d+\)"):
        RunCard.read(tmp_path)


def test_an_older_version_1_card_without_a_stop_section_still_reads(tmp_path):
    """Cards written before the stop reason was recorded (git 49a56c6) say only stopped_early."""
    for stopped_early, max_steps, reason in ((True, 40, "early_stopping"),
                                             (False, 40, "max_steps"), (False, 0, "epochs")):
        raw = make_card(steps=40).to_dict()
        del raw["stop"]
        raw["stopped_early"], raw["config"]["max_steps"] = stopped_early, max_steps
        for key in ("val_limit", "time_budget"):     # not in TrainConfig then
            del raw["config"][key]
        (tmp_path / "run.json").write_text(json.dumps(raw), encoding="utf-8")
        assert RunCard.read(tmp_path).stop.reason == reason


def test_evalkit_reports_a_bad_card_as_a_load_error(tmp_path):
    adapter = tmp_path / "run" / "adapter"
    adapter.mkdir(parents=True)
    (adapter / "adapter_config.json").write_text(json.dumps({"peft_type": "LORA"}))
    (adapter / "adapter_model.bin").write_bytes(b"")
    raw = {**make_card().to_dict(), "card_version": 9}
    (tmp_path / "run" / "run.json").write_text(json.dumps(raw), encoding="utf-8")
    with pytest.raises(LoadError, match="card_version 9 is not one this code reads"):
        load_train_card(tmp_path / "run")
    (tmp_path / "run" / "run.json").unlink()
    assert load_train_card(tmp_path / "run") is None          # no card: evalkit warns, runs on
