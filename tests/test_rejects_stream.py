"""Rejects stream to disk as they are made: memory does not grow with the reject count, the file
keeps its order (step, then input position) even when a pass rejects out of order, and a pass
that declares `scrubs_rejects` scrubs the earlier rejects whatever its name."""
import ast
import tracemalloc
from pathlib import Path

from _curate_util import PiiStub, ShortStub, read_lines, support_rows, write_jsonl

import curate.reject_spool as reject_spool
from curate.passes import DEFAULT_ORDER
from curate.passes.base import Pass
from curate.pipeline import curate_folder
from curate.recipe import Recipe


def _mostly_rejected(n: int) -> list[dict]:
    """Support tickets (English, Devanagari, Hinglish) of which 9 in 10 have an empty answer."""
    rows = support_rows(n)
    for i, row in enumerate(rows):
        if i % 10:
            row["output"] = " "
    return rows


def _peak_bytes(tmp_path: Path, n: int) -> int:
    raw = tmp_path / f"raw{n}"
    write_jsonl(raw / "tickets.jsonl", _mostly_rejected(n))
    tracemalloc.start()
    try:
        manifest = curate_folder(raw, tmp_path / f"clean{n}", [ShortStub()], recipe=Recipe())
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert manifest["accounting"]["rejects"] == n - n // 10
    return peak


def test_memory_does_not_grow_with_the_reject_count(tmp_path):
    _peak_bytes(tmp_path, 200)                       # imports and caches out of the way
    small, large = _peak_bytes(tmp_path, 2_000), _peak_bytes(tmp_path, 20_000)
    # Holding the rejects in memory (as before) made the peak grow ~10x with 10x the rejects
    # (about 30 MB more at 20k); streamed, it stays within the reader's and writer's buffers.
    assert large < 1.5 * small, (small, large)
    assert len(read_lines(tmp_path / "clean20000" / "rejects.jsonl")) == 18_000


class ReverseStub(Pass):
    """Whole-dataset: rejects every second record, last one first; `dedup_near` slot."""
    name = "dedup_near"
    per_record = False

    def run(self, records, ctx):
        records = list(records)
        for record in reversed(records[1::2]):
            ctx.reject(record, "near_duplicate", duplicate_of=records[0].id)
        yield from records[::2]


def test_rejects_made_out_of_order_are_written_in_input_order(tmp_path, monkeypatch):
    monkeypatch.setattr(reject_spool, "RUN", 7)      # several sorted runs merged on disk
    raw = tmp_path / "raw"
    rows = support_rows(60)
    rows[4]["output"] = ""
    write_jsonl(raw / "a.jsonl", rows)
    write_jsonl(raw / "b.jsonl", support_rows(9))
    curate_folder(raw, tmp_path / "clean", [ShortStub(), ReverseStub()], recipe=Recipe())
    rejects = read_lines(tmp_path / "clean" / "rejects.jsonl")
    assert [r["id"] for r in rejects[:1]] == ["a.jsonl:5"]           # quality first
    near = [r["id"] for r in rejects[1:]]
    expected = [f"a.jsonl:{n}" for n in range(1, 61) if n != 5] + [f"b.jsonl:{n}" for n in range(1, 10)]
    assert near == expected[1::2] and len(near) == 34


class MaskStub(PiiStub):
    """PiiStub's e-mail masking under another name (`unicode`, not `pii`): the runner goes by
    the declared `scrubs_rejects`, never by a pass's name."""
    name = "unicode"


class LateShortStub(ShortStub):
    name = "template"


def test_a_declared_scrubber_scrubs_only_the_rejects_made_before_it(tmp_path):
    raw = tmp_path / "raw"
    rows = support_rows(6)
    rows[2]["output"] = "mail priya.sharma@example.com"           # kept, masked by MaskStub
    rows[3]["output"] = "x"                                       # rejected after MaskStub ran
    rows[3]["instruction"] = "write to rahul@example.in"
    path = write_jsonl(raw / "t.jsonl", rows)
    with open(path, "a", encoding="utf-8") as f:
        f.write('{"instruction": "मेरा ईमेल anita.rao@example.com है", "output": \n')  # cut off
    manifest = curate_folder(raw, tmp_path / "clean", [MaskStub(), LateShortStub()], recipe=Recipe())
    read, late = read_lines(tmp_path / "clean" / "rejects.jsonl")
    assert read["pass"] == "read" and "anita.rao" not in str(read) and "<EMAIL>" in str(read)
    assert late["pass"] == "template" and "rahul" not in str(late)     # masked in the chain, once
    entry = next(p for p in manifest["passes"] if p["name"] == "unicode")
    assert entry["on_rejects"] == {"counts": {"entity:EMAIL": 1}}      # the read reject only


def test_the_runner_and_the_manifest_know_no_pass_by_name():
    import curate.manifest
    import curate.pipeline

    for module in (curate.pipeline, curate.manifest):
        tree = ast.parse(Path(module.__file__).read_text(encoding="utf-8"))
        literals = {n.value for n in ast.walk(tree)
                    if isinstance(n, ast.Constant) and isinstance(n.value, str)}
        assert not literals & set(DEFAULT_ORDER), (module.__name__, literals & set(DEFAULT_ORDER))
