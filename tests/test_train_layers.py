"""--lora-layers N: adapters on the top N blocks only, and no autograd graph below the lowest
adapted block (no activation gradients, no checkpoint recompute there), with the loss and the
adapters' gradients of the full graph. The tiny model has 2 blocks: N = 1 leaves block 0 frozen."""
import json

import pytest
from _train_util import PAIRS, write_clean

from train.card import RunCard
from train.config import ConfigError, TrainConfig
from train.data import collate, encode, read_split
from train.loop import completion_loss, train
from train.modeling import prepare

MORE = PAIRS + [
    ("def add(a, b): return a+b  # why does add('1', 2) fail?", "TypeError: str + int; cast first."),
    ("What is 17 × 23?", "17 × 23 = 391"),
    ("Mera OTP nahi aa raha, kya karun?", "Aapka OTP dobara bhej diya gaya hai, 2 minute rukiye."),
]


def config(tiny_model_dir, tmp_path, **overrides):
    values = dict(data=str(write_clean(tmp_path / "clean", train_pairs=MORE)),
                  out=str(tmp_path / "run"), model=str(tiny_model_dir), max_steps=4, lr=1e-2,
                  batch_size=4, eval_every=2, precision="fp32", seed=1, dropout=0.0)
    return TrainConfig(**{**values, **overrides})


def prepared(cfg):
    import torch

    torch.manual_seed(0)
    model, tokenizer, _ = prepare(cfg, "fp32", "cpu")
    for name, p in model.named_parameters():       # non-zero B: the adapters change the loss
        if "lora_B" in name:
            p.data.normal_(0, 0.05)
    examples = encode(read_split(cfg.data, "train"), tokenizer, "chat", 256).examples
    assert len(examples) == len(MORE)
    return model, collate(examples, tokenizer.pad_token_id)


def block_outputs_requiring_grad(model, batch) -> tuple[bool, list[bool]]:
    """(does the embeddings' output require grad, does each block's output), in one training
    forward; the loss is returned through backward so checkpointed blocks run as in training."""
    base = model.get_base_model()
    seen = []

    def record(module, args, output):
        hidden = output[0] if isinstance(output, tuple) else output
        seen.append(hidden.requires_grad)

    hooks = [block.register_forward_hook(record) for block in base.get_decoder().layers]
    hooks.append(base.get_input_embeddings().register_forward_hook(record))
    try:
        loss, _ = completion_loss(model, batch)
        loss.backward()
    finally:
        for hook in hooks:
            hook.remove()
    return seen[0], seen[1:]


def adapter_grads(model, batch):
    model.zero_grad()
    loss, _ = completion_loss(model, batch)
    loss.backward()
    return float(loss.detach()), {k: p.grad.clone() for k, p in model.named_parameters()
                                  if p.requires_grad}


@pytest.mark.parametrize("checkpointing", ["on", "off"])
def test_frozen_blocks_below_the_adapters_build_no_graph(tiny_model_dir, tmp_path, checkpointing):
    model, batch = prepared(config(tiny_model_dir, tmp_path, lora_layers=1,
                                   gradient_checkpointing=checkpointing))
    trainable = [n for n, p in model.named_parameters() if p.requires_grad]
    assert trainable and all(".layers.1." in n for n in trainable)
    embeddings, blocks = block_outputs_requiring_grad(model, batch)
    assert (embeddings, blocks) == (False, [False, True])
    checkpointed = [b.gradient_checkpointing for b in model.get_base_model().get_decoder().layers]
    assert checkpointed == ([False, True] if checkpointing == "on" else [False, False])


def test_every_block_adapted_needs_no_gradient_into_the_embeddings(tiny_model_dir, tmp_path):
    """transformers and peft hook the embeddings for reentrant checkpointing; ours is not."""
    model, batch = prepared(config(tiny_model_dir, tmp_path))
    embeddings, blocks = block_outputs_requiring_grad(model, batch)
    assert (embeddings, blocks) == (False, [True, True])


@pytest.mark.parametrize("lora_layers", [0, 1])
def test_loss_and_gradients_equal_the_full_graphs(tiny_model_dir, tmp_path, lora_layers):
    """The same adapters, once with the graph cut below them and once with the embeddings'
    output requiring grad (the graph down to the inputs, as before): same loss, same gradients."""
    import torch

    model, batch = prepared(config(tiny_model_dir, tmp_path, lora_layers=lora_layers))
    cut_loss, cut = adapter_grads(model, batch)
    model.get_base_model().enable_input_require_grads()
    assert block_outputs_requiring_grad(model, batch)[0] is True
    full_loss, full = adapter_grads(model, batch)
    assert cut_loss == pytest.approx(full_loss, rel=1e-6)
    assert cut.keys() == full.keys() and cut
    for name in cut:
        assert cut[name].abs().sum() > 0, name
        torch.testing.assert_close(cut[name], full[name], atol=1e-7, rtol=1e-5)


def test_the_setting_round_trips_through_the_run_card_and_the_adapter(tiny_model_dir, tmp_path):
    from peft import PeftModel

    from tunecraft.models import load_model

    cfg = config(tiny_model_dir, tmp_path, lora_layers=1)
    run = train(cfg, quiet=True)
    card = RunCard.read(tmp_path / "run")
    assert card.config.lora_layers == 1 and card.lora.layers == [1] == run.lora.layers
    written = json.loads((tmp_path / "run" / "adapter" / "adapter_config.json").read_text())
    assert written["layers_to_transform"] == [1]
    base, _ = load_model(cfg.model)
    reloaded = PeftModel.from_pretrained(base, tmp_path / "run" / "adapter")
    names = [n for n, _ in reloaded.named_parameters() if "lora_" in n]
    assert names and all(".layers.1." in n for n in names)


def test_an_old_card_without_layers_still_reads(tiny_model_dir, tmp_path):
    train(config(tiny_model_dir, tmp_path, max_steps=1), quiet=True)
    path = tmp_path / "run" / "run.json"
    raw = json.loads(path.read_text())
    del raw["lora"]["layers"], raw["config"]["lora_layers"]
    path.write_text(json.dumps(raw))
    card = RunCard.read(tmp_path / "run")
    assert card.lora.layers is None and card.config.lora_layers == 0


def test_more_layers_than_the_model_has_is_one_line_naming_the_setting(tiny_model_dir, tmp_path):
    with pytest.raises(ConfigError, match=r"lora_layers must be at most 2 .*got 3"):
        prepare(config(tiny_model_dir, tmp_path, lora_layers=3), "fp32", "cpu")
    with pytest.raises(ConfigError, match="lora_layers must be an integer"):
        config(tiny_model_dir, tmp_path, lora_layers=-1)
