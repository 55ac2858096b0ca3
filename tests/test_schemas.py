import pytest

from curate.schemas import SchemaError, detect_schema, document, map_row
from tunecraft.records import Record


def test_alpaca_with_input_and_unknown_columns_in_meta():
    row = {"instruction": "इस वाक्य का अनुवाद करें", "input": "Mera order kab aayega?",
           "output": "When will my order arrive?", "source": "crm", "priority": 2}
    assert detect_schema(row) == "alpaca"
    record = map_row(row, "alpaca", "a.jsonl:3")
    assert record.id == "a.jsonl:3"
    assert record.messages == [
        {"role": "user", "content": "इस वाक्य का अनुवाद करें\n\nMera order kab aayega?"},
        {"role": "assistant", "content": "When will my order arrive?"}]
    assert record.meta == {"source": "crm", "priority": 2}


def test_alpaca_empty_input_is_not_appended():
    record = map_row({"instruction": "Say hi", "input": "", "output": "Hi"}, "alpaca", "x:1")
    assert record.messages[0]["content"] == "Say hi"


def test_system_column_becomes_system_message():
    record = map_row({"system": "You are a bank agent.", "prompt": "PIN?", "completion": "Reset it."},
                     "prompt_completion", "x:1")
    assert [m["role"] for m in record.messages] == ["system", "user", "assistant"]


def test_question_answer_empty_answer_is_kept_for_quality_to_judge():
    record = map_row({"question": "Where is my refund?", "answer": None}, "question_answer", "q.csv:2")
    assert record.response == "" and record.instruction == "Where is my refund?"


def test_openai_messages_with_content_parts_and_label():
    row = {"messages": [{"role": "system", "content": "Be brief."},
                        {"role": "user", "content": [{"type": "text", "text": "Card "},
                                                     {"type": "text", "text": "lost"}]},
                        {"role": "assistant", "content": "Block it in the app."}],
           "intent": "lost_card", "conversation_id": "c-9"}
    assert detect_schema(row) == "openai"
    record = map_row(row, "openai", "o.jsonl:1")
    assert record.messages[1] == {"role": "user", "content": "Card lost"}
    assert record.label == "lost_card"
    assert record.meta == {"conversation_id": "c-9"}


def test_sharegpt_roles_are_mapped():
    row = {"conversations": [{"from": "human", "value": "Namaste, balance kitna hai?"},
                             {"from": "gpt", "value": "आपका बैलेंस ₹5,000 है।"}], "id": "s1"}
    assert detect_schema(row) == "sharegpt"
    record = map_row(row, "sharegpt", "s.json:2")
    assert record.messages == [{"role": "user", "content": "Namaste, balance kitna hai?"},
                               {"role": "assistant", "content": "आपका बैलेंस ₹5,000 है।"}]
    assert record.meta == {"id": "s1"}


def test_sharegpt_unknown_role_is_a_schema_error_naming_it():
    row = {"conversations": [{"from": "tool", "value": "{}"}]}
    with pytest.raises(SchemaError, match="unknown role 'tool'"):
        map_row(row, "sharegpt", "s:1")


def test_text_with_label_is_a_classification_example():
    row = {"text": "I still have not received my new card", "label": "card_arrival", "split": "test"}
    assert detect_schema(row) == "text"
    record = map_row(row, "text", "b.csv:2")
    assert record.messages == [{"role": "user", "content": "I still have not received my new card"},
                               {"role": "assistant", "content": "card_arrival"}]
    assert record.label == "card_arrival"
    assert record.meta == {"split": "test"}


def test_category_is_a_label_and_numbers_become_strings():
    record = map_row({"text": "refund please", "category": 7}, "text", "x:1")
    assert record.label == "7" and record.response == "7"


def test_text_without_label_is_a_document():
    record = map_row({"text": "Terms of service apply to all orders."}, "text", "d:1")
    assert record.messages == [{"role": "assistant", "content": "Terms of service apply to all orders."}]
    assert document("line", "t.txt:4").messages == [{"role": "assistant", "content": "line"}]


