"""Packing: the examples of a micro-batch laid end to end in as few rows as fit `max_len`, so the
batch carries no padding between short examples.

No example may see another. Each example's position ids restart at 0, and the batch carries no
2-D attention mask: transformers then reads the restarts as boundaries (`find_packed_sequence_indices`
in masking_utils) and builds a block-diagonal causal mask for sdpa and eager attention, while
flash-attention takes the same position ids as variable-length sequences. This is TRL's
`padding_free` / `DataCollatorWithFlattening` layout. The label of each example's first token is
−100 (it would be predicted from the previous example), and labels stay −100 on prompts and on
the padding at the end of a row (a segment of its own, positions from 0).

Packing changes the layout of a micro-batch, never which examples are in it: a step sees the same
examples, so the loss is the same as without packing (tests/test_train_packing.py checks the logits).
"""
from __future__ import annotations

from train.data import IGNORE, Example


def pack(examples: list[Example], max_len: int) -> list[list[Example]]:
    """Rows of examples, first-fit decreasing by length; deterministic for a given input order."""
    rows: list[list[Example]] = []
    room: list[int] = []
    for example in sorted(examples, key=lambda e: -len(e.input_ids)):
        n = len(example.input_ids)
        row = next((r for r, free in enumerate(room) if free >= n), None)
        if row is None:
            rows.append([])
            room.append(max_len)
            row = len(rows) - 1
        rows[row].append(example)
        room[row] -= n
    return rows


def collate_packed(examples: list[Example], pad_id: int, max_len: int) -> dict:
    """input_ids, position_ids and labels of the packed rows; no attention_mask (see above)."""
    import torch

    rows = pack(examples, max_len)
    width = max(sum(len(e.input_ids) for e in row) for row in rows)
    ids, positions, labels = [], [], []
    for row in rows:
        row_ids, row_pos, row_labels = [], [], []
        for example in row:
            row_ids += example.input_ids
            row_pos += range(len(example.input_ids))
            row_labels += [IGNORE] + example.labels[1:]
        pad = width - len(row_ids)
        ids.append(row_ids + [pad_id] * pad)
        positions.append(row_pos + list(range(pad)))
        labels.append(row_labels + [IGNORE] * pad)
    batch = {"input_ids": torch.tensor(ids), "position_ids": torch.tensor(positions),
             "labels": torch.tensor(labels)}
    assert (batch["labels"] != IGNORE).any(), "a batch without completion tokens"
    return batch
