"""template pass: prompt + completion per format; the completion ends with the end-of-turn marker."""
import json

import pytest

from curate.passes.base import Context, RecipeError
from curate.passes.template import TemplatePass
from tunecraft.records import Record

CONVERSATION = [{"role": "user", "content": "Mera card block ho gaya hai"},
                {"role": "assistant", "content": "Aapka card app se unblock ho jayega."},
                {"role": "user", "content": "कैसे?"},
                {"role": "assistant", "content": "Cards → Unblock चुनें।"}]


def render(records, **options):
    ctx = Context("template", seed=0)
    out = list(TemplatePass.from_options(options).run(records, ctx))
    return out, ctx


def test_chatml_default_multi_turn():
    (r,), ctx = render([Record("t:1", [dict(m) for m in CONVERSATION])])
    assert r.prompt == ("<|im_start|>user\nMera card block ho gaya hai<|im_end|>\n"
                        "<|im_start|>assistant\nAapka card app se unblock ho jayega.<|im_end|>\n"
                        "<|im_start|>user\nकैसे?<|im_end|>\n<|im_start|>assistant\n")
    assert r.completion == "Cards → Unblock चुनें।<|im_end|>"
    assert ctx.counts["changed"] == 1


def test_alpaca_with_system_prompt_and_classification_row():
    row = Record("c.csv:2", [{"role": "user", "content": "card not working"}], label="card_not_working")
    (r,), _ = render([row], format="alpaca", system="Classify the banking intent.")
    assert r.prompt == "Classify the banking intent.\n\n### Instruction:\ncard not working\n\n### Response:\n"
    assert r.completion == "card_not_working</s>"


def test_openai_is_trl_conversational_prompt_completion():
    """prompt and completion are lists of message dicts (TRL's documented shape), not JSON strings."""
    (r,), _ = render([Record("t:1", [dict(m) for m in CONVERSATION])], format="openai", system="Be brief.")
    assert r.prompt == [{"role": "system", "content": "Be brief."}] + CONVERSATION[:3]
    assert r.completion == [CONVERSATION[3]]
    assert r.prompt + r.completion == [{"role": "system", "content": "Be brief."}] + CONVERSATION


def test_record_without_target_is_rejected_and_bad_format_is_a_recipe_error():
    out, ctx = render([Record("u:1", [{"role": "user", "content": "hello?"}])])
    assert out == [] and ctx.rejects[0].reason == "no_completion"
    with pytest.raises(RecipeError, match="format"):
        TemplatePass.from_options({"format": "vicuna"})


def test_tokenizer_format_uses_the_model_chat_template(tiny_model_dir):
    (r,), _ = render([Record("t:1", [dict(m) for m in CONVERSATION[:2]])],
                     format=f"tokenizer:{tiny_model_dir}")
    assert r.prompt == "<|im_start|>user\nMera card block ho gaya hai<|im_end|>\n<|im_start|>assistant\n"
    assert r.completion.startswith("Aapka card app se unblock ho jayega.<|im_end|>")


def test_unknown_local_model_is_one_clear_recipe_error(tmp_path):
    template = TemplatePass.from_options({"format": f"tokenizer:{tmp_path / 'no-such-model'}"})
    with pytest.raises(RecipeError, match="template"):
        list(template.run([Record("t:1", [dict(m) for m in CONVERSATION[:2]])], Context("template")))


TOOL_CHAT = [
    {"role": "user", "content": "Mera order #4471 kahan hai?"},
    {"role": "assistant", "content": "", "tool_calls": [{"id": "call_1", "type": "function", "function": {
        "name": "track_order", "arguments": "{\"order_id\": \"4471\"}"}}], "weight": 1},
    {"role": "tool", "content": "{\"status\": \"out_for_delivery\"}", "tool_call_id": "call_1"},
    {"role": "assistant", "content": "आपका ऑर्डर आज शाम तक पहुँच जाएगा।", "weight": 1},
    {"role": "user", "content": "thanks"},
    {"role": "assistant", "content": "You're welcome!", "weight": 0}]


def test_tool_turns_are_rendered_and_a_weight_0_turn_is_not_the_target():
    (r,), _ = render([Record("t:1", [dict(m) for m in TOOL_CHAT])])
    assert '<tool_call>\n{"name": "track_order", "arguments": "{\\"order_id\\": \\"4471\\"}"}\n</tool_call>' \
        in r.prompt
    assert "<|im_start|>tool\n{\"status\": \"out_for_delivery\"}<|im_end|>" in r.prompt
    assert r.completion == "आपका ऑर्डर आज शाम तक पहुँच जाएगा।<|im_end|>"      # not the weight-0 turn
    (o,), _ = render([Record("t:1", [dict(m) for m in TOOL_CHAT])], format="openai")
    assert o.prompt == TOOL_CHAT[:3] and o.completion == [TOOL_CHAT[3]]    # tool fields kept as they are
