"""--lora-layers N: the frozen blocks below the adapters computed once per example
(train/frozen_prefix.py). With the cache a step must compute what the full forward computes: the
same loss and adapter gradients on batches of other compositions than the cache was built in
(padding), on truncated prompts, Devanagari and Hinglish rows; an adapter trained with it must be
the adapter trained without it, and load in evalkit."""
import pytest
from _train_util import write_clean
from test_train_layers import MORE
from tiny_model import build_tiny_model

from train import frozen_prefix
from train.card import RunCard
from train.config import TrainConfig
from train.data import collate, encode, read_split
from train.loop import completion_loss, train
from train.modeling import prepare

LONG = ("Mera account 3 din se band hai, maine KYC bhi update kiya, branch bhi gaya, phir bhi "
        "netbanking login nahi ho raha. मेरा पैसा फँसा हुआ है, कृपया जल्दी बताइए क्या करूँ?",
        "Aapka KYC verify ho gaya hai; 24 ghante mein login chalu ho jayega.")


def config(model_dir, tmp_path, **overrides):
    values = dict(data=str(write_clean(tmp_path / "clean", train_pairs=MORE + [LONG])),
                  out=str(tmp_path / "run"), model=str(model_dir), max_steps=3, lr=1e-2,
                  batch_size=3, eval_every=2, precision="fp32", seed=1, dropout=0.0,
                  lora_layers=2)
    return TrainConfig(**{**values, **overrides})


@pytest.fixture(scope="module", params=["llama", "gemma", "qwen2"])
def four_blocks(request, tmp_path_factory):
    """Four blocks, so two frozen stand-ins (the first hands on the states, the second passes
    them); Gemma scales its embeddings, Qwen2 picks a mask per block."""
    return build_tiny_model(tmp_path_factory.mktemp(request.param), arch=request.param, layers=4)


def loss_and_grads(model, batch):
    model.zero_grad()
    loss, n = completion_loss(model, batch)
    loss.backward()
    return float(loss.detach()), n, {k: p.grad.clone() for k, p in model.named_parameters()
                                     if p.requires_grad}


def test_a_step_on_cached_states_equals_the_full_forward(four_blocks, tmp_path):
    import torch
    from contextlib import nullcontext

    cfg = config(four_blocks, tmp_path)
    torch.manual_seed(0)
    model, tokenizer, _ = prepare(cfg, "fp32", "cpu")
    for name, p in model.named_parameters():        # non-zero B: the adapters change the loss
        if "lora_B" in name:
            p.data.normal_(0, 0.05)
    encoded = encode(read_split(cfg.data, "train"), tokenizer, "chat", 120)
    assert encoded.counts["prompt_truncated"] >= 1          # the long Hinglish ticket
    examples = encoded.examples
    info = frozen_prefix.cache(model, cfg, examples, tokenizer.pad_token_id, nullcontext, "fp32")
    assert info["used"] and info["blocks"] == 2
    assert all(e.states.shape == (len(e.input_ids), 64) for e in examples)

    # batches unlike the cache's (sorted by length, 16 a batch): longest and shortest together
    order = sorted(range(len(examples)), key=lambda i: len(examples[i].input_ids))
    for idx in (order[::-3], order[1::3]):
        batch = collate([examples[i] for i in idx], tokenizer.pad_token_id)
        assert frozen_prefix.KEY in batch and (batch["attention_mask"] == 0).any()   # padded
        ran = []
        blocks = model.get_base_model().get_decoder().layers
        hooks = [b.register_forward_hook(lambda *a, i=i: ran.append(i)) for i, b in enumerate(blocks)]
        cached = loss_and_grads(model, batch)
        for hook in hooks:
            hook.remove()
        assert ran == [2, 3]                      # the frozen blocks did not run
        states = batch[frozen_prefix.KEY]
        batch[frozen_prefix.KEY] = states.roll(1, dims=-1)     # the states are what the step reads
        assert loss_and_grads(model, batch)[0] != pytest.approx(cached[0], rel=1e-5)
        del batch[frozen_prefix.KEY]
        full = loss_and_grads(model, batch)
        assert cached[0] == pytest.approx(full[0], rel=1e-5) and cached[1] == full[1]
        assert cached[2].keys() == full[2].keys() and cached[2]
        for name in full[2]:
            assert full[2][name].abs().sum() > 0, name
            torch.testing.assert_close(cached[2][name], full[2][name], atol=1e-6, rtol=1e-4)


