"""kill -9 a `curate run` at several points, run it again, and the output is byte for byte what an
uninterrupted run writes (issue 13 §1: a killed run's leftovers are neither read nor kept).

The output folder sits inside the input folder, the case where a leftover used to be read back as
input. Kills land in start-up, as the temporary folder appears, and at seeded random fractions of
the time the uninterrupted run kept its temporary folder (what they interrupt varies with load).
"""
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from _curate_util import support_rows, write_jsonl

REPO = Path(__file__).resolve().parents[1]
COMPARED = ("train.jsonl", "validation.jsonl", "test.jsonl", "rejects.jsonl")


def _make_input(raw: Path) -> None:
    rows = support_rows(3000)
    rows[10]["output"] = "Write to priya.sharma@example.com"               # kept (pii is skipped)
    write_jsonl(raw / "tickets.jsonl", rows + rows[:200])                   # 200 exact duplicates
    with open(raw / "tickets.jsonl", "a", encoding="utf-8") as f:
        f.write('{"instruction": "cut off mid-line\n')
    (raw / "faq.csv").write_text("question,answer\nCard kho gaya?,App mein Block dabayein.\n"
                                 "मेरा पिन क्या है?,ऐप में Cards > PIN देखें।\n", encoding="utf-8")


def _start(raw: Path) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.Popen([sys.executable, "-m", "curate.cli", "run", str(raw), "--out", str(raw / "clean"),
                             "--skip", "pii", "--workers", "1", "--seed", "3", "--force", "-q"],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _run(raw: Path) -> float:
    """Run to the end; returns how long its temporary folder existed (the window for kills)."""
    proc, appeared = _start(raw), None
    while proc.poll() is None:
        if appeared is None and list(raw.glob(".clean.tmp-*")):
            appeared = time.monotonic()
        time.sleep(0.005)
    assert proc.returncode == 0, proc.stderr.read().decode()
    return time.monotonic() - appeared if appeared is not None else 0.0


def _snapshot(out: Path) -> dict[str, object]:
    """The output's bytes; the manifest without its timings (wall time differs run to run)."""
    snap: dict[str, object] = {name: (out / name).read_bytes() for name in COMPARED}
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    manifest.pop("timings")
    for p in manifest["passes"]:
        p.pop("seconds")
    snap["manifest.json"] = manifest
    return snap


def _kill_at(raw: Path, delay: float | None) -> bool:
    """Start a run and kill -9 it `delay` s after its temporary folder appears (None: at once,
    in start-up); True when the kill left a temporary folder behind."""
    proc = _start(raw)
    deadline = time.monotonic() + 120
    while delay is not None and proc.poll() is None and not list(raw.glob(".clean.tmp-*")) \
            and time.monotonic() < deadline:
        time.sleep(0.005)
    time.sleep(delay or 0.0)
    if proc.poll() is None:
        proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=60)
    return bool(list(raw.glob(".clean.tmp-*")))


def test_rerun_after_kill_9_gives_the_uninterrupted_output(tmp_path):
    reference, raw = tmp_path / "reference", tmp_path / "raw"
    _make_input(reference)
    window = _run(reference)
    expected = _snapshot(reference / "clean")
    assert expected["manifest.json"]["accounting"]["rows_read"] == 3203

    _make_input(raw)
    rng, leftovers = random.Random(13), 0
    for delay in [None, 0.0] + [rng.uniform(0.1, 0.9) * window for _ in range(2)]:
        leftovers += _kill_at(raw, delay)
        if (raw / "clean").exists():             # the previous output, or the new one complete
            assert _snapshot(raw / "clean") == expected
        _run(raw)
        assert _snapshot(raw / "clean") == expected
        assert not list(raw.glob(".clean.tmp-*")) and not list(raw.glob(".clean.old-*"))
    assert leftovers >= 2                         # the kills did land mid-run
    shutil.rmtree(tmp_path)
