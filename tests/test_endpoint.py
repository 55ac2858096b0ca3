"""Endpoint systems without a server: the key's handling, the cache key, the log-prob slicing.
(tests/test_endpoint_server.py runs them against a real llama.cpp server.)"""
from types import SimpleNamespace

import pytest

from evalkit.endpoint import EndpointError, EndpointSystem, messages_text
from evalkit.endpoint_nll import NotAvailable, reference_nll, reference_nlls
from evalkit.generate import GenerationParams, JsonlCache, cache_key
from evalkit.systems_file import SystemSpec

NOWHERE = "http://127.0.0.1:9/v1"      # the discard port: any request would fail
MESSAGES = [[{"role": "user", "content": "मेरा खाता बंद है, मदद करें।"}],
            [{"role": "user", "content": "Recharge fail ho gaya, paisa wapas chahiye."}]]


def system(tmp_path, **spec):
    params = GenerationParams(max_new_tokens=8)
    return EndpointSystem(SystemSpec("api", endpoint=NOWHERE, model="m", **spec), params,
                          JsonlCache(tmp_path / "cache.jsonl"))


def test_a_missing_key_variable_is_named(tmp_path, monkeypatch):
    monkeypatch.delenv("TUNECRAFT_NO_SUCH_KEY", raising=False)
    with pytest.raises(EndpointError, match="TUNECRAFT_NO_SUCH_KEY .*is not set"):
        system(tmp_path, api_key_env="TUNECRAFT_NO_SUCH_KEY").chat(MESSAGES[:1])


def test_the_cache_key_holds_no_api_key(tmp_path, monkeypatch):
    """A re-run with a rotated key still finds its answers: the key is in no cache key."""
    monkeypatch.setenv("TUNECRAFT_KEY", "sk-old")
    first = system(tmp_path, api_key_env="TUNECRAFT_KEY")
    for i, messages in enumerate(MESSAGES):
        key = cache_key(first.identity, messages_text(messages), first.params)
        first.cache.put_row(key, {"output": f"answer {i}", "prompt_tokens": 9,
                                  "completion_tokens": 3, "latency_s": 0.1, "tokens_from": "usage"})
    monkeypatch.setenv("TUNECRAFT_KEY", "sk-new")
    again = system(tmp_path, api_key_env="TUNECRAFT_KEY")
    assert again.chat(MESSAGES) == ["answer 0", "answer 1"]     # no request reached port 9
    assert "sk-" not in (tmp_path / "cache.jsonl").read_text(encoding="utf-8")


def test_an_unreachable_server_is_one_line_naming_the_system(tmp_path, monkeypatch):
    monkeypatch.setattr("evalkit.endpoint.RETRIES", 0)
    with pytest.raises(EndpointError) as caught:
        system(tmp_path, timeout=2.0).chat(MESSAGES[:1])
    message = str(caught.value)
    assert "system 'api' at http://127.0.0.1:9/v1" in message and "\n" not in message
    assert not (tmp_path / "cache.jsonl").exists()          # nothing cached for a failed call


class Completions:
    """What a server answers to the two requests: the prompt + reference echoed with log-probs,
    and the prompt alone (its token count). Token strings are useless on purpose: llama.cpp's
    drop half-characters (Devanagari) and its offsets skip special tokens."""

    def __init__(self, prompt_n, whole_n, values, completion_n=1):
        self.prompt_n, self.whole_n, self.values, self.completion_n = prompt_n, whole_n, values, completion_n

    def create(self, *, echo, **_):
        usage = SimpleNamespace(prompt_tokens=self.whole_n if echo else self.prompt_n,
                                completion_tokens=self.completion_n)
        logprobs = SimpleNamespace(token_logprobs=self.values, tokens=["�"] * len(self.values)) if echo else None
        return SimpleNamespace(usage=usage, choices=[SimpleNamespace(logprobs=logprobs)])


def served(completions):
    return SimpleNamespace(client=SimpleNamespace(completions=completions), spec=SimpleNamespace(model="m"))


def test_the_reference_is_counted_from_the_end():
    """7 prompt tokens (one special token skipped in the echo), 3 reference tokens, 1 generated."""
    values = [None, -0.1, -0.2, -0.3, -0.4, -0.5, -1.0, -2.0, -0.25, -9.0]
    nll = reference_nll(served(Completions(7, 10, values)), "<|im_start|>user …", "आपका खाता खुल गया।")
    assert nll.nll == pytest.approx(3.25) and nll.ref_tokens == 3
    assert nll.ref_bytes == len("आपका खाता खुल गया।".encode("utf-8"))
    ended = reference_nll(served(Completions(7, 10, values[:-1], completion_n=0)), "p", "r")
    assert ended.nll == pytest.approx(3.25)          # an immediate end: no generated token


def test_no_log_probs_is_a_reason_not_a_number():
    nlls, why = reference_nlls(served(Completions(7, 10, [])), ["p", "q"], ["r", "s"])
    assert nlls == [None, None] and why == "the server returned no prompt log-probs"
    with pytest.raises(NotAvailable, match="do not cover"):
        reference_nll(served(Completions(7, 10, [None, None, -1.0])), "p", "r")


def test_without_usage_the_local_tokenizer_counts_and_the_row_says_so(tmp_path, tiny_model_dir):
    """A server that reports no `usage` (some do not): counts come from the run's tokenizer,
    labelled, never silently mixed with a server's counts."""
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(tiny_model_dir)
    reply = SimpleNamespace(choices=[SimpleNamespace(message=SimpleNamespace(content="आपका खाता खुल गया।"))],
                            usage=None)
    quiet = EndpointSystem(SystemSpec("api", endpoint=NOWHERE, model="m"), GenerationParams(),
                           None, tokenizer, "tiny")
    quiet._client = SimpleNamespace(chat=SimpleNamespace(completions=SimpleNamespace(
        create=lambda **_: reply)))
    got = quiet.replies(MESSAGES[:1])[0]
    assert got.tokens_from == "tokenizer:tiny" and got.output == "आपका खाता खुल गया।"
    assert got.completion_tokens == len(tokenizer("आपका खाता खुल गया।", add_special_tokens=False)["input_ids"])
    assert got.prompt_tokens > got.completion_tokens
