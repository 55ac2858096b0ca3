"""Options declared once (train/config.py, evalkit/config.py): flags generated from the config
dataclasses, unknown keys refused with a suggestion, and `--config FILE` as the base that typed
flags override. The training and evaluation themselves are replaced by a recorder: these tests are
about which settings arrive, not about what a run does with them."""
import dataclasses
import json

import pytest
from typer.testing import CliRunner

from _train_util import write_clean
from evalkit.config import RunConfig, ScoreConfig
from train.config import ConfigError, TrainConfig


def invoke(app, *args):
    return CliRunner().invoke(app, [str(a) for a in args])


def one_line_error(result, *needles):
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), result.output
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])
    return lines[0]


@pytest.fixture
def trained(monkeypatch):
    """`train lora` up to the training loop; the config that reached it is recorded."""
    import train.loop

    seen = []
    from types import SimpleNamespace as card_part

    card = card_part(best=card_part(step=1, val_loss=None), history=card_part(validation=[]), steps=1,
                     tokens_per_s=card_part(all=1.0), train_time_s=1.0)   # what summarise reads
    monkeypatch.setattr(train.loop, "train", lambda cfg, **kw: seen.append(cfg) or card)
    return seen


@pytest.fixture
def evaluated(monkeypatch):
    import evalkit.runner

    seen = []
    monkeypatch.setattr(evalkit.runner, "run",
                        lambda cfg, progress=None: seen.append(cfg) or {"verdict": {"text": "ok"}})
    return seen


def train_lora(*args):
    from train.cli import app

    return invoke(app, "lora", *args)


def evalkit_run(*args):
    from evalkit.cli import app

    return invoke(app, "run", *args)


# --- one declaration ------------------------------------------------------------------------------

@pytest.mark.parametrize("command, cls, own", [
    (["lora"], TrainConfig, {"config", "resume", "force", "quiet", "nproc"}),
    (["run"], RunConfig, {"config"}),
    (["score"], ScoreConfig, set()),
])
def test_every_flag_is_a_config_field_with_its_help(command, cls, own):
    import typer.main

    from evalkit.cli import app as evalkit_app
    from train.cli import app as train_app

    app = train_app if cls is TrainConfig else evalkit_app
    click_command = typer.main.get_command(app).commands[command[0]]
    flags = {p.name for p in click_command.params}
    fields = {f.name: f for f in dataclasses.fields(cls) if f.metadata["cli"]}
    assert flags == set(fields) | own
    for param in click_command.params:
        if param.name in fields:
            assert param.help == fields[param.name].metadata["help"]
    result = invoke(app, *command, "--help")
    assert result.exit_code == 0 and "Example:" in result.output
    flags = {TrainConfig: ("--max-steps", "--time-budget"), RunConfig: ("--few-shot", "--curve"),
             ScoreConfig: ("--hyps", "--min-effect")}[cls]
    assert all(flag in result.output for flag in flags)


def test_score_and_run_share_the_verdict_settings_and_score_checks_them(tmp_path):
    from evalkit.cli import app

    run_fields = {f.name: f for f in dataclasses.fields(RunConfig)}
    for f in dataclasses.fields(ScoreConfig):
        if f.name in ("primary", "min_effect", "resamples"):
            assert f.metadata["help"] == run_fields[f.name].metadata["help"]
            assert f.default == run_fields[f.name].default
    hyps = tmp_path / "api-model.jsonl"
    hyps.write_text('{"id": "test.jsonl:1", "output": "Refund 5 din mein aayega"}\n', encoding="utf-8")
    result = invoke(app, "score", "--hyps", hyps, "--refs", tmp_path / "test.jsonl",
                    "--out", tmp_path / "o", "--resamples", 0)
    one_line_error(result, "--resamples", "≥ 1")
    assert not (tmp_path / "o").exists()


def test_a_misspelt_key_is_an_error_naming_it_and_the_likely_one(tmp_path):
    """`from_dict` used to drop it: a resumed or re-trained run quietly used the default."""
    with pytest.raises(ConfigError) as caught:
        TrainConfig.from_dict({"data": str(tmp_path), "out": str(tmp_path / "r"), "max_step": 3})
    message = str(caught.value)
    assert "max_step is not a setting; did you mean 'max_steps'?" in message
    assert "known: data, out, model" in message


def test_the_python_api_refuses_unknown_keywords_too(tmp_path):
    import evalkit
    import train

    with pytest.raises(ConfigError, match="learning_rat is not a setting"):
        train.lora(tmp_path, out=tmp_path / "r", learning_rat=1e-4)
    with pytest.raises(ConfigError, match="did you mean 'few_shot'"):
        evalkit.run(tmp_path, out=tmp_path / "e", fewshot="bm25")


# --- the config file ------------------------------------------------------------------------------

