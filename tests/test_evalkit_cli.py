"""`evalkit run | score | report | sheet` end to end on the tiny model with a tiny LoRA adapter."""
import json

import pytest
from typer.testing import CliRunner

from _evalkit_util import TEST, lively_model_dir, make_adapter, write_clean  # noqa: F401
from evalkit.cli import app

SYSTEMS = ["zero-shot", "few-shot", "rag", "fine-tuned"]


def invoke(*args):
    return CliRunner().invoke(app, [str(a) for a in args])


@pytest.fixture(scope="module")
def evaluated(lively_model_dir, tmp_path_factory):
    """One full run, shared by the tests that read its outputs."""
    tmp = tmp_path_factory.mktemp("evalkit-cli")
    clean = write_clean(tmp / "clean")
    run_dir = make_adapter(lively_model_dir, tmp / "runs" / "v1")
    out = tmp / "evals" / "v1"
    args = ["run", "--data", clean, "--model", lively_model_dir, "--adapter", run_dir,
            "--systems", ",".join(SYSTEMS), "--out", out, "--max-new-tokens", 6,
            "--batch-size", 2, "--k", 2, "--resamples", 200]
    result = invoke(*args)
    assert result.exit_code == 0, result.output
    return tmp, out, args


def results(out):
    return [json.loads(line) for line in (out / "results.jsonl").read_text(encoding="utf-8").splitlines()]


def test_run_writes_every_item_for_every_system(evaluated):
    _, out, _ = evaluated
    rows = results(out)
    assert sorted((r["system"], r["id"]) for r in rows) == sorted(
        (s, f"test.jsonl:{i}") for s in SYSTEMS for i in range(1, len(TEST) + 1))
    assert {r["reference"] for r in rows} == {a for _, a, _ in TEST}
    hindi = [r for r in rows if r["id"] == "test.jsonl:2"]
    assert all("मेरा खाता बंद है" in r["prompt"] for r in hindi)      # Devanagari flows through
    assert all(r["nll"] > 0 and r["ref_tokens"] > 0 and "scores" in r for r in rows)
    by = {(r["system"], r["id"]): r for r in rows}
    # labelled data: zero-shot is told the label set; the adapter gets the plain prompt it was
    # trained on, i.e. zero-shot's without that list
    zero, tuned = by[("zero-shot", "test.jsonl:1")]["prompt"], by[("fine-tuned", "test.jsonl:1")]["prompt"]
    assert "Answer with exactly one of these labels" in zero and tuned in zero.replace(
        "<|im_start|>system\nAnswer with exactly one of these labels and nothing else: "
        "account, card, pin, refund.<|im_end|>\n", "")
    assert by[("few-shot", "test.jsonl:1")]["prompt_tokens"] > by[("zero-shot", "test.jsonl:1")]["prompt_tokens"]
    metrics = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    assert set(metrics["systems"]) == set(SYSTEMS)
    assert metrics["adapter_check"]["max_logit_change"] > 0 and not metrics["warnings"]
    assert metrics["verdict"]["decision"] == "cannot tell"          # 4 items cannot decide
    assert metrics["run"]["generation"]["max_new_tokens"] == 6


def test_report_is_self_contained_and_leads_with_the_verdict(evaluated):
    _, out, _ = evaluated
    html = (out / "report.html").read_text(encoding="utf-8")
    md = (out / "report.md").read_text(encoding="utf-8")
    assert "http://" not in html and "https://" not in html and "<script" not in html
    assert "data:image/png;base64," in html
    assert md.index("## Verdict") < md.index("## Metrics")
    assert "मेरा खाता बंद है" in html and "<|im_start|>" not in md   # examples show inputs


def test_rerun_reuses_cached_generations_and_report_rerenders(evaluated, monkeypatch):
    import evalkit.generate
    import evalkit.runner

    _, out, args = evaluated
    before = results(out)
    calls = []
    monkeypatch.setattr(evalkit.generate, "generate_batch", lambda *a, **k: calls.append("gen"))
    monkeypatch.setattr(evalkit.runner, "conditional_nll", lambda *a, **k: calls.append("nll") or [])
    result = invoke(*args)
    assert result.exit_code == 0, result.output
    assert calls == []                          # neither a generation nor a likelihood pass
    after = results(out)
    assert all(r["cached"] for r in after)
    assert [r["output"] for r in after] == [r["output"] for r in before]
    assert [r["nll"] for r in after] == [r["nll"] for r in before]
    (out / "report.html").unlink()
    result = invoke("report", out)
    assert result.exit_code == 0 and (out / "report.html").is_file()


def test_untrained_adapter_gets_a_loud_warning(lively_model_dir, tmp_path):
    clean = write_clean(tmp_path / "clean")
    run_dir = make_adapter(lively_model_dir, tmp_path / "runs" / "noop", trained=False)
    out = tmp_path / "out"
    result = invoke("run", "--data", clean, "--model", lively_model_dir, "--adapter", run_dir,
                    "--systems", "zero-shot,fine-tuned", "--out", out, "--max-new-tokens", 3,
                    "--limit", 2, "--resamples", 50)
    assert result.exit_code == 0, result.output
    metrics = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    assert metrics["adapter_check"]["max_logit_change"] == 0.0
    # labelled data: zero-shot is told the label set, so its prompts (and outputs) differ from the
    # adapter's and only the logit check can tell; it does
    assert metrics["adapter_check"]["items_compared_with_zero_shot"] == 0
    assert any("ADAPTER HAD NO EFFECT" in w for w in metrics["warnings"])
    assert "ADAPTER HAD NO EFFECT" in (out / "report.html").read_text(encoding="utf-8")
    assert len(results(out)) == 4                                     # --limit 2 × 2 systems


