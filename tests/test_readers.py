import json
import types

import pytest

from curate.readers import InputError, discover, read_all, read_file
from tunecraft.records import Record, Reject


def _read(folder, schema=None):
    inventory = discover(folder)
    items = list(read_all(inventory, schema))
    records = [i for i in items if isinstance(i, Record)]
    rejects = [i for i in items if isinstance(i, Reject)]
    return inventory, records, rejects


def test_jsonl_malformed_line_in_the_middle_is_a_reject_and_the_rest_is_kept(tmp_path):
    (tmp_path / "tickets.jsonl").write_text(
        '{"instruction": "मेरा पासवर्ड बदलना है", "output": "Settings > Security खोलें।", "agent": "A7"}\n'
        '{"instruction": "Card block karna hai", "output": "App mein Block dabaiye",\n'
        '\n'
        '{"instruction": "Where is my refund?", "output": "It takes 5 days."}\n', encoding="utf-8")
    inventory, records, rejects = _read(tmp_path)
    assert [r.id for r in records] == ["tickets.jsonl:1", "tickets.jsonl:4"]
    assert records[0].messages[0]["content"] == "मेरा पासवर्ड बदलना है"
    assert records[0].meta == {"agent": "A7"}
    [bad] = rejects
    assert (bad.record.id, bad.pass_name, bad.reason) == ("tickets.jsonl:2", "read", "parse_error")
    assert bad.record.messages == []
    assert bad.record.meta["raw"].startswith('{"instruction": "Card block karna hai"')
    assert "invalid JSON" in bad.details["error"]
    assert inventory.files[0].rows == 3
    assert inventory.files[0].schema == "alpaca" and len(inventory.files[0].sha256) == 64


def test_jsonl_with_bom_crlf_and_invalid_utf8_line(tmp_path):
    (tmp_path / "a.jsonl").write_bytes(
        b'\xef\xbb\xbf{"prompt": "hi", "completion": "hello"}\r\n'
        b'{"prompt": "caf\xe9", "completion": "x"}\r\n'
        b'{"prompt": "\xe0\xa4\xa8\xe0\xa4\xae\xe0\xa4\xb8\xe0\xa5\x8d\xe0\xa4\xa4\xe0\xa5\x87", "completion": "ok"}\r\n')
    _, records, rejects = _read(tmp_path)
    assert [r.id for r in records] == ["a.jsonl:1", "a.jsonl:3"]
    assert records[1].instruction == "नमस्ते"
    assert rejects[0].record.id == "a.jsonl:2" and "not UTF-8" in rejects[0].details["error"]


def test_rows_that_fit_no_schema_are_unmapped_rejects(tmp_path):
    (tmp_path / "mixed.jsonl").write_text(
        '{"body": "no known columns"}\n'
        '{"question": "Q?", "answer": "A."}\n'
        '{"instruction": "other schema", "output": "x"}\n'
        '[1, 2]\n', encoding="utf-8")
    inventory, records, rejects = _read(tmp_path)
    assert [r.id for r in records] == ["mixed.jsonl:2"]
    assert [(r.record.id, r.reason) for r in rejects] == [
        ("mixed.jsonl:1", "unmapped_schema"), ("mixed.jsonl:3", "unmapped_schema"),
        ("mixed.jsonl:4", "unmapped_schema")]
    assert "body" in rejects[0].details["error"]
    assert "schema 'question_answer'" in rejects[1].details["error"]
    assert inventory.files[0].schema == "question_answer"


def test_forced_schema(tmp_path):
    (tmp_path / "a.jsonl").write_text('{"text": "t", "instruction": "i", "output": "o"}\n')
    _, records, _ = _read(tmp_path, schema="text")
    assert records[0].messages == [{"role": "assistant", "content": "t"}]
    assert records[0].meta == {"instruction": "i", "output": "o"}


def test_json_array_ids_are_physical_lines(tmp_path):
    rows = [{"question": "Paisa kab aayega?", "answer": "Kal tak."},
            {"question": "पैसा कब आएगा?", "answer": "कल तक।"}]
    (tmp_path / "faq.json").write_text(json.dumps(rows, ensure_ascii=False, indent=2), encoding="utf-8")
    _, records, rejects = _read(tmp_path)
    assert not rejects
    assert [r.id for r in records] == ["faq.json:2", "faq.json:6"]
    assert records[1].response == "कल तक।"


