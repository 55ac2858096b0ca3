"""train.loop on the tiny random model: learning, saving, resuming, the card, normalisation."""
import copy
import json
from contextlib import nullcontext

import pytest
from _train_util import write_clean

from train import loop
from train.card import Best
from train.loop import TrainConfig, train


def config(tiny_model_dir, tmp_path, name="run", **overrides):
    values = dict(data=str(write_clean(tmp_path / "clean")), out=str(tmp_path / name),
                  model=str(tiny_model_dir), max_steps=8, lr=1e-2, batch_size=4, eval_every=4,
                  precision="fp32", seed=1)
    return TrainConfig(**{**values, **overrides})


def reloaded_val_loss(cfg, run_dir):
    """Validation loss of base + the adapter as saved on disk, by the trainer's own evaluate."""
    from peft import PeftModel

    from train.data import encode, read_split
    from tunecraft.models import load_model

    base, tokenizer = load_model(cfg.model)
    model = PeftModel.from_pretrained(base, run_dir / "adapter")
    val = encode(read_split(cfg.data, "validation"), tokenizer, cfg.template, cfg.max_len)
    return loop.evaluate(model, val.examples, cfg.batch_size, tokenizer.pad_token_id, nullcontext)


def test_loss_falls_on_a_memorisable_set(tiny_model_dir, tmp_path):
    run = train(config(tiny_model_dir, tmp_path, max_steps=24, eval_every=12), quiet=True)
    val = [h.loss for h in run.history.validation]
    assert [h.step for h in run.history.validation] == [0, 12, 24]
    assert val[-1] < 0.9 * val[0]
    assert run.best == Best(step=24, val_loss=val[-1])


def test_saved_adapter_reloads_to_the_same_model(tiny_model_dir, tmp_path):
    cfg = config(tiny_model_dir, tmp_path)
    run = train(cfg, quiet=True)
    assert reloaded_val_loss(cfg, tmp_path / "run") == pytest.approx(run.best.val_loss,
                                                                      rel=1e-6)
    assert run.best.val_loss < run.history.validation[0].loss  # not a no-op adapter


def test_adapter_config_is_written_in_a_stable_order(tiny_model_dir, tmp_path):
    """peft writes target_modules in set (hash) order, different in every process; the adapter's
    digest keys evalkit's generation cache, so the file must not depend on PYTHONHASHSEED."""
    train(config(tiny_model_dir, tmp_path, max_steps=1), quiet=True)
    written = json.loads((tmp_path / "run" / "adapter" / "adapter_config.json").read_text())
    assert len(written["target_modules"]) >= 4
    assert written["target_modules"] == sorted(written["target_modules"])


def test_resume_after_interruption_ends_with_the_same_adapter(tiny_model_dir, tmp_path,
                                                              monkeypatch):
    from safetensors.torch import load_file

    whole = train(config(tiny_model_dir, tmp_path, "whole", eval_every=2), quiet=True)
    real_step, calls = loop.train_step, []

    def interrupted_step(*args, **kwargs):
        calls.append(1)
        if len(calls) == 5:
            raise KeyboardInterrupt
        return real_step(*args, **kwargs)

    cfg = config(tiny_model_dir, tmp_path, "parts", eval_every=2)
    monkeypatch.setattr(loop, "train_step", interrupted_step)
    with pytest.raises(KeyboardInterrupt):
        train(cfg, quiet=True)
    assert not (tmp_path / "parts" / "adapter").exists()
    monkeypatch.setattr(loop, "train_step", real_step)
    resumed = train(TrainConfig(data=cfg.data, out=cfg.out), resume=True, quiet=True)

    a = load_file(tmp_path / "whole" / "adapter" / "adapter_model.safetensors")
    b = load_file(tmp_path / "parts" / "adapter" / "adapter_model.safetensors")
    assert a.keys() == b.keys() and all((a[k] == b[k]).all() for k in a)
    assert resumed.history.validation == whole.history.validation
    assert [h.loss for h in resumed.history.train] == [h.loss for h in whole.history.train]


