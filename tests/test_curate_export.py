"""Column maps, files that map to nothing, empty runs, and `curate export` files that load in
`datasets` with the shape TRL and OpenAI document — through the CLI, on realistic data."""
import json

import pytest
from _curate_util import read_lines, write_jsonl
from typer.testing import CliRunner

from curate.cli import app
from curate.recipe import Recipe
from tunecraft.records import Record

runner = CliRunner()
ITEMS = ["order", "refund", "debit card", "UPI payment", "cheque book", "loan EMI", "KYC form", "address"]
CITIES = ["Pune", "Lucknow", "Indore", "Kochi", "Patna", "Surat"]


def dialogue_rows(n=24):
    """A dialogue/summary set (Hinglish, Hindi, English) as such sets ship: sorted by topic."""
    rows = []
    for i in range(n):
        item, city = ITEMS[i % len(ITEMS)], CITIES[i % len(CITIES)]
        rows.append({
            "conversation_id": f"conv-{i // 2}",
            "dialogue": (f"#Person1#: Namaste, mera {item} ka issue hai, {city} branch se {i + 3} din pehle "
                         f"apply kiya tha. #Person2#: आपका {item} अनुरोध {i + 2} दिनों में पूरा होगा, "
                         f"क्या मैं आपका ticket नंबर {7000 + 37 * i} देख सकता हूँ? #Person1#: Haan, zaroor."),
            "summary": f"Customer from {city} follows up on a {item} request; agent promises {i + 2} days.",
            "topic": ["banking", "payments", "documents"][i % 3]})
    return sorted(rows, key=lambda r: r["topic"])


def _curate(*args):
    return runner.invoke(app, [str(a) for a in args])


def _load(**kwargs):
    import datasets      # a dependency (pyproject): these files are for it to read

    datasets.disable_progress_bars()
    return datasets.load_dataset("json", **kwargs)


def test_a_file_that_maps_to_nothing_stops_before_the_passes_and_suggests_a_map(tmp_path, monkeypatch):
    write_jsonl(tmp_path / "raw" / "dialogsum_like.jsonl", dialogue_rows())
    monkeypatch.setattr(Recipe, "build_passes", lambda self: pytest.fail("passes were set up"))
    result = _curate("run", tmp_path / "raw", "--out", tmp_path / "clean")
    assert result.exit_code == 2
    [line] = result.stderr.strip().splitlines()
    assert "dialogsum_like.jsonl:1" in line and "conversation_id, dialogue, summary, topic" in line
    assert "--map prompt=dialogue,completion=summary,label=topic,group=conversation_id" in line
    assert not (tmp_path / "clean").exists()


def test_a_list_column_is_named_and_never_suggested_and_neither_is_a_flag(tmp_path):
    """Self-Instruct's seed tasks: the answers sit in `instances`, a list a map cannot read."""
    rows = [{"id": f"seed_task_{i}", "name": "hinglish_translation",
             "instruction": "Is vaakya ka English mein anuvaad kijiye.",
             "instances": [{"input": "मेरा कार्ड ब्लॉक हो गया है।", "output": "My card has been blocked."}],
             "is_classification": False} for i in range(3)]
    write_jsonl(tmp_path / "raw" / "seed_tasks.jsonl", rows)
    result = _curate("run", tmp_path / "raw", "--out", tmp_path / "clean")
    assert result.exit_code == 2
    [line] = result.stderr.strip().splitlines()
    assert "--map prompt=instruction;" in line and "is_classification" not in line.split(";")[1]
    assert "'instances' holds a list: flatten it to one row per item first" in line


def test_turns_under_another_name_are_recognised_as_turns_in_the_hint(tmp_path):
    rows = [{"dialog_id": "d1", "dialog": [{"speaker": "user", "text": "Mera UPI PIN bhool gaya"},
                                           {"speaker": "agent", "text": "App mein Forgot PIN chunein."}]}]
    write_jsonl(tmp_path / "raw" / "chats.jsonl", rows)
    result = _curate("run", tmp_path / "raw", "--out", tmp_path / "clean")
    assert result.exit_code == 2
    assert "'dialog' holds dialogue turns: name it 'messages' (role, content)" in result.stderr


