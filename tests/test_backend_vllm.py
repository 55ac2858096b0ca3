"""`evalkit run --backend vllm` without a GPU: a fake `vllm` module (tests/_vllm_fake.py) records
what evalkit asks vLLM and answers either canned or through the tiny model itself, so the plumbing
is checked — the LoRA request only on the fine-tuned system, greedy parameters, stop strings,
the reference backend's prompt ids, the reference's NLL from the right prompt log-probs — and the
rows equal the reference backend's. Without vllm: one line."""
import json
import sys

import pytest
from _evalkit_util import TEST, lively_model_dir, make_adapter, write_clean  # noqa: F401 (fixture)
from _vllm_fake import TransformersResponder, install
from typer.testing import CliRunner

from evalkit import backend_vllm
from evalkit.runner import RunConfig, run
from tunecraft.conversation import encode_pair, encode_prompt

SYSTEMS = "zero-shot,few-shot,rag,fine-tuned"


@pytest.fixture(autouse=True)
def fresh_engines(monkeypatch):
    """Each test starts with no engine and no LoRA ids (they live for a process otherwise)."""
    monkeypatch.setattr(backend_vllm, "_ENGINES", {})
    monkeypatch.setattr(backend_vllm, "_LORA_IDS", {})


def rows_of(out):
    return [json.loads(line) for line in (out / "results.jsonl").read_text(encoding="utf-8").splitlines()]


def tokenizer_of(model_dir):
    from tunecraft.models import load_tokenizer

    return load_tokenizer(str(model_dir))


def test_vllm_rows_equal_the_reference_backends(lively_model_dir, tmp_path, monkeypatch):
    """Same prompts, outputs and token counts as transformers, NLLs to float tolerance (an
    off-by-one in the prompt log-probs' span would be far off), Hindi and Hinglish items included."""
    clean = write_clean(tmp_path / "clean")
    run_dir = make_adapter(lively_model_dir, tmp_path / "runs" / "v1")
    settings = dict(data=clean, model=str(lively_model_dir), adapter=run_dir, systems=SYSTEMS,
                    max_new_tokens=8, batch_size=4, k=2, resamples=50)
    reference = run(RunConfig(out=tmp_path / "hf", **settings))
    fake = install(monkeypatch, TransformersResponder(lively_model_dir))
    served = run(RunConfig(out=tmp_path / "vllm", backend="vllm", **settings))

    hf, vl = rows_of(tmp_path / "hf"), rows_of(tmp_path / "vllm")
    assert [(r["id"], r["system"]) for r in hf] == [(r["id"], r["system"]) for r in vl]
    assert any("खाता" in r["prompt"] for r in vl) and any("paisa" in r["prompt"] for r in vl)
    for a, b in zip(hf, vl):
        assert (a["prompt"], a["output"]) == (b["prompt"], b["output"])
        assert (a["prompt_tokens"], a["completion_tokens"]) == (b["prompt_tokens"], b["completion_tokens"])
        assert (a["ref_tokens"], a["ref_bytes"]) == (b["ref_tokens"], b["ref_bytes"])
        assert b["nll"] == pytest.approx(a["nll"], rel=1e-4, abs=1e-4)
    assert any(r["output"] for r in vl)
    assert served["run"]["identity"]["backend"] == served["run"]["backend"] == "vllm"
    assert served["adapter_check"]["max_logprob_change"] > 0 and not served["adapter_check"]["warning"]

    tokenizer = tokenizer_of(lively_model_dir)
    [engine] = fake.engines
    assert engine.kwargs["enable_lora"] is True and engine.kwargs["max_lora_rank"] == 8   # r=4
    assert engine.kwargs["enable_prefix_caching"] is False
    tuned = {tuple(encode_prompt(tokenizer, r["prompt"])) for r in vl if r["system"] == "fine-tuned"}
    others = {tuple(encode_prompt(tokenizer, r["prompt"])) for r in vl if r["system"] != "fine-tuned"}
    calls = fake.generation_calls()
    assert {tuple(p) for c in calls if c.lora for p in c.prompts} == tuned
    assert {tuple(p) for c in calls if not c.lora for p in c.prompts} == others
    assert {c.lora.lora_path for c in fake.calls if c.lora} == {str(run_dir / "adapter")}
    assert all(c.params.temperature == 0 and c.params.max_tokens == 8 for c in calls)