def test_run_json_records_template_model_and_data(tiny_model_dir, tmp_path):
    from tunecraft.hashing import file_sha256
    from tunecraft.models import load_tokenizer

    cfg = config(tiny_model_dir, tmp_path, max_steps=2)
    train(cfg, quiet=True)
    run = json.loads((tmp_path / "run" / "run.json").read_text())
    chat_template = load_tokenizer(tiny_model_dir).chat_template
    assert run["template"]["kind"] == "chat"
    assert run["template"]["chat_template"] == chat_template
    saved = json.loads((tmp_path / "run" / "adapter" / "tokenizer_config.json").read_text())
    adapter_template = saved.get("chat_template") or \
        (tmp_path / "run" / "adapter" / "chat_template.jinja").read_text()
    assert adapter_template == chat_template
    assert run["base_model"]["sha256"] == file_sha256(tiny_model_dir / "model.safetensors")
    assert run["data"]["manifest_sha256"] == file_sha256(tmp_path / "clean" / "manifest.json")
    assert run["config"]["max_steps"] == 2 and run["steps"] == 2
    assert set(run["lora"]["target_modules"]) == {"q_proj", "k_proj", "v_proj", "o_proj",
                                                  "gate_proj", "up_proj", "down_proj"}
    assert run["tokens_per_s"]["all"] > run["tokens_per_s"]["completion"] > 0
    assert run["versions"]["torch"] and run["peak_memory_mb"] > 0


def test_grad_accumulation_equals_one_big_batch(tiny_model_dir, tmp_path):
    import torch

    from train.data import collate, encode, read_split
    from train.adapters import LoraSettings, apply_lora
    from tunecraft.models import load_model

    cfg = config(tiny_model_dir, tmp_path)
    base, tokenizer = load_model(cfg.model)
    torch.manual_seed(0)
    model, _ = apply_lora(base, LoraSettings(rank=4, dropout=0.0))
    # Unequal completion-token counts: a per-micro-batch mean would weight them wrongly.
    examples = encode(read_split(cfg.data, "train"), tokenizer, "chat", 256).examples
    pad = tokenizer.pad_token_id
    small, big = examples[:1], examples[1:]

    def update(micro):
        m = copy.deepcopy(model)
        params = [p for p in m.parameters() if p.requires_grad]
        before = [p.detach().clone() for p in params]
        optimizer = torch.optim.SGD(params, lr=1.0)
        scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: 1.0)
        loop.train_step(m, optimizer, scheduler, micro, 1e9, nullcontext)
        return torch.cat([(p.detach() - b).flatten() for p, b in zip(params, before)])

    together = update([collate(small + big, pad)])
    accumulated = update([collate(small, pad), collate(big, pad)])
    assert together.abs().sum() > 0
    assert torch.allclose(together, accumulated, atol=1e-6, rtol=1e-4)


def test_early_stopping_keeps_the_best_adapter(tiny_model_dir, tmp_path, monkeypatch):
    from peft import get_peft_model_state_dict
    from safetensors.torch import load_file

    scripted = iter([3.0, 2.5, 2.0, 2.2, 2.1, 1.0, 0.5])  # best at step 2, then 2 worse evals
    snapshots = []

    def fake_evaluate(model, *args):
        snapshots.append({k: v.clone() for k, v in get_peft_model_state_dict(model).items()})
        return next(scripted)

    monkeypatch.setattr(loop, "evaluate", fake_evaluate)
    run = train(config(tiny_model_dir, tmp_path, max_steps=6, eval_every=1, patience=2),
                quiet=True)
    assert run.stopped_early and run.steps == 4
    assert run.best == Best(step=2, val_loss=2.0)
    saved = load_file(tmp_path / "run" / "adapter" / "adapter_model.safetensors")
    assert saved.keys() == snapshots[2].keys()
    assert all(torch_equal(saved[k], snapshots[2][k]) for k in saved)
    assert not all(torch_equal(saved[k], snapshots[4][k]) for k in saved)


def torch_equal(a, b) -> bool:
    return bool((a == b).all())


def test_bf16_trains_and_records_precision(tiny_model_dir, tmp_path):
    run = train(config(tiny_model_dir, tmp_path, precision="bf16", max_steps=12, eval_every=12),
                quiet=True)
    val = [h.loss for h in run.history.validation]
    assert run.precision == "bf16" and val[-1] < val[0]
