"""`curate run | inspect | passes` through the CLI, with the real passes on a small realistic folder."""
import json

import pytest
from _curate_util import read_lines, support_rows, write_jsonl
from typer.testing import CliRunner

import curate.executor
from curate.cli import app
from curate.passes import DEFAULT_ORDER

runner = CliRunner()
SPLITS = ("train.jsonl", "validation.jsonl", "test.jsonl")
DEVANAGARI_Q = "मेरा डेबिट कार्ड खो गया है, उसे तुरंत ब्लॉक कैसे करूँ?"


def _curate(*args):
    return runner.invoke(app, [str(a) for a in args])


def _raw_folder(root):
    """Support-desk data as users bring it: several files, schemas, languages and defects."""
    raw = root / "raw"
    rows = support_rows(30)
    rows += [
        {"instruction": DEVANAGARI_Q, "output": "ऐप खोलें, Cards में जाएँ और Block दबाएँ।", "intent": "card"},
        {"instruction": "How do I center a <div> inside another <div>?",
         "output": "Give the parent <div> `display: flex` and `justify-content: center`.", "intent": "web"},
        {"instruction": "How do I change my address?",
         "output": "<p>Open <b>Profile</b> in the app.</p><ul><li>Tap Address</li><li>Save</li></ul>",
         "intent": "profile"},
        {"instruction": "Is there a fee at the cafÃ© terminal?",
         "output": "No fee at partner cafÃ©s, only at other ATMs.", "intent": "fees"},
        {"instruction": "Can you write my exam for me?",
         "output": "As an AI language model, I cannot help with that request.", "intent": "other"},
        {"instruction": "Comment puis-je fermer mon compte bancaire aujourd'hui ?",
         "output": "Vous pouvez fermer votre compte dans l'application, rubrique Profil.", "intent": "close"},
        rows[3],                                                     # an exact duplicate
    ]
    path = write_jsonl(raw / "tickets.jsonl", rows)
    with open(path, "a", encoding="utf-8") as f:
        f.write('{"instruction": "truncated export\n')
    (raw / "faq").mkdir()
    (raw / "faq" / "faq.csv").write_text(
        'question,answer,channel\n"Card not\nworking abroad?","Enable international use in Cards.",app\n'
        "Refund kab milega?,,whatsapp\n", encoding="utf-8")
    write_jsonl(raw / "chats.jsonl", [{"messages": [
        {"role": "user", "content": "Mera UPI payment fail ho gaya par paise kat gaye"},
        {"role": "assistant", "content": "Paise 48 ghante mein wapas aa jayenge."}]}])
    (raw / "empty.txt").write_text("")
    (raw / "photo.bin").write_bytes(bytes(range(256)))
    return raw


def test_run_end_to_end_with_the_real_passes(tmp_path, monkeypatch):
    raw, out = _raw_folder(tmp_path), tmp_path / "clean"
    result = _curate("run", raw, "--out", out, "--skip", "pii", "--lang", "en,hi", "--workers", "1",
                     "--seed", "7", "-q")
    assert result.exit_code == 0, result.output
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    accounting = manifest["accounting"]
    assert accounting["ok"] and accounting["rows_read"] == 37 + 1 + 2 + 1
    assert {s["path"]: s["reason"] for s in manifest["skipped"]} == {
        "empty.txt": "empty file", "photo.bin": "unknown file type '.bin'"}
    rejects = {(r["pass"], r["reason"]) for r in read_lines(out / "rejects.jsonl")}
    assert {("read", "parse_error"), ("quality", "empty_response"),
            ("quality", "refusal_boilerplate"), ("dedup_exact", "exact_duplicate"),
            ("language", "language")} <= rejects
    kept = [r for name in SPLITS for r in read_lines(out / name)]
    by_question = {r["messages"][0]["content"]: r for r in kept}
    assert by_question[DEVANAGARI_Q]["lang"] == "hi"                 # Devanagari kept byte-for-byte
    assert "<div>" in by_question["How do I center a <div> inside another <div>?"]["messages"][1]["content"]
    address = by_question["How do I change my address?"]["messages"][1]["content"]
    assert "<b>" not in address and "Profile" in address               # markup stripped
    assert "café" in by_question["Is there a fee at the café terminal?"]["messages"][1]["content"]
    assert all(r["prompt"].endswith("<|im_start|>assistant\n") and r["completion"] for r in kept)
    assert by_question["Card not\nworking abroad?"]["id"] == "faq/faq.csv:2"
    assert {r["split"] for r in kept} == {"train", "validation", "test"}
    assert (out / "report.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")

    again = _curate("run", raw, "--out", out, "--skip", "pii", "--lang", "en,hi", "--workers", "1",
                    "--seed", "7", "-q", "--force")
    assert again.exit_code == 0
    before = {name: (out / name).read_bytes() for name in SPLITS + ("rejects.jsonl",)}
    monkeypatch.setattr(curate.executor, "CHUNK", 8)     # several shards: the real passes in workers
    third = _curate("run", raw, "--out", tmp_path / "c2", "--skip", "pii", "--lang", "en,hi",
                    "--workers", "2", "--seed", "7", "-q")
    assert third.exit_code == 0
    assert all((tmp_path / "c2" / name).read_bytes() == data for name, data in before.items())

    shown = _curate("inspect", out)
    assert shown.exit_code == 0 and "accounting ok" in shown.stdout and "tickets.jsonl" in shown.stdout