def canned(tokenizer, shift: float = 0.01):
    """Answers 'tuned reply. more' with the LoRA request and 'base reply. more' without, then the
    end token; log p(token j) = −(j+1)/1000, lowered by `shift` with the LoRA request."""
    def respond(ids, params, lora):
        text = "tuned reply. more" if lora else "base reply. more"
        tokens = tokenizer(text, add_special_tokens=False)["input_ids"] + [tokenizer.eos_token_id]
        values = [None] + [-(j + 1) / 1000 - (shift if lora else 0.0) for j in range(1, len(ids))]
        return tokens[:params.max_tokens], values
    return respond


def expected_nll(tokenizer, prompt: str, reference: str, shift: float) -> float:
    prompt_ids, ref_ids = encode_pair(tokenizer, prompt, reference)
    return sum((j + 1) / 1000 + shift for j in range(len(prompt_ids), len(prompt_ids) + len(ref_ids)))


def test_lora_only_on_fine_tuned_greedy_stops_and_the_reference_span(tiny_model_dir, tmp_path,
                                                                      monkeypatch):
    tokenizer = tokenizer_of(tiny_model_dir)
    fake = install(monkeypatch, canned(tokenizer))
    clean = write_clean(tmp_path / "clean")
    run_dir = make_adapter(tiny_model_dir, tmp_path / "runs" / "v1")
    metrics = run(RunConfig(data=clean, out=tmp_path / "o", model=str(tiny_model_dir),
                            adapter=run_dir, systems=SYSTEMS, backend="vllm", stop=(".",),
                            max_new_tokens=16, seed=3, resamples=50))
    rows = rows_of(tmp_path / "o")
    assert {r["output"] for r in rows if r["system"] == "fine-tuned"} == {"tuned reply"}
    assert {r["output"] for r in rows if r["system"] != "fine-tuned"} == {"base reply"}
    for r in rows:       # the reference's tokens start right after the prompt's, Hindi included
        shift = 0.01 if r["system"] == "fine-tuned" else 0.0
        assert r["nll"] == pytest.approx(expected_nll(tokenizer, r["prompt"], r["reference"], shift))
        assert r["ref_tokens"] == len(tokenizer(r["reference"], add_special_tokens=False)["input_ids"])
        assert r["prompt_tokens"] == len(encode_prompt(tokenizer, r["prompt"]))
    params = [c.params for c in fake.generation_calls()]
    assert all(p.temperature == 0 and p.stop == ["."] and p.seed == 3 and p.max_tokens == 16
               for p in params)
    assert all(tokenizer.eos_token_id in p.stop_token_ids for p in params)
    scoring = fake.scoring_calls()
    assert all(p.params.max_tokens == 1 and p.params.prompt_logprobs == 1 for p in scoring)
    assert metrics["adapter_check"]["max_logprob_change"] == pytest.approx(0.01)


def test_an_adapter_that_changes_nothing_is_flagged(tiny_model_dir, tmp_path, monkeypatch):
    tokenizer = tokenizer_of(tiny_model_dir)
    same = canned(tokenizer, shift=0.0)
    install(monkeypatch, lambda ids, params, lora: same(ids, params, None))
    clean = write_clean(tmp_path / "clean")
    run_dir = make_adapter(tiny_model_dir, tmp_path / "runs" / "v1")
    metrics = run(RunConfig(data=clean, out=tmp_path / "o", model=str(tiny_model_dir),
                            adapter=run_dir, systems="zero-shot,fine-tuned", backend="vllm",
                            resamples=50))
    assert metrics["adapter_check"]["max_logprob_change"] == 0.0
    assert "ADAPTER HAD NO EFFECT" in metrics["adapter_check"]["warning"]
    assert "log-probability" in metrics["adapter_check"]["warning"]


def test_a_rerun_asks_vllm_for_nothing_but_the_adapter_check(tiny_model_dir, tmp_path, monkeypatch):
    tokenizer = tokenizer_of(tiny_model_dir)
    clean = write_clean(tmp_path / "clean")
    run_dir = make_adapter(tiny_model_dir, tmp_path / "runs" / "v1")
    config = RunConfig(data=clean, out=tmp_path / "o", model=str(tiny_model_dir), adapter=run_dir,
                       systems="zero-shot,fine-tuned", backend="vllm", resamples=50)
    install(monkeypatch, canned(tokenizer))
    first = run(config)
    monkeypatch.setattr(backend_vllm, "_ENGINES", {})
    fake = install(monkeypatch, canned(tokenizer))
    second = run(config)
    assert fake.generation_calls() == []
    assert [len(c.prompts) for c in fake.scoring_calls()] == [1, 1]       # adapter on, off
    assert first["systems"] == second["systems"]
    assert all(r["cached"] for r in rows_of(tmp_path / "o"))


