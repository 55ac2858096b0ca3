"""Endpoint systems without a server: the key's handling, the cache key, the log-prob slicing.
(tests/test_endpoint_server.py runs them against a real llama.cpp server.)"""
from types import SimpleNamespace

import pytest

from evalkit.endpoint import EndpointError, EndpointSystem, messages_text
from evalkit.endpoint_nll import NotAvailable, _reference_part
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


def test_the_reference_is_the_tokens_after_the_prompt():
    prompt, reference = "<|im_start|>assistant\n", "Refund 3 din mein."
    logprobs = SimpleNamespace(text_offset=[0, 12, 22, 29, 31, 40],
                               token_logprobs=[None, -1.0, -0.5, -2.0, -0.75, -9.0])
    nll = _reference_part(logprobs, len(prompt), len(prompt) + len(reference), reference)
    assert nll.nll == pytest.approx(3.25) and nll.ref_tokens == 3   # the echoed extra token: out
    straddling = SimpleNamespace(text_offset=[0, 20, 27], token_logprobs=[None, -1.0, -2.0])
    with pytest.raises(NotAvailable, match="straddle"):
        _reference_part(straddling, len(prompt), len(prompt) + len(reference), reference)