def test_a_missing_mapped_column_and_an_unknown_target_are_named(tmp_path):
    write_jsonl(tmp_path / "raw" / "d.jsonl", dialogue_rows(4))
    result = _curate("run", tmp_path / "raw", "--out", tmp_path / "c", "--map", "prompt=dialogue,completion=abstract")
    assert result.exit_code == 2 and "'abstract' (mapped to completion)" in result.stderr
    result = _curate("run", tmp_path / "raw", "--out", tmp_path / "c", "--map", "question=dialogue")
    assert result.exit_code == 2 and "unknown target 'question'" in result.stderr


def test_mapped_run_writes_shuffled_splits_that_datasets_loads_and_exports(tmp_path):
    write_jsonl(tmp_path / "raw" / "dialogues.jsonl", dialogue_rows())
    recipe = tmp_path / "recipe.yaml"
    recipe.write_text("columns: {prompt: dialogue, label: topic}\npasses:\n  template: {format: openai}\n"
                      "  split: {ratios: [0.5, 0.25, 0.25]}\n")
    clean = tmp_path / "clean"
    result = _curate("run", tmp_path / "raw", "--out", clean, "--recipe", recipe, "--skip", "pii,dedup_near",
                     "--map", "completion=summary,group=conversation_id", "-q")
    assert result.exit_code == 0, result.output
    rows = [r for s in ("train", "validation", "test") for r in read_lines(clean / f"{s}.jsonl")]
    assert len(rows) == 24
    first = rows[0]
    assert first["messages"][0]["content"].startswith("#Person1#: Namaste")
    assert first["prompt"] == first["messages"][:1] and first["completion"] == first["messages"][1:]
    assert first["meta"]["conversation_id"].startswith("conv-")
    by_conv = {}
    for r in rows:
        by_conv.setdefault(r["meta"]["conversation_id"], set()).add(r["split"])
    assert all(len(splits) == 1 for splits in by_conv.values())      # group= keeps them together
    train_labels = [r["label"] for r in read_lines(clean / "train.jsonl")]
    assert train_labels != sorted(train_labels)                      # not ordered by label
    loaded = _load(data_dir=str(clean), cache_dir=str(tmp_path / "hf"))
    assert sum(loaded.num_rows.values()) == 24

    for fmt, columns in (("openai", ["messages"]), ("trl-messages", ["messages"]),
                         ("trl-prompt-completion", ["prompt", "completion"]),
                         ("alpaca", ["instruction", "input", "output"])):
        out = tmp_path / fmt
        assert _curate("export", clean, "--format", fmt, "--out", out).exit_code == 0
        data = _load(data_files={s: str(out / f"{s}.jsonl") for s in ("train", "validation", "test")},
                     cache_dir=str(tmp_path / "hf"))
        assert data["train"].column_names == columns
        row = data["test"][0]
        if fmt == "trl-prompt-completion":
            assert [m["role"] for m in row["prompt"]] == ["user"]
            assert row["completion"][0]["role"] == "assistant"
        if fmt == "alpaca":
            assert row["instruction"].startswith("#Person1#") and row["output"].startswith("Customer from")


def test_an_empty_split_has_no_file_and_the_folder_still_loads(tmp_path):
    write_jsonl(tmp_path / "raw" / "d.jsonl", dialogue_rows(6))
    recipe = tmp_path / "r.yaml"
    recipe.write_text("passes:\n  split: {ratios: [1.0, 0.0, 0.0]}\n")
    result = _curate("run", tmp_path / "raw", "--out", tmp_path / "clean", "-r", recipe, "--skip", "pii",
                     "--map", "prompt=dialogue,completion=summary", "-q")
    assert result.exit_code == 0, result.output
    assert not (tmp_path / "clean" / "test.jsonl").exists()
    assert _load(data_dir=str(tmp_path / "clean"), cache_dir=str(tmp_path / "hf"))["train"].num_rows == 6
    from train.data import read_split
    assert read_split(tmp_path / "clean", "validation") == []          # train reads it as empty
    assert len(read_split(tmp_path / "clean", "train")) == 6


def test_train_names_the_fix_for_message_list_prompts():
    from train.data import DataError, encode

    record = Record("d.jsonl:1", [{"role": "user", "content": "Namaste"}, {"role": "assistant", "content": "Ji?"}],
                    prompt=[{"role": "user", "content": "Namaste"}],
                    completion=[{"role": "assistant", "content": "Ji?"}])
    with pytest.raises(DataError, match="--template chat"):
        encode([record], tokenizer=None, template="prompt-completion")