def test_a_prompt_too_long_for_the_context_is_cut_from_the_left(tiny_model_dir, monkeypatch):
    tokenizer = tokenizer_of(tiny_model_dir)
    fake = install(monkeypatch, canned(tokenizer), max_model_len=16)
    llm = sys.modules["vllm"].LLM(model="m")
    model = backend_vllm.VllmModel(llm, None, {tokenizer.eos_token_id}, 16)
    prompt = "Mera recharge fail ho gaya lekin paisa kat gaya. " * 3
    reference = "आपका खाता खोल दिया गया है।"
    [nll] = backend_vllm.score(model, tokenizer, [(prompt, reference)], None)
    prompt_ids, ref_ids = encode_pair(tokenizer, prompt, reference)
    [sent] = fake.calls[0].prompts
    assert len(sent) == 15                       # room for the one token vLLM must generate
    kept = max(1, 15 - len(ref_ids))
    assert sent == prompt_ids[-kept:] + ref_ids[:15 - kept]
    assert nll.truncated_prompt_tokens == len(prompt_ids) - kept


def test_without_vllm_the_cli_says_so_in_one_line(tiny_model_dir, tmp_path, monkeypatch):
    from evalkit.cli import app

    monkeypatch.setitem(sys.modules, "vllm", None)          # `import vllm` raises ImportError
    clean = write_clean(tmp_path / "clean")
    result = CliRunner().invoke(app, ["run", "--data", str(clean), "--model", str(tiny_model_dir),
                                      "--systems", "zero-shot", "--backend", "vllm",
                                      "--out", str(tmp_path / "o")])
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert lines == ["error: " + backend_vllm.MISSING]


def test_an_unknown_backend_is_refused_by_the_config(tmp_path):
    from evalkit.config import ConfigError

    with pytest.raises(ConfigError, match="backend must be one of transformers, llamacpp, vllm, got 'tgi'"):
        RunConfig(data=tmp_path, out=tmp_path / "o", backend="tgi")


def test_lora_rank_limits():
    assert [backend_vllm.lora_rank_limit([r]) for r in (4, 8, 9, 64, 300)] == [8, 8, 16, 64, 320]
    with pytest.raises(backend_vllm.LoadError, match="above vLLM's largest"):
        backend_vllm.lora_rank_limit([1024])


def test_without_an_adapter_the_engine_has_no_lora(tiny_model_dir, tmp_path, monkeypatch):
    fake = install(monkeypatch, canned(tokenizer_of(tiny_model_dir)))
    clean = write_clean(tmp_path / "clean")
    run(RunConfig(data=clean, out=tmp_path / "o", model=str(tiny_model_dir),
                  systems="zero-shot,few-shot", backend="vllm", resamples=50))
    [engine] = fake.engines
    assert "enable_lora" not in engine.kwargs and engine.kwargs["enable_prefix_caching"] is False
    assert fake.calls and all(c.lora is None for c in fake.calls)
    assert {r["output"] for r in rows_of(tmp_path / "o")} == {"base reply. more"}


def test_a_local_judge_asks_vllm_too(tiny_model_dir, tmp_path, monkeypatch):
    """The judge's prompts go to the same engine; no transformers model is loaded for it."""
    from evalkit import judge, loaders

    def no_transformers(*args, **kwargs):
        raise AssertionError("the transformers backend was loaded")

    monkeypatch.setattr(loaders, "load", no_transformers)
    tokenizer = tokenizer_of(tiny_model_dir)
    fake = install(monkeypatch, canned(tokenizer))
    clean = write_clean(tmp_path / "clean", test=TEST[:2])
    run_dir = make_adapter(tiny_model_dir, tmp_path / "runs" / "v1")
    metrics = run(RunConfig(data=clean, out=tmp_path / "o", model=str(tiny_model_dir),
                            adapter=run_dir, systems="zero-shot,fine-tuned", judge="zero-shot",
                            backend="vllm", resamples=50, primary="chrf"))
    judged = [c for c in fake.generation_calls()
              if any(judge.JUDGE_SYSTEM[:20] in tokenizer.decode(p) for p in c.prompts)]
    assert judged and all(c.lora is None for c in judged)
    assert sum(len(c.prompts) for c in judged) == 4           # 2 items × both orders
    assert metrics["judge"]["baselines"]["zero-shot"]["unparseable"] == 2
