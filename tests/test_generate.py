"""Batched generation (left padding, greedy, stops) and the on-disk cache."""
import json

import pytest

from _evalkit_util import lively_model, lively_model_dir, model_and_tokenizer, prompts  # noqa: F401  (fixtures)
from evalkit.generate import GenerationCache, GenerationParams, batch_of, cache_key, generate
from evalkit.generate import generate_batch as REAL_GENERATE_BATCH

QUESTIONS = ["How do I reset my UPI PIN?", "मेरा खाता बंद हो गया है, कृपया मदद करें।",
             "Mera recharge fail ho gaya", "Block my card"]
IDENTITY = {"model": "tiny", "adapter": None}


class CountingModel:
    """Wraps a model and counts batches generated (the expensive part a cache must skip): calls
    of `generate`, or of the forward pass on an empty KV cache (the greedy path's prefill)."""

    def __init__(self, model):
        self.model, self.calls = model, 0

    def generate(self, *args, **kwargs):
        self.calls += 1
        return self.model.generate(*args, **kwargs)

    def __call__(self, *args, **kwargs):
        cache = kwargs.get("cache")
        self.calls += cache is None or cache.get_seq_length() == 0
        return self.model(*args, **kwargs)

    def __getattr__(self, name):
        return getattr(self.model, name)


def test_cached_generations_are_reused(model_and_tokenizer, prompts, tmp_path):
    model, tokenizer = model_and_tokenizer
    counting = CountingModel(model)
    params = GenerationParams(max_new_tokens=5)
    first = generate(counting, tokenizer, prompts, params, identity=IDENTITY,
                     cache=GenerationCache(tmp_path / "c.jsonl"), batch_size=2)
    assert counting.calls == 2 and not any(g.cached for g in first)
    again = generate(counting, tokenizer, prompts, params, identity=IDENTITY,
                     cache=GenerationCache(tmp_path / "c.jsonl"), batch_size=2)
    assert counting.calls == 2 and all(g.cached for g in again)      # no new generate call
    assert [g.output for g in again] == [g.output for g in first]
    assert [g.latency_s for g in again] == [g.latency_s for g in first]
    generate(counting, tokenizer, prompts, GenerationParams(max_new_tokens=6), identity=IDENTITY,
             cache=GenerationCache(tmp_path / "c.jsonl"), batch_size=4)
    assert counting.calls == 3                                        # new parameters: generated


def test_cache_key_depends_on_model_adapter_prompt_parameters_and_batch():
    base = cache_key(IDENTITY, "p", GenerationParams())
    assert base == cache_key(dict(IDENTITY), "p", GenerationParams())
    assert len({base, cache_key({**IDENTITY, "adapter": "abc"}, "p", GenerationParams()),
                cache_key({**IDENTITY, "model": "other"}, "p", GenerationParams()),
                cache_key(IDENTITY, "q", GenerationParams()),
                cache_key(IDENTITY, "p", GenerationParams(stop=("\n",))),
                cache_key(IDENTITY, "p", GenerationParams(), batch_of(["p", "q"], 2)),
                cache_key(IDENTITY, "p", GenerationParams(), batch_of(["p", "q"], 4)),
                cache_key(IDENTITY, "p", GenerationParams(), batch_of(["p", "r"], 2))}) == 8


def test_torn_cache_line_is_ignored(tmp_path):
    path = tmp_path / "c.jsonl"
    row = {"key": "k1", "output": "नमस्ते", "prompt_tokens": 3, "completion_tokens": 2,
           "latency_s": 0.1}
    path.write_text(json.dumps(row, ensure_ascii=False) + "\n" + '{"key": "k2", "outp',
                    encoding="utf-8")
    cache = GenerationCache(path)
    assert cache.get("k1").output == "नमस्ते" and cache.get("k2") is None


def test_left_padded_batches_match_one_by_one_greedy(model_and_tokenizer, prompts):
    model, tokenizer = model_and_tokenizer
    params = GenerationParams(max_new_tokens=6)
    batched = generate(model, tokenizer, prompts, params, identity=IDENTITY, batch_size=4)
    single = generate(model, tokenizer, prompts, params, identity=IDENTITY, batch_size=1)
    assert [g.output for g in batched] == [g.output for g in single]
    assert len({g.output for g in batched}) == len(prompts)       # real, distinct outputs
    assert [g.prompt_tokens for g in batched] == [
        len(tokenizer(p, add_special_tokens=False)["input_ids"]) for p in prompts]
    assert all(0 < g.completion_tokens <= 6 and g.latency_s > 0 for g in batched)


def test_stop_strings_cut_the_output(model_and_tokenizer, prompts):
    model, tokenizer = model_and_tokenizer
    [free] = generate(model, tokenizer, prompts[:1], GenerationParams(max_new_tokens=12),
                      identity=IDENTITY)
    assert len(free.output) > 2
    stop = free.output[1:3]
    [cut] = generate(model, tokenizer, prompts[:1], GenerationParams(max_new_tokens=12, stop=(stop,)),
                     identity=IDENTITY)
    assert stop not in cut.output and free.output.startswith(cut.output)


