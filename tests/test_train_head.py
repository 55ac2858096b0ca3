"""The output head applied at label positions only (train.loop.completion_loss) gives the loss and
the gradients of the plain path, logits at every position then cross-entropy with −100 ignored,
on Hindi, Hinglish, code and maths completions, padded and packed; it only skips the work."""
import pytest
from _train_util import PAIRS, write_clean
from tiny_model import build_tiny_model

from train.data import IGNORE, collate, encode, read_split
from train.loop import completion_loss
from train.packing import collate_packed

MORE = PAIRS + [
    ("def add(a, b): return a+b  # why does add('1', 2) fail?", "TypeError: str + int; cast first."),
    ("What is 17 × 23?", "17 × 23 = 391"),
    ("ok", "Theek hai, aapka ticket band kar diya gaya hai."),
]


def full_logits_loss(model, batch):
    """The reference: the head on every position, labels shifted, −100 ignored."""
    import torch.nn.functional as F

    logits = model(input_ids=batch["input_ids"], attention_mask=batch.get("attention_mask"),
                   position_ids=batch.get("position_ids"), use_cache=False).logits
    targets = batch["labels"][:, 1:]
    return (F.cross_entropy(logits[:, :-1].flatten(0, 1).float(), targets.flatten(),
                            ignore_index=IGNORE, reduction="sum"), int((targets != IGNORE).sum()))


def peft_model(model_dir):
    from train.adapters import LoraSettings, apply_lora
    from tunecraft.models import load_model, load_tokenizer

    base, _ = load_model(model_dir)
    model, _ = apply_lora(base, LoraSettings(8, 16, 0.0))
    for name, p in model.named_parameters():       # non-zero B: the adapters change the loss
        if "lora_B" in name:
            p.data.normal_(0, 0.05)
    return model.train(), load_tokenizer(model_dir)


def gradients(model, loss_fn, batch):
    model.zero_grad()
    loss, n = loss_fn(model, batch)
    loss.backward()
    return float(loss.detach()), n, {k: p.grad.clone() for k, p in model.named_parameters()
                            if p.requires_grad}


@pytest.mark.parametrize("arch", ["llama", "gemma"])
@pytest.mark.parametrize("layout", ["padded", "packed"])
def test_head_at_label_positions_equals_full_logits(arch, layout, tmp_path):
    import torch

    torch.manual_seed(0)
    model, tokenizer = peft_model(build_tiny_model(tmp_path / arch, arch=arch))
    clean = write_clean(tmp_path / "clean", train_pairs=MORE)
    examples = encode(read_split(clean, "train"), tokenizer, "chat", 256).examples
    assert len(examples) == len(MORE)
    batch = (collate(examples, tokenizer.pad_token_id) if layout == "padded"
             else collate_packed(examples, tokenizer.pad_token_id, 256))
    ours, n_ours, g_ours = gradients(model, completion_loss, batch)
    ref, n_ref, g_ref = gradients(model, full_logits_loss, batch)
    completion_tokens = sum(len(e.input_ids) - e.n_prompt for e in examples)
    assert n_ours == n_ref == completion_tokens
    assert ours == pytest.approx(ref, rel=1e-5)
    assert g_ours.keys() == g_ref.keys() and g_ours
    for name in g_ours:
        torch.testing.assert_close(g_ours[name], g_ref[name], atol=1e-6, rtol=1e-4)
