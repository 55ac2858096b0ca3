import json
import os

import pytest
from _curate_util import (BoomStub, CopyStub, ExactStub, LosesOneStub, PiiStub, ShortStub, SplitStub,
                          UpperStub, read_lines, support_rows, write_jsonl)

import curate.executor as executor_module
from curate.passes.base import Context, Pass
from curate.pipeline import AccountingError, _stages, curate_folder
from curate.recipe import Recipe
from curate.writers import OutputError

SPLIT_FILES = ("train.jsonl", "validation.jsonl", "test.jsonl", "rejects.jsonl")


class PidStub(Pass):
    """Counts the process each record was handled in (to see that workers really ran)."""
    name = "unicode"

    def apply(self, record, ctx: Context):
        ctx.count(f"pid:{os.getpid()}")
        return record


def _raw(tmp_path, n=12):
    raw = tmp_path / "raw"
    rows = support_rows(n)
    rows[4]["output"] = " "                                   # too short → quality reject
    rows[7]["output"] = rows[1]["output"].upper()             # duplicate response of row 2
    rows[9]["output"] = "Mail me at priya.sharma@example.com for the refund"
    path = write_jsonl(raw / "tickets.jsonl", rows)
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines.insert(6, '{"instruction": "email rahul@example.in", "output": \n')   # malformed, line 7
    path.write_text("".join(lines), encoding="utf-8")
    (raw / "more").mkdir()
    (raw / "more" / "faq.csv").write_text('question,answer\n"Card\nlost?",Block it in the app.\n',
                                          encoding="utf-8")
    (raw / "empty.jsonl").write_text("")
    (raw / "blob.parquet").write_bytes(b"PAR1 not really")
    return raw


def _listing(folder):
    """Folder contents but the run's lock file (kept, as filelock keeps it on POSIX)."""
    return sorted(n for n in os.listdir(folder) if not n.endswith(".lock"))


def _passes():
    return [UpperStub(), ShortStub(), ExactStub(), PiiStub(), SplitStub(), CopyStub()]


def test_funnel_rejects_accounting_and_manifest(tmp_path):
    out = tmp_path / "clean"
    manifest = curate_folder(_raw(tmp_path), out, _passes(), recipe=Recipe(seed=5))
    assert manifest["accounting"] == {
        "identity": "rows_read = rows_in_splits (excluding balancing copies) + rejects",
        "rows_read": 15, "rows_in_splits": 11, "rejects": 4, "copies": 1, "ok": True}
    by_name = {p["name"]: p for p in manifest["passes"]}
    assert [p["name"] for p in manifest["passes"]] == ["read", "html", "quality", "dedup_exact",
                                                       "pii", "split", "balance"]
    assert (by_name["read"]["in"], by_name["read"]["out"]) == (15, 13)
    assert by_name["read"]["reasons"] == {"parse_error": 2}      # JSON line + corrupt parquet
    assert by_name["html"]["counts"] == {"changed": 13} and by_name["html"]["config"] == {"marker": "!"}
    assert (by_name["quality"]["in"], by_name["quality"]["out"]) == (13, 12)
    assert by_name["dedup_exact"]["reasons"] == {"exact_duplicate": 1}
    assert by_name["balance"]["info"] == {"before": {"a": 1}, "after": {"a": 2}}
    assert manifest["skipped"] == [{"path": "empty.jsonl", "reason": "empty file"}]
    assert [(f["path"], f["rows"], f["rejected"]) for f in manifest["inputs"]] == [
        ("blob.parquet", 1, 1), ("more/faq.csv", 1, 0), ("tickets.jsonl", 13, 1)]
    assert manifest["splits"]["train"]["copies"] == 1
    assert list(manifest["splits"]["test"]["labels"].items()) == [("refund", 2), ("(none)", 1)]
    assert manifest["seed"] == 5 and manifest["recipe"]["seed"] == 5
    assert sorted(os.listdir(out)) == ["manifest.json", "rejects.jsonl", "report.html",
                                       "test.jsonl", "train.jsonl", "validation.jsonl"]
    rejects = read_lines(out / "rejects.jsonl")
    assert [(r["pass"], r["id"]) for r in rejects] == [
        ("read", "blob.parquet:1"), ("read", "tickets.jsonl:7"),
        ("quality", "tickets.jsonl:5"), ("dedup_exact", "tickets.jsonl:9")]
    assert rejects[3]["details"] == {"duplicate_of": "tickets.jsonl:2"}


def test_rejects_from_reader_and_passes_before_pii_are_anonymised(tmp_path):
    out = tmp_path / "clean"
    manifest = curate_folder(_raw(tmp_path), out, _passes(), recipe=Recipe())
    text = (out / "rejects.jsonl").read_text(encoding="utf-8")
    assert "rahul@example.in" not in text and "<EMAIL>" in text
    assert "priya.sharma" not in (out / "train.jsonl").read_text(encoding="utf-8") + \
        (out / "validation.jsonl").read_text(encoding="utf-8") + (out / "test.jsonl").read_text(encoding="utf-8")
    pii = next(p for p in manifest["passes"] if p["name"] == "pii")
    assert pii["on_rejects"]["counts"] == {"entity:EMAIL": 4}