def test_json_object_of_arrays_and_rows_sharing_a_line(tmp_path):
    (tmp_path / "d.json").write_text(
        '{"train": [\n  {"text": "refund please", "label": "refund"}\n],\n'
        ' "test": [{"text": "card lost", "label": "card"}, {"text": "pin?", "label": "pin"}]}\n')
    _, records, rejects = _read(tmp_path)
    assert not rejects
    assert [(r.id, r.meta["json_key"], r.label) for r in records] == [
        ("d.json:2", "train", "refund"), ("d.json:4", "test", "card"), ("d.json:4[1]", "test", "pin")]


def test_json_rows_wrapped_with_file_level_fields_are_read_and_the_fields_rejected(tmp_path):
    """`{"version": ..., "data": [...]}` exports were one reject for the whole file: its rows lost."""
    (tmp_path / "export.json").write_text(
        '{\n  "version": "1.0",\n  "data": [\n    {"question": "UPI limit kitni hai?", "answer": "1 lakh per day."},\n'
        '    {"question": "मेरा रिफंड कब आएगा?", "answer": "3-5 दिन में।"}\n  ],\n'
        '  "info": {"exported_by": "crm", "rows": 2}\n}\n', encoding="utf-8")
    inventory, records, rejects = _read(tmp_path)
    assert [(r.id, r.meta["json_key"], r.instruction) for r in records] == [
        ("export.json:4", "data", "UPI limit kitni hai?"), ("export.json:5", "data", "मेरा रिफंड कब आएगा?")]
    assert [(r.record.id, r.reason, r.details["error"], r.record.meta["raw"]) for r in rejects] == [
        ("export.json:2", "parse_error", "top-level field 'version' is not an array of rows", '"1.0"'),
        ("export.json:7", "parse_error", "top-level field 'info' is not an array of rows",
         '{"exported_by": "crm", "rows": 2}')]
    assert inventory.files[0].rows == 4


def test_invalid_json_document_is_one_reject_at_the_error_line(tmp_path):
    (tmp_path / "broken.json").write_text('[\n {"text": "a"},\n {"text": "b",,}\n]\n')
    inventory, records, rejects = _read(tmp_path)
    assert not records
    assert rejects[0].record.id == "broken.json:3" and rejects[0].reason == "parse_error"
    assert inventory.files[0].rows == 1


def test_csv_header_is_line_one_multiline_quoted_field_and_empty_answer(tmp_path):
    (tmp_path / "faq.csv").write_text(
        '\ufeffquestion,answer,channel\n'
        '"How do I reset\nmy PIN?","Open Cards, then Reset PIN.",app\n'
        'Refund kab milega?,,whatsapp\n'
        'too,many,fields,here\n'
        'मेरा खाता बंद करें,"खाता बंद करने के लिए शाखा जाएँ",branch\n', encoding="utf-8")
    inventory, records, rejects = _read(tmp_path)
    assert [r.id for r in records] == ["faq.csv:2", "faq.csv:4", "faq.csv:6"]
    assert records[0].instruction == "How do I reset\nmy PIN?"
    assert records[0].response == "Open Cards, then Reset PIN."
    assert records[0].meta == {"channel": "app"}
    assert records[1].response == ""                  # the quality pass decides, not the reader
    assert records[2].instruction == "मेरा खाता बंद करें"
    [bad] = rejects
    assert bad.record.id == "faq.csv:5" and "expected 3 fields" in bad.details["error"]
    assert bad.record.meta["raw"] == "too,many,fields,here"
    assert inventory.files[0].rows == 4


def test_tsv(tmp_path):
    (tmp_path / "intents.tsv").write_text("text\tintent\nkhata kholna hai\topen_account\n")
    _, records, _ = _read(tmp_path)
    assert records[0].label == "open_account" and records[0].id == "intents.tsv:2"


