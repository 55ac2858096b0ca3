"""A shard never holds rows of two input files, in either engine (issue 17: the Ray engine
reads files in worker tasks, so a file's shards may depend on that file alone). A conversation
that runs from one file into the next is therefore two pieces for a pass reading whole
conversations, and the run says so instead of hiding it."""
import json
from pathlib import Path

from _curate_util import ShardFilesStub, SplitStub, read_lines

from curate.executor import CHUNK, Executor
from curate.file_shards import FILE_CUT, FileDone, Piece, file_pieces
from curate.pipeline import curate_folder
from curate.readers import discover
from curate.recipe import Recipe


def _exports(raw: Path) -> Path:
    """A chat export split by row count, as help-desk tools write it: part files of 7 rows, so
    conversation t3 runs from the end of part-000 into part-001; plus a big file of 1,300
    tickets (three shards) with a malformed line."""
    raw.mkdir(parents=True)
    turns = [("t1", "Mera card block ho gaya", "App mein Cards > Unblock dabayein."),
             ("t1", "Ho gaya, thanks", "Aapka swagat hai!"),
             ("t2", "मेरा रिफंड कब आएगा?", "5-7 दिन में आपके खाते में आ जाएगा।"),
             ("t2", "ठीक है, धन्यवाद", "कोई और मदद चाहिए तो बताइए।"),
             ("t3", "<p>How do I <b>export</b> my statement?</p>", "<ol><li>Open Statements</li></ol>"),
             ("t3", "I am Priya Sharma, call me on 98765 43210", "We will call you today, Priya."),
             ("t3", "Still waiting, Priya here", "Sorry Priya, a courier is on the way."),
             ("t3", "Got it now", "Great, closing the ticket."),
             ("t4", "x^2 - 5x + 6 = 0 ka hal kya hai?", "x = 2 ya x = 3."),
             ("t4", "Aur x^2 = 9?", "x = 3 ya x = -3.")]
    rows = [json.dumps({"conversation_id": c, "instruction": q, "output": a, "intent": "help"},
                       ensure_ascii=False) for c, q, a in turns]
    for k in range(0, len(rows), 7):
        (raw / f"part-{k // 7:03d}.jsonl").write_text("\n".join(rows[k:k + 7]) + "\n", encoding="utf-8")
    big = [json.dumps({"instruction": f"Ticket {i}: mera order {1000 + i} kahan hai?",
                       "output": f"Order {1000 + i} kal tak pahunch jayega.", "intent": "order"},
                      ensure_ascii=False) for i in range(1300)]
    big.insert(600, '{"instruction": "cut off mid-line')
    (raw / "zz-big.jsonl").write_text("\n".join(big) + "\n", encoding="utf-8")
    return raw


def test_no_shard_spans_two_files_and_a_conversation_across_files_is_counted(tmp_path):
    raw = _exports(tmp_path / "raw")
    manifest = curate_folder(raw, tmp_path / "out", [ShardFilesStub(), SplitStub()], recipe=Recipe(),
                             workers=2)
    stub = next(p for p in manifest["passes"] if p["name"] == "pii")
    assert stub["counts"].get("shards_spanning_files", 0) == 0
    assert stub["counts"][FILE_CUT] == 1                     # t3, from part-000 into part-001
    warning = next(w for w in manifest["warnings"] if w["kind"] == "conversation_cut")
    assert "from one file into the next" in warning["message"]
    assert manifest["accounting"]["ok"] and manifest["accounting"]["rows_read"] == 1311
    rejects = read_lines(tmp_path / "out" / "rejects.jsonl")
    assert [(r["id"], r["pass"], r["reason"]) for r in rejects] == [("zz-big.jsonl:601", "read", "parse_error")]


def test_a_files_pieces_are_its_local_shards_and_its_counts(tmp_path):
    raw = _exports(tmp_path / "raw")
    files = discover(raw).files
    pieces = list(file_pieces(files[-1], None, parse=False))
    assert isinstance(pieces[-1], FileDone) and all(isinstance(p, Piece) for p in pieces[:-1])
    lines = [sum(len(item.lines) if hasattr(item, "lines") else 1 for item in p.items) for p in pieces[:-1]]
    assert sum(lines) + len(pieces[-1].rejects) + sum(len(p.rejects) for p in pieces[:-1]) == 1301
    assert all(n <= CHUNK + 1 for n in lines) and len(lines) == 3
    assert sum(p.rows for p in pieces) == pieces[-1].source.rows == 1301
    with Executor([], workers=1) as executor:
        pairs = list(executor.map_files([], files, None, True))
    done = [meta.source.rel for meta, _ in pairs if isinstance(meta, FileDone)]
    assert done == [f.rel for f in files]
    for meta, result in pairs:
        if isinstance(meta, Piece):
            assert len({r.id.rpartition(":")[0] for r in result.kept}) == 1
