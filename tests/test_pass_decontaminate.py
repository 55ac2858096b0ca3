"""decontaminate: test items copied into train are caught; test items are never dropped."""
import json

import pytest

from curate.passes.base import Context, RecipeError
from curate.passes.decontaminate import Decontaminate
from tunecraft.records import Record

LONG_TEST = ("My transfer of 250 euros to my landlord has been pending since Monday and the money has "
             "already left my account, how long until he receives it?")
HINDI_TEST = ("मैंने बारह दिन पहले कार्ड ऑर्डर किया था लेकिन वह अभी तक नहीं मिला और ऐप में कोई "
              "जानकारी नहीं दिख रही है")


def rec(rid, user, split, label=None):
    return Record(id=rid, split=split, label=label,
                  messages=[{"role": "user", "content": user},
                            {"role": "assistant", "content": "Thanks, we are looking into it."}])


def dataset():
    return [
        rec("t:1", "Hi team, " + LONG_TEST.upper() + " Thanks.", "train"),   # long test item inside
        rec("t:2", "how do I reset my pin? It got blocked after three tries", "train"),
        rec("t:3", "Please block my card, it was stolen at the station", "train"),
        rec("t:4", "What is the exchange rate for dollars today and is there a fee", "train"),
        rec("t:5", "नमस्ते, " + HINDI_TEST + "। धन्यवाद।", "train"),
        rec("t:6", "block my card", "train"),
        rec("x:1", LONG_TEST, "test"),
        rec("x:2", "how do I reset my pin", "test"),        # short: must appear whole
        rec("x:3", "block my card", "test"),                # < min_words: whole-prompt match only
        rec("x:4", HINDI_TEST, "validation"),
        rec("x:5", LONG_TEST, "validation"),
    ]


def run(records, **options):
    ctx = Context("decontaminate", seed=0)
    return list(Decontaminate.from_options(options).run(records, ctx)), ctx


def test_test_items_copied_into_train_are_dropped_and_held_out_items_kept():
    kept, ctx = run(dataset())
    rejected = {j.record.id: j.details["overlaps_with"] for j in ctx.rejects}
    # x:5 repeats x:1's text: both are listed, test before validation
    assert rejected == {"t:1": ["x:1", "x:5"], "t:2": ["x:2"], "t:5": ["x:4"], "t:6": ["x:3"]}
    assert {j.reason for j in ctx.rejects} == {"contaminated"}
    assert [r.id for r in kept] == ["t:3", "t:4", "x:1", "x:2", "x:3", "x:4", "x:5"]
    assert ctx.info["contaminated_train"] == 4
    assert ctx.info["contaminated_train_by_source"] == {"test": 3, "validation": 2}
    assert ctx.info["validation_overlapping_test"] == 1


def test_report_action_keeps_train():
    kept, ctx = run(dataset(), action="report")
    assert len(kept) == len(dataset()) and not ctx.rejects
    assert ctx.info["contaminated_train"] == 4