def test_parquet_rows_and_non_json_cells(tmp_path):
    import datetime

    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.table({"prompt": ["hi", "नमस्ते"], "completion": ["hello", "नमस्कार"],
                      "created": [datetime.date(2024, 1, 2), datetime.date(2024, 3, 4)]})
    pq.write_table(table, tmp_path / "chat.parquet")
    inventory, records, _ = _read(tmp_path)
    assert [r.id for r in records] == ["chat.parquet:1", "chat.parquet:2"]
    assert records[1].response == "नमस्कार"
    assert records[0].meta == {"created": "2024-01-02"}
    json.dumps(records[0].to_dict())                  # meta stays JSON-serialisable
    assert inventory.files[0].format == "parquet"


def test_parquet_chat_turns_do_not_gain_the_keys_arrow_pads_structs_with(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    call = {"id": "c1", "type": "function",
            "function": {"name": "block_card", "arguments": '{"last4": "4821"}'}}
    turns = [{"role": "user", "content": "Mera card kho gaya, block kar do"},
             {"role": "assistant", "content": None, "tool_calls": [call]},
             {"role": "tool", "content": '{"status": "blocked"}', "tool_call_id": "c1"},
             {"role": "assistant", "content": "Card block ho gaya hai."}]
    pq.write_table(pa.table({"messages": [turns]}), tmp_path / "tools.parquet")
    _, records, rejects = _read(tmp_path)
    assert not rejects
    [record] = records
    assert "tool_calls" not in record.messages[0] and "tool_call_id" not in record.messages[3]
    assert record.messages[1]["tool_calls"][0]["function"]["name"] == "block_card"


def test_txt_one_record_per_non_empty_line(tmp_path):
    (tmp_path / "notes.txt").write_text("पहली पंक्ति\n\n   \nsecond line\n", encoding="utf-8")
    _, records, _ = _read(tmp_path)
    assert [(r.id, r.messages) for r in records] == [
        ("notes.txt:1", [{"role": "assistant", "content": "पहली पंक्ति"}]),
        ("notes.txt:4", [{"role": "assistant", "content": "second line"}])]


def test_html_page_is_one_record_with_main_content_and_title(tmp_path):
    paragraph = ("To reset your card PIN, open the app, choose Cards and tap Reset PIN. "
                 "You will receive a one-time password on your registered mobile number. ")
    (tmp_path / "help.html").write_text(
        "<html><head><title>Reset your PIN</title></head><body>"
        "<nav><a href='/'>Home</a> | <a href='/cards'>Cards</a></nav>"
        f"<article><h1>Reset your PIN</h1><p>{paragraph * 3}</p><p>{paragraph}</p></article>"
        "<footer>© 2024 Example Bank. All rights reserved.</footer></body></html>", encoding="utf-8")
    _, records, rejects = _read(tmp_path)
    assert not rejects
    [page] = records
    assert page.id == "help.html:1" and page.meta["title"] == "Reset your PIN"
    assert "open the app, choose Cards" in page.response
    assert "All rights reserved" not in page.response


def test_discover_is_recursive_sorted_and_lists_skipped_files_with_reasons(tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "z.jsonl").write_text('{"text": "x"}\n')
    (tmp_path / "a.txt").write_text("line\n")
    (tmp_path / "empty.jsonl").write_text("")
    (tmp_path / "blank.csv").write_text("\n\n  \n")
    (tmp_path / "image.jsonl").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    (tmp_path / "model.bin").write_bytes(bytes(range(256)))
    (tmp_path / "README").write_text("no extension")
    inventory = discover(tmp_path)
    assert [f.rel for f in inventory.files] == ["a.txt", "b/z.jsonl"]
    assert inventory.skipped == [
        {"path": "README", "reason": "unknown file type 'README'"},
        {"path": "blank.csv", "reason": "empty file"},
        {"path": "empty.jsonl", "reason": "empty file"},
        {"path": "image.jsonl", "reason": "binary content in a .jsonl file"},
        {"path": "model.bin", "reason": "unknown file type '.bin'"}]


def test_missing_input_folder_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="input folder not found"):
        discover(tmp_path / "nope")


