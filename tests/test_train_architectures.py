"""Any causal LM: tiny random Llama, Qwen2, Mistral, Gemma, Phi and Phi3 models (built from their
configs, no download) train, their loss falls, and the adapter saves and reloads."""
from contextlib import nullcontext

import pytest
from _train_util import write_clean
from tiny_model import ARCHITECTURES, build_tiny_model

from train.data import DataError, encode, read_split
from train.loop import TrainConfig, evaluate, train

# what each architecture calls its projections: the adapters must land on all of them
OWN_NAMES = {"llama": {"q_proj", "gate_proj"}, "qwen2": {"k_proj", "up_proj"},
             "mistral": {"v_proj", "down_proj"}, "gemma": {"o_proj", "gate_proj"},
             "phi": {"dense", "fc1", "fc2"}, "phi3": {"qkv_proj", "gate_up_proj"}}


def config(model_dir, tmp_path, **overrides):
    values = dict(data=str(write_clean(tmp_path / "clean")), out=str(tmp_path / "run"),
                  model=str(model_dir), max_steps=12, lr=1e-2, batch_size=4, eval_every=12,
                  precision="fp32", seed=1, dropout=0.0)
    return TrainConfig(**{**values, **overrides})


@pytest.mark.parametrize("arch", sorted(ARCHITECTURES))
def test_each_architecture_trains_and_its_adapter_reloads(arch, tmp_path):
    from peft import PeftModel

    from tunecraft.models import load_model

    cfg = config(build_tiny_model(tmp_path / arch, arch=arch), tmp_path)
    run = train(cfg, quiet=True)
    first, last = (v.loss for v in run.history.validation)
    assert last < first - 0.2         # nats; Gemma's scaled embeddings learn slowest (−0.27)
    assert OWN_NAMES[arch] <= set(run.lora.target_modules)
    assert "lm_head" not in run.lora.target_modules
    assert run.base_model.architecture.lower().startswith(arch)

    base, tokenizer = load_model(cfg.model)
    reloaded = PeftModel.from_pretrained(base, tmp_path / "run" / "adapter")
    val = encode(read_split(cfg.data, "validation"), tokenizer, "chat", cfg.max_len).examples
    assert evaluate(reloaded, val, 4, tokenizer.pad_token_id, nullcontext) \
        == pytest.approx(run.best.val_loss, rel=1e-5)


def test_a_model_without_a_chat_template_is_a_clear_error(tmp_path):
    model_dir = build_tiny_model(tmp_path / "plain", chat_template=False)
    with pytest.raises(DataError, match="no chat template; use --template prompt-completion"):
        train(config(model_dir, tmp_path), quiet=True)


def test_a_model_without_a_chat_template_trains_on_prompt_completion(tmp_path):
    model_dir = build_tiny_model(tmp_path / "plain", chat_template=False)
    run = train(config(model_dir, tmp_path, template="prompt-completion", max_steps=2,
                       eval_every=2), quiet=True)
    assert run.steps == 2 and run.template.kind == "prompt-completion"
