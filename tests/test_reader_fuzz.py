"""Property tests of the readers through whole runs: whatever the bytes, encodings and line ends,
a run neither crashes nor loses a row (rows read = rows in splits + rejects), and a file written in
a supported encoding has every row read (issue 13).

Runs use the real passes but pii (its models would make each example seconds long); the pass set
is built once. Example counts are small so the module stays well under a minute.
"""
import codecs
import csv
import io
import json
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from curate.pipeline import curate_folder
from curate.recipe import Recipe
from _curate_util import read_lines

RECIPE = Recipe(skip=("pii",))
PASSES = RECIPE.build_passes()
SETTINGS = settings(max_examples=20, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

# Words users bring: English, Devanagari, Hinglish, code, maths, markup, emoji.
WORDS = ["refund", "card", "blocked", "मेरा", "कार्ड", "ब्लॉक", "करें", "paisa", "kab", "aayega",
         "x = a[i] + 1;", "∑ x²", "<b>bold</b>", "&amp;", "naïve café", "€5", "😀", "  ", "\t", '"q"', ","]
TEXT = st.lists(st.sampled_from(WORDS), min_size=1, max_size=8).map(" ".join)
ROWS = st.lists(st.fixed_dictionaries({"instruction": TEXT, "output": TEXT}), max_size=12)
JUNK = st.one_of(st.binary(min_size=1, max_size=4), st.sampled_from(
    [b"\x00", b"\r", b"\n", b"\xff\xfe", b"\xef\xbb\xbf", b"\\ud800", b'"', b",", b"\xe0\xa4", b"9" * 25]))
UNICODE = ("utf-8", "utf-8-sig", "utf-16", "utf-32")
ENDINGS = ("\n", "\r\n", "\r")


def _serialise(fmt: str, rows: list[dict], newline: str) -> str:
    if fmt == "json":
        return json.dumps(rows, ensure_ascii=False, indent=1).replace("\n", newline)
    if fmt == "jsonl":
        return "".join(json.dumps(r, ensure_ascii=False) + newline for r in rows)
    if fmt == "txt":
        return "".join(r["instruction"] + newline for r in rows)
    out = io.StringIO()
    writer = csv.writer(out, delimiter="\t" if fmt == "tsv" else ",", lineterminator=newline)
    writer.writerow(["question", "answer"])
    writer.writerows([[r["instruction"], r["output"]] for r in rows])
    return out.getvalue()


def _expected_rows(fmt: str, rows: list[dict]) -> int:
    """Rows a reader must produce (accepted or rejected) from an uncorrupted file."""
    return sum(1 for r in rows if r["instruction"].strip()) if fmt == "txt" else len(rows)


def _encode(text: str, encoding: str) -> bytes:
    if encoding == "utf-16-be-bom":
        return codecs.BOM_UTF16_BE + text.encode("utf-16-be")
    return text.encode(encoding)


def _run(tmp_path: Path, files: dict[str, bytes]) -> dict:
    raw = tmp_path / "raw"
    shutil.rmtree(raw, ignore_errors=True)            # hypothesis reuses the folder between examples
    for name, data in files.items():
        (raw / name).parent.mkdir(parents=True, exist_ok=True)
        (raw / name).write_bytes(data)
    out = tmp_path / "clean"
    manifest = curate_folder(raw, out, PASSES, recipe=RECIPE, force=True)
    _check_output_accounting(out, manifest)
    return manifest


def _check_output_accounting(out: Path, manifest: dict) -> None:
    """Recount from the files themselves, not from the manifest's own counters."""
    in_splits = 0
    for split in ("train", "validation", "test"):
        for row in read_lines(out / f"{split}.jsonl"):       # an empty split has no file
            in_splits += "copy_of" not in row.get("meta", {})
    rejects = len((out / "rejects.jsonl").read_bytes().splitlines())
    assert sum(f["rows"] for f in manifest["inputs"]) == in_splits + rejects
    assert manifest["accounting"]["ok"]


@pytest.fixture(scope="module")
def fuzz_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("fuzz")


@SETTINGS
@given(fmt=st.sampled_from(["jsonl", "json", "csv", "tsv", "txt"]), rows=ROWS,
       encoding=st.sampled_from(UNICODE + ("utf-16-be-bom",)), newline=st.sampled_from(ENDINGS))
def test_every_row_of_a_unicode_file_is_read_whatever_its_encoding_and_line_ends(
        fuzz_dir, fmt, rows, encoding, newline):
    data = _encode(_serialise(fmt, rows, newline), encoding)
    manifest = _run(fuzz_dir, {f"data.{fmt}": data})
    read = sum(f["rows"] for f in manifest["inputs"])
    assert read == _expected_rows(fmt, rows), (manifest["inputs"], manifest["skipped"])


@SETTINGS
@given(fmt=st.sampled_from(["csv", "txt"]), rows=ROWS, newline=st.sampled_from(ENDINGS))
def test_a_legacy_windows_export_is_read_whole(fuzz_dir, fmt, rows, newline):
    text = _serialise(fmt, rows, newline)
    data = text.encode("cp1252", "replace")         # emoji and Devanagari become '?', as Excel does
    manifest = _run(fuzz_dir, {f"export.{fmt}": data})
    assert sum(f["rows"] for f in manifest["inputs"]) == _expected_rows(fmt, [
        {k: v.encode("cp1252", "replace").decode("cp1252") for k, v in r.items()} for r in rows])


@SETTINGS
@given(fmt=st.sampled_from(["jsonl", "csv", "tsv", "txt", "json"]), rows=ROWS,
       encoding=st.sampled_from(UNICODE), newline=st.sampled_from(ENDINGS),
       damage=st.lists(st.tuples(st.floats(0, 1), JUNK), max_size=4))
def test_damaged_bytes_never_crash_a_run_or_lose_a_row(fuzz_dir, fmt, rows, encoding, newline, damage):
    text = _serialise(fmt, rows, newline)
    data = bytearray(text.encode(encoding))
    for where, junk in damage:                       # NULs, stray CRs, cut multi-byte sequences
        at = int(where * len(data))
        data[at:at] = junk
    _run(fuzz_dir, {f"data.{fmt}": bytes(data)})


@SETTINGS
@given(blobs=st.lists(st.binary(max_size=300), min_size=1, max_size=3),
       suffixes=st.lists(st.sampled_from([".jsonl", ".csv", ".tsv", ".txt", ".json", ".html"]),
                         min_size=3, max_size=3))
def test_arbitrary_bytes_never_crash_a_run(fuzz_dir, blobs, suffixes):
    _run(fuzz_dir, {f"f{i}{suffixes[i]}": blob for i, blob in enumerate(blobs)})