class RecordingBatches:
    """Stands in for `evalkit.generate.generate_batch` and records which prompts shared a batch."""

    def __init__(self, real):
        self.real, self.batches = real, []

    def __call__(self, model, tokenizer, prompts, params, references=None):
        self.batches.append(list(prompts))
        return self.real(model, tokenizer, prompts, params, references)


MORE_QUESTIONS = QUESTIONS + ["Refund?", "Mera card block kar do, UPI se paisa gaya",
                              "What is 17 * 23 + 4?", "मेरा रिचार्ज फेल हो गया, पैसा वापस चाहिए"]


def _generate_recorded(monkeypatch, model, tokenizer, prompts, cache_path, batch_size, refs=None):
    import evalkit.generate as gen_module

    recorder = RecordingBatches(REAL_GENERATE_BATCH)
    monkeypatch.setattr(gen_module, "generate_batch", recorder)
    gens = generate(model, tokenizer, prompts, GenerationParams(max_new_tokens=5), identity=IDENTITY,
                    cache=GenerationCache(cache_path), batch_size=batch_size, references=refs)
    return gens, recorder.batches


def test_cache_key_depends_on_the_thread_count(monkeypatch):
    """bf16 greedy outputs changed with torch's thread count on the demo: a row generated with
    one count must not answer a run with another."""
    import torch

    monkeypatch.setattr(torch, "get_num_threads", lambda: 1)
    one = cache_key(IDENTITY, "p", GenerationParams(), batch_of(["p", "q"], 2))
    monkeypatch.setattr(torch, "get_num_threads", lambda: 2)
    assert cache_key(IDENTITY, "p", GenerationParams(), batch_of(["p", "q"], 2)) != one


def test_a_resumed_run_forms_the_batches_a_fresh_run_forms(model_and_tokenizer, monkeypatch, tmp_path):
    """In bf16 an output depends on its batch's members: a run resumed from a partial cache
    must recompute a partly cached batch whole, not batch the uncached prompts together."""
    from _evalkit_util import chat_prompt

    model, tokenizer = model_and_tokenizer
    prompts = [chat_prompt(tokenizer, q) for q in MORE_QUESTIONS]
    refs = [f"Answer {i}: आपका खाता" for i in range(len(prompts))]
    fresh, fresh_batches = _generate_recorded(monkeypatch, model, tokenizer, prompts,
                                              tmp_path / "fresh.jsonl", 3, refs)
    lines = (tmp_path / "fresh.jsonl").read_text(encoding="utf-8").splitlines()
    (tmp_path / "crashed.jsonl").write_text("\n".join(lines[:4]) + "\n", encoding="utf-8")
    resumed, resumed_batches = _generate_recorded(monkeypatch, model, tokenizer, prompts,
                                                  tmp_path / "crashed.jsonl", 3, refs)
    assert len(fresh_batches) == 3 and resumed_batches == fresh_batches[1:]   # batch 2 was partial
    assert [g.output for g in resumed] == [g.output for g in fresh]
    assert [g.nll for g in resumed] == [g.nll for g in fresh]
    again, none = _generate_recorded(monkeypatch, model, tokenizer, prompts,
                                     tmp_path / "crashed.jsonl", 3, refs)
    assert none == [] and all(g.cached for g in again)
    assert [g.nll for g in again] == [g.nll for g in fresh]      # the NLL is cached with its row


def test_another_batch_size_never_reuses_cached_rows(model_and_tokenizer, monkeypatch, tmp_path):
    from _evalkit_util import chat_prompt

    model, tokenizer = model_and_tokenizer
    prompts = [chat_prompt(tokenizer, q) for q in MORE_QUESTIONS]
    _generate_recorded(monkeypatch, model, tokenizer, prompts, tmp_path / "c.jsonl", 4)
    gens, batches = _generate_recorded(monkeypatch, model, tokenizer, prompts, tmp_path / "c.jsonl", 2)
    assert not any(g.cached for g in gens) and [len(b) for b in batches] == [2, 2, 2, 2]


def test_batches_are_formed_over_all_prompts_by_token_count(model_and_tokenizer):
    from _evalkit_util import chat_prompt
    from evalkit.generate import plan_batches, token_counts

    _, tokenizer = model_and_tokenizer
    prompts = [chat_prompt(tokenizer, q) for q in MORE_QUESTIONS]
    batches = plan_batches(tokenizer, prompts, 3)
    assert sorted(i for b in batches for i in b) == list(range(len(prompts)))
    lengths = token_counts(tokenizer, prompts)
    flat = [lengths[i] for b in batches for i in b]
    assert flat == sorted(flat) and len(set(flat)) > 3
