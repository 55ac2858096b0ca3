"""Each system builds the prompt it should, with the model's chat template."""
import pytest

from _evalkit_util import TEST, TRAIN, record
from evalkit.docs import Passage, passages_from_records
from evalkit.systems import (FewShot, FineTuned, Rag, SystemsError, EvalItem, ZeroShot,
                             parse_systems)
from tunecraft.records import Record

TRAIN_RECORDS = [Record.from_dict(record(i, "train", *row)) for i, row in enumerate(TRAIN, 1)]
ITEMS = [EvalItem.from_record(Record.from_dict(record(i, "test", *row)))
         for i, row in enumerate(TEST, 1)]
PIN, HINDI = ITEMS[0], ITEMS[1]


@pytest.fixture(scope="module")
def tokenizer(tiny_model_dir):
    from tunecraft.models import load_tokenizer

    return load_tokenizer(str(tiny_model_dir))


def test_test_item_splits_input_from_reference():
    rec = Record("t:1", [{"role": "system", "content": "Be brief."},
                         {"role": "user", "content": "Hi"},
                         {"role": "assistant", "content": "Hello"},
                         {"role": "user", "content": "Refund?"},
                         {"role": "assistant", "content": "3 days."}], label="refund")
    item = EvalItem.from_record(rec)
    assert item.reference == "3 days." and item.label == "refund"
    assert [m["content"] for m in item.input_messages] == ["Be brief.", "Hi", "Hello", "Refund?"]
    with pytest.raises(SystemsError, match="t:2"):
        EvalItem.from_record(Record("t:2", [{"role": "user", "content": "no answer"}]))


def test_zero_shot_has_the_instruction_and_no_examples_or_passages(tokenizer):
    prompt = ZeroShot().prompt(PIN, tokenizer)
    assert prompt == ("<|im_start|>user\nHow can I reset the PIN for UPI?<|im_end|>\n"
                      "<|im_start|>assistant\n")
    with_system = ZeroShot("You are a bank's support agent.").prompt(PIN, tokenizer)
    assert with_system.startswith("<|im_start|>system\nYou are a bank's support agent.<|im_end|>")
    assert PIN.reference not in prompt


def test_few_shot_includes_the_k_most_similar_train_examples(tokenizer):
    system = FewShot(TRAIN_RECORDS, k=2)
    messages = system.messages(PIN)
    shots = [m["content"] for m in messages[:-1] if m["role"] == "user"]
    assert len(shots) == 2 and messages[-1]["content"] == PIN.instruction
    assert shots[-1] == "How do I reset my UPI PIN?"            # most similar, next to the question
    assert messages[-2]["content"] == "Open the app, go to settings and choose Reset PIN."
    hindi_shots = [m["content"] for m in system.messages(HINDI) if m["role"] == "user"]
    assert hindi_shots[-2] == "मेरा खाता बंद हो गया है, कृपया मदद करें।"
    prompt = system.prompt(PIN, tokenizer)
    assert prompt.count("<|im_start|>user") == 3 and prompt.endswith("<|im_start|>assistant\n")
    assert system.sources(PIN)[-1] == "train.jsonl:1"


def test_few_shot_random_is_seeded_and_never_picks_the_item_itself():
    copy = Record.from_dict(record(99, "train", PIN.instruction, "leaked answer", "pin"))
    a = FewShot(TRAIN_RECORDS + [copy], k=3, mode="random", seed=1)
    b = FewShot(TRAIN_RECORDS + [copy], k=3, mode="random", seed=1)
    c = FewShot(TRAIN_RECORDS + [copy], k=3, mode="random", seed=2)
    assert a.sources(PIN) == b.sources(PIN)
    assert any(c.sources(i) != a.sources(i) for i in ITEMS)
    for system in (a, FewShot(TRAIN_RECORDS + [copy], k=3)):
        assert all("leaked answer" not in m["content"] for m in system.messages(PIN))


def test_rag_includes_the_retrieved_passage_in_the_system_message(tokenizer):
    system = Rag(passages_from_records(TRAIN_RECORDS), k=1, system_prompt="Be brief.")
    messages = system.messages(HINDI)
    assert messages[0]["role"] == "system" and messages[0]["content"].startswith("Be brief.")
    assert "[1] मेरा खाता बंद हो गया है, कृपया मदद करें।\nआपका खाता दोबारा खोल दिया गया है।" \
        in messages[0]["content"]
    assert messages[1:] == HINDI.input_messages
    prompt = system.prompt(HINDI, tokenizer)
    assert "आपका खाता दोबारा" in prompt and prompt.count("<|im_start|>user") == 1


def test_rag_over_docs_passages():
    docs = [Passage("kb/a.md#1", "Refunds take 3 days to reach your account.", "x"),
            Passage("kb/b.md#1", "Block a card from the app's card menu.", "y")]
    system = Rag(docs, k=1)
    assert system.sources(ITEMS[2]) == ["kb/b.md#1"]
    assert "Block a card" in system.messages(ITEMS[2])[0]["content"]


def test_fine_tuned_prompts_like_zero_shot_or_with_the_training_prompt_field(tokenizer):
    assert FineTuned("chat").prompt(PIN, tokenizer) == ZeroShot().prompt(PIN, tokenizer)
    other = "{% for m in messages %}[{{ m['role'] }}] {{ m['content'] }}\n{% endfor %}[assistant] "
    assert FineTuned("chat", chat_template=other).prompt(PIN, tokenizer) == \
        f"[user] {PIN.instruction}\n[assistant] "
    item = EvalItem("t:1", PIN.input_messages, PIN.reference, prompt_field="Q: reset pin\nA:")
    assert FineTuned("prompt-completion").prompt(item, tokenizer) == "Q: reset pin\nA:"
    with pytest.raises(SystemsError, match="no"):
        FineTuned("prompt-completion").prompt(PIN, tokenizer)


def test_parse_systems():
    assert parse_systems("zero-shot, rag,zero-shot") == ["zero-shot", "rag"]
    with pytest.raises(SystemsError, match="unknown few_shot"):
        parse_systems("few_shot")
