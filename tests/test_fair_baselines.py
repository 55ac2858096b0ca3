"""The baselines are fair and the report says what each was given; `--limit` is a stratified
sample, not the head of a file ordered by label."""
from collections import Counter
from pathlib import Path

import pytest
from _evalkit_util import TEST, write_clean

from evalkit import loaders
from evalkit.docs import Passage
from evalkit.report import sections
from evalkit.runner import RunConfig, build_systems, describe_baselines, stratified_sample
from evalkit.systems import EvalItem, FineTuned, ZeroShot
from tunecraft.records import Record

LABELS = ["account", "card", "pin", "refund"]


@pytest.fixture(scope="module")
def tokenizer(tiny_model_dir):
    from tunecraft.models import load_tokenizer

    return load_tokenizer(str(tiny_model_dir))


def item(i, text, label):
    return EvalItem.from_record(Record(f"test.jsonl:{i}", [{"role": "user", "content": text},
                                                          {"role": "assistant", "content": label}],
                                       label=label))


def test_zero_shot_on_a_labelled_task_is_told_the_label_set(tokenizer):
    hindi = item(1, "मेरा खाता बंद है, मदद करें।", "account")
    prompt = ZeroShot("You are a bank's support agent.", LABELS).prompt(hindi, tokenizer)
    assert prompt.startswith("<|im_start|>system\nYou are a bank's support agent.\n\n"
                             "Answer with exactly one of these labels and nothing else: "
                             "account, card, pin, refund.<|im_end|>")
    assert "मेरा खाता बंद है" in prompt
    # the adapter was trained without the list: the fine-tuned prompt stays zero-shot's plain one
    assert "labels" not in FineTuned("chat").prompt(hindi, tokenizer)
    assert "labels" not in ZeroShot().prompt(hindi, tokenizer)


def test_the_runner_tells_zero_shot_the_labels_and_few_shot_uses_train_only(tmp_path):
    data = write_clean(tmp_path / "clean", test=TEST + [TEST[0]])
    items, train, labels = loaders.load_items(data)
    config = RunConfig(data=data, out=tmp_path / "eval", k=3)
    zero, few, rag = build_systems(config, ["zero-shot", "few-shot", "rag"], train, None, labels)
    assert zero.labels == LABELS
    for it in items:
        assert all(source.startswith("train.jsonl:") for source in few.sources(it))
        assert all(source.startswith("train.jsonl:") for source in rag.sources(it))
    said = describe_baselines([zero, few, rag], labels, config, len(train))
    assert said["zero-shot"].startswith("told the label set (4 labels)")
    assert "never from the test split" in said["few-shot"]


def test_rag_documents_are_named_in_the_report(tmp_path):
    from evalkit.systems import Rag

    docs = [Passage("refunds.md#1", "Refunds take 3 days.", "a"),
            Passage("cards/block.html#2", "Block a card from the app.", "b")]
    config = RunConfig(data=tmp_path, out=tmp_path, docs=Path("help-centre"), k=2)
    said = describe_baselines([Rag(docs, k=2)], None, config, 0)
    assert said["rag"] == ("top 2 passages by BM25 from documents in help-centre: "
                           "cards/block.html, refunds.md")
    titles = [t for t, _ in sections([], {"baselines": said, "verdict": {"text": "…"}}, None)]
    assert "What each baseline was given" in titles


def ordered_by_label(per_label=10):
    """A test file the way a label-ordered split writes it: all of one intent, then the next."""
    texts = {"account": "Mera account band ho gaya {}", "card": "Block my card number {}",
             "pin": "UPI PIN reset karna hai {}", "refund": "रिफंड कब आएगा {}"}
    return [item(i + per_label * n, texts[label].format(i), label)
            for n, label in enumerate(LABELS) for i in range(per_label)]


def test_limit_takes_every_label_in_proportion_not_the_first_n():
    items = ordered_by_label()
    sample = stratified_sample(items, 8, seed=0)
    assert Counter(i.label for i in sample) == {label: 2 for label in LABELS}
    assert [items.index(i) for i in sample] == sorted(items.index(i) for i in sample)  # file order
    assert sample == stratified_sample(items, 8, seed=0)
    assert sample != stratified_sample(items, 8, seed=1)
    assert Counter(i.label for i in items[:8]) == {"account": 8}   # what the head would have been


def test_limit_on_unlabelled_items_and_limits_past_the_end():
    items = [item(i, f"Summarise ticket {i}", None) for i in range(30)]
    assert len(stratified_sample(items, 5, seed=3)) == 5
    assert stratified_sample(items, 100) == items and stratified_sample(items, None) == items
