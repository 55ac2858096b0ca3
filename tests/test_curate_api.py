"""curate from Python (issue 15): DataFrames, Datasets, save_to_disk folders and spreadsheets in;
a DatasetDict out that `datasets`, TRL's SFTTrainer and OpenAI's fine-tuning format take as is."""
import doctest
import json

import datasets
import pandas as pd
import pytest
from _curate_util import read_lines
from typer.testing import CliRunner

import curate
from curate import api
from curate.cli import app
from curate.readers import InputError

SKIP = "pii,dedup_near"          # the model-loading passes have tests of their own
SPLITS = ("train", "validation", "test")
datasets.disable_progress_bars()


def tickets(n=18):
    """Support tickets as a team keeps them: Hinglish, Devanagari, English with code and maths."""
    forms = [
        ("Mera refund abhi tak nahi aaya, order {o} ka paisa kat gaya tha.",
         "Aapka refund order {o} ke liye shuru ho gaya hai, 5-7 din mein account mein aa jayega.", "refund"),
        ("मेरा डेबिट कार्ड {o} ब्लॉक हो गया है, कृपया मदद करें।",
         "ऐप में Cards खोलें, कार्ड {o} चुनें और Unblock दबाएँ; 24 घंटे में कार्ड फिर चलेगा।", "card"),
        ("How do I compute the EMI for a loan of {o} rupees at 12% for 2 years?",
         "EMI = P*r*(1+r)^n / ((1+r)^n - 1) with P={o}, r=0.01, n=24; in Python: "
         "`emi = P*r*(1+r)**n/((1+r)**n-1)`.", "loan"),
    ]
    rows = []
    for i in range(n):
        q, a, intent = forms[i % 3]
        rows.append({"question": q.format(o=40213 + 97 * i), "answer": a.format(o=40213 + 97 * i),
                     "intent": intent, "ticket_id": f"T-{9100 + i}"})
    return rows


def _run(source, out, **options):
    return curate.run(source, out, skip=SKIP, workers=1, **options)


@pytest.fixture(scope="module")
def curated(tmp_path_factory):
    """A DataFrame with one exact duplicate and one empty answer, curated once for the module."""
    rows = tickets()
    rows.append(dict(rows[1]))                                   # dataframe:18 copies dataframe:1
    rows.append({**tickets(20)[19], "answer": ""})               # dataframe:19: nothing to learn
    frame = pd.DataFrame(rows)
    out = tmp_path_factory.mktemp("api") / "clean"
    return frame, _run(frame, out), out


def test_a_dataframe_becomes_a_datasetdict_whose_ids_are_its_rows(curated):
    frame, splits, out = curated
    assert isinstance(splits, datasets.DatasetDict) and list(splits) == list(SPLITS)
    kept = [row for s in SPLITS for row in splits[s]]
    rejected = curate.rejects(out)
    assert sorted([r["id"] for r in kept] + list(rejected["id"]), key=lambda i: int(i.split(":")[1])) == \
        [f"dataframe:{k}" for k in range(len(frame))]           # every row once: a split or a reject
    for row in kept:                                             # Hindi, Hinglish, code: unchanged
        source = frame.iloc[int(row["id"].split(":")[1])]
        assert [m["content"] for m in row["messages"]] == [source["question"], source["answer"]]
        assert row["label"] == source["intent"] and row["meta"]["ticket_id"] == source["ticket_id"]


def test_rejects_is_a_dataframe_naming_pass_reason_and_the_row(curated):
    _, _, out = curated
    rejected = curate.rejects(out)
    assert list(rejected.columns) == ["pass", "reason", "id", "details", "record"]
    duplicate = rejected[rejected["id"] == "dataframe:18"].iloc[0]
    assert (duplicate["pass"], duplicate["reason"]) == ("dedup_exact", "exact_duplicate")
    assert duplicate["details"]["duplicate_of"] == "dataframe:1"
    assert "dataframe:19" in set(rejected["id"])


