"""`train` CLI: help with examples, one-line user errors (exit 2), a run with --merge."""
import json

from _train_util import write_clean
from typer.testing import CliRunner

from train.cli import app

runner = CliRunner()


def test_every_command_has_help_with_an_example():
    for args in (["lora"], ["models", "cache"], ["models", "show"]):
        result = runner.invoke(app, args + ["--help"])
        assert result.exit_code == 0 and "Example:" in result.output, args


def test_user_errors_are_one_line_with_exit_2(tmp_path, tiny_model_dir):
    clean = write_clean(tmp_path / "clean")
    cases = [
        ["lora", "--data", str(tmp_path / "nope"), "--out", str(tmp_path / "r")],
        ["lora", "--data", str(clean), "--out", str(tmp_path / "r"), "--template", "alpaca"],
        ["lora", "--data", str(clean), "--out", str(tmp_path / "r"), "--model", "./missing"],
        ["lora", "--data", str(clean), "--out", str(tmp_path / "r"), "--resume",
         "--model", str(tiny_model_dir)],
        ["models", "show", "./missing"],
    ]
    for args in cases:
        result = runner.invoke(app, args)
        assert result.exit_code == 2, (args, result.output)
        assert result.output.startswith("error: ") and result.output.count("\n") == 1, args
        assert "Traceback" not in result.output


def test_lora_run_with_merge_writes_adapter_card_and_merged_model(tmp_path, tiny_model_dir):
    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    clean = write_clean(tmp_path / "clean")
    out = tmp_path / "runs" / "quick"
    result = runner.invoke(app, ["lora", "--data", str(clean), "--out", str(out), "--model",
                                 str(tiny_model_dir), "--max-steps", "2", "--batch-size", "4",
                                 "--lr", "1e-2", "--merge", "--quiet", "--precision", "fp32"])
    assert result.exit_code == 0, result.output
    run = json.loads((out / "run.json").read_text())
    assert run["merged"] == "merged" and run["steps"] == 2
    merged = AutoModelForCausalLM.from_pretrained(out / "merged")
    base = AutoModelForCausalLM.from_pretrained(tiny_model_dir)
    adapted = PeftModel.from_pretrained(base, out / "adapter")
    import torch

    ids = torch.tensor([[1, 5, 9, 20, 33]])
    with torch.no_grad():
        assert torch.allclose(merged(ids).logits, adapted(ids).logits, atol=1e-4)
