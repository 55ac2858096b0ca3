"""A run never reads another run's output, two runs to one --out cannot both succeed, SIGTERM
acts as Ctrl-C, and a folder that cannot be written is one line (issue 13 §1)."""
import errno
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from _curate_util import ShortStub, SplitStub, read_lines, support_rows, write_jsonl
from typer.testing import CliRunner

import curate.writers as writers
from curate.cli import app
from curate.pipeline import curate_folder
from curate.recipe import Recipe
from curate.writers import MARKER, OutputError, claim_output

REPO = Path(__file__).resolve().parents[1]


def _raw(root, n=30):
    write_jsonl(root / "raw" / "tickets.jsonl", support_rows(n))
    return root / "raw"


def _run(raw, out, **kw):
    return curate_folder(raw, out, [ShortStub(), SplitStub()], recipe=Recipe(), **kw)


def _leftover(folder, rows):
    """What a run killed mid-write leaves: its marker and half-written splits."""
    folder.mkdir(parents=True)
    (folder / MARKER).write_text(writers.MARKER_TEXT)
    write_jsonl(folder / "train.jsonl", rows)
    (folder / "report.html").write_text("<html><body><p>Rows read: 30</p></body></html>")


def test_leftover_temp_folder_of_a_killed_run_is_removed_not_read(tmp_path):
    raw = _raw(tmp_path)
    _leftover(raw / ".clean.tmp-k1ll3d", support_rows(20))
    manifest = _run(raw, raw / "clean")
    assert manifest["accounting"]["rows_read"] == 30
    assert [f["path"] for f in manifest["inputs"]] == ["tickets.jsonl"]
    assert not (raw / ".clean.tmp-k1ll3d").exists()          # cleaned up by the next run


def test_other_runs_output_and_temp_folders_inside_the_input_are_listed_not_read(tmp_path):
    raw = _raw(tmp_path)
    _run(raw, raw / "clean_a")                                 # a finished output (manifest, no marker)
    _leftover(raw / ".clean_b.tmp-x", support_rows(5))         # another output's unfinished run
    manifest = _run(raw, raw / "clean_c")
    assert [f["path"] for f in manifest["inputs"]] == ["tickets.jsonl"]
    assert manifest["accounting"]["rows_read"] == 30
    assert {s["path"]: s["reason"] for s in manifest["skipped"]} == {
        ".clean_a.lock": "unknown file type '.lock'",             # clean_a's run lock, not data
        ".clean_b.tmp-x/": "unfinished curate run (temporary folder)",
        "clean_a/": "curate output folder (has its manifest.json)"}
    assert (raw / ".clean_b.tmp-x").exists()                   # not this run's to remove


def test_a_user_folder_with_a_temp_like_name_is_still_read(tmp_path):
    """Recognised by the marker, not by the name: the user's own data is never skipped."""
    raw = _raw(tmp_path)
    write_jsonl(raw / ".clean.tmp-notes" / "extra.jsonl", support_rows(4))
    manifest = _run(raw, tmp_path / "clean")
    assert manifest["accounting"]["rows_read"] == 34
    assert (raw / ".clean.tmp-notes" / "extra.jsonl").exists()


def test_a_second_run_to_the_same_output_is_refused_while_the_first_holds_it(tmp_path):
    raw, out = _raw(tmp_path), tmp_path / "clean"
    with claim_output(out):                                    # the first run, still writing
        with pytest.raises(OutputError, match="another curate run is writing"):
            _run(raw, out)
    assert not out.exists()
    assert _run(raw, out)["accounting"]["ok"]                  # free again once it is done


def test_the_lock_is_released_when_its_holder_is_killed(tmp_path):
    raw, out = _raw(tmp_path), tmp_path / "clean"
    code = f"import sys, time; sys.path.insert(0, {str(REPO)!r})\n" \
           "from curate.writers import claim_output\n" \
           f"with claim_output(__import__('pathlib').Path({str(out)!r})):\n" \
           "    print('held', flush=True); time.sleep(60)\n"
    holder = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(OutputError, match="another curate run"):
            _run(raw, out)
    finally:
        holder.kill()
        holder.wait()
    assert _run(raw, out)["accounting"]["ok"]


