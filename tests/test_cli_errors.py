"""`train` and `evalkit` on wrong flags and broken inputs: exit 2 and one line naming the bad value
or file, never a traceback; and no silent loss (an overwritten run, items dropped, nulls scored)."""
import json

import pytest
from typer.testing import CliRunner

from _train_util import write_clean


def invoke(app, *args):
    return CliRunner().invoke(app, [str(a) for a in args])


def assert_one_line_error(result, *needles, prefix="error: "):
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if line.strip()]  # rich may add blanks
    errors = [line for line in lines if line.startswith(prefix)]
    assert len(errors) == 1 and len(lines) == 1, result.output
    for needle in needles:
        assert needle in errors[0], (needle, errors[0])


# --- train lora ----------------------------------------------------------------------------------

@pytest.mark.parametrize("flags, needles", [
    (["--batch-size", "0"], ["--batch-size", "0"]),
    (["--max-steps", "-3", "--epochs", "0"], ["--max-steps", "-3"]),
    (["--epochs", "0"], ["--max-steps", "nothing to train"]),
    (["--seed", "-5"], ["--seed", "-5"]),
    (["--grad-accum", "0"], ["--grad-accum", "0"]),
    (["--lr", "-1e-4"], ["--lr", "-0.0001"]),     # 0 means "auto, by model size"
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
    from train.config import ConfigError
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


def test_empty_validation_split_turns_early_stopping_off_with_a_warning(tmp_path, tiny_model_dir):
    """Early stopping is on by default (patience 2): with nothing to stop on it is turned off,
    said before training, and the card records it."""
    clean = write_clean(tmp_path / "clean", val_pairs=[])
    out = tmp_path / "runs" / "no-val"
    result = _train(clean, out, tiny_model_dir, "--patience", 2)
    assert result.exit_code == 0, result.output
    assert "without validation or early stopping" in result.output
    run = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert run["config"]["patience"] == 0


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


# --- evalkit run / score -------------------------------------------------------------------------

def _evalkit(*args):
    from evalkit.cli import app

    return invoke(app, *args)


@pytest.mark.parametrize("flags, needles", [
    (["--batch-size", "0"], ["--batch-size", "0"]),
    (["--limit", "-1"], ["--limit", "-1"]),
    (["--limit", "0"], ["--limit", "0"]),
    (["--seed", "-5"], ["--seed", "-5"]),
    (["--k", "0"], ["--k", "0"]),
    (["--max-new-tokens", "0"], ["--max-new-tokens", "0"]),
])
def test_evalkit_run_bad_numbers_are_one_line(tmp_path, tiny_model_dir, flags, needles):
    from _evalkit_util import write_clean as write_eval_clean

    clean = write_eval_clean(tmp_path / "clean")
    result = _evalkit("run", "--data", clean, "--model", tiny_model_dir, "--out", tmp_path / "o",
                      "--systems", "zero-shot", *flags)
    assert_one_line_error(result, *needles)
    assert not (tmp_path / "o").exists()


def test_a_negative_limit_no_longer_drops_the_last_item(tmp_path):
    """`test[: -1 or None]` evaluated 7 of 8 items without a word."""
    from _evalkit_util import write_clean as write_eval_clean

    from evalkit.loaders import LoadError, load_items

    clean = write_eval_clean(tmp_path / "clean")
    with pytest.raises(LoadError, match="--limit must be at least 1, got -1"):
        load_items(clean, limit=-1)
    assert len(load_items(clean, limit=None)[0]) == 4
    assert [i.id for i in load_items(clean, limit=2)[0]] == ["test.jsonl:1", "test.jsonl:2"]


def _hyps(path, outputs):
    path.write_text("".join(json.dumps({"id": f"test.jsonl:{i}", "output": o}, ensure_ascii=False)
                            + "\n" for i, o in enumerate(outputs, 1)), encoding="utf-8")
    return path


def test_score_refuses_a_null_output_naming_the_id_and_line(tmp_path):
    from _evalkit_util import write_clean as write_eval_clean

    clean = write_eval_clean(tmp_path / "clean")
    hyps = _hyps(tmp_path / "api.jsonl", ["Go to settings and choose Reset PIN.", None,
                                          "Your card has been blocked.", "Refund 3 din mein aayega."])
    result = _evalkit("score", "--hyps", hyps, "--refs", clean / "test.jsonl", "--out", tmp_path / "o")
    assert_one_line_error(result, "api.jsonl:2", "'test.jsonl:2'", "null output")
    assert not (tmp_path / "o").exists()
    hyps = _hyps(tmp_path / "api.jsonl", ["a", {"text": "b"}, "c", "d"])
    result = _evalkit("score", "--hyps", hyps, "--refs", clean / "test.jsonl", "--out", tmp_path / "o")
    assert_one_line_error(result, "api.jsonl:2", "must be a string")


def test_score_with_a_negative_seed_is_one_line(tmp_path):
    from _evalkit_util import TEST
    from _evalkit_util import write_clean as write_eval_clean

    clean = write_eval_clean(tmp_path / "clean")
    hyps = _hyps(tmp_path / "api.jsonl", [answer for _, answer, _ in TEST])
    result = _evalkit("score", "--hyps", hyps, "--refs", clean / "test.jsonl", "--out",
                      tmp_path / "o", "--seed", -5)
    assert_one_line_error(result, "seed", "-5")


# --- a broken adapter ----------------------------------------------------------------------------

def _truncate(path):
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _write(text):
    return lambda path: path.write_text(text, encoding="utf-8")


@pytest.mark.parametrize("name, damage, needle", [
    ("adapter_model.safetensors", _truncate, "truncated or corrupt"),
    ("adapter_config.json", _write(""), "not a readable JSON adapter config"),
    ("adapter_config.json", _write('{"r": 4, "lora_alpha": '), "not a readable JSON adapter config"),
    ("adapter_config.json", _write("{}"), "no 'peft_type'"),
    ("adapter_model.safetensors", lambda path: path.unlink(), "no adapter_model.safetensors"),
])
def test_a_broken_adapter_is_one_line_naming_the_file(tmp_path, tiny_model_dir, name, damage, needle):
    from _evalkit_util import make_adapter
    from _evalkit_util import write_clean as write_eval_clean

    clean = write_eval_clean(tmp_path / "clean")
    run_dir = make_adapter(tiny_model_dir, tmp_path / "runs" / "v1")
    damage(run_dir / "adapter" / name)
    result = _evalkit("run", "--data", clean, "--model", tiny_model_dir, "--adapter", run_dir,
                      "--systems", "zero-shot,fine-tuned", "--out", tmp_path / "o")
    assert_one_line_error(result, str(run_dir / "adapter"), needle)


# --- evalkit sheet import ------------------------------------------------------------------------

SHEET_ROWS = [{"id": f"test.jsonl:{i}", "system": system, "input": prompt, "reference": ref,
               "output": f"{system}: {ref}"}
              for i, (prompt, ref) in enumerate([
                  ("मेरा खाता बंद है, मदद करें।", "आपका खाता खोल दिया गया है।"),
                  ("Recharge fail ho gaya, paisa wapas chahiye.", "Refund 3 din mein aayega."),
                  ("How do I close a <div> tag?", "Write </div> after the content."),
                  ("What is 12 × 7?", "84")], 1)
              for system in ("zero-shot", "fine-tuned")]


@pytest.fixture()
def sheet(tmp_path):
    from evalkit.sheets import export_sheet

    key = export_sheet(SHEET_ROWS, tmp_path / "sheet.xlsx", tmp_path / "sheet-key.json")
    return tmp_path, key


def _fill(tmp_path, key, name, rows=None, best=lambda labels: labels[0]):
    """Rate `rows` (row numbers, default all): best and 4 everywhere; None leaves a row blank."""
    from openpyxl import load_workbook

    wb = load_workbook(tmp_path / "sheet.xlsx")
    ws = wb["Ratings"]
    head = {c.value: c.column for c in ws[1]}
    for r in rows or range(2, ws.max_row + 1):
        labels = sorted(key["items"][ws.cell(r, head["item"]).value])
        ws.cell(r, head["best"]).value = best(labels)
        for label in labels:
            ws.cell(r, head[f"correctness {label}"]).value = 4
    wb.save(tmp_path / name)
    return tmp_path / name


def test_sheet_import_refuses_formulas_without_a_saved_value(sheet):
    tmp, key = sheet
    filled = _fill(tmp, key, "rater-a.xlsx", best=lambda labels: '="A"')
    result = _evalkit("sheet", "import", filled, "--key", tmp / "sheet-key.json")
    assert_one_line_error(result, "rater-a.xlsx", "Ratings!", "formula", "no saved value")
    assert not (tmp / "human.json").exists()


def test_an_all_blank_sheet_does_not_overwrite_human_json(sheet):
    tmp, key = sheet
    result = _evalkit("sheet", "import", _fill(tmp, key, "rater-a.xlsx"), "--key",
                      tmp / "sheet-key.json")
    assert result.exit_code == 0, result.output
    before = (tmp / "human.json").read_bytes()
    result = _evalkit("sheet", "import", tmp / "sheet.xlsx", "--key", tmp / "sheet-key.json")
    assert_one_line_error(result, "sheet.xlsx", "no rating filled in")
    assert (tmp / "human.json").read_bytes() == before


def test_blank_rows_are_not_counted_as_rated_items(sheet):
    from evalkit.sheets import import_sheets

    tmp, key = sheet
    human = import_sheets([_fill(tmp, key, "rater-a.xlsx", rows=[2, 4])], tmp / "sheet-key.json")
    assert human["n_items"] == 2


# --- curate recipe option types ------------------------------------------------------------------

@pytest.mark.parametrize("option, needles", [
    ("quality: {max_chars: ten}", ["pass 'quality'", "'max_chars'", "an integer", "'ten'"]),
    ("quality: {max_chars: 1e3}", ["'max_chars'", "an integer", "'1e3'", "1000"]),
    ("quality: {refusals: [As an AI, 42]}", ["'refusals'", "a list of strings"]),
    ("pii: {operators: {PERSON: 3}}", ["pass 'pii'", "'operators'", "a mapping of strings"]),
    ("balance: {per_label: 2.5}", ["pass 'balance'", "'per_label'", "an integer or null"]),
])
def test_recipe_option_of_the_wrong_type_is_one_line_before_the_run(tmp_path, option, needles):
    from curate.cli import app

    raw = tmp_path / "raw"
    raw.mkdir()
    rows = [{"instruction": q, "output": a} for q, a in [
        ("मेरा ऑर्डर कहाँ है?", "आपका ऑर्डर कल पहुँचेगा।"),
        ("Refund kab milega?", "Refund 3 din mein aa jayega."),
        ("What is 2^10?", "2^10 = 1024."), ("Close a <p> tag?", "Write </p> after the text.")]]
    (raw / "tickets.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n"
                                               for r in rows), encoding="utf-8")
    recipe = tmp_path / "recipe.yaml"
    recipe.write_text(f"passes:\n  {option}\n", encoding="utf-8")
    result = invoke(app, "run", raw, "--out", tmp_path / "clean", "--recipe", recipe,
                    "--skip", "pii,dedup_near", "--workers", 1, "--quiet")
    assert_one_line_error(result, "recipe.yaml", *needles, prefix="curate: error: ")
    assert not (tmp_path / "clean").exists()


def test_recipe_types_accept_what_the_configs_accept(tmp_path):
    from curate.recipe import load_recipe

    recipe = tmp_path / "recipe.yaml"
    recipe.write_text("passes:\n  language: {allow: \"en,hi\"}\n  quality: {max_chars: 1000}\n"
                      "  dedup_near: {threshold: 1}\n  balance: {per_label: null}\n"
                      "  split: {ratios: [0.8, 0.1, 0.1]}\n", encoding="utf-8")
    passes = {p.name: p for p in load_recipe(recipe).build_passes()}
    assert passes["quality"].config.max_chars == 1000
    assert passes["language"].config.allow == ["en", "hi"]


@pytest.mark.parametrize("where", ["flag", "recipe"])
def test_curate_negative_seed_is_one_line(tmp_path, where):
    from curate.cli import app

    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "t.jsonl").write_text("".join(json.dumps({"instruction": f"Refund {i} kab milega?",
                                                     "output": f"{i} din mein."}) + "\n"
                                         for i in range(12)), encoding="utf-8")
    recipe = tmp_path / "recipe.yaml"
    recipe.write_text("seed: -5\n" if where == "recipe" else "seed: 1\n", encoding="utf-8")
    flags = ["--seed", "-5"] if where == "flag" else []
    result = invoke(app, "run", raw, "--out", tmp_path / "clean", "--recipe", recipe,
                    "--skip", "pii,dedup_near", "--workers", 1, "--quiet", *flags)
    assert_one_line_error(result, "seed", "-5", prefix="curate: error: ")