def test_an_adapter_trained_on_cached_states_is_the_adapter_without_them(tiny_model_dir, tmp_path,
                                                                         monkeypatch):
    import torch
    from safetensors.torch import load_file

    from evalkit.loaders import load

    with_cache = train(config(tiny_model_dir, tmp_path / "a", lora_layers=1), quiet=True)
    monkeypatch.setattr(frozen_prefix, "MAX_BYTES", 0)        # too big: the blocks run every step
    without = train(config(tiny_model_dir, tmp_path / "b", lora_layers=1), quiet=True)

    assert with_cache.lora.frozen_cache["used"] and with_cache.lora.frozen_cache["blocks"] == 1
    assert not without.lora.frozen_cache["used"] and "MB" in without.lora.frozen_cache["why_not"]
    assert RunCard.read(tmp_path / "a" / "run").lora.frozen_cache == with_cache.lora.frozen_cache
    curves = [[p.loss for p in run.history.validation] for run in (with_cache, without)]
    assert curves[0] == pytest.approx(curves[1], rel=1e-5)
    a, b = (load_file(tmp_path / x / "run" / "adapter" / "adapter_model.safetensors")
            for x in "ab")
    assert a.keys() == b.keys()
    for name in a:
        torch.testing.assert_close(a[name], b[name], atol=1e-6, rtol=1e-4)
    model, _, identity = load(str(tiny_model_dir), tmp_path / "a" / "run")
    assert identity["adapter"] and any("lora_" in n for n, _ in model.named_parameters())


@pytest.mark.parametrize("overrides, why", [({"lora_layers": 0}, "every block"),
                                            ({"packing": True}, "--packing")])
def test_no_cache_where_it_cannot_stand_in(tiny_model_dir, tmp_path, overrides, why):
    run = train(config(tiny_model_dir, tmp_path, **{"lora_layers": 1, **overrides}), quiet=True)
    assert not run.lora.frozen_cache["used"] and why in run.lora.frozen_cache["why_not"]


def test_an_old_card_without_the_cache_field_still_reads(tiny_model_dir, tmp_path):
    import json

    train(config(tiny_model_dir, tmp_path, lora_layers=1, max_steps=1), quiet=True)
    path = tmp_path / "run" / "run.json"
    raw = json.loads(path.read_text())
    del raw["lora"]["frozen_cache"]
    path.write_text(json.dumps(raw))
    assert RunCard.read(tmp_path / "run").lora.frozen_cache is None


def test_batch_widths_come_in_steps_and_padding_changes_no_loss(tiny_model_dir, tmp_path):
    """Few distinct widths keep the process's memory flat over a run (train/data.py, collate);
    the padding they add must be invisible to the loss."""
    import torch

    from train.data import WIDTH_STEP

    cfg = config(tiny_model_dir, tmp_path, lora_layers=0)
    torch.manual_seed(0)
    model, tokenizer, _ = prepare(cfg, "fp32", "cpu")
    examples = encode(read_split(cfg.data, "train"), tokenizer, "chat", 120).examples
    pad = tokenizer.pad_token_id
    widths = {collate([e], pad)["input_ids"].shape[1] for e in examples}
    lengths = {len(e.input_ids) for e in examples}
    assert all(w % WIDTH_STEP == 0 for w in widths) and len(widths) < len(lengths)
    with torch.no_grad():
        together, n = completion_loss(model, collate(examples, pad))
        alone = [completion_loss(model, collate([e], pad)) for e in examples]
    assert float(together) == pytest.approx(sum(float(loss) for loss, _ in alone), rel=1e-5)
    assert n == sum(k for _, k in alone)
