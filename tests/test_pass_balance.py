"""balance: train only; cap / oversample / temperature meet their rule; seeded and deterministic."""
from collections import Counter

import pytest

from curate.passes.balance import Balance
from curate.passes.base import Context, RecipeError
from tunecraft.records import Record

TRAIN_SIZES = {"card_arrival": 60, "lost_or_stolen_card": 12, "exchange_rate": 6, "pin_blocked": 2}


def dataset():
    records, line = [], 0
    for split, scale in (("train", 1), ("validation", 0.5), ("test", 0.5)):
        for label, n in TRAIN_SIZES.items():
            for _ in range(max(1, int(n * scale))):
                line += 1
                records.append(Record(id=f"d.jsonl:{line}", label=label, split=split, messages=[
                    {"role": "user", "content": f"ticket {line} about {label} मेरा कार्ड"},
                    {"role": "assistant", "content": "ok"}]))
    # interleave splits like a real split pass output would
    return sorted(records, key=lambda r: (int(r.id.split(":")[1]) * 7919) % 1009)


def run(records, seed=0, **options):
    ctx = Context("balance", seed=seed)
    return list(Balance.from_options(options).run(records, ctx)), ctx


def counts(records, split):
    return Counter(r.label for r in records if r.split == split)


def held_out(records):
    return [r.id for r in records if r.split != "train"]


@pytest.mark.parametrize("options", [{}, {"mode": "cap", "per_label": 5}, {"mode": "oversample"},
                                     {"mode": "oversample", "per_label": 20}, {"mode": "temperature"},
                                     {"mode": "temperature", "temperature": 0.0}])
def test_validation_and_test_are_untouched_and_in_order(options):
    records = dataset()
    out, ctx = run(records, **options)
    assert held_out(out) == held_out(records)
    for split in ("validation", "test"):
        assert counts(out, split) == counts(records, split)
    assert set(counts(out, "train")) == set(TRAIN_SIZES)  # no class ever disappears
    assert ctx.info["train_label_counts_before"] == dict(sorted(TRAIN_SIZES.items()))
    assert dict(counts(out, "train")) == ctx.info["train_label_counts_after"]


def test_cap_keeps_at_most_n_and_rejects_the_rest():
    out, ctx = run(dataset(), mode="cap", per_label=5)
    assert counts(out, "train") == {"card_arrival": 5, "lost_or_stolen_card": 5, "exchange_rate": 5,
                                    "pin_blocked": 2}
    assert len(ctx.rejects) == 55 + 7 + 1
    assert {j.reason for j in ctx.rejects} == {"balance_cap"}


def test_default_caps_only_extreme_majorities():
    # mean of (60, 12, 6, 2) = 20 -> cap 200: nothing changes
    out, ctx = run(dataset())
    assert counts(out, "train") == TRAIN_SIZES and not ctx.rejects
    out, ctx = run(dataset(), max_ratio=2)  # cap 40
    assert counts(out, "train")["card_arrival"] == 40


def test_default_cap_leaves_normal_classes_alone_under_a_long_tail_of_tiny_ones():
    sizes = {"card_arrival": 100, "exchange_rate": 100, **{f"rare_{k:02d}": 2 for k in range(20)}}
    records = [Record(id=f"d:{label}:{i}", label=label, split="train",
                      messages=[{"role": "user", "content": f"{label} {i}"}])
               for label, n in sizes.items() for i in range(n)]
    out, ctx = run(records)  # median 2 would cap at 20; mean 10.9 caps at 110
    assert len(out) == len(records) and not ctx.rejects
    dominant = records + [Record(id=f"o:{i}", label="other", split="train", messages=[])
                          for i in range(3000)]
    out, ctx = run(dominant)  # mean 3240/23 = 140.9 -> cap 1409
    assert counts(out, "train")["other"] == 1409 and counts(out, "train")["card_arrival"] == 100


