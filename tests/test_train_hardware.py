"""Gradient checkpointing (the same training, less memory), --qlora's clear error without CUDA,
and what a process that is not rank 0 writes: nothing."""
import pytest
from _train_util import write_clean

from train.config import ConfigError
from train.loop import TrainConfig, train
from train.modeling import HardwareError


def config(tiny_model_dir, tmp_path, name="run", **overrides):
    values = dict(data=str(write_clean(tmp_path / "clean")), out=str(tmp_path / name),
                  model=str(tiny_model_dir), max_steps=4, lr=1e-2, batch_size=4, eval_every=2,
                  precision="fp32", seed=1, dropout=0.0)
    return TrainConfig(**{**values, **overrides})


def test_checkpointing_trains_exactly_like_keeping_activations(tiny_model_dir, tmp_path):
    kept = train(config(tiny_model_dir, tmp_path, "kept", gradient_checkpointing="off"),
                 quiet=True)
    redone = train(config(tiny_model_dir, tmp_path, "redone", gradient_checkpointing="on"),
                   quiet=True)
    assert [h.loss for h in redone.history.train] == \
        pytest.approx([h.loss for h in kept.history.train], rel=1e-5)
    assert redone.history.train[-1].loss < redone.history.train[0].loss


def test_checkpointing_is_really_on(tiny_model_dir, tmp_path):
    from train.modeling import prepare

    def checkpointing(model):
        return any(getattr(m, "gradient_checkpointing", False) for m in model.modules())

    model, _, _ = prepare(config(tiny_model_dir, tmp_path, gradient_checkpointing="on"),
                          "fp32", "cpu")
    assert checkpointing(model)
    model, _, _ = prepare(config(tiny_model_dir, tmp_path, gradient_checkpointing="off"),
                          "fp32", "cpu")
    assert not checkpointing(model)


def test_checkpointing_is_on_by_default(tiny_model_dir, tmp_path):
    assert config(tiny_model_dir, tmp_path).gradient_checkpointing == "on"


def test_a_bad_checkpointing_value_names_the_flag(tiny_model_dir, tmp_path):
    with pytest.raises(ConfigError, match="gradient_checkpointing must be one of on, off"):
        config(tiny_model_dir, tmp_path, gradient_checkpointing="yes")


def test_qlora_without_cuda_is_one_clear_line(tiny_model_dir, tmp_path, monkeypatch):
    import torch

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(HardwareError, match="--qlora needs a CUDA GPU") as info:
        train(config(tiny_model_dir, tmp_path, qlora=True), quiet=True)
    assert "\n" not in str(info.value)
    assert not (tmp_path / "run").exists()       # refused before anything was written


def test_qlora_cannot_be_merged(tiny_model_dir, tmp_path):
    with pytest.raises(ConfigError, match="merge"):
        config(tiny_model_dir, tmp_path, qlora=True, merge=True)


def test_a_process_that_is_not_rank_0_writes_nothing(tiny_model_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("RANK", "1")           # WORLD_SIZE stays 1: no collectives to wait on
    run = train(config(tiny_model_dir, tmp_path, max_steps=2), quiet=True)
    assert run.steps == 2
    assert not (tmp_path / "run").exists()
