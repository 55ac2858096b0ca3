"""`train` and `evalkit` on wrong flags and broken inputs: exit 2 and one line naming the bad value
or file, never a traceback; and no silent loss (an overwritten run, items dropped, nulls scored)."""
import json

import pytest
from typer.testing import CliRunner

from _train_util import write_clean


def invoke(app, *args):
    return CliRunner().invoke(app, [str(a) for a in args])


def assert_one_line_error(result, *needles):
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    errors = [line for line in result.output.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1 and result.output.count("\n") == 1, result.output
    for needle in needles:
        assert needle in errors[0], (needle, errors[0])


# --- train lora ----------------------------------------------------------------------------------

@pytest.mark.parametrize("flags, needles", [
    (["--batch-size", "0"], ["--batch-size", "0"]),
    (["--max-steps", "-3", "--epochs", "0"], ["--max-steps", "-3"]),
    (["--epochs", "0"], ["--max-steps", "nothing to train"]),
    (["--seed", "-5"], ["--seed", "-5"]),
    (["--grad-accum", "0"], ["--grad-accum", "0"]),
    (["--lr", "0"], ["--lr", "0"]),
])
def test_train_bad_numbers_are_one_line_before_anything_is_written(tmp_path, tiny_model_dir,
                                                                   flags, needles):
    from train.cli import app

    clean = write_clean(tmp_path / "clean")
    out = tmp_path / "runs" / "v1"
    result = invoke(app, "lora", "--data", clean, "--out", out, "--model", tiny_model_dir, *flags)
    assert_one_line_error(result, *needles)
    assert not out.exists()


def test_train_config_validates_in_the_library_too(tmp_path):
    from train.checks import ConfigError
    from train.loop import TrainConfig

    with pytest.raises(ConfigError, match="batch_size must be an integer ≥ 1, got 0"):
        TrainConfig(data=str(tmp_path), out=str(tmp_path / "r"), batch_size=0)
    with pytest.raises(ValueError, match="dropout"):
        TrainConfig(data=str(tmp_path), out=str(tmp_path / "r"), dropout=1.5)


def _train(clean, out, model, *extra):
    from train.cli import app

    return invoke(app, "lora", "--data", clean, "--out", out, "--model", model, "--max-steps", 2,
                  "--batch-size", 4, "--precision", "fp32", "--quiet", *extra)


def test_empty_validation_split_trains_with_a_warning_and_keeps_the_last_step(tmp_path,
                                                                             tiny_model_dir):
    clean = write_clean(tmp_path / "clean", val_pairs=[])
    out = tmp_path / "runs" / "no-val"
    result = _train(clean, out, tiny_model_dir)
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    assert "validation.jsonl: no usable validation examples" in result.output
    assert "no validation: the last step, 2" in result.output
    run = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert run["steps"] == 2 and run["best"] == {"step": 2, "val_loss": None}
    assert (out / "adapter" / "adapter_config.json").is_file()


def test_empty_validation_split_with_patience_is_refused_before_training(tmp_path, tiny_model_dir):
    clean = write_clean(tmp_path / "clean", val_pairs=[])
    out = tmp_path / "runs" / "no-val"
    assert_one_line_error(_train(clean, out, tiny_model_dir, "--patience", 2),
                          "validation.jsonl", "--patience")
    assert not (out / "adapter").exists()


def test_train_refuses_to_overwrite_a_run_without_force(tmp_path, tiny_model_dir):
    clean = write_clean(tmp_path / "clean")
    out = tmp_path / "runs" / "v1"
    assert _train(clean, out, tiny_model_dir).exit_code == 0
    card = (out / "run.json").read_bytes()
    adapter = (out / "adapter" / "adapter_model.safetensors").read_bytes()
    assert_one_line_error(_train(clean, out, tiny_model_dir, "--seed", 7), str(out), "--force")
    assert (out / "run.json").read_bytes() == card
    assert (out / "adapter" / "adapter_model.safetensors").read_bytes() == adapter
    result = _train(clean, out, tiny_model_dir, "--seed", 7, "--force")
    assert result.exit_code == 0, result.output
    assert json.loads((out / "run.json").read_text(encoding="utf-8"))["config"]["seed"] == 7