def test_load_gives_back_what_run_returned(curated):
    _, splits, out = curated
    again = curate.load(out)
    assert {s: again[s].to_list() for s in SPLITS} == {s: splits[s].to_list() for s in SPLITS}
    with pytest.raises(Exception, match="no manifest.json"):
        curate.load(out.parent)


def test_the_splits_load_unchanged_with_load_dataset_json(curated):
    _, _, out = curated
    loaded = datasets.load_dataset("json", data_dir=str(out), cache_dir=str(out.parent / "hf2"))
    for split in SPLITS:
        assert [_without_none(r) for r in loaded[split]] == read_lines(out / f"{split}.jsonl")


def _without_none(value):
    """datasets gives a struct every key any row had, as None: compare without those."""
    if isinstance(value, dict):
        return {k: _without_none(v) for k, v in value.items() if v is not None}
    return [_without_none(v) for v in value] if isinstance(value, list) else value


def test_an_empty_split_is_an_empty_dataset_with_the_same_features(tmp_path):
    recipe = tmp_path / "recipe.yaml"
    recipe.write_text("passes:\n  split: {ratios: [1.0, 0.0, 0.0]}\n")
    splits = _run(pd.DataFrame(tickets(6)), tmp_path / "clean", recipe=recipe)
    assert not (tmp_path / "clean" / "test.jsonl").exists()
    assert splits["test"].num_rows == 0 and splits["validation"].num_rows == 0
    assert splits["test"].features == splits["train"].features and splits["train"].num_rows == 6


def test_load_unifies_splits_whose_meta_differs(tmp_path):
    """One load_dataset over all splits fails when a later split has a meta key the first lacks,
    or when one split's meta is always {} and another's is not."""
    rows = tickets(12)
    for row in rows[1::2]:
        row["channel"] = "whatsapp"
    recipe = tmp_path / "recipe.yaml"
    recipe.write_text("passes:\n  split: {ratios: [0.5, 0.0, 0.5]}\n")
    splits = _run(pd.DataFrame(rows), tmp_path / "clean", recipe=recipe)
    assert splits["train"].features == splits["test"].features
    channels = {r["id"]: r["meta"]["channel"] for s in SPLITS for r in splits[s]}
    assert channels == {f"dataframe:{k}": "whatsapp" if k % 2 else None for k in range(12)}


def test_a_dataset_and_a_datasetdict_keep_their_row_and_split_in_the_id(tmp_path):
    """Chat rows where only some turns carry `weight`: Arrow gives every turn the key as None,
    which must not come back (a user turn with weight None is no valid OpenAI turn)."""
    chats = [{"messages": [{"role": "user", "content": f"Namaste, mera order {5100 + i} kahan hai?"},
                           {"role": "assistant", "content": f"आपका ऑर्डर {5100 + i} कल पहुँचेगा, ट्रैकिंग SMS से भेजी है।",
                            "weight": 1}], "channel": "chat"} for i in range(8)]
    splits = _run(datasets.Dataset.from_list(chats), tmp_path / "one")
    rows = [r for s in SPLITS for r in splits[s]]
    assert sorted(r["id"] for r in rows) == [f"dataset:{k}" for k in range(8)]
    assert [_without_none(m) for m in rows[0]["messages"]] == chats[int(rows[0]["id"][8:])]["messages"]
    assert "weight" not in read_lines(tmp_path / "one" / "train.jsonl")[0]["messages"][0]
    both = datasets.DatasetDict({"train": datasets.Dataset.from_list(chats[:5]),
                                 "test": datasets.Dataset.from_list(chats[5:])})
    two = _run(both, tmp_path / "two")
    ids = {r["id"] for s in SPLITS for r in two[s]}
    assert ids == {f"train:{k}" for k in range(5)} | {f"test:{k}" for k in range(3)}