def test_train_file_values_are_the_base_and_typed_flags_override(tmp_path, trained):
    clean = write_clean(tmp_path / "clean")
    run_yaml = tmp_path / "run.yaml"
    run_yaml.write_text(f"# support desk, Hinglish tickets\ndata: {clean}\nout: {tmp_path / 'from-file'}\n"
                        "max_steps: 48\nlr: 5e-4\nrank: 8\ntime_budget: 10m\nseed: 7\n"
                        "weight_decay: 0.01\n", encoding="utf-8")
    result = train_lora("--config", run_yaml, "--max-steps", 2, "--seed", 0,
                        "--out", tmp_path / "from-flag")
    assert result.exit_code == 0, result.output
    [cfg] = trained
    assert cfg.max_steps == 2 and cfg.seed == 0            # typed, even when equal to the default
    assert cfg.out == str(tmp_path / "from-flag")
    assert cfg.lr == 5e-4 and cfg.rank == 8                # YAML reads 5e-4 as a string
    assert cfg.time_budget == 600 and cfg.weight_decay == 0.01   # a file-only setting
    assert cfg.data == str(clean) and cfg.model == "smollm2-135m" and cfg.batch_size == 8


def test_train_json_config_with_dashed_keys(tmp_path, trained):
    clean = write_clean(tmp_path / "clean")
    run_json = tmp_path / "run.json"
    run_json.write_text(json.dumps({"max-steps": 3, "template": "prompt-completion"}), encoding="utf-8")
    result = train_lora("--config", run_json, "--data", clean, "--out", tmp_path / "r")
    assert result.exit_code == 0, result.output
    assert trained[0].max_steps == 3 and trained[0].template == "prompt-completion"


@pytest.mark.parametrize("text, needles", [
    ("max_step: 48\n", ["run.yaml: max_step is not a setting", "did you mean 'max_steps'"]),
    ("batch_size: 0\n", ["run.yaml: batch_size must be an integer ≥ 1, got 0"]),
    ("time_budget: ten minutes\n", ["run.yaml: time_budget must be a duration like 90s", "ten minutes"]),
    ("max_steps: [48\n", ["run.yaml: file is not valid yaml"]),
    ("- max_steps: 48\n", ["run.yaml: file must hold a mapping of settings, got list"]),
])
def test_train_config_file_errors_name_the_file(tmp_path, trained, text, needles):
    clean = write_clean(tmp_path / "clean")
    (tmp_path / "run.yaml").write_text(text, encoding="utf-8")
    out = tmp_path / "runs" / "v1"
    result = train_lora("--config", tmp_path / "run.yaml", "--data", clean, "--out", out)
    one_line_error(result, *needles)
    assert not trained and not out.exists()


def test_a_bad_flag_over_a_good_file_names_the_flag(tmp_path, trained):
    clean = write_clean(tmp_path / "clean")
    (tmp_path / "run.yaml").write_text("batch_size: 4\n", encoding="utf-8")
    result = train_lora("--config", tmp_path / "run.yaml", "--data", clean, "--out", tmp_path / "r",
                        "--batch-size", 0)
    assert "run.yaml" not in one_line_error(result, "--batch-size must be an integer ≥ 1, got 0")


def test_missing_config_file_and_missing_data_are_one_line(tmp_path, trained):
    one_line_error(train_lora("--config", tmp_path / "nope.yaml", "--out", tmp_path / "r"),
                   "nope.yaml: file cannot be read")
    one_line_error(train_lora("--out", tmp_path / "r"), "--data is required")


def test_evalkit_file_values_are_the_base_and_typed_flags_override(tmp_path, evaluated):
    eval_yaml = tmp_path / "eval.yaml"
    eval_yaml.write_text(f"data: {tmp_path}\nout: {tmp_path / 'e'}\nsystems: zero-shot,few-shot\n"
                         "k: 2\nstop: ['\\n\\n']\ncurve: [1.0, 0.5]\nmin_effect: 2e-2\n"
                         "cost_model: {usd_per_1k_prompt_tokens: 0.01}\n"
                         "system_prompt: 'आप एक सहायक हैं।'\n", encoding="utf-8")
    result = evalkit_run("--config", eval_yaml, "--k", 4, "--stop", "###")
    assert result.exit_code == 0, result.output
    [cfg] = evaluated
    assert cfg.k == 4 and cfg.stop == ("###",)             # a typed --stop replaces the file's list
    assert cfg.systems == "zero-shot,few-shot" and cfg.curve == (0.5, 1.0) and cfg.min_effect == 0.02
    assert cfg.cost_model == {"usd_per_1k_prompt_tokens": 0.01}
    assert cfg.system_prompt == "आप एक सहायक हैं।" and cfg.resamples == 1000


@pytest.mark.parametrize("text, needles", [
    ("few_shots: random\n", ["eval.yaml: few_shots is not a setting", "did you mean 'few_shot'"]),
    ("limit: 0\n", ["eval.yaml: limit must be an integer ≥ 1, got 0"]),
    ("curve: [0, 1]\n", ["eval.yaml: curve must be fractions in (0, 1]"]),
])
def test_evalkit_config_file_errors_name_the_file(tmp_path, evaluated, text, needles):
    (tmp_path / "eval.yaml").write_text(text, encoding="utf-8")
    result = evalkit_run("--config", tmp_path / "eval.yaml", "--data", tmp_path, "--out", tmp_path / "e")
    one_line_error(result, *needles)
    assert not evaluated