def test_without_pii_the_raw_reject_is_kept_verbatim(tmp_path):
    out = tmp_path / "clean"
    curate_folder(_raw(tmp_path), out, [ShortStub()], recipe=Recipe())
    assert "rahul@example.in" in (out / "rejects.jsonl").read_text(encoding="utf-8")


def test_without_a_split_pass_everything_goes_to_train(tmp_path):
    out = tmp_path / "clean"
    manifest = curate_folder(_raw(tmp_path), out, [ShortStub()], recipe=Recipe())
    assert len(read_lines(out / "train.jsonl")) == 12
    # an empty split has no file: datasets.load_dataset cannot load an empty JSON Lines file
    assert not (out / "validation.jsonl").exists() and not (out / "test.jsonl").exists()
    assert manifest["accounting"]["ok"]


def test_output_lines_are_utf8_with_fixed_key_order(tmp_path):
    out = tmp_path / "clean"
    curate_folder(_raw(tmp_path), out, [ShortStub(), SplitStub()], recipe=Recipe())
    data = (out / "train.jsonl").read_bytes()
    assert b"\r\n" not in data and "ब्लॉक".encode() in data       # ensure_ascii=False
    first = json.loads(data.splitlines()[0])
    assert list(first) == ["id", "messages", "label", "split", "meta"]
    assert first["meta"] == {"ticket_id": "T00001"}


def test_rerun_is_byte_identical_and_needs_force(tmp_path):
    raw = _raw(tmp_path)
    curate_folder(raw, tmp_path / "a", _passes(), recipe=Recipe(seed=1))
    curate_folder(raw, tmp_path / "b", _passes(), recipe=Recipe(seed=1))
    for name in SPLIT_FILES:
        assert _bytes(tmp_path / "a" / name) == _bytes(tmp_path / "b" / name), name
    with pytest.raises(OutputError, match="already exists.*--force"):
        curate_folder(raw, tmp_path / "a", _passes(), recipe=Recipe(seed=1))
    (tmp_path / "a" / "stale.txt").write_text("old")
    curate_folder(raw, tmp_path / "a", _passes(), recipe=Recipe(seed=1), force=True)
    assert not (tmp_path / "a" / "stale.txt").exists()
    assert (tmp_path / "a" / "train.jsonl").read_bytes() == (tmp_path / "b" / "train.jsonl").read_bytes()


def test_two_workers_give_the_same_bytes_as_one(tmp_path, monkeypatch):
    monkeypatch.setattr(executor_module, "CHUNK", 16)          # many shards from a small input
    raw = tmp_path / "raw"
    write_jsonl(raw / "a.jsonl", support_rows(150))
    write_jsonl(raw / "b.jsonl", support_rows(40)[::-1])
    with open(raw / "a.jsonl", "a", encoding="utf-8") as f:
        f.write('{"instruction": "cut off\n')                # parsed (and rejected) in a worker
    passes = lambda: [UpperStub(), PidStub(), ShortStub(), ExactStub(), PiiStub(), SplitStub()]  # noqa: E731
    one = curate_folder(raw, tmp_path / "one", passes(), recipe=Recipe(), workers=1)
    two = curate_folder(raw, tmp_path / "two", passes(), recipe=Recipe(), workers=2)
    for name in SPLIT_FILES:
        assert _bytes(tmp_path / "one" / name) == _bytes(tmp_path / "two" / name), name
    pids = {k for p in two["passes"] if p["name"] == "unicode" for k in p["counts"]}
    assert pids and f"pid:{os.getpid()}" not in pids      # really ran in worker processes
    assert [p["counts"] for p in one["passes"]][3:] == [p["counts"] for p in two["passes"]][3:]
    assert two["accounting"]["ok"] and two["accounting"]["rejects"] == 41
    assert one["inputs"] == two["inputs"] and two["inputs"][0]["rejected"] == 1


def test_dedup_exact_hashes_in_the_stage_before_it_with_the_same_result(tmp_path, monkeypatch):
    from curate.passes.dedup_exact import DedupExactPass, record_key
    monkeypatch.setattr(executor_module, "CHUNK", 16)
    raw = tmp_path / "raw"
    write_jsonl(raw / "a.jsonl", support_rows(60) + support_rows(30))      # 30 exact duplicates
    hashed_ahead = []
    monkeypatch.setattr(DedupExactPass, "prepare", lambda self, r: hashed_ahead.append(r.id) or record_key(r))
    ahead = curate_folder(raw, tmp_path / "ahead", [PidStub(), DedupExactPass()], recipe=Recipe())
    assert len(hashed_ahead) == 90
    alone = curate_folder(raw, tmp_path / "alone", [DedupExactPass()], recipe=Recipe())   # no stage before
    assert len(hashed_ahead) == 90
    for name in SPLIT_FILES:
        assert _bytes(tmp_path / "ahead" / name) == _bytes(tmp_path / "alone" / name), name
    assert ahead["passes"][2]["reasons"] == alone["passes"][1]["reasons"] == {"exact_duplicate": 30}


