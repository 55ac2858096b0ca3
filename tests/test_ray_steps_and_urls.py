"""Decontaminate on the Ray engine as distributed steps (the same rejects and report as the
pass), and URL input and output with `--engine ray` (issue 17). Ray is started once for the
module, inside the test, with 2 CPUs and no dashboard."""
import json

import pytest
import ray
from _ray_util import local_ray


@pytest.fixture(scope="module", autouse=True)
def ray_cluster():
    yield from local_ray()


def _probed_records():
    """Train, validation and test tickets as the split leaves them: test items copied into train
    (upper-cased inside a longer ticket, in Devanagari, word for word), short test queries found
    inside longer train ones, a shared sentence whose answers differ (kept) or agree (dropped), a
    tool-use sub-task whose prompts all start with one 25-word description (the common-n-gram cut
    must keep it), a six-word query that a dozen train tickets contain (common at its length),
    and train rows that are only copies of a benchmark row."""
    from test_pass_decontaminate import dataset, tool_use_rows
    from tunecraft.records import Record

    def rec(rid, q, a, split):
        return Record(id=rid, split=split, messages=[{"role": "user", "content": q},
                                                     {"role": "assistant", "content": a}])
    shared = "my upi payment of 500 rupees to the electricity board failed but the money was debited"
    out = dataset() + tool_use_rows() + [
        rec("s:1", f"Yesterday {shared}. Also, how do I change the language of the app to Hindi?",
            "Open Settings > Language and pick हिन्दी.", "train"),
        rec("s:2", f"Kal {shared}, please help, mujhe receipt bhi chahiye branch se", "Failed UPI debits are "
            "reversed within 3 working days.", "train"),
        rec("s:3", f"{shared} two days ago, when will I get it back and can I get a receipt?",
            "Failed UPI debits are reversed within 3 working days.", "test"),
        rec("q:1", "how do I reset my UPI PIN", "Use Forgot PIN in the app.", "test")]
    out += [rec(f"u:{i}", f"Ticket {i}: how do I reset my UPI PIN, it says wrong PIN {i} times",
                "Use Forgot PIN in the app.", "train") for i in range(12)]
    out += [rec("b:1", "Kya main apna credit card limit badha sakta hoon online bina branch jaye?",
                "Haan, app mein Cards > Limit.", None)]
    return out


def _not_on_the_driver(*args, **kwargs):
    raise AssertionError("the driver built probes or n-grams")


@pytest.mark.parametrize("action", ["drop", "report"])
def test_decontaminate_as_distributed_steps_decides_what_the_pass_decides(tmp_path, monkeypatch, action):
    """Small parked blocks (5 records), so each count is summed over blocks and partitions. The
    driver may build no probe and no word-hash array (patched to fail here; Ray's workers are
    other processes, where they work). Validation against test rides the shuffles of train
    against the probes: two per compared field."""
    from curate import ngram_overlap
    from curate.engines import ray_steps
    from curate.passes import decontaminate
    from curate.passes.base import Context
    from curate.passes.decontaminate import Decontaminate

    monkeypatch.chdir(tmp_path)
    (tmp_path / "bench.jsonl").write_text(json.dumps({
        "question": "Kya main apna credit card limit badha sakta hoon online bina branch jaye?",
        "answer": "Haan."}) + "\n", encoding="utf-8")
    monkeypatch.setattr(ray_steps, "BLOCK", 5)
    p = Decontaminate.from_options({"against": ["bench.jsonl"], "action": action})
    local_ctx, ray_ctx = Context("decontaminate", seed=1), Context("decontaminate", seed=1)
    local = [r.to_dict() for r in p.run(_probed_records(), local_ctx)]
    from curate.engines.ray_steps import run_step

    records = _probed_records()
    monkeypatch.setattr(ngram_overlap.Texts, "__init__", _not_on_the_driver)
    monkeypatch.setattr(decontaminate, "_held_out", _not_on_the_driver)
    shuffles = []
    groupby = ray.data.Dataset.groupby
    monkeypatch.setattr(ray.data.Dataset, "groupby", lambda ds, *a, **k: shuffles.append(a) or groupby(ds, *a, **k))
    distributed = [r.to_dict() for r in run_step(ray, p, records, ray_ctx)]
    assert distributed == local
    # validation against test rides train's shuffles: a frequency cut and a match per field
    assert len(shuffles) == 4 and local_ctx.info["validation_overlapping_test"] == 1
    assert [(r.record.id, r.details) for r in ray_ctx.rejects] == \
           [(r.record.id, r.details) for r in local_ctx.rejects]
    assert ray_ctx.info == local_ctx.info and ray_ctx.counts == local_ctx.counts
    info = local_ctx.info
    assert info["contaminated_train"] >= 4 and info["common_ngrams_ignored"] > 0
    assert info["contaminated_train_by_source"].keys() == {"test", "validation", "benchmark"}
    rejected = {r.record.id for r in ray_ctx.rejects}
    assert {"t:1", "t:5", "s:2", "b:1"} <= rejected if action == "drop" else not rejected
    assert not {r for r in rejected if r.startswith(("tools", "u:", "s:1"))}