def test_unknown_keys_detect_nothing_and_forced_schema_names_missing_columns():
    row = {"body": "hello", "reply": "hi"}
    assert detect_schema(row) is None
    with pytest.raises(SchemaError, match="missing instruction, output"):
        map_row(row, "alpaca", "x:1")


def test_nested_cell_is_a_schema_error():
    with pytest.raises(SchemaError, match="column 'output' holds a dict"):
        map_row({"instruction": "x", "output": {"a": 1}}, "alpaca", "x:1")


def test_detection_prefers_messages_over_flat_columns():
    row = {"messages": [{"role": "user", "content": "hi"}], "text": "hi"}
    assert detect_schema(row) == "openai"


def test_dolly_context_is_part_of_the_prompt():
    row = {"instruction": "इस अनुच्छेद के अनुसार RBI की स्थापना कब हुई?", "context": "RBI was established on 1 April 1935.",
           "response": "1 अप्रैल 1935 को।", "category": "closed_qa"}
    assert detect_schema(row) == "dolly"
    record = map_row(row, "dolly", "dolly.jsonl:1")
    assert record.messages[0]["content"].endswith("\n\nRBI was established on 1 April 1935.")
    assert record.response == "1 अप्रैल 1935 को।" and record.label == "closed_qa" and record.meta == {}


def test_column_names_match_case_insensitively_and_in_the_plural():
    row = {"Input": "Mujhe naya cheque book chahiye", "Responses": "ऐप में Services → Cheque Book चुनें।", "Id": 7}
    assert detect_schema(row) == "input_response"
    record = map_row(row, "input_response", "hi.csv:2")
    assert [m["content"] for m in record.messages] == [row["Input"], row["Responses"]]
    assert record.meta == {"Id": 7}


def test_a_text_label_pair_is_a_labelled_text_and_other_lists_are_named():
    assert detect_schema(["मेरा कार्ड कब आएगा?", "card_arrival"]) == "text"
    record = map_row(["मेरा कार्ड कब आएगा?", "card_arrival"], "text", "intents.json:3[0]")
    assert record.label == "card_arrival" and record.instruction == "मेरा कार्ड कब आएगा?"
    with pytest.raises(SchemaError, match="a list of 3 items"):
        map_row(["a", "b", "c"], "text", "x:1")


def test_a_column_map_builds_the_record_and_names_a_missing_column():
    columns = {"prompt": "dialogue", "completion": "summary", "label": "topic", "group": "dialog_id"}
    row = {"dialogue": "#Person1#: Card block karna hai. #Person2#: ऐप में Block दबाएँ।",
           "summary": "Person1 wants to block a card.", "topic": "cards", "dialog_id": 41}
    record = map_row(row, "columns", "d.jsonl:1", columns)
    assert [m["role"] for m in record.messages] == ["user", "assistant"]
    assert record.label == "cards" and record.meta == {"dialog_id": 41, "conversation_id": 41}
    del row["summary"]
    with pytest.raises(SchemaError, match=r"'summary' \(mapped to completion\)"):
        map_row(row, "columns", "d.jsonl:2", columns)


def test_openai_tool_turns_names_and_weights_are_kept_and_bad_weights_rejected():
    row = {"messages": [
        {"role": "system", "content": "You are a bank assistant."},
        {"role": "user", "content": "Balance batao", "name": "priya_s"},
        {"role": "assistant", "content": None, "weight": 0, "tool_calls": [
            {"id": "c1", "type": "function", "function": {"name": "get_balance", "arguments": "{}"}}]},
        {"role": "tool", "tool_call_id": "c1", "content": "₹5,000"},
        {"role": "assistant", "content": "आपका बैलेंस ₹5,000 है।", "weight": 1}],
        "tools": [{"type": "function", "function": {"name": "get_balance"}}]}
    record = map_row(row, "openai", "o.jsonl:1")
    assert record.messages[1]["name"] == "priya_s"
    assert record.messages[2]["tool_calls"][0]["function"]["name"] == "get_balance"
    assert record.messages[2]["weight"] == 0 and record.messages[3]["role"] == "tool"
    assert record.meta["tools"][0]["function"]["name"] == "get_balance"
    assert Record.from_json(record.to_json()).messages == record.messages
    row["messages"][4]["weight"] = 0.5
    with pytest.raises(SchemaError, match="weight must be 0 or 1"):
        map_row(row, "openai", "o.jsonl:1")


