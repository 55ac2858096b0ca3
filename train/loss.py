"""The completion loss: the output head applied at label positions only, summed over a training
batch, and kept per example when validating so that the change between two evaluations comes
with its own noise.

Why the head only at label positions: the decoder gives hidden states, we gather the positions
whose next token is a label and project only those. Most tokens of an instruction-tuning batch
are masked prompt tokens, and the head (vocab × hidden, 49k × 576 for SmolLM2) is the largest
single matmul of a small model; the loss and its gradients are those of full logits
(tests/test_train_head.py).

Why per example: "the validation loss still fell" is evidence of progress only when the fall is
larger than what scoring a different sample of the same size would change. The examples are the
same at every evaluation, so the fall is a paired difference and its standard error comes from
the per-example differences (evalkit/convergence.py reads it from the run card).
"""
from __future__ import annotations

import math

from train import distributed
from train.data import IGNORE, collate, eval_schedule


def _label_logits(model, batch):
    """(fp32 logits at label positions, their targets, the label mask over positions 1..n)."""
    import torch

    from train import frozen_prefix

    base = model.get_base_model()
    hidden = frozen_prefix.decode(base.get_decoder(), batch)
    targets = batch["labels"][:, 1:]
    keep = targets != IGNORE
    selected = hidden[:, :-1][keep].float()
    with torch.autocast(selected.device.type, enabled=False):  # bf16 logits would blur the loss
        logits = base.get_output_embeddings()(selected)
    cap = getattr(base.config, "final_logit_softcapping", None)   # Gemma 2/3 cap their logits
    if cap:
        logits = torch.tanh(logits / cap) * cap
    return logits, targets[keep], keep


def completion_loss(model, batch):
    """(summed cross-entropy, number of label tokens), in fp32 (few positions, so cheap; bf16
    logits of magnitude ~20 round to ±0.06)."""
    import torch.nn.functional as F

    logits, targets, keep = _label_logits(model, batch)
    return F.cross_entropy(logits, targets, reduction="sum"), int(keep.sum())


def row_losses(model, batch) -> tuple[list[float], list[int]]:
    """Each row's summed cross-entropy and label count (unpacked batches: a row is an example)."""
    import torch
    import torch.nn.functional as F

    logits, targets, keep = _label_logits(model, batch)
    losses = F.cross_entropy(logits, targets, reduction="none").double()
    sums = torch.zeros(keep.shape[0], dtype=torch.float64, device=losses.device)
    sums.index_add_(0, keep.nonzero()[:, 0], losses)
    return sums.tolist(), keep.sum(1).tolist()


def evaluate(model, examples, batch_size, pad_id, autocast, rows: list | None = None) -> float:
    """Mean cross-entropy per completion token over the whole split (token-weighted); with
    several processes each scores every world-th batch and the sums are added up. `rows`, when
    given, receives [loss sum, tokens] per example, in the order of `examples`."""
    import torch

    model.eval()
    sums, counts = [0.0] * len(examples), [0] * len(examples)
    with torch.no_grad(), autocast():
        for idx in distributed.shard(eval_schedule([len(e.input_ids) for e in examples],
                                                   batch_size)):
            batch = {k: v.to(model.device) for k, v in
                     collate([examples[i] for i in idx], pad_id).items()}
            for i, s, n in zip(idx, *row_losses(model, batch)):
                sums[i], counts[i] = s, n
    model.train()
    sums, counts = distributed.total_list(sums), distributed.total_list(counts)
    if rows is not None:
        rows[:] = [[s, int(n)] for s, n in zip(sums, counts)]
    return sum(sums) / max(sum(counts), 1)


def fall_se(before: list | None, after: list | None) -> float | None:
    """Standard error of the fall of the token-weighted mean loss from `before` to `after` (each
    [loss sum, tokens] per example, same examples): a ratio estimator's, from the per-example
    differences. None when there is nothing to pair (the first evaluation, a resumed run)."""
    if not before or not after or len(before) != len(after) or len(after) < 2:
        return None
    tokens = sum(n for _, n in after)
    diffs = [(b - a, n) for (b, _), (a, n) in zip(before, after)]
    fall = sum(d for d, _ in diffs) / tokens
    k = len(diffs)
    spread = sum((d - fall * n) ** 2 for d, n in diffs)
    return math.sqrt(k / (k - 1) * spread) / tokens
