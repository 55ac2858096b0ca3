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


def _leftovers(memory) -> list[str]:
    return [p for p in memory.find("/curate-test") if "/clean" in p]


def test_a_run_that_fails_publishes_nothing(tmp_path, memory, monkeypatch):
    """The run dies after writing part of its folder: no clean/ and no temporary prefix."""
    import curate.pipeline

    def dies(input_dir, out_dir, *args, **kwargs):
        out_dir.mkdir(parents=True)
        (out_dir / "train.jsonl").write_text('{"id": "half"}\n')
        raise RuntimeError("killed mid-run")
    monkeypatch.setattr(curate.pipeline, "run_curation", dies)
    with pytest.raises(RuntimeError, match="killed mid-run"):
        curate_into("memory://curate-test/raw/", "memory://curate-test/clean", load_recipe(None, skip="pii"),
                    workers=1, progress=False)
    assert _leftovers(memory) == []


def test_an_upload_that_fails_leaves_no_output_and_no_temporary_prefix(memory, monkeypatch):
    """The third file's upload fails (the network drops): one line naming the URL; neither the
    output nor the temporary prefix the files were going to stays behind."""
    uploads = []

    def flaky(self, local, remote, **kwargs):
        uploads.append(remote)
        if len(uploads) == 3:
            raise ConnectionError("connection reset by peer")
        return original(self, local, remote, **kwargs)
    original = type(memory).put_file
    monkeypatch.setattr(type(memory), "put_file", flaky)
    with pytest.raises(OutputError, match=r"^memory://curate-test/clean: ConnectionError: connection reset"):
        curate_into("memory://curate-test/raw/", "memory://curate-test/clean", load_recipe(None, skip="pii"),
                    workers=1, progress=False)
    assert ".curate-tmp-" in uploads[0] and not uploads[0].endswith("manifest.json")
    assert _leftovers(memory) == []


def test_replacing_an_output_takes_the_old_manifest_first_and_the_new_one_last(tmp_path, memory, monkeypatch):
    recipe = load_recipe(None, seed=3, skip="pii")
    curate_into("memory://curate-test/raw/", "memory://curate-test/clean", recipe, workers=1, progress=False)
    events = []
    for name in ("rm", "copy"):
        original = getattr(type(memory), name)
        monkeypatch.setattr(type(memory), name, lambda self, path, *a, _f=original, _n=name, **k: (
            events.append((_n, str(path))), _f(self, path, *a, **k))[1])
    curate_into("memory://curate-test/raw/", "memory://curate-test/clean", recipe, workers=1, progress=False,
                force=True)
    first_rm = next(path for name, path in events if name == "rm")
    copies = [path for name, path in events if name == "copy"]
    assert first_rm.endswith("/clean/manifest.json") and copies[-1].endswith("manifest.json")
    assert all(".curate-tmp-" in path for path in copies)
    assert _leftovers(memory) and not [p for p in _leftovers(memory) if ".curate-tmp-" in p]


def test_curate_run_and_load_take_urls(tmp_path, memory):
    import curate

    splits = curate.run("memory://curate-test/raw/", "memory://curate-test/clean", seed=3, skip="pii", workers=1)
    local = curate.run(_local_copy(tmp_path), tmp_path / "clean", seed=3, skip="pii", workers=1)
    assert {s: splits[s]["id"] for s in splits} == {s: local[s]["id"] for s in local}
    assert curate.rejects("memory://curate-test/clean")["id"].tolist() == \
           curate.rejects(tmp_path / "clean")["id"].tolist()
    with pytest.raises(OutputError, match="memory://curate-test/raw: not a folder written by `curate run`"):
        curate.load("memory://curate-test/raw")


def test_a_url_whose_filesystem_package_is_missing_is_one_line_naming_it(tmp_path, monkeypatch):
    import sys

    import fsspec.registry   # noqa: F401  (the module; `fsspec.registry` names its mapping)

    monkeypatch.setitem(sys.modules, "s3fs", None)               # `import s3fs` fails
    monkeypatch.delitem(sys.modules["fsspec.registry"]._registry, "s3", raising=False)  # as if never imported
    recipe = load_recipe(None, skip="pii")
    with pytest.raises(InputError, match=r"^s3://tickets/raw/: .*s3fs"):
        curate_into("s3://tickets/raw/", tmp_path / "clean", recipe, workers=1, progress=False)
    with pytest.raises(OutputError, match=r"^s3://tickets/clean/: .*s3fs"):
        curate_into(_local_copy(tmp_path), "s3://tickets/clean/", recipe, workers=1, progress=False)
    assert not (tmp_path / "clean").exists()