def test_gpteacher_input_is_part_of_the_prompt_not_meta():
    row = {"instruction": "Fix the bug in this function.", "input": "def add(a, b):\n    return a - b",
           "response": "def add(a, b):\n    return a + b"}
    record = map_row(row, detect_schema(row), "codegen.json:2")
    assert record.instruction == "Fix the bug in this function.\n\ndef add(a, b):\n    return a - b"
    assert record.meta == {}


def test_question_with_context_keeps_the_passage_in_the_prompt():
    row = {"question": "Refund kitne din mein aata hai?", "context": "रिफंड 5–7 कार्य दिवसों में खाते में आता है।",
           "answer": "5–7 working days."}
    record = map_row(row, detect_schema(row), "qa.csv:2")
    assert record.instruction == "Refund kitne din mein aata hai?\n\nरिफंड 5–7 कार्य दिवसों में खाते में आता है।"
    assert record.meta == {}


# --- task-oriented dialogue corpora: {speaker, text} turns ----------------------------------
def test_taskmaster_utterances_are_a_chat_and_their_annotations_go_to_meta():
    row = {"conversation_id": "dlg-7", "vertical": "Coffee",
           "utterances": [
               {"index": 0, "speaker": "user", "text": "Do mochas, ek oat milk wala please.",
                "annotations": [{"name": "api_call", "value": "get_menu_items"}]},
               {"index": 1, "speaker": "assistant", "text": "दो मोका, एक ओट मिल्क के साथ। कुछ और?"}]}
    assert detect_schema(row) == "utterances"
    record = map_row(row, "utterances", "tm.json:2")
    assert record.messages == [{"role": "user", "content": "Do mochas, ek oat milk wala please."},
                               {"role": "assistant", "content": "दो मोका, एक ओट मिल्क के साथ। कुछ और?"}]
    assert record.meta["conversation_id"] == "dlg-7" and record.meta["vertical"] == "Coffee"
    assert record.meta["turn_fields"] == [
        {"index": 0, "annotations": [{"name": "api_call", "value": "get_menu_items"}]}, {"index": 1}]
    assert "utterances" not in record.meta        # the text is in the messages, not copied


def test_schema_guided_turns_name_the_agent_system_and_it_answers():
    row = {"dialogue_id": "1_00000",
           "turns": [{"speaker": "USER", "utterance": "Find me a flight to Pune on the 3rd."},
                     {"speaker": "SYSTEM", "utterance": "Which airport are you leaving from?"}]}
    assert detect_schema(row) == "turns"
    record = map_row(row, "turns", "sgd.json:1")
    assert [m["role"] for m in record.messages] == ["user", "assistant"]
    assert "turn_fields" not in record.meta       # nothing beyond speaker and text


def test_an_unknown_speaker_names_it_and_the_known_ones():
    row = {"utterances": [{"speaker": "narrator", "text": "Meanwhile…"}]}
    with pytest.raises(SchemaError, match="unknown role 'narrator'; known: agent, assistant"):
        map_row(row, "utterances", "x:1")


def test_utterances_file_curates_end_to_end(tmp_path):
    import json

    from curate.api import run

    raw = tmp_path / "raw"
    raw.mkdir()
    dialogs = [{"conversation_id": f"d{i}", "utterances": [
        {"speaker": "user", "text": f"Mujhe {i} cappuccino chahiye, extra foam ke saath."},
        {"speaker": "assistant", "text": f"Your order of {i} cappuccinos with extra foam is placed."}]}
        for i in range(12)]
    (raw / "coffee.json").write_text(json.dumps(dialogs), encoding="utf-8")
    splits = run(raw, tmp_path / "clean", skip="pii", workers=1)
    rows = [row for split in splits.values() for row in split]
    rejects = (tmp_path / "clean" / "rejects.jsonl").read_text().splitlines()
    assert len(rows) + len(rejects) == 12 and len(rows) >= 9
    assert all([m["role"] for m in r["messages"]] == ["user", "assistant"] for r in rows)