def test_a_run_whose_splits_are_all_empty_fails(tmp_path):
    rows = [{"question": f"Mera refund {i} kab aayega? Order number {900 + i} hai.", "answer": ""}
            for i in range(5)]
    write_jsonl(tmp_path / "raw" / "faq.jsonl", rows)
    result = _curate("run", tmp_path / "raw", "--out", tmp_path / "clean", "--skip", "pii", "-q")
    assert result.exit_code == 1
    assert "every split is empty" in result.stderr and "rejects.jsonl" in result.stderr


def test_intent_set_as_an_object_of_text_label_pairs(tmp_path):
    (tmp_path / "raw").mkdir()
    data = {"train": [[f"transfer {i * 100} rupees to my savings account", "transfer"] for i in range(1, 9)]
            + [[f"मेरे कार्ड नंबर {i} का पिन बदलना है", "change_pin"] for i in range(1, 9)],
            "test": [["what is my balance right now", "balance"]]}
    (tmp_path / "raw" / "intents.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    result = _curate("run", tmp_path / "raw", "--out", tmp_path / "clean", "--skip", "pii,dedup_near", "-q")
    assert result.exit_code == 0, result.output
    rows = [r for s in ("train", "validation", "test") for r in read_lines(tmp_path / "clean" / f"{s}.jsonl")]
    assert len(rows) == 17
    hindi = next(r for r in rows if r["label"] == "change_pin")
    assert hindi["messages"][1] == {"role": "assistant", "content": "change_pin"}
    assert {r["meta"]["json_key"] for r in rows} == {"train", "test"}


def tool_rows(n=12):
    """OpenAI function-calling rows (Hinglish/Hindi): tool turns, tool_calls, names and weights."""
    rows = []
    for i in range(n):
        order = 51000 + 173 * i
        call = {"id": f"call_{i}", "type": "function",
                "function": {"name": "track_order", "arguments": json.dumps({"order_id": order})}}
        rows.append({"messages": [
            {"role": "system", "content": "You are the support assistant of an Indian online store."},
            {"role": "user", "content": f"Mera order {order} kahan pahuncha? {CITIES[i % 6]} mein deliver hona tha."},
            {"role": "assistant", "content": "", "tool_calls": [call], "weight": 0},
            {"role": "tool", "tool_call_id": f"call_{i}", "content": json.dumps({"status": "shipped", "eta_days": i % 4 + 1})},
            {"role": "assistant", "content": f"आपका ऑर्डर {order} भेज दिया गया है, {i % 4 + 1} दिन में {CITIES[i % 6]} पहुँचेगा।",
             "weight": 1}],
            "tools": [{"type": "function", "function": {"name": "track_order", "parameters": {
                "type": "object", "properties": {"order_id": {"type": "integer"}}}}}]})
    return rows


def test_tool_turns_reach_openai_and_trl_exports(tmp_path):
    write_jsonl(tmp_path / "raw" / "tools.jsonl", tool_rows())
    clean = tmp_path / "clean"
    result = _curate("run", tmp_path / "raw", "--out", clean, "--skip", "pii,dedup_near", "-q")
    assert result.exit_code == 0, result.output
    assert _curate("export", clean, "--format", "openai", "--out", tmp_path / "oa").exit_code == 0
    rows = [r for s in ("train", "validation", "test") for r in read_lines(tmp_path / "oa" / f"{s}.jsonl")]
    assert len(rows) == 12 and set(rows[0]) == {"messages", "tools"}
    call_turn = rows[0]["messages"][2]
    assert "content" not in call_turn and call_turn["weight"] == 0
    assert call_turn["tool_calls"][0]["function"]["name"] == "track_order"
    assert rows[0]["messages"][3]["role"] == "tool" and rows[0]["messages"][3]["tool_call_id"]
    assert _curate("export", clean, "--format", "trl-messages", "--out", tmp_path / "trl").exit_code == 0
    data = _load(data_files=str(tmp_path / "trl" / "train.jsonl"), cache_dir=str(tmp_path / "hf"))["train"]
    assert data.column_names == ["messages", "tools"]
    assert [m["role"] for m in data[0]["messages"]] == ["system", "user", "assistant", "tool", "assistant"]
