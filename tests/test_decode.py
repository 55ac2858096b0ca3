"""The fast greedy path (evalkit.decode) against the reference paths it replaces: `model.generate`
for outputs, `likelihood.conditional_nll` for the reference's NLL. Any divergence fails."""
import pytest

from _evalkit_util import lively_model, lively_model_dir, model_and_tokenizer, prompts  # noqa: F401  (fixtures)

QUESTIONS = [
    "How do I reset my UPI PIN?",
    "मेरा खाता बंद हो गया है, कृपया मदद करें।",
    "Mera recharge fail ho gaya lekin paisa kat gaya",
    "Fix this: `for i in range(10) print(i)`",
    "What is 17 * 23 + 4?",
    "Refund?",
]
REFERENCES = [
    "Open the app, go to settings and choose Reset PIN.",
    "आपका खाता दोबारा खोल दिया गया है।",
    "Aapka refund 3 din mein aa jayega.",
    "Add a colon: `for i in range(10): print(i)`",
    "395",
    "",                                      # an empty reference scores 0 over 0 tokens
]


def hf_greedy(model, tokenizer, prompts, max_new_tokens, end):
    """`model.generate` greedy, left padded, cut after the first `end` token (what _finish keeps)."""
    import torch

    enc = tokenizer(prompts, return_tensors="pt", padding=True, add_special_tokens=False,
                    padding_side="left")
    with torch.inference_mode():
        out = model.generate(**enc, max_new_tokens=max_new_tokens, do_sample=False, temperature=None,
                             top_p=None, top_k=None, eos_token_id=end, pad_token_id=tokenizer.pad_token_id)
    rows = out[:, enc["input_ids"].shape[1]:].tolist()
    return [row[:row.index(end) + 1] if end in row else row for row in rows]


def test_greedy_tokens_equal_model_generate_while_rows_leave_the_batch(model_and_tokenizer, prompts):
    from evalkit.decode import greedy

    model, tokenizer = model_and_tokenizer
    ids = tokenizer(prompts, add_special_tokens=False)["input_ids"]
    free = hf_greedy(model, tokenizer, prompts, 10, end=tokenizer.eos_token_id)
    # An end token the first row emits early, so rows end at different steps and leave the batch.
    end = free[0][2]
    expected = hf_greedy(model, tokenizer, prompts, 10, end=end)
    lengths = {len(row) for row in expected}
    assert len(lengths) > 1 and min(lengths) < 10          # rows really end at different steps
    decoded, _ = greedy(model, ids, 10, {end}, tokenizer.pad_token_id)
    assert [d.tokens for d in decoded] == expected


def test_reference_nll_from_the_prompt_cache_equals_conditional_nll(model_and_tokenizer, prompts):
    from evalkit.decode import greedy
    from evalkit.likelihood import conditional_nll

    model, tokenizer = model_and_tokenizer
    ids = tokenizer(prompts, add_special_tokens=False)["input_ids"]
    refs = [tokenizer(r, add_special_tokens=False)["input_ids"] for r in REFERENCES]
    decoded, _ = greedy(model, ids, 4, {tokenizer.eos_token_id}, tokenizer.pad_token_id, refs)
    expected = conditional_nll(model, tokenizer, list(zip(prompts, REFERENCES)), batch_size=1)
    assert [d.reference_nll for d in decoded] == pytest.approx([e.nll for e in expected], rel=1e-5, abs=1e-6)
    assert decoded[-1].reference_nll == 0.0 and expected[0].nll > 1.0


def test_scoring_the_reference_does_not_change_the_generation(model_and_tokenizer, prompts):
    from evalkit.decode import greedy

    model, tokenizer = model_and_tokenizer
    ids = tokenizer(prompts, add_special_tokens=False)["input_ids"]
    refs = [tokenizer(r, add_special_tokens=False)["input_ids"] for r in REFERENCES]
    plain, _ = greedy(model, ids, 8, {tokenizer.eos_token_id}, tokenizer.pad_token_id)
    scored, _ = greedy(model, ids, 8, {tokenizer.eos_token_id}, tokenizer.pad_token_id, refs)
    assert [d.tokens for d in scored] == [d.tokens for d in plain]
    assert [d.tokens for d in plain] == hf_greedy(model, tokenizer, prompts, 8, tokenizer.eos_token_id)


def test_generate_outputs_and_nlls_match_the_reference_paths(model_and_tokenizer, prompts):
    from evalkit.generate import GenerationParams, _hf_generate_batch, generate
    from evalkit.likelihood import conditional_nll

    model, tokenizer = model_and_tokenizer
    params = GenerationParams(max_new_tokens=6)
    fast = generate(model, tokenizer, prompts, params, identity={}, batch_size=4, references=REFERENCES)
    slow = _hf_generate_batch(model, tokenizer, prompts, params)
    assert [g.output for g in fast] == [g.output for g in slow]
    assert len({g.output for g in fast}) == len(prompts)
    assert [(g.prompt_tokens, g.completion_tokens) for g in fast] == [
        (g.prompt_tokens, g.completion_tokens) for g in slow]
    nlls = conditional_nll(model, tokenizer, list(zip(prompts, REFERENCES)))
    assert [g.nll.nll for g in fast] == pytest.approx([n.nll for n in nlls], rel=1e-5, abs=1e-6)
    assert [(g.nll.ref_tokens, g.nll.ref_bytes) for g in fast] == [(n.ref_tokens, n.ref_bytes) for n in nlls]


def test_a_generation_config_with_a_logits_processor_falls_back_to_model_generate(model_and_tokenizer,
                                                                                 prompts):
    from evalkit.decode import plain_greedy
    from evalkit.generate import GenerationParams, _hf_generate_batch, generate

    model, tokenizer = model_and_tokenizer
    assert plain_greedy(model)
    model.generation_config.repetition_penalty = 1.5
    try:
        assert not plain_greedy(model)
        params = GenerationParams(max_new_tokens=6)
        got = generate(model, tokenizer, prompts, params, identity={}, batch_size=6,
                       references=REFERENCES)
        expected = _hf_generate_batch(model, tokenizer, prompts, params)
        assert [g.output for g in got] == [g.output for g in expected]
        assert all(g.nll is None for g in got)           # scored apart, by conditional_nll
    finally:
        model.generation_config.repetition_penalty = 1.0
