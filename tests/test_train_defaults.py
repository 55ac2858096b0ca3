"""Training defaults on small data: epochs with early stopping, lr by width, a capped validation
set, and a run that shows progress (and its folder) from the start when nobody watches a terminal."""
import pytest
from _train_util import PAIRS, write_clean

from train.data import DataError, cap_validation
from train.loop import TrainConfig, default_lr, train


def config(tiny_model_dir, tmp_path, **overrides):
    if "data" not in overrides:
        overrides["data"] = str(write_clean(tmp_path / "clean"))
    values = dict(out=str(tmp_path / "run"), model=str(tiny_model_dir), batch_size=4,
                  precision="fp32", seed=1)
    return TrainConfig(**{**values, **overrides})


def test_without_max_steps_it_trains_by_epochs_with_auto_lr_and_evaluations(tiny_model_dir,
                                                                             tmp_path):
    run = train(config(tiny_model_dir, tmp_path, epochs=2), quiet=True)
    assert run.config.lr == 5e-4                  # hidden size 64: the small-model rate
    assert run.stop.planned_steps == 4            # 8 examples / batch 4 × 2 epochs
    assert run.config.eval_every == 1             # four evaluations per epoch, at least 1
    assert run.stop.reason in ("epochs", "early_stopping")
    assert run.stop.epochs_done == run.steps / 2


@pytest.mark.parametrize("hidden,lr", [(576, 5e-4), (960, 5e-4), (2048, 3e-4), (4096, 2e-4),
                                       (8192, 1e-4)])
def test_default_lr_by_model_width(hidden, lr):
    assert default_lr(hidden) == lr


def test_validation_is_capped_to_a_seeded_sample(tiny_model_dir, tmp_path):
    many = [(f"{q} (ticket {n})", a) for n in range(4) for q, a in PAIRS]   # 32 rows, Hindi too
    data = write_clean(tmp_path / "clean", val_pairs=many)
    run = train(config(tiny_model_dir, tmp_path, data=str(data), max_steps=1, val_limit=5),
                quiet=True)
    assert run.data.validation["kept"] == 5
    assert run.data.validation["rows_in_split"] == 32


def test_cap_validation_keeps_file_order_and_is_seeded():
    rows = list(range(100))
    a = cap_validation(rows, 10, seed=0)
    assert len(a) == 10 and a == sorted(a) and a == cap_validation(rows, 10, seed=0)
    assert a != rows[:10] and a != cap_validation(rows, 10, seed=1)
    assert cap_validation(rows, 0) == rows and cap_validation(rows[:3], 10) == rows[:3]


def test_progress_lines_off_a_terminal(tiny_model_dir, tmp_path, capsys):
    train(config(tiny_model_dir, tmp_path, max_steps=2, eval_every=1), quiet=False)
    err = capsys.readouterr().err              # pytest's capture is not a terminal
    assert "train: 8 training examples, 2 steps planned" in err
    assert "train: step 0/2  validation loss" in err and "train: step 1/2  loss" in err


def test_the_run_folder_exists_before_the_first_step(tiny_model_dir, tmp_path, monkeypatch):
    import train.loop as loop

    seen, step = [], loop.train_step

    def checking_step(*args, **kwargs):
        seen.append((tmp_path / "run").is_dir())
        return step(*args, **kwargs)

    monkeypatch.setattr(loop, "train_step", checking_step)
    train(config(tiny_model_dir, tmp_path, max_steps=2), quiet=True)
    assert seen and all(seen)                     # a long run is visible while it trains


def test_a_run_refused_on_its_data_leaves_no_run_folder(tiny_model_dir, tmp_path):
    """Nothing partial: the folder appears once model and data are ready (issue 18's audit found
    an empty folder left by a refused --qlora)."""
    data = write_clean(tmp_path / "clean")
    (data / "train.jsonl").write_text(            # a user turn and no reply: nothing to learn
        '{"id": "t.jsonl:1", "messages": [{"role": "user", "content": "मेरा खाता बंद है"}]}\n',
        encoding="utf-8")
    with pytest.raises(DataError, match="no usable training examples"):
        train(config(tiny_model_dir, tmp_path, data=str(data)), quiet=True)
    assert not (tmp_path / "run").exists()
