"""evalkit.plain_modules against peft's own switch: the base model without the LoRA wrappers must
give the same numbers bit for bit; the merged fine-tuned model the same within float rounding;
and both must leave the model exactly as they found it."""
import pytest

from _evalkit_util import lively_model_dir, make_adapter  # noqa: F401  (fixture)

QUESTIONS = [
    "How do I reset my UPI PIN?",
    "मेरा खाता बंद हो गया है, कृपया मदद करें।",
    "Mera recharge fail ho gaya lekin paisa kat gaya",
    "Fix this: `for i in range(10) print(i)`",
    "What is 17 * 23 + 4?",
]


@pytest.fixture(scope="module")
def tuned(lively_model_dir, tmp_path_factory):
    """(peft model in float32 with an adapter that moves the logits, tokenizer, prompt ids)."""
    from evalkit import loaders
    from evalkit.generate import encode_prompts

    run_dir = make_adapter(lively_model_dir, tmp_path_factory.mktemp("runs") / "v1", scale=0.3)
    model, tokenizer, _ = loaders.load(str(lively_model_dir), run_dir, "float32")
    prompts = [tokenizer.apply_chat_template([{"role": "user", "content": q}], tokenize=False,
                                             add_generation_prompt=True) for q in QUESTIONS]
    return model, tokenizer, encode_prompts(tokenizer, prompts)


def logits(model, ids):
    import torch

    from evalkit.decode import _left_pad

    batch, mask = _left_pad(ids, 0, model.device)
    with torch.inference_mode():
        return model(input_ids=batch, attention_mask=mask).logits[mask.bool()]   # real positions


def greedy_tokens(model, ids, tokenizer):
    from evalkit.decode import greedy

    decoded, _ = greedy(model, ids, 12, {tokenizer.eos_token_id}, tokenizer.pad_token_id)
    return [d.tokens for d in decoded]


def lora_layers(model) -> int:
    from peft.tuners.lora import LoraLayer

    return sum(isinstance(m, LoraLayer) for m in model.modules())


def test_base_only_is_the_disabled_adapter_bit_for_bit_without_the_wrappers(tuned):
    import torch

    from evalkit.plain_modules import plain_switch

    model, tokenizer, ids = tuned
    wrapped = lora_layers(model)
    with model.disable_adapter():
        expected, expected_tokens = logits(model, ids), greedy_tokens(model, ids, tokenizer)
    with plain_switch(model, on=False):
        assert lora_layers(model) == 0                  # the wrappers are out of the forward
        assert torch.equal(logits(model, ids), expected)
        assert greedy_tokens(model, ids, tokenizer) == expected_tokens
    assert lora_layers(model) == wrapped


def test_merged_equals_the_adapter_within_float32_rounding_and_restores_the_weights(tuned):
    import torch

    from evalkit.plain_modules import plain_switch

    model, tokenizer, ids = tuned
    before = {k: v.clone() for k, v in model.state_dict().items()}
    expected, expected_tokens = logits(model, ids), greedy_tokens(model, ids, tokenizer)
    with model.disable_adapter():
        base = logits(model, ids)
    assert (expected - base).abs().max() > 0.1          # the adapter really moves the logits
    with plain_switch(model, on=True):
        assert lora_layers(model) == 0
        fast = logits(model, ids)
        assert greedy_tokens(model, ids, tokenizer) == expected_tokens
    assert (fast - expected).abs().max() <= 1e-4 * expected.abs().max()   # measured: 1.6e-5
    after = model.state_dict()
    assert all(torch.equal(after[k], v) for k, v in before.items())   # not W + Δ − Δ: the originals
    assert torch.equal(logits(model, ids), expected)


def test_merged_in_bfloat16_is_as_close_to_float32_as_the_unmerged_forward(tiny_model_dir, tmp_path):
    """bf16: the merged weight is rounded once more, so the merged forward is not the unmerged
    one bit for bit; its error against the float32 forward must stay of the unmerged bf16
    forward's own size (measured on this model: mean 0.00102 against 0.00088, max 0.0061
    against 0.0054, on logits up to 0.8)."""
    from evalkit import loaders
    from evalkit.generate import encode_prompts
    from evalkit.plain_modules import plain_switch

    run_dir = make_adapter(tiny_model_dir, tmp_path / "v1", scale=0.3)
    exact, tokenizer, _ = loaders.load(str(tiny_model_dir), run_dir, "float32")
    ids = encode_prompts(tokenizer, QUESTIONS)
    truth = logits(exact, ids)
    model, _, _ = loaders.load(str(tiny_model_dir), run_dir, "bfloat16")
    unmerged_error = (logits(model, ids).float() - truth).abs()
    with plain_switch(model, on=True):
        merged_error = (logits(model, ids).float() - truth).abs()
    assert merged_error.mean() <= 1.5 * unmerged_error.mean()
    assert merged_error.max() <= 2 * unmerged_error.max()


def test_other_adapters_keep_peft_switch(lively_model_dir):
    """DoRA (a LoRA variant whose merge is not B·A) is left to peft: no fast path is taken."""
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    from evalkit.plain_modules import lora_linears

    base = AutoModelForCausalLM.from_pretrained(lively_model_dir)
    model = get_peft_model(base, LoraConfig(r=4, target_modules=["q_proj"], use_dora=True))
    assert lora_linears(model) is None
    plain = get_peft_model(AutoModelForCausalLM.from_pretrained(lively_model_dir),
                           LoraConfig(r=4, target_modules=["q_proj", "v_proj"]))
    assert len(lora_linears(plain)) == 2 * plain.config.num_hidden_layers
