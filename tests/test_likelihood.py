"""Conditional NLL of the reference: equals an independent unbatched computation, and does not move
with batch size or padding side (the two known ways other tools drift)."""
import math

import pytest

from _evalkit_util import TEST, chat_prompt

PAIRS_TEXT = [(q, a) for q, a, _ in TEST] + [
    ("Explain what a <div> tag is.", "A <div> is a block container in HTML."),
    ("x", "मेरा खाता बंद हो गया है, कृपया मदद करें। आपका खाता दोबारा खोल दिया गया है।"),
]


@pytest.fixture(scope="module")
def model_and_tokenizer(tiny_model_dir):
    from tunecraft.models import load_model

    return load_model(str(tiny_model_dir))


@pytest.fixture(scope="module")
def pairs(model_and_tokenizer):
    _, tokenizer = model_and_tokenizer
    return [(chat_prompt(tokenizer, q), a) for q, a in PAIRS_TEXT]


def reference_nll(model, tokenizer, prompt: str, completion: str) -> tuple[float, int]:
    """Independent: one sequence, no padding, no mask, plain cross-entropy over the whole vector."""
    import torch

    p = tokenizer(prompt, add_special_tokens=False)["input_ids"]
    c = tokenizer(completion, add_special_tokens=False)["input_ids"]
    ids = torch.tensor([p + c])
    with torch.no_grad():
        logits = model(ids).logits[0].double()
    labels = torch.tensor([-100] * len(p) + c)
    loss = torch.nn.functional.cross_entropy(logits[:-1], labels[1:], reduction="mean")
    return float(loss), len(c)


def test_perplexity_equals_independent_exp_mean_nll(model_and_tokenizer, pairs):
    from evalkit.likelihood import conditional_nll

    model, tokenizer = model_and_tokenizer
    results = conditional_nll(model, tokenizer, pairs, batch_size=4)
    for (prompt, completion), got in zip(pairs, results):
        mean_nll, n_tokens = reference_nll(model, tokenizer, prompt, completion)
        assert got.ref_tokens == n_tokens > 0
        assert got.ref_bytes == len(completion.encode("utf-8"))
        assert got.perplexity == pytest.approx(math.exp(mean_nll), rel=1e-4)
        assert got.bits_per_byte == pytest.approx(mean_nll * n_tokens / got.ref_bytes / math.log(2),
                                                  rel=1e-4)


@pytest.mark.parametrize("batch_size,padding_side", [(1, "right"), (4, "left"), (3, "left")])
def test_batch_size_and_padding_side_do_not_change_nll(model_and_tokenizer, pairs, batch_size,
                                                       padding_side):
    from evalkit.likelihood import conditional_nll

    model, tokenizer = model_and_tokenizer
    baseline = [r.nll for r in conditional_nll(model, tokenizer, pairs, batch_size=4)]
    tokenizer.padding_side = "left"   # a tokenizer set up for generation must not leak in
    got = [r.nll for r in conditional_nll(model, tokenizer, pairs, batch_size=batch_size,
                                          padding_side=padding_side)]
    assert got == pytest.approx(baseline, rel=1e-4)
    assert len(set(round(v, 3) for v in got)) == len(got)   # distinct items, not one repeated value


def test_prompt_changes_the_nll(model_and_tokenizer, pairs):
    """The number is conditional on the system's prompt (else few-shot/RAG could not differ)."""
    from evalkit.likelihood import conditional_nll

    model, tokenizer = model_and_tokenizer
    prompt, completion = pairs[0]
    a, b = conditional_nll(model, tokenizer, [(prompt, completion), ("Other context. " + prompt,
                                                                     completion)])
    assert a.ref_tokens == b.ref_tokens and a.nll != pytest.approx(b.nll, rel=1e-6)


def test_long_prompt_is_cut_from_the_left_not_the_reference(model_and_tokenizer):
    from evalkit.likelihood import conditional_nll

    model, tokenizer = model_and_tokenizer
    long_prompt = "How do I reset my UPI PIN? " * 200     # beyond the 512 positions
    [result] = conditional_nll(model, tokenizer, [(long_prompt, "Open the app.")])
    assert result.truncated_prompt_tokens > 0
    assert result.ref_tokens == len(tokenizer("Open the app.", add_special_tokens=False)["input_ids"])
    assert math.isfinite(result.nll)
