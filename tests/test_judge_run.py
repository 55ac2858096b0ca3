"""`evalkit run --judge NAME --requests-per-month N`: the judge runs on the loaded model through
evalkit.local_chat, its replies are cached, and the verdict names a system at the volume."""
import json

import pytest
from _evalkit_util import TEST, lively_model_dir, make_adapter, write_clean  # noqa: F401

from evalkit.judge import JudgeError
from evalkit.runner import RunConfig, run

SYSTEMS = "zero-shot,few-shot,fine-tuned"


def _config(model_dir, tmp_path, **settings):
    clean = write_clean(tmp_path / "clean")
    run_dir = make_adapter(model_dir, tmp_path / "runs" / "v1")
    return RunConfig(data=clean, out=tmp_path / "out", model=str(model_dir), adapter=run_dir,
                     systems=SYSTEMS, max_new_tokens=4, batch_size=4, k=1, resamples=50,
                     **settings)


def test_a_local_judge_is_asked_in_both_orders_and_resumes_from_its_cache(lively_model_dir,
                                                                          tmp_path, monkeypatch):
    config = _config(lively_model_dir, tmp_path, judge="zero-shot", requests_per_month=2000,
                     cost_model={"usd_per_hour": 2.0, "train_usd": 1.0})
    metrics = run(config)
    judged = [json.loads(line) for line in
              (tmp_path / "out" / "judgements.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(judged) == len(TEST) * 2                         # each item × two baselines
    assert {j["baseline"] for j in judged} == {"zero-shot", "few-shot"}
    assert all(j["finetuned_as_a"]["reply"] is not None and j["finetuned_as_b"]["reply"] is not None
               for j in judged)
    for said in metrics["judge"]["baselines"].values():        # a random model names no verdict:
        assert said["judged"] + said["unparseable"] == len(TEST)   # counted, never guessed
    assert metrics["judge"]["judge"] == "zero-shot"
    volume = metrics["verdict"]["at_volume"]
    assert volume["requests_per_month"] == 2000 and volume["choice"] in SYSTEMS.split(",")
    assert "2,000 requests a month" in metrics["verdict"]["text"]
    html = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert "Judge prompt" in html and "<svg" in html

    from evalkit import local_chat

    def no_generation(self, batch):
        raise AssertionError("the judge was asked again")
    monkeypatch.setattr(local_chat.LocalChat, "chat", no_generation)
    again = run(config)
    assert again["judge"]["baselines"] == metrics["judge"]["baselines"]


@pytest.mark.parametrize("judge,systems,message", [
    ("big", "zero-shot,few-shot", "not a system of this run"),
    ("zero-shot", "zero-shot,few-shot", "needs the fine-tuned system"),
    (None, "zero-shot,few-shot", "--primary judge needs --judge")])
def test_a_judge_that_cannot_judge_fails_before_the_model_loads(tmp_path, judge, systems, message):
    clean = write_clean(tmp_path / "clean")
    config = RunConfig(data=clean, out=tmp_path / "out", model="/nonexistent/model",
                       systems=systems, judge=judge, primary="judge")
    with pytest.raises(JudgeError, match=message):
        run(config)
