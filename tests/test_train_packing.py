"""--packing: several examples per row, none seeing another (the logits of a packed example are
its logits alone), the loss on completions only, and the same training as without packing."""
import pytest
from _train_util import write_clean
from tiny_model import build_tiny_model

from train.data import IGNORE, Example, encode, read_split
from train.loop import TrainConfig, train
from train.packing import collate_packed, pack


def examples(model_dir, tmp_path):
    from tunecraft.models import load_tokenizer

    tokenizer = load_tokenizer(model_dir)
    return encode(read_split(write_clean(tmp_path / "clean"), "train"), tokenizer, "chat",
                  256).examples, tokenizer


def test_rows_never_exceed_max_len_and_keep_every_example_once():
    batch = [Example(f"t:{i}", list(range(n)), 1) for i, n in enumerate([9, 3, 7, 1, 5, 2, 8])]
    rows = pack(batch, 10)
    assert all(sum(len(e.input_ids) for e in row) <= 10 for row in rows)
    assert sorted(e.id for row in rows for e in row) == sorted(e.id for e in batch)
    assert len(rows) == 4               # 35 tokens in rows of 10: first-fit decreasing is tight


@pytest.mark.parametrize("arch", ["llama", "qwen2", "mistral", "gemma", "phi", "phi3"])
def test_a_packed_example_has_its_unpacked_logits(arch, tmp_path):
    import torch

    from tunecraft.models import load_model

    model_dir = build_tiny_model(tmp_path / arch, arch=arch)
    batch, tokenizer = examples(model_dir, tmp_path)
    model, _ = load_model(model_dir)
    packed = collate_packed(batch, tokenizer.pad_token_id, max_len=256)
    assert packed["input_ids"].shape[0] < len(batch)          # really packed
    with torch.no_grad():
        logits = model(input_ids=packed["input_ids"], position_ids=packed["position_ids"],
                       use_cache=False).logits    # a cache turns the packed mask off
    row_of, start = {}, {}
    for r, row in enumerate(pack(batch, 256)):
        offset = 0
        for e in row:
            row_of[e.id], start[e.id] = r, offset
            offset += len(e.input_ids)
    for e in batch:
        with torch.no_grad():
            alone = model(input_ids=torch.tensor([e.input_ids])).logits[0]
        s = start[e.id]
        inside = logits[row_of[e.id], s:s + len(e.input_ids)]
        torch.testing.assert_close(inside, alone, atol=2e-5, rtol=1e-4)


def test_packed_labels_are_the_completions_and_nothing_else(tiny_model_dir, tmp_path):
    batch, tokenizer = examples(tiny_model_dir, tmp_path)
    packed = collate_packed(batch, tokenizer.pad_token_id, max_len=256)
    labelled = [int(t) for t in packed["labels"].flatten() if t != IGNORE]
    assert sorted(labelled) == sorted(t for e in batch for t in e.input_ids[e.n_prompt:])
    # each example starts at position 0, and its first token is never a label
    starts = (packed["position_ids"] == 0)
    assert (packed["labels"][starts] == IGNORE).all()
    assert int(starts.sum()) >= len(batch)            # one restart per example (+ row padding)


def test_packing_trains_exactly_like_padding(tiny_model_dir, tmp_path):
    common = dict(data=str(write_clean(tmp_path / "clean")), model=str(tiny_model_dir),
                  max_steps=6, lr=1e-2, batch_size=4, eval_every=3, precision="fp32", seed=1,
                  dropout=0.0, max_len=256)
    padded = train(TrainConfig(out=str(tmp_path / "padded"), **common), quiet=True)
    packed = train(TrainConfig(out=str(tmp_path / "packed"), packing=True, **common), quiet=True)
    assert [h.loss for h in packed.history.train] == \
        pytest.approx([h.loss for h in padded.history.train], rel=1e-4)
    assert packed.history.train[-1].loss < packed.history.train[0].loss
    assert packed.config.packing and not padded.config.packing