def test_oversample_copies_carry_copy_of_and_follow_their_original():
    out, ctx = run(dataset(), mode="oversample", per_label=20)
    assert counts(out, "train") == {"card_arrival": 60, "lost_or_stolen_card": 20, "exchange_rate": 20,
                                    "pin_blocked": 20}
    copies = [r for r in out if "copy_of" in r.meta]
    assert len(copies) == 8 + 14 + 18 == ctx.info["copies"]
    position = {r.id: i for i, r in enumerate(out)}
    for c in copies:
        orig, k = c.id.split("#copy")
        assert c.meta["copy_of"] == orig and int(k) >= 1
        assert position[orig] < position[c.id]
        assert "copy_of" not in out[position[orig]].meta  # the original is not modified
    assert Counter(c.meta["copy_of"] for c in copies if c.label == "pin_blocked") == {
        r.id: 9 for r in dataset() if r.split == "train" and r.label == "pin_blocked"}


def test_temperature_keeps_size_and_flattens():
    out, ctx = run(dataset(), mode="temperature", temperature=0.5)
    train = counts(out, "train")
    assert sum(train.values()) == sum(TRAIN_SIZES.values())
    # n**0.5: 7.75, 3.46, 2.45, 1.41 of 15.07 -> 41.1, 18.4, 13.0, 7.5 of 80
    assert train == {"card_arrival": 41, "lost_or_stolen_card": 18, "exchange_rate": 13, "pin_blocked": 8}
    out, _ = run(dataset(), mode="temperature", temperature=0.0)
    assert set(counts(out, "train").values()) == {20}


def test_deterministic_for_a_seed_and_different_across_seeds():
    ids = lambda seed: [r.id for r in run(dataset(), seed=seed, mode="cap", per_label=5)[0]]
    assert ids(1) == ids(1)
    assert ids(1) != ids(2)


def test_unlabelled_records_pass_through():
    records = [Record(id=f"u:{i}", split="train", messages=[{"role": "user", "content": "hi"}])
               for i in range(3)]
    out, ctx = run(records, mode="cap", per_label=1)
    assert [r.id for r in out] == ["u:0", "u:1", "u:2"] and ctx.info["unlabelled_train"] == 3


@pytest.mark.parametrize("options", [{"mode": "smote"}, {"per_label": 0}, {"temperature": 2},
                                     {"max_ratio": 0.5}])
def test_bad_options_are_recipe_errors(options):
    with pytest.raises(RecipeError, match="balance"):
        Balance.from_options(options)


def _dialogue_topics():
    """DialogSum-like rows: the `topic` column is free text, mostly seen once or twice."""
    topics = ["job interview", "shopping", "get a taxi", "vacation plans", "birthday party"]
    records = []
    for i in range(40):
        topic = topics[i % 5] if i < 10 else f"topic {i}: booking a hotel room in Delhi"
        records.append(Record(id=f"dlg.jsonl:{i + 1}", label=topic, split="train", messages=[
            {"role": "user", "content": f"#Person1#: नमस्ते, कमरा {i} चाहिए? #Person2#: Haan ji."},
            {"role": "assistant", "content": "Person1 books a room."}]))
    return records


def test_free_text_labels_are_not_capped_by_default_but_are_when_asked():
    records = _dialogue_topics()
    out, ctx = run(records, max_ratio=1)  # cap would be ceil(1 x 40/35) = 2 per topic
    assert len(out) == 40 and not ctx.rejects
    assert ctx.info["mode"] == "none" and ctx.info["classes"] is False
    for options in ({"mode": "cap", "per_label": 1}, {"per_label": 1}):
        out, ctx = run(_dialogue_topics(), **options)
        assert len(ctx.rejects) == 5  # the five repeated topics keep one row each


def test_intent_labels_still_capped_by_default():
    out, ctx = run(dataset(), max_ratio=2)
    assert ctx.info["mode"] == "cap" and ctx.info["classes"] is True
    assert counts(out, "train")["card_arrival"] == 40


def test_label_whitespace_is_trimmed_in_every_split():
    records = dataset()
    for r in records[::3]:
        r.label = f"  {r.label}\t"
    out, ctx = run(records, max_ratio=2)
    assert set(ctx.info["train_label_counts_before"]) == set(TRAIN_SIZES)
    assert {r.label for r in out} == set(TRAIN_SIZES)
    assert counts(out, "train")["card_arrival"] == 40