def test_benchmark_files_in_jsonl_are_checked(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    rows = [{"question": "What is the exchange rate for dollars today"},
            {"messages": [{"role": "user", "content": "Please block my card, it was stolen at the station"}]},
            {"text": "a benchmark prompt that appears nowhere in the data at all, not even close"}]
    (tmp_path / "bench.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    records = [r for r in dataset() if r.split == "train"]
    kept, ctx = run(records, against=["bench.jsonl"])
    rejected = {j.record.id: j.details["overlaps_with"] for j in ctx.rejects}
    assert rejected == {"t:3": ["bench.jsonl:2"], "t:4": ["bench.jsonl:1"]}
    assert ctx.info["contaminated_train_by_source"] == {"benchmark": 2}


def test_missing_or_broken_benchmark_file_is_a_recipe_error(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(RecipeError, match="benchmark file not found: nope.jsonl"):
        Decontaminate.from_options({"against": ["nope.jsonl"]})
    (tmp_path / "bad.jsonl").write_text('{"text": "fine"}\n{not json\n')
    with pytest.raises(RecipeError, match=r"bad.jsonl:2"):
        run(dataset(), against=["bad.jsonl"])


def test_short_common_phrases_do_not_contaminate_longer_train_prompts():
    records = [rec("t:1", "Please block my card now, I lost it", "train"), rec("x:1", "block my card", "test")]
    kept, ctx = run(records)
    assert len(kept) == 2 and not ctx.rejects


def test_without_splits_only_benchmarks_are_probes(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "b.jsonl").write_text(json.dumps({"prompt": LONG_TEST}) + "\n")
    records = [rec("r:1", LONG_TEST, None), rec("r:2", "unrelated question about fees", None)]
    kept, ctx = run(records, against=["b.jsonl"])
    assert [r.id for r in kept] == ["r:2"] and ctx.rejects[0].details["overlaps_with"] == ["b.jsonl:1"]


TOOL = ("You can call the tool get_weather(city: str, unit: str) which returns the current temperature, "
        "humidity and a short forecast for the city; answer only with a JSON tool call.")
CITIES = ["Delhi", "Mumbai", "Pune", "Lucknow", "Jaipur", "Chennai", "Kolkata", "Patna", "Bhopal", "Indore",
          "Surat", "Nagpur", "Agra", "Varanasi", "Kochi", "Goa"]


def tool_use_rows():
    """A tool-use sub-task: every prompt starts with the same 25-word tool description."""
    rows = []
    for i, city in enumerate(CITIES):
        split = "test" if i % 4 == 0 else "validation" if i % 4 == 1 else "train"
        ask = f"{city} ka mausam kaisa hai aaj? Batao celsius mein." if i % 2 else f"What is the weather in {city} right now?"
        rows.append(Record(id=f"tools.jsonl:{i + 1}", split=split, messages=[
            {"role": "system", "content": "You are a helpful assistant."},
            {"role": "user", "content": TOOL + "\n" + ask},
            {"role": "assistant", "content": '{"name": "get_weather", "arguments": {"city": "%s", "unit": "c"}}' % city}]))
    return rows


def test_a_shared_tool_description_does_not_empty_the_train_split():
    rows = tool_use_rows()
    kept, ctx = run(rows)
    assert not ctx.rejects, [(j.record.id, j.details) for j in ctx.rejects]
    assert ctx.info["common_ngrams_ignored"] > 0
    # a real leak in the same sub-task is still found: a test row copied into train
    leak = Record(id="tools.jsonl:99", split="train", messages=[dict(m) for m in rows[0].messages])
    kept, ctx = run(tool_use_rows() + [leak])
    assert [j.record.id for j in ctx.rejects] == ["tools.jsonl:99"]
    copies = [Record(id=f"x:{k}", split="test", messages=leak.messages) for k in range(8)]
    kept, ctx = run([leak] + copies)
    assert ctx.rejects[0].details["overlaps_with"] == ["x:0", "x:1", "x:2", "x:3", "x:4"]  # at most 5


def test_a_shared_sentence_needs_the_completion_to_overlap_too():
    shared = "my upi payment of 500 rupees to the electricity board failed but the money was debited"
    train = Record(id="t:1", split="train", messages=[
        {"role": "user", "content": f"Yesterday {shared}. Also, how do I change the language of the app to "
                                    "Hindi, and where are the settings for notifications and alerts?"},
        {"role": "assistant", "content": "Open Settings > Language and pick हिन्दी; alerts are under Notifications."}])
    test = Record(id="x:1", split="test", messages=[
        {"role": "user", "content": f"{shared} two days ago, when will I get it back and can I get a "
                                    "receipt for the failed payment from the branch or only online?"},
        {"role": "assistant", "content": "Failed UPI debits are reversed within 3 working days."}])
    kept, ctx = run([train, test])
    assert not ctx.rejects
    same_answer = Record(id="t:2", split="train", messages=[train.messages[0], dict(test.messages[1])])
    kept, ctx = run([same_answer, test])
    assert [j.record.id for j in ctx.rejects] == ["t:2"]