def test_a_save_to_disk_folder_is_one_input_for_the_cli_and_the_api(tmp_path):
    raw = tmp_path / "raw"
    datasets.DatasetDict({"train": datasets.Dataset.from_list(tickets(9)),
                          "test": datasets.Dataset.from_list(tickets(12)[9:])}).save_to_disk(str(raw / "hub"))
    result = CliRunner().invoke(app, ["run", str(raw), "--out", str(tmp_path / "clean"), "--skip", SKIP,
                                      "-w", "1", "-q"])
    assert result.exit_code == 0, result.output
    manifest = json.loads((tmp_path / "clean" / "manifest.json").read_text())
    assert [(f["path"], f["format"], f["rows"], "encoding" in f) for f in manifest["inputs"]] == \
        [("hub/test", "hf_dataset", 3, False), ("hub/train", "hf_dataset", 9, False)]
    assert manifest["skipped"] == [{"path": "hub/dataset_dict.json",
                                    "reason": "index of a saved DatasetDict (its split folders are read)"}]
    datasets.Dataset.from_list(tickets(6)).save_to_disk(str(tmp_path / "faq"))
    splits = _run(tmp_path / "faq", tmp_path / "clean2")          # the folder itself as the source
    assert sorted(r["id"] for s in SPLITS for r in splits[s]) == [f"faq:{k}" for k in range(6)]


def test_the_cli_curates_one_file_as_the_api_does(tmp_path):
    from _curate_util import write_jsonl

    write_jsonl(tmp_path / "exports" / "tickets.jsonl", tickets(9))
    result = CliRunner().invoke(app, ["run", str(tmp_path / "exports" / "tickets.jsonl"), "--out",
                                      str(tmp_path / "clean"), "--skip", SKIP, "-w", "1", "-q"])
    assert result.exit_code == 0, result.output
    ids = sorted(r["id"] for s in SPLITS for r in read_lines(tmp_path / "clean" / f"{s}.jsonl"))
    assert ids == sorted(f"tickets.jsonl:{n}" for n in range(1, 10))


def _workbook(path):
    from openpyxl import Workbook

    book = Workbook()
    billing = book.active
    billing.title = "Billing"
    billing.append(["Question", "Answer", "Priority"])
    for row in tickets(6):
        billing.append([row["question"], row["answer"], 2])
    billing.append(["Mera EMI galat kata hai, kripya check karein.", "#N/A", 1])   # row 8: an error cell
    billing.append(["Refund status?", "Kal tak aa jayega, ticket band kar diya.", 3, "see mail"])  # row 9
    accounts = book.create_sheet("खाता")
    accounts.append(["text", "label"])
    accounts.append(["मेरा खाता बंद हो गया है, कृपया मदद करें।", "account_closed"])
    accounts.append(["Mera account unlock kaise hoga? Teen baar galat PIN dala.", "account_locked"])
    book.save(path)
    return path


def test_a_workbook_is_one_input_per_sheet_and_a_bad_row_names_file_sheet_and_row(tmp_path):
    splits = _run(_workbook(tmp_path / "tickets.xlsx"), tmp_path / "clean")     # a file path source
    kept = {r["id"]: r for s in SPLITS for r in splits[s]}
    assert set(kept) == {f"tickets.xlsx:Billing:{n}" for n in range(2, 8)} | \
        {"tickets.xlsx:खाता:2", "tickets.xlsx:खाता:3"}
    assert kept["tickets.xlsx:खाता:2"]["messages"][0]["content"] == "मेरा खाता बंद हो गया है, कृपया मदद करें।"
    assert kept["tickets.xlsx:Billing:2"]["meta"] == {"Priority": 2}
    rejected = curate.rejects(tmp_path / "clean").set_index("id")
    assert rejected.loc["tickets.xlsx:Billing:8", "details"]["error"] == "cell B8 holds the Excel error #N/A"
    assert "cell D9" in rejected.loc["tickets.xlsx:Billing:9", "details"]["error"]
    manifest = json.loads((tmp_path / "clean" / "manifest.json").read_text())
    assert [(f["path"], f["sheet"], f["schema"], f["rows"]) for f in manifest["inputs"]] == \
        [("tickets.xlsx:Billing", "Billing", "question_answer", 8), ("tickets.xlsx:खाता", "खाता", "text", 2)]