def test_resume_from_a_truncated_checkpoint_is_one_line(tmp_path, tiny_model_dir):
    clean = write_clean(tmp_path / "clean")
    out = tmp_path / "runs" / "v1"
    assert _train(clean, out, tiny_model_dir).exit_code == 0
    checkpoint = out / "checkpoint.pt"
    checkpoint.write_bytes(checkpoint.read_bytes()[:1000])
    assert_one_line_error(_train(clean, out, tiny_model_dir, "--resume"),
                          str(checkpoint), "unreadable checkpoint")


def test_an_adapter_for_another_base_is_one_line(tmp_path, tiny_model_dir):
    """Shapes that do not fit the base (an adapter trained on another model) fail inside peft."""
    from _evalkit_util import make_adapter
    from _evalkit_util import write_clean as write_eval_clean
    from safetensors.torch import load_file, save_file

    clean = write_eval_clean(tmp_path / "clean")
    run_dir = make_adapter(tiny_model_dir, tmp_path / "runs" / "v1")
    weights = run_dir / "adapter" / "adapter_model.safetensors"
    tensors = load_file(weights)
    save_file({k: v[..., :-1].contiguous() for k, v in tensors.items()}, weights)
    result = _evalkit("run", "--data", clean, "--model", tiny_model_dir, "--adapter", run_dir,
                      "--systems", "zero-shot,fine-tuned", "--out", tmp_path / "o")
    assert_one_line_error(result, str(run_dir / "adapter"), "cannot load the adapter onto")


def test_sheet_import_reads_a_formulas_saved_value(sheet):
    """As a spreadsheet app saves it: the formula and, next to it, the value it computed."""
    import zipfile

    from openpyxl import load_workbook

    from evalkit.sheets import import_sheets

    tmp, key = sheet
    filled = _fill(tmp, key, "rater-a.xlsx", best=lambda labels: "tie")
    wb = load_workbook(filled)
    ws = wb["Ratings"]
    for cell in next(c for c in ws.iter_cols() if c[0].value == "correctness A")[1:]:
        cell.value = "=2+3"
    wb.save(filled)
    with zipfile.ZipFile(filled) as z:
        parts = {name: z.read(name) for name in z.namelist()}
    parts = {name: data.replace(b"<f>2+3</f><v></v>", b"<f>2+3</f><v>5</v>")
             for name, data in parts.items()}
    with zipfile.ZipFile(filled, "w") as z:
        for name, data in parts.items():
            z.writestr(name, data)
    human = import_sheets([filled], tmp / "sheet-key.json", resamples=50)
    assert human["n_items"] == 4
    means = [s["correctness"]["value"] for s in human["systems"].values()]
    assert sum(means) == pytest.approx(4 + 5)    # per item: the formula's 5 for A, a typed 4 for B
