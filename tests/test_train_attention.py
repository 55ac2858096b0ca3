"""Short sequences on a CPU train with eager attention (train/modeling.pick_attention): faster there
than torch's CPU flash-attention kernel, and the same arithmetic. The switch must happen exactly
where it is meant to, and must not change what a step computes: the loss and the adapters'
gradients on a right-padded batch of Devanagari, Hinglish, code and maths rows equal SDPA's."""
import pytest
from _train_util import write_clean
from test_frozen_prefix import loss_and_grads
from test_train_layers import MORE
from tiny_model import build_tiny_model

from train.config import TrainConfig
from train.data import collate, encode, read_split
from train.modeling import EAGER_MAX_LEN, prepare


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    return build_tiny_model(tmp_path_factory.mktemp("tiny"), layers=3)


def config(model_dir, tmp_path, **overrides):
    values = dict(data=str(write_clean(tmp_path / "clean", train_pairs=MORE)),
                  out=str(tmp_path / "run"), model=str(model_dir), max_steps=2, lr=1e-2,
                  batch_size=4, precision="fp32", seed=1, dropout=0.0, lora_layers=2)
    return TrainConfig(**{**values, **overrides})


def attention(model) -> str:
    return model.get_base_model().config._attn_implementation


def test_short_sequences_on_a_cpu_use_eager_attention_and_long_ones_keep_sdpa(tiny, tmp_path):
    short, _, _ = prepare(config(tiny, tmp_path, max_len=EAGER_MAX_LEN), "fp32", "cpu")
    assert attention(short) == "eager"
    long, _, _ = prepare(config(tiny, tmp_path, max_len=EAGER_MAX_LEN + 1), "fp32", "cpu")
    assert attention(long) == "sdpa"


def test_eager_attention_computes_the_loss_and_gradients_sdpa_computes(tiny, tmp_path):
    import torch

    cfg = config(tiny, tmp_path, max_len=128)
    torch.manual_seed(0)
    model, tokenizer, _ = prepare(cfg, "fp32", "cpu")
    for name, p in model.named_parameters():        # non-zero B: the adapters change the loss
        if "lora_B" in name:
            p.data.normal_(0, 0.05)
    examples = encode(read_split(cfg.data, "train"), tokenizer, "chat", 128).examples
    order = sorted(range(len(examples)), key=lambda i: len(examples[i].input_ids))
    batch = collate([examples[i] for i in order[::2]], tokenizer.pad_token_id)  # short and long
    assert (batch["attention_mask"] == 0).any()
    assert attention(model) == "eager"
    eager = loss_and_grads(model, batch)
    model.get_base_model().set_attn_implementation("sdpa")
    sdpa = loss_and_grads(model, batch)
    assert eager[0] == pytest.approx(sdpa[0], rel=1e-5) and eager[1] == sdpa[1]
    for name, grad in sdpa[2].items():
        scale = float(grad.abs().max())
        assert float((eager[2][name] - grad).abs().max()) <= 1e-5 * scale, name