def test_a_damaged_workbook_is_one_reject_not_a_crash(tmp_path):
    raw = tmp_path / "raw"
    _workbook(raw.mkdir() or raw / "good.xlsx")
    (raw / "export.xlsx").write_bytes(b"PK\x03\x04 this zip was cut off")
    (raw / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0 not really a workbook")
    _run(raw, tmp_path / "clean")
    rejected = curate.rejects(tmp_path / "clean").set_index("id")
    for rid in ("export.xlsx:1", "old.xls:1"):
        assert rejected.loc[rid, "pass"] == "read"
        assert rejected.loc[rid, "details"]["error"].startswith("invalid spreadsheet")


def test_bad_sources_are_one_clear_error(tmp_path):
    mixed = pd.DataFrame({"question": ["Order kab aayega?", "कार्ड कब मिलेगा?"],
                          "answer": ["Kal tak.", "दो दिन में।"], "order_no": [40213, "A-17"]})
    with pytest.raises(InputError, match="order_no.*astype"):
        _run(mixed, tmp_path / "clean")
    with pytest.raises(InputError, match="cannot curate a list"):
        _run(tickets(3), tmp_path / "clean")
    with pytest.raises(InputError, match="input folder not found"):
        _run(tmp_path / "nope", tmp_path / "clean")
    assert not (tmp_path / "clean").exists()


def test_a_filtered_dataframe_keeps_its_index_and_takes_a_column_map(tmp_path):
    dialogues = pd.DataFrame([{"dialogue": row["question"], "summary": row["answer"], "topic": row["intent"]}
                              for row in tickets(12)])
    billing = dialogues[dialogues["topic"] != "loan"]                 # index 0, 1, 3, 4, 6, ...
    with pytest.raises(InputError, match="dataframe:0: no known schema.*prompt=dialogue"):
        _run(billing, tmp_path / "clean")
    splits = _run(billing, tmp_path / "clean", columns="prompt=dialogue,completion=summary,label=topic")
    rows = sorted((r for s in SPLITS for r in splits[s]), key=lambda r: int(r["id"].split(":")[1]))
    assert [r["id"] for r in rows] == [f"dataframe:{k}" for k in range(8)]      # positions: df.iloc[k]
    assert [r["meta"]["index"] for r in rows] == list(billing.index)           # labels: df.loc[i]
    assert rows[1]["messages"][0]["content"] == billing.iloc[1]["dialogue"]


def test_same_dataframe_and_seed_give_byte_identical_files(tmp_path):
    frame = pd.DataFrame(tickets(12))
    for name in ("a", "b"):
        _run(frame, tmp_path / name, seed=7)
    for name in ("train.jsonl", "validation.jsonl", "test.jsonl", "rejects.jsonl"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_the_api_docstrings_are_runnable_examples(tmp_path, monkeypatch):
    """Each docstring example runs as written; `out` is a scratch folder (module first: it
    writes the clean folder the others read)."""
    monkeypatch.chdir(tmp_path)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    tests = doctest.DocTestFinder().find(api, globs={"out": tmp_path})
    assert {t.name for t in tests if t.examples} >= {"curate.api", "curate.api.run", "curate.api.load",
                                                      "curate.api.rejects"}
    for test in tests:
        runner.run(test)
    assert runner.summarize(verbose=False).failed == 0


def _exported(clean, fmt, tmp_path):
    from curate.export import export

    export(clean, tmp_path / fmt, fmt)
    files = {s: str(tmp_path / fmt / f"{s}.jsonl") for s in SPLITS if (tmp_path / fmt / f"{s}.jsonl").exists()}
    return datasets.load_dataset("json", data_files=files, cache_dir=str(tmp_path / "hf"))


@pytest.mark.parametrize("shape", ["messages", "prompt+completion", "trl-prompt-completion"])
def test_the_splits_train_in_trl_sft_trainer(curated, tmp_path, tiny_model_dir, shape):
    """Straight from `curate.run`: the messages column (conversational language modelling) and
    the rendered prompt+completion strings; and `curate export`'s conversational prompt-completion
    rows. One optimiser step each on the tiny model."""
    from transformers import AutoModelForCausalLM, AutoTokenizer
    from trl import SFTConfig, SFTTrainer

    _, splits, clean = curated
    data = _exported(clean, shape, tmp_path) if shape.startswith("trl") else \
        splits.select_columns(shape.split("+"))
    config = SFTConfig(output_dir=str(tmp_path / "sft"), max_steps=1, per_device_train_batch_size=2,
                       report_to=[], save_strategy="no", use_cpu=True, dataloader_num_workers=0)
    trainer = SFTTrainer(model=AutoModelForCausalLM.from_pretrained(tiny_model_dir), args=config,
                         train_dataset=data["train"], eval_dataset=data["test"],
                         processing_class=AutoTokenizer.from_pretrained(tiny_model_dir))
    result = trainer.train()
    assert trainer.state.global_step == 1 and result.training_loss > 0
    assert trainer.evaluate()["eval_loss"] > 0


OPENAI_KEYS = {"system": {"role", "content", "name"}, "user": {"role", "content", "name"},
               "assistant": {"role", "content", "name", "weight", "tool_calls"},
               "tool": {"role", "content", "tool_call_id"}}


def _openai_format_errors(rows):
    """The checks of OpenAI's cookbook "Data preparation and analysis for chat model fine-tuning",
    with the tool role and keys its fine-tuning guide documents today."""
    errors = []
    for n, row in enumerate(rows):
        messages = row.get("messages") if isinstance(row, dict) else None
        if not messages:
            errors.append((n, "missing_messages_list"))
            continue
        if set(row) - {"messages", "tools", "parallel_tool_calls"}:
            errors.append((n, "unrecognized_row_key"))
        for m in messages:
            if m.get("role") not in OPENAI_KEYS:
                errors.append((n, "unrecognized_role"))
            elif set(m) - OPENAI_KEYS[m["role"]]:
                errors.append((n, "message_unrecognized_key"))
            elif not isinstance(m.get("content"), str) and not m.get("tool_calls"):
                errors.append((n, "missing_content"))
            if m.get("weight") not in (None, 0, 1):
                errors.append((n, "bad_weight"))
        if not any(m.get("role") == "assistant" for m in messages):
            errors.append((n, "example_missing_assistant_message"))
    return errors


def test_openai_export_of_an_api_run_has_the_documented_shape(curated, tmp_path):
    from curate.export import export

    _, splits, clean = curated
    export(clean, tmp_path / "openai", "openai")
    rows = [row for s in SPLITS for row in read_lines(tmp_path / "openai" / f"{s}.jsonl")]
    assert len(rows) == sum(splits[s].num_rows for s in SPLITS)
    assert _openai_format_errors(rows) == []
    assert _openai_format_errors([{"messages": [{"role": "user", "content": "Hi", "weight": None}]}]) == \
        [(0, "message_unrecognized_key"), (0, "example_missing_assistant_message")]   # it can fail
    hindi = next(r for r in rows if "कार्ड" in r["messages"][0]["content"])
    assert [m["role"] for m in hindi["messages"]] == ["user", "assistant"]


def test_run_takes_the_engine_and_names_the_ones_there_are(tmp_path):
    """`curate.run(..., engine=...)`: the local engine as the default does; an unknown one is the
    CLI's one-line error and leaves no output folder (the Ray engine: tests/test_engine_ray.py)."""
    from curate.engines import EngineError

    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "faq.jsonl").write_text(
        '{"prompt": "UPI PIN kaise reset karein?", "completion": "Settings mein Reset PIN chunein."}\n'
        '{"prompt": "मेरा कार्ड ब्लॉक हो गया है", "completion": "ऐप में Unblock दबाएँ।"}\n', encoding="utf-8")
    local = curate.run(raw, tmp_path / "local", seed=1, workers=1, skip="pii", engine="local")
    assert sum(local[s].num_rows for s in local) == 2
    with pytest.raises(EngineError, match="unknown engine 'spark'; choose one of local, ray"):
        curate.run(raw, tmp_path / "out", seed=1, workers=1, skip="pii", engine="spark")
    assert not (tmp_path / "out").exists()
