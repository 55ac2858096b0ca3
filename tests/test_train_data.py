"""train.data: the completion-only mask and the silent failures it must make impossible."""
import json

import pytest
from _train_util import PAIRS, record, write_clean

from train.data import (IGNORE, DataError, batch_schedule, chat_texts, collate, encode,
                        read_split)
from tunecraft.records import Record


@pytest.fixture(scope="module")
def tokenizer(tiny_model_dir):
    from tunecraft.models import load_tokenizer

    return load_tokenizer(tiny_model_dir)


def records(pairs=PAIRS, split="train"):
    return [Record.from_dict(record(i, q, a, split)) for i, (q, a) in enumerate(pairs, 1)]


def test_labels_are_ignored_exactly_on_prompt_and_padding(tokenizer):
    encoded = encode(records(), tokenizer, "chat", max_len=256)
    batch = collate(encoded.examples, tokenizer.pad_token_id)
    for row, (example, (question, answer)) in enumerate(zip(encoded.examples, PAIRS)):
        n, p = len(example.input_ids), example.n_prompt
        labels = batch["labels"][row].tolist()
        assert labels[:p] == [IGNORE] * p
        assert labels[p:n] == example.input_ids[p:]
        assert labels[n:] == [IGNORE] * (batch["labels"].shape[1] - n)
        assert tokenizer.decode(example.input_ids[p:]) == answer + "<|im_end|>\n"
        assert tokenizer.decode(example.input_ids[:p]).endswith(question + "<|im_end|>\n"
                                                                 "<|im_start|>assistant\n")


def test_mask_does_not_depend_on_finding_the_response_string(tokenizer):
    # The answer also appears inside the question: a mask found by searching for the response
    # ids would start inside the prompt. Ours starts at the assistant turn by construction.
    example = encode(records(PAIRS[-1:]), tokenizer, "chat", 256).examples[0]
    prompt_text, completion_text = chat_texts(records(PAIRS[-1:])[0].messages, tokenizer)
    assert tokenizer.decode(example.input_ids[:example.n_prompt]) == prompt_text
    assert tokenizer.decode(example.input_ids[example.n_prompt:]) == completion_text


def test_eos_is_learned_when_pad_equals_eos(tiny_model_dir):
    from tunecraft.models import load_tokenizer

    tokenizer = load_tokenizer(tiny_model_dir)
    tokenizer.pad_token = tokenizer.eos_token
    examples = encode(records(PAIRS[:3]), tokenizer, "chat", 256).examples
    batch = collate(examples, tokenizer.pad_token_id)
    eos = tokenizer.eos_token_id
    for row, example in enumerate(examples):
        labels = batch["labels"][row].tolist()
        assert eos in labels[example.n_prompt:len(example.input_ids)]  # the end of turn is learned
    padding = batch["attention_mask"] == 0
    assert padding.any() and (batch["input_ids"][padding] == eos).all()
    assert (batch["labels"][padding] == IGNORE).all()


def test_no_double_bos_when_tokenizer_adds_one(tiny_model_dir):
    from tokenizers import processors

    from tunecraft.models import load_tokenizer

    tokenizer = load_tokenizer(tiny_model_dir)
    bos = tokenizer.bos_token_id
    tokenizer._tokenizer.post_processor = processors.TemplateProcessing(
        single="<|im_start|> $A", special_tokens=[("<|im_start|>", bos)])
    assert tokenizer("hi")["input_ids"][0] == bos  # this tokenizer does add a BOS
    for template in ("chat", "prompt-completion"):
        ids = encode(records(PAIRS[:2]), tokenizer, template, 256).examples[0].input_ids
        assert ids[0] == bos and ids[1] != bos, template


def test_prompt_completion_template_uses_curated_fields_and_appends_eos(tokenizer):
    example = encode(records(PAIRS[:1]), tokenizer, "prompt-completion", 256).examples[0]
    assert tokenizer.decode(example.input_ids[:example.n_prompt]) == PAIRS[0][0]
    assert example.input_ids[-1] == tokenizer.eos_token_id
    assert tokenizer.decode(example.input_ids[example.n_prompt:-1]) == PAIRS[0][1]


def test_completion_never_cut_long_prompt_left_truncated(tokenizer):
    long_question = "मेरा खाता बंद हो गया है " * 40
    long_answer = "Aapka refund 3 din mein aa jayega. " * 40
    batch = records([(long_question, "Done."), ("Hi", long_answer), PAIRS[0]])
    encoded = encode(batch, tokenizer, "chat", max_len=64)
    assert encoded.counts["dropped_completion_too_long"] == 1
    assert encoded.counts["prompt_truncated"] == 1
    assert encoded.counts["kept"] == 2
    truncated = encoded.examples[0]
    assert len(truncated.input_ids) == 64
    assert tokenizer.decode(truncated.input_ids[truncated.n_prompt:]) == "Done.<|im_end|>\n"


def test_records_without_an_answer_are_dropped_and_counted(tokenizer):
    no_answer = Record("a.jsonl:1", [{"role": "user", "content": "Hello?"}])
    encoded = encode([no_answer] + records(PAIRS[:1]), tokenizer, "chat", 256)
    assert encoded.counts["dropped_no_completion"] == 1 and encoded.counts["kept"] == 1
    assert all(e.n_prompt < len(e.input_ids) for e in encoded.examples)


def test_collate_refuses_a_batch_without_labels(tokenizer):
    example = encode(records(PAIRS[:1]), tokenizer, "chat", 256).examples[0]
    example.n_prompt = len(example.input_ids)
    with pytest.raises(AssertionError):
        collate([example], tokenizer.pad_token_id)


def test_batch_schedule_is_seeded_complete_and_grouped_by_length():
    lengths = [(i * 37) % 101 + 1 for i in range(400)]
    first = batch_schedule(lengths, 8, seed=3, epoch=0)
    assert first == batch_schedule(lengths, 8, seed=3, epoch=0)
    assert first != batch_schedule(lengths, 8, seed=3, epoch=1)
    assert sorted(i for batch in first for i in batch) == list(range(400))
    padding = sum(max(lengths[i] for i in b) * len(b) - sum(lengths[i] for i in b) for b in first)
    assert padding < 0.1 * sum(lengths)


def test_read_split_names_file_and_line_of_a_bad_row(tmp_path):
    write_clean(tmp_path)
    with open(tmp_path / "train.jsonl", "a", encoding="utf-8") as f:
        f.write('{"id": "x", "messages": [}\n')
    with pytest.raises(DataError, match=r"train.jsonl:9"):
        read_split(tmp_path, "train")
    with pytest.raises(DataError, match="test.jsonl: missing"):
        read_split(tmp_path, "test")
    assert json.loads((tmp_path / "validation.jsonl").read_text().splitlines()[0])["id"]