@pytest.mark.parametrize("error", ["runtime", "interrupt"])
def test_failure_mid_run_leaves_no_output_folder(tmp_path, error):
    raw = _raw(tmp_path)
    boom = BoomStub(BoomStub.Config(after=3, error=error))
    with pytest.raises(RuntimeError if error == "runtime" else KeyboardInterrupt):
        curate_folder(raw, tmp_path / "clean", [ShortStub(), SplitStub(), boom], recipe=Recipe())
    assert _listing(tmp_path) == ["raw"]                # no clean/, no temp folder


def test_failure_with_force_keeps_the_previous_output(tmp_path):
    raw, out = _raw(tmp_path), tmp_path / "clean"
    curate_folder(raw, out, [ShortStub()], recipe=Recipe())
    before = (out / "train.jsonl").read_bytes()
    with pytest.raises(RuntimeError):
        curate_folder(raw, out, [ShortStub(), BoomStub()], recipe=Recipe(), force=True)
    assert (out / "train.jsonl").read_bytes() == before
    assert _listing(tmp_path) == ["clean", "raw"]


def test_a_pass_that_loses_a_record_fails_loudly(tmp_path):
    with pytest.raises(AccountingError, match="rows read 15 != rows in splits 11 \\+ rejects 3"):
        curate_folder(_raw(tmp_path), tmp_path / "clean", [ShortStub(), LosesOneStub()], recipe=Recipe())
    assert not (tmp_path / "clean").exists()


def test_report_is_self_contained(tmp_path):
    out = tmp_path / "clean"
    curate_folder(_raw(tmp_path), out, _passes(), recipe=Recipe())
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "http://" not in html and "https://" not in html
    # funnel, labels, prompt and response lengths, langs, balance: inline SVG, no image files
    assert html.count("<svg role=\"img\"") == 6 and "<img" not in html
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    dedup = next(p for p in manifest["passes"] if p["name"] == "dedup_exact")
    assert f"<title>dedup_exact, rejected: {dedup['rejected']:,}</title>" in html
    assert "exact_duplicate" in html and "&quot;before&quot;" in html   # balance info shown
    assert "Accounting holds" in html


def test_stages_group_consecutive_per_record_passes():
    stages = _stages([UpperStub(), PidStub(), ShortStub(), ExactStub(), PiiStub(), SplitStub()])
    assert [(parallel, [p.name for p in stage]) for parallel, stage in stages] == [
        (True, ["html", "unicode", "quality"]), (False, ["dedup_exact"]),
        (True, ["pii"]), (False, ["split"])]


def test_secret_options_are_redacted_in_the_manifest(tmp_path):
    from curate.manifest import redact

    salt = "do-not-publish-this-salt"
    recipe = Recipe(passes={"pii": {"hash_salt": salt, "allow_list": ["care@bank.in"]}})
    out = tmp_path / "clean"
    curate_folder(_raw(tmp_path), out, [ShortStub()], recipe=recipe)
    text = (out / "manifest.json").read_text(encoding="utf-8")
    assert salt not in text and "care@bank.in" in text
    assert redact({"hash_salt": "", "max_tokens": 5}) == {"hash_salt": "", "max_tokens": 5}


def test_output_folder_that_contains_the_input_is_refused(tmp_path):
    raw = _raw(tmp_path / "clean")
    with pytest.raises(OutputError, match="contains the input"):
        curate_folder(raw, tmp_path / "clean", [ShortStub()], recipe=Recipe(), force=True)
    assert (raw / "tickets.jsonl").exists()


def test_output_folder_inside_the_input_is_not_read_back(tmp_path):
    raw = _raw(tmp_path)
    first = curate_folder(raw, raw / "clean", [ShortStub()], recipe=Recipe())
    again = curate_folder(raw, raw / "clean", [ShortStub()], recipe=Recipe(), force=True)
    assert first["accounting"] == again["accounting"]
    assert not any(f["path"].startswith("clean/") for f in again["inputs"] + again["skipped"])


def test_record_survives_pickling_with_every_field():
    """Records cross to worker processes and back by pickle (Record.__reduce__)."""
    import pickle

    from tunecraft.records import Record
    record = Record("a.jsonl:3", [{"role": "user", "content": "मेरा कार्ड ब्लॉक करें"}], label="card",
                    lang="hi", meta={"copy_of": "a.jsonl:2"}, split="test", prompt="p", completion="c")
    assert pickle.loads(pickle.dumps(record)) == record


def _bytes(path):
    """A split file's bytes; None when the split is empty (curate writes no file for it)."""
    return path.read_bytes() if path.exists() else None