SLOW_RUN = """
import sys, time
sys.path[:0] = [{repo!r}, {tests!r}]
from _curate_util import ShortStub
from curate.passes.base import Pass
from curate.pipeline import curate_folder
from curate.recipe import Recipe

class Stall(Pass):
    name = "split"
    per_record = False
    def run(self, records, ctx):
        records = list(records)
        open({started!r}, "w").close()
        time.sleep(60)
        yield from records

try:
    curate_folder({raw!r}, {out!r}, [ShortStub(), Stall()], recipe=Recipe())
except KeyboardInterrupt:
    print("interrupted", flush=True)
    sys.exit(130)
"""


def test_sigterm_stops_the_run_like_ctrl_c_and_leaves_nothing(tmp_path):
    raw, out, started = _raw(tmp_path), tmp_path / "clean", tmp_path / "started"
    script = SLOW_RUN.format(repo=str(REPO), tests=str(REPO / "tests"), started=str(started),
                             raw=str(raw), out=str(out))
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not started.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert started.exists(), "the run never reached its slow pass"
    proc.send_signal(signal.SIGTERM)
    stdout, _ = proc.communicate(timeout=30)
    assert proc.returncode == 130 and stdout.strip() == "interrupted"
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.endswith(".lock")) == ["raw", "started"]


def test_output_under_a_file_is_one_line_exit_2_and_nothing_written(tmp_path):
    raw = _raw(tmp_path)
    (tmp_path / "notes.txt").write_text("not a folder")
    result = CliRunner().invoke(app, ["run", str(raw), "--out", str(tmp_path / "notes.txt" / "clean"),
                                      "--skip", "pii,language", "-q"])
    assert result.exit_code == 2, result.output
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("curate: error: cannot write") and "notes.txt" in line
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt", "raw"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_read_only_parent_is_one_line(tmp_path):
    raw, parent = _raw(tmp_path), tmp_path / "ro"
    parent.mkdir()
    parent.chmod(0o555)
    try:
        with pytest.raises(OutputError, match="cannot write"):
            _run(raw, parent / "clean")
    finally:
        parent.chmod(0o755)
    assert list(parent.iterdir()) == []


def test_full_disk_is_one_line_and_keeps_the_previous_output(tmp_path, monkeypatch):
    raw, out = _raw(tmp_path), tmp_path / "clean"
    _run(raw, out)
    before = (out / "train.jsonl").read_bytes()

    def no_space(writer, folder):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    monkeypatch.setattr("curate.writers.RejectsWriter.__init__", no_space)
    with pytest.raises(OutputError, match="cannot write .*No space left on device"):
        _run(raw, out, force=True)
    assert (out / "train.jsonl").read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.endswith(".lock")) == ["clean", "raw"]


def test_workers_beyond_the_cpu_count_are_capped_with_a_warning(tmp_path, monkeypatch):
    monkeypatch.setattr("curate.cli._cores", lambda: 2)
    raw, out = _raw(tmp_path, n=6), tmp_path / "clean"
    result = CliRunner().invoke(app, ["run", str(raw), "--out", str(out), "--workers", "1000",
                                      "--skip", "pii,language,dedup_near", "-q"])
    assert result.exit_code == 0, result.output
    assert "1000 workers asked for, 2 CPU cores available; using 2" in result.stderr
    assert read_lines(out / "train.jsonl") and '"workers": 2' in (out / "manifest.json").read_text()


def test_a_lock_file_that_cannot_be_created_is_a_write_error_not_another_run(tmp_path, monkeypatch):
    """A read-only parent (as a user, not root) fails at the lock file first: the message must
    say the folder cannot be written, not that another run holds it."""
    raw = _raw(tmp_path)
    real_open = os.open

    def read_only(path, flags, *args, **kwargs):
        if str(path).endswith(".lock") and flags & os.O_CREAT:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
        return real_open(path, flags, *args, **kwargs)
    monkeypatch.setattr(os, "open", read_only)
    with pytest.raises(OutputError, match="cannot write .*Permission denied"):
        _run(raw, tmp_path / "clean")
    assert not (tmp_path / "clean").exists()
