"""Input and output on an fsspec filesystem (s3:// in use; memory:// and file:// here): the same
files as a local run, uploaded only when the run succeeded, manifest last (issue 17)."""
import fsspec
import pytest
from _curate_util import read_lines

from curate.api import curate_into
from curate.readers import InputError
from curate.recipe import load_recipe
from curate.writers import OutputError

ROWS = ('{"instruction": "UPI PIN kaise reset karein?", "output": "Settings mein Reset PIN chunein."}\n'
        '{"instruction": "मेरा कार्ड ब्लॉक हो गया है", "output": "ऐप में Cards खोलें और Unblock दबाएँ।"}\n'
        '{"instruction": "<p>Export my <b>statement</b></p>", "output": "Tap <code>Export</code>."}\n'
        '{"instruction": "broken line\n')


@pytest.fixture
def memory():
    fs = fsspec.filesystem("memory")
    fs.rm("/curate-test", recursive=True) if fs.exists("/curate-test") else None
    fs.pipe("/curate-test/raw/tickets.jsonl", ROWS.encode())
    fs.pipe("/curate-test/raw/more/faq.jsonl", ROWS.encode())
    yield fs
    fs.rm("/curate-test", recursive=True)


def _local_copy(tmp_path):
    raw = tmp_path / "raw"
    (raw / "more").mkdir(parents=True)
    (raw / "tickets.jsonl").write_text(ROWS, encoding="utf-8")
    (raw / "more" / "faq.jsonl").write_text(ROWS, encoding="utf-8")
    return raw


def test_memory_url_in_and_out_gives_the_bytes_of_a_local_run(tmp_path, memory):
    recipe = load_recipe(None, seed=3, skip="pii")
    curate_into("memory://curate-test/raw/", "memory://curate-test/clean", recipe, workers=1, progress=False)
    curate_into(_local_copy(tmp_path), tmp_path / "clean", recipe, workers=1, progress=False)
    for name in ("train.jsonl", "validation.jsonl", "test.jsonl", "rejects.jsonl"):
        local = tmp_path / "clean" / name
        assert memory.exists(f"/curate-test/clean/{name}") == local.exists(), name
        if local.exists():
            assert memory.cat(f"/curate-test/clean/{name}") == local.read_bytes(), name
    assert memory.exists("/curate-test/clean/manifest.json")
    ids = [r["id"] for r in read_lines(tmp_path / "clean" / "rejects.jsonl")]
    assert "more/faq.jsonl:4" in ids and "tickets.jsonl:4" in ids       # relative paths kept


def test_file_url_input_and_an_existing_url_output_needs_force(tmp_path, memory):
    raw = _local_copy(tmp_path)
    recipe = load_recipe(None, seed=3, skip="pii")
    curate_into(f"file://{raw}", "memory://curate-test/clean", recipe, workers=1, progress=False)
    with pytest.raises(OutputError, match="already exists"):
        curate_into(f"file://{raw}", "memory://curate-test/clean", recipe, workers=1, progress=False)
    memory.pipe("/curate-test/clean/stale.txt", b"from an older run")
    curate_into(f"file://{raw}", "memory://curate-test/clean", recipe, workers=1, progress=False, force=True)
    assert not memory.exists("/curate-test/clean/stale.txt")


def test_a_missing_url_input_is_a_one_line_error(memory):
    with pytest.raises(InputError, match="input not found: memory://curate-test/nothing"):
        curate_into("memory://curate-test/nothing", "memory://curate-test/clean",
                    load_recipe(None, skip="pii"), workers=1, progress=False)