def test_score_outputs_from_elsewhere(tmp_path):
    clean = write_clean(tmp_path / "clean")
    hyps = tmp_path / "api-model.jsonl"
    hyps.write_text("\n".join(json.dumps({"id": f"test.jsonl:{i}", "output": a}, ensure_ascii=False)
                              for i, (_, a, _) in enumerate(TEST, 1)) + "\n", encoding="utf-8")
    result = invoke("score", "--hyps", hyps, "--refs", clean / "test.jsonl", "--out", tmp_path / "o",
                    "--resamples", 50, "--min-effect", 0.05)
    assert result.exit_code == 0, result.output
    metrics = json.loads((tmp_path / "o" / "metrics.json").read_text(encoding="utf-8"))
    assert metrics["systems"]["api-model"]["exact_match"]["value"] == 1.0
    assert metrics["verdict"]["min_effect"] == 0.05
    assert "token_perplexity" not in metrics["systems"]["api-model"]


def test_sheet_export_and_import_rerenders_the_report(evaluated):
    from openpyxl import load_workbook

    tmp, out, _ = evaluated
    result = invoke("sheet", "export", out, "--out", tmp / "sheet.xlsx")
    assert result.exit_code == 0, result.output
    key = json.loads((out / "sheet-key.json").read_text(encoding="utf-8"))
    filled = []
    for rater in ("a", "b"):
        wb = load_workbook(tmp / "sheet.xlsx")
        ws = wb["Ratings"]
        head = {c.value: c.column for c in ws[1]}
        for r in range(2, ws.max_row + 1):
            labels = key["items"][ws.cell(r, head["item"]).value]
            assert "<|im_start|>" not in ws.cell(r, head["prompt"]).value   # raters see the input
            best = next(label for label, system in labels.items() if system == "fine-tuned")
            ws.cell(r, head["best"]).value = best
        wb.save(tmp / f"{rater}.xlsx")
        filled.append(tmp / f"{rater}.xlsx")
    result = invoke("sheet", "import", *filled, "--key", out / "sheet-key.json")
    assert result.exit_code == 0, result.output
    human = json.loads((out / "human.json").read_text(encoding="utf-8"))
    assert human["systems"]["fine-tuned"]["win_rate"]["value"] == 1.0
    assert "Human evaluation" in (out / "report.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("args,message", [
    (["run", "--data", "{tmp}/missing", "--model", "x", "--out", "{tmp}/o", "--systems", "zero-shot"],
     "test.jsonl: missing"),
    (["run", "--data", "{clean}", "--model", "x", "--out", "{tmp}/o", "--systems", "zero,rag"],
     "unknown zero"),
    (["run", "--data", "{clean}", "--model", "x", "--out", "{tmp}/o"], "no --adapter"),
    (["run", "--data", "{clean}", "--model", "{tmp}/nope", "--out", "{tmp}/o", "--systems",
      "zero-shot"], "not found"),
    (["run", "--data", "{bad}", "--model", "x", "--out", "{tmp}/o", "--systems", "zero-shot"],
     "test.jsonl:2: not a curated record"),
    (["score", "--hyps", "{tmp}/h.jsonl", "--refs", "{clean}/test.jsonl", "--out", "{tmp}/o"],
     "h.jsonl:1: id 'nope' is not in the test set"),
    (["report", "{tmp}"], "results.jsonl: missing"),
])
def test_user_errors_are_one_line_and_exit_2(tmp_path, args, message):
    clean = write_clean(tmp_path / "clean")
    bad = write_clean(tmp_path / "bad")
    with open(bad / "test.jsonl", "a", encoding="utf-8") as f:
        f.write("{not json\n")
    lines = (bad / "test.jsonl").read_text(encoding="utf-8").splitlines()
    (bad / "test.jsonl").write_text(lines[0] + "\n" + lines[-1] + "\n", encoding="utf-8")
    (tmp_path / "h.jsonl").write_text('{"id": "nope", "output": "x"}\n', encoding="utf-8")
    paths = {"tmp": tmp_path, "clean": clean, "bad": bad}
    result = invoke(*[a.format(**paths) for a in args])
    assert result.exit_code == 2, result.output
    assert message in result.output and len(result.output.strip().splitlines()) == 1
    assert "Traceback" not in result.output


@pytest.mark.parametrize("command", [["run"], ["score"], ["report"], ["sheet", "export"],
                                     ["sheet", "import"]])
def test_every_command_has_help_with_an_example(command):
    result = invoke(*command, "--help")
    assert result.exit_code == 0
    assert "Example" in result.output and f"evalkit {' '.join(command)}" in result.output


def test_rag_over_a_docs_folder(lively_model_dir, tmp_path):
    clean = write_clean(tmp_path / "clean")
    kb = tmp_path / "kb"
    kb.mkdir()
    (kb / "cards.html").write_text("<html><body><article><p>To block a debit card open the Cards "
                                   "menu and choose Block.</p></article></body></html>", encoding="utf-8")
    (kb / "khata.md").write_text("खाता बंद होने पर शाखा में आवेदन दें।", encoding="utf-8")
    out = tmp_path / "out"
    result = invoke("run", "--data", clean, "--model", lively_model_dir, "--systems", "rag",
                    "--docs", kb, "--k", 1, "--out", out, "--max-new-tokens", 2, "--resamples", 20)
    assert result.exit_code == 0, result.output
    by_id = {r["id"]: r for r in results(out)}
    assert by_id["test.jsonl:3"]["sources"] == ["cards.html#1"]
    assert "choose Block" in by_id["test.jsonl:3"]["prompt"]
    assert by_id["test.jsonl:2"]["sources"] == ["khata.md#1"]
