"""`--engine ray` reads the input files in Ray worker tasks and writes the split files from
part files made in others, and still writes the local engine's bytes, with many small files and
one big one; a worker killed mid-read or mid-write loses and duplicates nothing (issue 17). Ray is
started once for the module (2 CPUs, no dashboard) with set-up hooks that kill the first worker
reading a line marked KILL-READER and the first writing a part holding KILL-WRITER."""
import json
import os
from pathlib import Path

import pytest
from _curate_util import ShortStub, SplitStub, read_lines
from _ray_util import KILL_READ_FLAG, KILL_WRITE_FLAG, local_ray

import curate.readers
import curate.writers
from curate.engines.ray_write import join_parts, part_name
from curate.passes.dedup_exact import DedupExactPass
from curate.pipeline import curate_folder, run_curation
from curate.recipe import Recipe, load_recipe

OUTPUTS = ("train.jsonl", "validation.jsonl", "test.jsonl", "rejects.jsonl")


@pytest.fixture(scope="module")
def kill_flag(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("flag") / "killed"


@pytest.fixture(scope="module")
def write_flag(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("flag") / "killed-writing"


@pytest.fixture(scope="module", autouse=True)
def ray_cluster(kill_flag, write_flag):
    yield from local_ray(worker_process_setup_hook="_ray_util.kill_on_read_or_write",
                         env_vars={KILL_READ_FLAG: str(kill_flag), KILL_WRITE_FLAG: str(write_flag)})


def _tickets(raw: Path, marker: str = "") -> Path:
    """Twelve small exports (English, Hindi, Hinglish, HTML, a CSV) and one big file of 1,400
    rows with exact and near duplicates, personal data and a malformed line; `marker` goes into
    the big file's 900th row (its second shard)."""
    raw.mkdir(parents=True)
    asks = [("How do I reset my card PIN? try {i}", "Open the app, tap Cards > Reset PIN ({i})."),
            ("मेरा कार्ड ब्लॉक हो गया है, टिकट {i}", "ऐप में Cards खोलें और Unblock दबाएँ। टिकट {i}"),
            ("Mera refund abhi tak nahi aaya, order {i}", "Refund 5-7 din mein aa jayega, order {i}."),
            ("<p>Export my <b>statement</b> {i}</p>", "<ol><li>Open Statements</li><li>Export {i}</li></ol>")]
    for k in range(12):
        rows = [{"instruction": q.format(i=100 * k + j), "output": a.format(i=100 * k + j), "intent": f"i{j % 4}"}
                for j, (q, a) in enumerate(asks * 2)]
        (raw / f"small-{k:02d}.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows),
                                                  encoding="utf-8")
    (raw / "small-faq.csv").write_text("question,answer\nCard kho gaya?,App mein Block dabayein.\n"
                                       "मेरा पिन क्या है?,ऐप में Cards > PIN देखें।\n", encoding="utf-8")
    big = []
    for i in range(1400):
        q, a = asks[i % 4]
        big.append({"instruction": q.format(i=5000 + i), "output": a.format(i=5000 + i), "intent": f"i{i % 4}"})
    big[700] = dict(big[10])                                           # exact copy
    big[800] = {**big[11], "instruction": big[11]["instruction"] + " please"}   # near copy
    big[850] = {"instruction": "Call me back, I am Priya Sharma, 98765 43210, priya.sharma@rediffmail.com",
                "output": "We will call you on 98765 43210 today, Priya.", "intent": "callback"}
    big[900]["instruction"] += f" {marker}"
    lines = [json.dumps(r, ensure_ascii=False) for r in big]
    lines.insert(300, '{"instruction": "cut off mid-line')
    (raw / "zz-big.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return raw


def _bytes(out: Path) -> dict[str, bytes]:
    return {name: (out / name).read_bytes() if (out / name).exists() else b"" for name in OUTPUTS}


def test_files_are_read_and_splits_written_in_ray_workers_with_the_local_engines_bytes(tmp_path, monkeypatch):
    raw, recipe = _tickets(tmp_path / "raw"), load_recipe(None, seed=3, skip="decontaminate,balance")
    local = run_curation(raw, tmp_path / "local", recipe, workers=2, progress=False)

    def on_the_driver(*_):
        raise AssertionError("an input file was read, or a record written, on the driver")
    monkeypatch.setattr(curate.readers, "byte_lines", on_the_driver)     # the workers keep theirs
    monkeypatch.setattr(curate.writers.SplitWriter, "write", on_the_driver)
    on_ray = curate_folder(raw, tmp_path / "ray", recipe.build_passes(), recipe=recipe, engine="ray")
    assert _bytes(tmp_path / "ray") == _bytes(tmp_path / "local")
    assert sorted(p.name for p in (tmp_path / "ray").iterdir()) == sorted(p.name for p in (tmp_path / "local").iterdir())
    assert on_ray["splits"] == local["splits"]                  # counts, labels, langs, length bins
    rejects = read_lines(tmp_path / "ray" / "rejects.jsonl")
    assert ("zz-big.jsonl:301", "read", "parse_error") in {(r["id"], r["pass"], r["reason"]) for r in rejects}
    assert {"dedup_exact", "dedup_near"} <= {r["pass"] for r in rejects}
    assert "priya.sharma@rediffmail.com" not in _bytes(tmp_path / "ray")["train.jsonl"].decode()
    assert on_ray["accounting"] == local["accounting"] and on_ray["accounting"]["rows_read"] == 1499
    assert on_ray["inputs"] == local["inputs"]                 # rows, sha256, schema per file
    assert [p["counts"] for p in on_ray["passes"]] == [p["counts"] for p in local["passes"]]


def test_a_worker_killed_mid_read_loses_and_duplicates_no_row(tmp_path, kill_flag):
    raw = _tickets(tmp_path / "raw", marker="KILL-READER")
    passes = lambda: [ShortStub(), DedupExactPass(), SplitStub()]
    on_ray = curate_folder(raw, tmp_path / "ray", passes(), recipe=Recipe(), engine="ray")
    assert kill_flag.exists(), "the marked line was never read in a worker: nothing was killed"
    assert int(kill_flag.read_text()) != os.getpid()              # a worker died, not this process
    local = curate_folder(raw, tmp_path / "local", passes(), recipe=Recipe())
    assert _bytes(tmp_path / "ray") == _bytes(tmp_path / "local")
    ids = [r["id"] for name in OUTPUTS for r in read_lines(tmp_path / "ray" / name)]
    assert len(ids) == len(set(ids)) and on_ray["accounting"]["ok"]
    assert on_ray["accounting"]["rows_read"] == local["accounting"]["rows_read"] == 1499


def test_a_worker_killed_while_writing_a_part_loses_and_duplicates_no_row(tmp_path, write_flag):
    """The writer of the part that holds the marked row dies with half of it on disk; Ray
    restarts it and runs the call again, which rewrites the whole part under the same name. The last stage is a
    whole-dataset pass here, so the write tasks only serialise."""
    raw = _tickets(tmp_path / "raw", marker="KILL-WRITER")
    passes = lambda: [ShortStub(), DedupExactPass(), SplitStub()]
    on_ray = curate_folder(raw, tmp_path / "ray", passes(), recipe=Recipe(), engine="ray")
    assert write_flag.exists(), "the marked row was never written in a worker: nothing was killed"
    assert int(write_flag.read_text()) != os.getpid()
    local = curate_folder(raw, tmp_path / "local", passes(), recipe=Recipe())
    assert _bytes(tmp_path / "ray") == _bytes(tmp_path / "local")
    ids = [r["id"] for name in OUTPUTS[:3] for r in read_lines(tmp_path / "ray" / name)]
    assert len(ids) == len(set(ids)) == local["accounting"]["rows_in_splits"]
    assert on_ray["accounting"] == local["accounting"] and on_ray["accounting"]["ok"]


def test_parts_are_joined_in_shard_order_and_a_part_cut_short_is_never_joined(tmp_path):
    parts = tmp_path / ".parts"
    parts.mkdir()
    lines = [{"train": "मेरा कार्ड ब्लॉक है\n".encode(), "test": b'{"id":"a:1"}\n'},
             {"train": b"Mera refund kab aayega?\n"}, {}]
    for i, by_split in enumerate(lines):
        for split, data in by_split.items():
            (parts / part_name(split, i)).write_bytes(data)
    join_parts(parts, [{s: len(d) for s, d in by_split.items()} for by_split in lines], tmp_path)
    assert (tmp_path / "train.jsonl").read_bytes() == lines[0]["train"] + lines[1]["train"]
    assert (tmp_path / "test.jsonl").read_bytes() == lines[0]["test"]
    assert not (tmp_path / "validation.jsonl").exists() and not parts.exists()
    parts.mkdir()
    (parts / part_name("train", 0)).write_bytes(b'{"id":"a:1","mess')        # a dead worker's half
    with pytest.raises(RuntimeError, match="part train-000000000.jsonl has 17 bytes, its writer wrote 30"):
        join_parts(parts, [{"train": 30}], tmp_path / "again")
