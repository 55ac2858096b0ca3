"""Two gloo processes (`train lora --nproc 2`, torchrun underneath) train exactly like one process
with the same global batch, only rank 0 writes, and --resume continues under DDP."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from _train_util import PAIRS, write_clean

from train import loop
from train.loop import TrainConfig, train

ROOT = Path(__file__).resolve().parents[1]


def settings(tiny_model_dir, tmp_path) -> dict:
    # 9 examples in batches of 4: every third batch holds one, and the second process nothing
    pairs = PAIRS + [("Kya main EMI ko 6 mahine ke liye badal sakta hoon?", "Haan, app mein.")]
    # dropout 0: two processes draw different dropout masks than one does
    return dict(data=str(write_clean(tmp_path / "clean", train_pairs=pairs)),
                model=str(tiny_model_dir),
                max_steps=6, lr=1e-2, batch_size=4, eval_every=3, precision="fp32", seed=1,
                dropout=0.0)


def train_lora_2_processes(out: Path, *extra: str, **values) -> subprocess.CompletedProcess:
    flags = [arg for key, value in values.items()
             for arg in (f"--{key.replace('_', '-')}", str(value))]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
           "OMP_NUM_THREADS": "1"}
    done = subprocess.run([sys.executable, "-m", "train.cli", "lora", "--nproc", "2", "--quiet",
                           "--out", str(out), *flags, *extra],
                          capture_output=True, text=True, env=env, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return done


def losses(run_dir: Path) -> tuple[list, list]:
    card = json.loads((run_dir / "run.json").read_text())
    return ([p["loss"] for p in card["history"]["train"]],
            [p["loss"] for p in card["history"]["validation"]])


def test_two_processes_train_like_one_and_only_rank_0_writes(tiny_model_dir, tmp_path):
    values = settings(tiny_model_dir, tmp_path)
    one = train(TrainConfig(out=str(tmp_path / "one"), **values), quiet=True)
    done = train_lora_2_processes(tmp_path / "two", **values)
    train_two, val_two = losses(tmp_path / "two")
    assert train_two == pytest.approx([h.loss for h in one.history.train], rel=1e-4)
    assert val_two == pytest.approx([h.loss for h in one.history.validation], rel=1e-4)
    card = json.loads((tmp_path / "two" / "run.json").read_text())
    # each process took its share of every batch, none repeated the others' work
    assert card["tokens"] == {"completion": one.tokens.completion, "all": one.tokens.all}
    assert done.stdout.count("adapter:") == 1                   # one summary, from rank 0
    assert sorted(p.name for p in (tmp_path / "two").iterdir()) == \
        sorted(p.name for p in (tmp_path / "one").iterdir())     # no second copy, no temp file


def test_resume_continues_under_two_processes(tiny_model_dir, tmp_path, monkeypatch):
    values = settings(tiny_model_dir, tmp_path)
    whole = train(TrainConfig(out=str(tmp_path / "whole"), **values), quiet=True)
    real_step, calls = loop.train_step, []

    def interrupted_step(*args, **kwargs):
        calls.append(1)
        if len(calls) == 5:                       # after the checkpoint at step 3
            raise KeyboardInterrupt
        return real_step(*args, **kwargs)

    monkeypatch.setattr(loop, "train_step", interrupted_step)
    with pytest.raises(KeyboardInterrupt):
        train(TrainConfig(out=str(tmp_path / "parts"), **values), quiet=True)
    train_lora_2_processes(tmp_path / "parts", "--resume", data=values["data"])
    train_parts, val_parts = losses(tmp_path / "parts")
    assert len(train_parts) == 6
    assert train_parts == pytest.approx([h.loss for h in whole.history.train], rel=1e-4)
    assert val_parts == pytest.approx([h.loss for h in whole.history.validation], rel=1e-4)