def test_run_with_pii_on_scrubs_splits_and_rejects(tmp_path):
    raw, out = tmp_path / "raw", tmp_path / "clean"
    rows = [{"instruction": f"My card {i} is blocked, write to me at ravi.kumar{i}@gmail.com",
             "output": f"We unblocked card {i}; the confirmation went to your e-mail."} for i in range(6)]
    rows.append({"instruction": "Refund?", "output": " ", "email": "anita.rao@rediffmail.com"})
    write_jsonl(raw / "t.jsonl", rows)
    with open(raw / "t.jsonl", "a", encoding="utf-8") as f:
        f.write('{"instruction": "call me on +91 98765 43210 or mail sunil.m@gmail.com"\n')
    result = _curate("run", raw, "--out", out, "--workers", "1", "-q")
    assert result.exit_code == 0, result.output
    written = "".join((out / name).read_text(encoding="utf-8")
                      for name in SPLITS + ("rejects.jsonl",))
    for secret in ("ravi.kumar", "anita.rao", "sunil.m@gmail.com", "98765 43210"):
        assert secret not in written
    assert len(read_lines(out / "rejects.jsonl")) == 2


def test_missing_input_is_one_line_and_exit_code_2(tmp_path):
    result = _curate("run", tmp_path / "nope", "--out", tmp_path / "clean")
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [f"curate: error: input folder not found: {tmp_path / 'nope'}"]
    assert "Traceback" not in result.output and not (tmp_path / "clean").exists()


def test_bad_recipe_key_is_one_line_and_exit_code_2(tmp_path):
    (tmp_path / "raw").mkdir()
    recipe = tmp_path / "recipe.yaml"
    recipe.write_text("seed: 7\npases:\n  language: {allow: [en]}\n")
    result = _curate("run", tmp_path / "raw", "--out", tmp_path / "clean", "--recipe", recipe)
    assert result.exit_code == 2
    [line] = result.stderr.strip().splitlines()
    assert "unknown key 'pases'" in line and "valid keys: seed, skip, schema, columns, passes, workers" in line


def test_bad_pass_option_and_skip_name_are_exit_code_2(tmp_path):
    (tmp_path / "raw").mkdir()
    write_jsonl(tmp_path / "raw" / "a.jsonl", [{"text": "hello there"}])
    recipe = tmp_path / "r.yaml"
    recipe.write_text("passes:\n  split: {ratio: [0.5, 0.5]}\n")
    result = _curate("run", tmp_path / "raw", "--out", tmp_path / "clean", "--recipe", recipe)
    assert result.exit_code == 2 and "pass 'split': unknown option(s) ratio" in result.stderr
    result = _curate("run", tmp_path / "raw", "--out", tmp_path / "clean", "--skip", "piii")
    assert result.exit_code == 2 and len(result.stderr.strip().splitlines()) == 1


def test_existing_output_needs_force(tmp_path):
    (tmp_path / "raw").mkdir()
    (tmp_path / "clean").mkdir()
    result = _curate("run", tmp_path / "raw", "--out", tmp_path / "clean")
    assert result.exit_code == 2 and "already exists" in result.stderr and "--force" in result.stderr


def test_inspect_without_manifest_is_exit_code_2(tmp_path):
    result = _curate("inspect", tmp_path)
    assert result.exit_code == 2 and "cannot read the manifest" in result.stderr


def test_passes_lists_every_pass_with_options_and_defaults():
    result = _curate("passes")
    assert result.exit_code == 0
    for name in DEFAULT_ORDER:
        assert name in result.stdout
    assert "ratios: list[float] = [0.8, 0.1, 0.1]" in result.stdout
    assert "unavailable" not in result.stdout


@pytest.mark.parametrize("command", ["run", "inspect", "passes"])
def test_every_command_help_has_an_example(command):
    result = _curate(command, "--help")
    assert result.exit_code == 0
    assert "Example:" in result.stdout and f"curate {command}" in result.stdout