def test_readers_stream(tmp_path):
    (tmp_path / "a.jsonl").write_text('{"text": "x"}\n' * 10)
    stream = read_file(discover(tmp_path).files[0])
    assert isinstance(stream, types.GeneratorType)
    assert next(stream).id == "a.jsonl:1"


def test_csv_repeated_header_names_keep_every_column(tmp_path):
    (tmp_path / "x.csv").write_text(" text ,label,note,note\nrefund kab?,refund,a,b\n")
    _, records, _ = _read(tmp_path)
    assert records[0].label == "refund" and records[0].meta == {"note": "a", "note.2": "b"}


def test_sharegpt_json_file_and_openai_jsonl_file(tmp_path):
    sharegpt = [{"id": "sg-1", "conversations": [
        {"from": "human", "value": "UPI fail ho gaya, paise kat gaye"},
        {"from": "gpt", "value": "48 ghante mein refund aa jayega."},
        {"from": "human", "value": "धन्यवाद"},
        {"from": "gpt", "value": "आपका स्वागत है।"}]}]
    (tmp_path / "sharegpt.json").write_text(json.dumps(sharegpt, ensure_ascii=False, indent=1),
                                            encoding="utf-8")
    (tmp_path / "openai.jsonl").write_text(json.dumps({"messages": [
        {"role": "system", "content": "You are a bank assistant."},
        {"role": "user", "content": "Block my card"},
        {"role": "assistant", "content": "Done: card ending 4242 is blocked."}]}) + "\n")
    inventory, records, rejects = _read(tmp_path)
    assert not rejects
    assert [f.schema for f in inventory.files] == ["openai", "sharegpt"]
    chat = records[1]
    assert chat.id == "sharegpt.json:2" and chat.meta == {"id": "sg-1"}
    assert [m["role"] for m in chat.messages] == ["user", "assistant", "user", "assistant"]
    assert chat.response == "आपका स्वागत है।"
    assert records[0].messages[0] == {"role": "system", "content": "You are a bank assistant."}


def test_json_file_holding_one_openai_row(tmp_path):
    (tmp_path / "one.json").write_text(json.dumps({"messages": [
        {"role": "user", "content": "Statement chahiye"},
        {"role": "assistant", "content": "App > Accounts > Statement."}]}))
    _, records, rejects = _read(tmp_path)
    assert not rejects and records[0].id == "one.json:1"
    assert records[0].response == "App > Accounts > Statement."


def test_deferred_jsonl_parsing_gives_the_same_items(tmp_path):
    """The pipeline ships JSONL lines to workers unparsed once the schema is known (JsonlLines);
    parsed there, they must give exactly what the plain reader gives, ids and rejects included."""
    from curate.readers import JsonlLines
    rows = [b'\xef\xbb\xbf{"note": "no schema yet"}\n',          # BOM, unmapped: before the schema
            b'{"question": "Card kho gaya", "answer": "App mein block karein."}\n',
            b'   \n', '\u3000\n'.encode(),                          # blank lines are not rows
            '{"question": "मेरा कार्ड ब्लॉक करें", "answer": "हो गया।", "agent": 7}\n'.encode(),
            b'{"question": "cut off\n', b'{"question": "caf\xe9?", "answer": "x"}\n',
            b'{"prompt": "wrong schema", "completion": "y"}\n', b'{"question": "NaN?", "answer": NaN}\n']
    (tmp_path / "t.jsonl").write_bytes(b"".join(rows))

    def items(defer):
        source = discover(tmp_path).files[0]
        out = []
        for item in read_file(source, defer_parsing=defer):
            out.extend(item.parse() if isinstance(item, JsonlLines) else [item])
            assert isinstance(item, JsonlLines) == (defer and len(out) > 2)   # after the schema row
        return source, [(type(i).__name__, getattr(i, "reason", None), repr(i)) for i in out]

    (plain_source, plain), (deferred_source, deferred) = items(False), items(True)
    assert deferred == plain
    assert plain_source.rows == deferred_source.rows == 7
    assert [kind for kind, _, _ in plain] == ["Reject", "Record", "Record", "Reject", "Reject", "Reject", "Record"]
    assert [reason for _, reason, _ in plain if reason] == [
        "unmapped_schema", "parse_error", "parse_error", "unmapped_schema"]
