"""The frozen blocks below the adapters, computed once (`--lora-layers N`).

With adapters on the top N blocks only, nothing below them trains: the hidden states entering the
lowest adapted block are the same at every step of every epoch and at every validation. So they
are computed once per example, before the first step (inference, batches sorted by length), kept
on the CPU, and each step runs the decoder with its frozen blocks swapped for stand-ins that hand
those states on. Embeddings, attention mask and rotary inputs are still made by the decoder's own
forward (cheap), so each architecture's details (Gemma's embedding scale, sliding windows) stay
its own code's.

Why a state computed in one batch can stand in for the same example in another: batches are
right-padded and attention is causal, so a real token's hidden state depends only on the tokens
before it, never on its batch-mates or its padding (tests/test_frozen_prefix.py: loss and adapter
gradients equal the full forward's in fp32).

Memory: tokens × hidden size × 2 bytes in bf16 (4 in fp32); the demo's 872 examples take 138 MB.
Over `MAX_BYTES`, or where the frozen blocks would drop out at random in training, or with
`--packing` (one row holds several examples), the blocks run every step as before.
"""
from __future__ import annotations

import time
from contextlib import contextmanager

import torch

MAX_BYTES = 2 * 1024 ** 3
KEY = "frozen_states"      # the batch entry collate fills when examples carry states


class _Stop(Exception):
    """Raised by the hook on the lowest adapted block: nothing above it is needed yet."""


def lowest_adapted(blocks) -> int:
    """Index of the first block holding a trainable parameter (len(blocks): none)."""
    return next((i for i, block in enumerate(blocks)
                 if any(p.requires_grad for p in block.parameters())), len(blocks))


def usable(model, cfg, examples, dtype) -> tuple[bool, str]:
    """(cache the frozen blocks?, why not): a step pays for them only when adapters leave some
    blocks frozen, and the cache must fit in memory."""
    base = model.get_base_model()
    frozen = lowest_adapted(base.get_decoder().layers)
    if not 0 < frozen < base.config.num_hidden_layers:
        return False, "every block holds adapters"
    if cfg.packing:
        return False, "--packing puts several examples in one row"
    if _drops_out(base.config):
        return False, "the frozen blocks use dropout in training"
    needed = sum(len(e.input_ids) for e in examples) * base.config.hidden_size * dtype.itemsize
    if needed > MAX_BYTES:
        return False, f"{needed / 2 ** 20:.0f} MB of states is over {MAX_BYTES / 2 ** 20:.0f} MB"
    return True, ""


def _drops_out(config) -> bool:
    return any(isinstance(v, float) and v > 0 for k, v in config.to_dict().items()
               if "dropout" in k or "pdrop" in k)


def attach(model, examples, pad_id, autocast, dtype, batch_size: int = 16) -> dict:
    """Give each example `.states`: the hidden states entering the lowest adapted block, [tokens,
    hidden] on the CPU in `dtype`. Returns what the run card records about it."""
    from train.data import collate, eval_schedule

    started = time.perf_counter()
    base = model.get_base_model()
    decoder = base.get_decoder()
    frozen = lowest_adapted(decoder.layers)
    caught = {}

    def catch(module, args, kwargs):
        caught["hidden"] = args[0] if args else kwargs["hidden_states"]
        raise _Stop

    hook = decoder.layers[frozen].register_forward_pre_hook(catch, with_kwargs=True)
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad(), autocast():
            for idx in eval_schedule([len(e.input_ids) for e in examples], batch_size):
                batch = collate([examples[i] for i in idx], pad_id)
                try:
                    decoder(input_ids=batch["input_ids"].to(model.device),
                            attention_mask=batch["attention_mask"].to(model.device), use_cache=False)
                except _Stop:
                    pass
                for row, i in enumerate(idx):
                    n = len(examples[i].input_ids)
                    examples[i].states = caught["hidden"][row, :n].to("cpu", dtype).clone()
    finally:
        hook.remove()
        model.train(was_training)
    tokens = sum(len(e.input_ids) for e in examples)
    return {"blocks": frozen, "examples": len(examples), "dtype": str(dtype).removeprefix("torch."),
            "mb": round(tokens * base.config.hidden_size * dtype.itemsize / 2 ** 20, 1),
            "seconds": round(time.perf_counter() - started, 3)}


def pad(examples, width: int):
    """The examples' states right-padded with zeros to `width` tokens: [batch, width, hidden]."""
    first = examples[0].states
    out = torch.zeros((len(examples), width, first.shape[-1]), dtype=first.dtype)
    for row, example in enumerate(examples):
        out[row, :len(example.states)] = example.states
    return out


class StandIn(torch.nn.Module):
    """In place of a frozen block: the first hands on the cached states, the others their input."""

    def __init__(self, block, states=None):
        super().__init__()
        self.states = states
        if hasattr(block, "attention_type"):     # decoders that pick a mask per block read it
            self.attention_type = block.attention_type

    def forward(self, hidden_states, *args, **kwargs):
        return hidden_states if self.states is None else self.states


@contextmanager
def _frozen_blocks_replaced(decoder, states):
    blocks = decoder.layers
    frozen = lowest_adapted(blocks)
    stand_ins = [StandIn(block, states if i == 0 else None) for i, block in enumerate(blocks[:frozen])]
    decoder.layers = torch.nn.ModuleList(stand_ins + list(blocks[frozen:]))
    try:
        yield
    finally:
        decoder.layers = blocks


def decode(decoder, batch):
    """The decoder's last hidden states for `batch`, from its cached frozen states when it has
    them (restored to the residual stream's dtype, the embeddings')."""
    kwargs = dict(input_ids=batch["input_ids"], attention_mask=batch.get("attention_mask"),
                  position_ids=batch.get("position_ids"), use_cache=False)
    if KEY not in batch:
        return decoder(**kwargs).last_hidden_state
    states = batch[KEY].to(decoder.get_input_embeddings().weight.dtype)
    with _frozen_blocks_replaced(decoder, states):
        return decoder(**kwargs).last_hidden_state


def cache(model, cfg, examples, pad_id, autocast, precision: str) -> dict:
    """Attach the states to every example when it pays (see `usable`); what the card records."""
    dtype = torch.bfloat16 if precision == "bf16" else torch.float32
    ok, why_not = usable(model, cfg, examples, dtype)
    if not ok:
        return {"used": False, "why_not": why_not}
    return {"used": True, **attach(model, examples, pad_id, autocast, dtype)}
