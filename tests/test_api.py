"""The Python API under the CLIs: `train.lora(...)` → TrainRun, `evalkit.run(...)` → Evaluation,
on the tiny random model; and importing the packages stays cheap (no torch)."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from _evalkit_util import TEST, lively_model_dir, make_adapter  # noqa: F401
from _evalkit_util import write_clean as write_eval_clean
from _train_util import write_clean

ROOT = Path(__file__).resolve().parents[1]


def test_importing_the_packages_loads_no_torch():
    code = ("import sys, train, evalkit; heavy = {'torch', 'transformers', 'pandas'} & "
            "set(sys.modules); assert not heavy, heavy; assert callable(train.lora) and "
            "callable(evalkit.run)")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_train_lora_returns_the_run_and_refuses_to_overwrite_it(tmp_path, tiny_model_dir):
    import train
    from train.card import RunExistsError

    clean = write_clean(tmp_path / "clean")
    (tmp_path / "run.yaml").write_text("max_steps: 4\nbatch_size: 4\nlr: 1e-2\nprecision: fp32\n",
                                       encoding="utf-8")
    run = train.lora(clean, model=str(tiny_model_dir), out=tmp_path / "runs" / "v1",
                     config=tmp_path / "run.yaml", max_steps=2, quiet=True)
    assert isinstance(run, train.TrainRun)
    assert run.adapter == tmp_path / "runs" / "v1" / "adapter"
    assert (run.adapter / "adapter_config.json").is_file()
    assert run.card.to_dict() == json.loads((run.out / "run.json").read_text(encoding="utf-8"))
    assert run.card.steps == 2                             # the keyword beat the file's 4
    assert run.card.config.lr == 1e-2 and run.card.config.batch_size == 4
    with pytest.raises(RunExistsError, match="force"):
        train.lora(clean, model=str(tiny_model_dir), out=run.out, max_steps=1, quiet=True)
    again = train.lora(clean, model=str(tiny_model_dir), out=run.out, max_steps=1, batch_size=4,
                       precision="fp32", quiet=True, force=True)
    assert again.card.steps == 1


def test_train_lora_on_a_file_instead_of_a_folder_is_a_data_error(tmp_path):
    import train
    from train.data import DataError

    (tmp_path / "train.jsonl").write_text("", encoding="utf-8")
    with pytest.raises(DataError, match="not a folder"):
        train.lora(tmp_path / "train.jsonl", out=tmp_path / "r")


def test_evalkit_run_returns_results_metrics_and_verdict(tmp_path, lively_model_dir):
    import evalkit

    clean = write_eval_clean(tmp_path / "clean")
    run_dir = make_adapter(lively_model_dir, tmp_path / "runs" / "v1")
    ev = evalkit.run(clean, systems="zero-shot,fine-tuned", adapter=run_dir, out=tmp_path / "ev",
                     model=str(lively_model_dir), max_new_tokens=4, resamples=50)
    assert isinstance(ev, evalkit.Evaluation)
    assert ev.metrics == json.loads((tmp_path / "ev" / "metrics.json").read_text(encoding="utf-8"))
    assert ev.verdict == ev.metrics["verdict"] and ev.verdict["decision"]
    frame = ev.results
    assert len(frame) == 2 * len(TEST)                     # one row per item × system
    assert sorted(frame.groupby("system").size().items()) == [("fine-tuned", 4), ("zero-shot", 4)]
    assert "मेरा खाता बंद है, मदद करें।" in set(frame["input"])   # Devanagari intact
    assert "accuracy" in frame.columns and "scores" not in frame.columns
    by_system = frame.groupby("system")["accuracy"].mean().to_dict()
    for system, mean in by_system.items():
        assert mean == pytest.approx(ev.metrics["systems"][system]["accuracy"]["value"])
    reloaded = evalkit.load(tmp_path / "ev")
    assert reloaded.verdict == ev.verdict and reloaded.results.equals(frame)
