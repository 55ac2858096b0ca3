"""tunecraft.conversation: one split, one render, one encoding for training and for scoring.

The point of the module is that a perplexity is computed, and an answer generated, on the prompt
encoding the adapter was trained on, so the main test encodes one item all three ways, with tokenizers that treat BOS the three
ways real ones do: none (SmolLM2, Qwen), added by the tokenizer (Llama 2, Mistral), written by the
chat template itself (Llama 3).
"""
from __future__ import annotations

import pytest

from tiny_model import build_tokenizer
from tunecraft.conversation import (TemplateMismatch, encode_pair, render, render_with_template,
                                    split_turns)
from tunecraft.records import Record

HINGLISH = Record("tickets.jsonl:7", [
    {"role": "system", "content": "Aap ek bank support agent hain."},
    {"role": "user", "content": "Mera recharge fail ho gaya lekin paisa kat gaya."},
    {"role": "assistant", "content": "Aapka refund 3 din mein aa jayega."},
])
HINDI_TWO_ANSWERS = Record("chats.jsonl:2", [
    {"role": "user", "content": "मेरा खाता बंद हो गया है"},
    {"role": "assistant", "content": "आपका खाता दोबारा खोल दिया गया है।"},
    {"role": "user", "content": "धन्यवाद"},
    {"role": "assistant", "content": "(agent closed the chat)", "weight": 0},
])


def _tokenizer(bos: str):
    tokenizer = build_tokenizer()
    if bos == "none":
        tokenizer.bos_token = None
        return tokenizer
    from tokenizers.processors import TemplateProcessing

    tokenizer.add_special_tokens({"bos_token": "<s>"})
    bos_id = tokenizer.convert_tokens_to_ids("<s>")
    tokenizer.backend_tokenizer.post_processor = TemplateProcessing(
        single="<s> $A", pair="<s> $A <s> $B", special_tokens=[("<s>", bos_id)])
    if bos == "in template":
        tokenizer.chat_template = "{{ bos_token }}" + tokenizer.chat_template
    return tokenizer


def _evaluated_ids(record: Record, tokenizer) -> tuple[list[int], list[int], list[int]]:
    """(scored prompt ids, scored reference ids, generation prompt ids) of the fine-tuned system."""
    from evalkit.generate import encode_prompts
    from evalkit.likelihood import encode_for_scoring
    from evalkit.systems import EvalItem, FineTuned

    item = EvalItem.from_record(record)
    prompt = FineTuned("chat").prompt(item, tokenizer)
    prompt_ids, completion_ids, dropped = encode_for_scoring(tokenizer, prompt, item.reference, 512)
    assert dropped == 0
    return prompt_ids, completion_ids, encode_prompts(tokenizer, [prompt])[0]


@pytest.mark.parametrize("bos", ["none", "added by tokenizer", "in template"])
@pytest.mark.parametrize("record", [HINGLISH, HINDI_TWO_ANSWERS], ids=["hinglish", "hindi"])
def test_training_and_scoring_encode_an_item_identically(bos, record):
    from train.data import encode

    tokenizer = _tokenizer(bos)
    [trained] = encode([record], tokenizer, template="chat", max_len=512).examples
    prompt_ids, completion_ids, generation_ids = _evaluated_ids(record, tokenizer)
    assert trained.input_ids[:trained.n_prompt] == prompt_ids == generation_ids
    # Training's completion also teaches the end-of-turn marker; scoring scores the answer alone.
    trained_completion = trained.input_ids[trained.n_prompt:]
    assert trained_completion[:len(completion_ids)] == completion_ids
    assert tokenizer.decode(trained_completion[len(completion_ids):]) == "<|im_end|>\n"
    if bos != "none":
        assert prompt_ids.count(tokenizer.bos_token_id) == 1 and prompt_ids[0] == tokenizer.bos_token_id


def test_the_target_is_the_last_weighted_assistant_turn_everywhere():
    """A closing turn marked weight 0 is neither trained on nor scored: curate, train and evalkit
    pick the same turn."""
    from evalkit.systems import EvalItem

    prior, target = split_turns(HINDI_TWO_ANSWERS.messages)
    assert target["content"] == "आपका खाता दोबारा खोल दिया गया है।" and len(prior) == 1
    assert EvalItem.from_record(HINDI_TWO_ANSWERS).reference == target["content"]
    tokenizer = _tokenizer("none")
    prompt, completion = render_with_template(tokenizer, prior, target)
    assert completion == target["content"] + "<|im_end|>\n"


def test_split_adds_a_system_prompt_and_falls_back_to_the_label():
    query = [{"role": "user", "content": "card kho gaya, block karo"}]
    prior, target = split_turns(query, system="Be brief.", label="lost_card")
    assert prior[0] == {"role": "system", "content": "Be brief."} and target["content"] == "lost_card"
    assert split_turns(query) is None
    assert split_turns(HINGLISH.messages, system="ignored")[0][0]["content"].startswith("Aap ek")


def test_builtin_formats_render_the_same_split():
    prior, target = split_turns(HINGLISH.messages)
    prompt, completion = render("chatml", prior, target)
    assert prompt.endswith("<|im_start|>assistant\n") and completion.endswith("<|im_end|>")
    prompt, completion = render("alpaca", prior, target, end="<|endoftext|>")
    assert prompt.startswith("Aap ek bank") and completion == target["content"] + "<|endoftext|>"
    assert render("openai", prior, target) == (prior, [target])


def test_a_template_that_rewrites_earlier_turns_is_refused():
    tokenizer = build_tokenizer()
    tokenizer.chat_template = ("{% for m in messages %}{{ m['content'] }}{% endfor %}"
                               "{% if add_generation_prompt %}[answer {{ messages|length }}]{% endif %}")
    prior, target = split_turns(HINGLISH.messages)
    with pytest.raises(TemplateMismatch):
        render_with_template(tokenizer, prior, target)


def test_encode_pair_never_doubles_the_bos_and_appends_eos_once():
    tokenizer = _tokenizer("added by tokenizer")
    prompt_ids, completion_ids = encode_pair(tokenizer, "<s>x = 2 + 3", "5", eos=True)
    assert prompt_ids.count(tokenizer.bos_token_id) == 1
    assert completion_ids[-1] == tokenizer.eos_token_id
    _, again = encode_pair(tokenizer, "q", "5<|im_end|>", eos=True)
    assert again.count(tokenizer.eos_token_id) == 1