def test_decontaminate_steps_without_probes_train_rows_or_long_texts():
    """No probes, no train rows, and short queries only (no 13-gram anywhere: the first groupby
    has no rows; the second only whole-text ones, or none)."""
    from curate.engines.ray_steps import run_step
    from curate.passes.base import Context
    from curate.passes.decontaminate import Decontaminate
    from test_pass_decontaminate import dataset, rec

    short = [rec("q:1", "card block karo", "train"), rec("q:2", "मेरा पिन भूल गया", "train"),
             rec("q:3", "Card block karo!", "test"), rec("q:4", "refund status?", "validation")]
    p = Decontaminate()
    for records in ([r for r in dataset() if r.split == "train"], [r for r in dataset() if r.split != "train"],
                    short, short[1:2] + short[3:]):
        local_ctx, ray_ctx = Context("decontaminate"), Context("decontaminate")
        local = [r.to_dict() for r in p.run(records, local_ctx)]
        assert [r.to_dict() for r in run_step(ray, p, records, ray_ctx)] == local
        assert ray_ctx.info == local_ctx.info
        assert [r.record.id for r in ray_ctx.rejects] == [r.record.id for r in local_ctx.rejects]
    assert [r.record.id for r in local_ctx.rejects] == [] and local_ctx.info["probes"] == 1


def test_ray_engine_reads_and_writes_urls_with_the_bytes_of_a_local_run(tmp_path):
    """`curate.run("memory://…/raw/", "memory://…/clean", engine="ray")`: the files of a local
    engine's run on a local copy, and the splits back as a DatasetDict."""
    import fsspec

    import curate

    rows = [{"instruction": f"Mera refund {i} din se pending hai, order {900 + i}", "output": "Check karte hain.",
             "intent": "refund"} for i in range(30)]
    rows += [{"instruction": "मेरा कार्ड ब्लॉक हो गया है", "output": "ऐप में Unblock दबाएँ।", "intent": "card"}] * 2
    text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows) + '{"instruction": "cut\n'
    fs = fsspec.filesystem("memory")
    fs.pipe("/ray-urls/raw/tickets.jsonl", text.encode())
    (tmp_path / "raw").mkdir()
    (tmp_path / "raw" / "tickets.jsonl").write_text(text, encoding="utf-8")
    try:
        on_ray = curate.run("memory://ray-urls/raw/", "memory://ray-urls/clean", seed=2, skip="pii", engine="ray")
        local = curate.run(tmp_path / "raw", tmp_path / "clean", seed=2, skip="pii", workers=2)
        for name in ("train.jsonl", "validation.jsonl", "test.jsonl", "rejects.jsonl"):
            assert fs.cat(f"/ray-urls/clean/{name}") == (tmp_path / "clean" / name).read_bytes(), name
        assert {s: on_ray[s]["id"] for s in on_ray} == {s: local[s]["id"] for s in local}
        assert json.loads(fs.cat("/ray-urls/clean/manifest.json"))["engine"] == "ray"
    finally:
        fs.rm("/ray-urls", recursive=True)
