"""Guards: a run that deletes a whole label, file or sub-task says so (summary, data card) and
--strict fails it; `--lang` takes language codes only; the summary is stdout, progress stderr."""
import json

from _curate_util import read_lines, support_rows, write_jsonl
from typer.testing import CliRunner

from curate.cli import app
from curate.guards import RejectedGroups, guard_warnings
from tunecraft.records import Record, Reject

runner = CliRunner()


def _curate(*args):
    return runner.invoke(app, [str(a) for a in args])


def _raw(root):
    """Support tickets, plus a label whose every answer is refusal boilerplate (quality drops it
    all) and a legacy export whose replies are empty."""
    raw = root / "raw"
    write_jsonl(raw / "tickets.jsonl", support_rows(40) + [
        {"instruction": f"Mera exam {i} likh do please, kal submit karna hai",
         "output": "As an AI language model, I cannot write your exam.", "intent": "exam_help"}
        for i in range(6)])
    write_jsonl(raw / "legacy.jsonl", [
        {"question": f"कार्ड {i} कब आएगा?", "answer": "  "} for i in range(5)])
    return raw


def test_a_label_and_a_file_removed_whole_are_warned_about_in_summary_and_data_card(tmp_path):
    out = tmp_path / "clean"
    result = _curate("run", _raw(tmp_path), "--out", out, "--skip", "pii", "--workers", "1")
    assert result.exit_code == 0, result.output
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    emptied = {(w["group"], w["value"], w["pass"]) for w in manifest["warnings"] if w["kind"] == "emptied"}
    assert emptied == {("label", "exam_help", "quality"), ("source", "legacy.jsonl", "quality")}
    assert "no train row left of label 'exam_help': quality removed 6" in result.stdout
    assert "curate: per-pass funnel" in result.stdout and "accounting ok" in result.stdout
    assert "per-pass funnel" not in result.stderr                   # the result is stdout
    shown = _curate("inspect", out)
    assert "warning: no train row left of source 'legacy.jsonl': quality removed 5" in shown.stdout
    card = (out / "report.html").read_text(encoding="utf-8")
    assert "<h2>Warnings</h2>" in card and "no train row left of source &#x27;legacy.jsonl&#x27;" in card


def test_strict_turns_guard_warnings_into_a_failed_run(tmp_path):
    result = _curate("run", _raw(tmp_path), "--out", tmp_path / "clean", "--skip", "pii",
                     "--workers", "1", "--strict", "-q")
    assert result.exit_code == 3
    assert "curate: warning: no train row left of label 'exam_help'" in result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith("curate: error: --strict: 2 guard warning(s)")


def test_strict_passes_a_clean_run(tmp_path):
    raw = tmp_path / "raw"
    write_jsonl(raw / "tickets.jsonl", support_rows(40))
    result = _curate("run", raw, "--out", tmp_path / "clean", "--skip", "pii", "--workers", "1",
                     "--strict", "-q")
    assert result.exit_code == 0, result.output
    assert json.loads((tmp_path / "clean" / "manifest.json").read_text())["warnings"] == []


def test_a_language_name_instead_of_a_code_is_a_one_line_error(tmp_path):
    raw = tmp_path / "raw"
    write_jsonl(raw / "tickets.jsonl", support_rows(5))
    for lang in ("english", "xx", "en,hindi"):
        result = _curate("run", raw, "--out", tmp_path / "clean", "--lang", lang)
        assert result.exit_code == 2, (lang, result.output)
        [line] = result.stderr.strip().splitlines()
        assert "unknown language code" in line and "valid codes:" in line and " hi-Latn" in line
        assert not (tmp_path / "clean").exists()


def test_a_pass_removing_a_large_share_is_named():
    passes = [{"name": "read", "in": 100, "out": 100, "rejected": 0, "reasons": {}},
              {"name": "language", "in": 100, "out": 60, "rejected": 40, "reasons": {"language": 40}}]
    [warning] = guard_warnings(passes, {"train": {"labels": {}, "sources": {}}}, RejectedGroups())
    assert warning["kind"] == "removed_share" and warning["pass"] == "language"
    assert warning["message"] == "language removed 40 of 100 records (40%; over 25%): language 40"


def test_a_sub_task_emptied_by_decontaminate_is_named_with_what_remains_held_out():
    rows = [Record(f"tools.jsonl:{i}", [{"role": "user", "content": "q"}], meta={"task": "tool_use "})
            for i in range(8)]
    rejects = [Reject(r, "decontaminate", "contaminated") for r in rows[:6]]
    splits = {"train": {"tasks": {"chat": 50}, "sources": {"chat.jsonl": 50}},
              "test": {"tasks": {"tool_use": 2}, "sources": {"tools.jsonl": 2}}}
    warnings = guard_warnings([{"name": "decontaminate", "in": 58, "rejected": 6}], splits,
                              RejectedGroups(rejects))
    assert [(w["group"], w["value"]) for w in warnings] == [("source", "tools.jsonl"), ("task", "tool_use")]
    assert warnings[1]["message"] == ("no train row left of task 'tool_use': decontaminate removed 6; "
                                      "2 remain in validation/test")
