"""Curated splits → token ids whose labels cover the completion only, and length-grouped batches.

The ways other trainers go silently wrong, and how this file rules each one out:
- a prompt mask found by searching for a response string that tokenizes differently in context:
  prompt and completion are tokenized *separately* and their ids concatenated, so the boundary is
  known by construction;
- an EOS never learned because pad == eos and pad ids are masked: labels are −100 by *position*
  (prompt and padding), never by token id;
- a double BOS: a template whose text already starts with the BOS string is tokenized without
  adding special tokens, and `encode` checks the result (`tunecraft.conversation.encode_pair`,
  which evalkit's scoring uses too: a perplexity is taken on the encoding trained on);
- a silently cut completion: a completion that does not fit is dropped (and counted), a prompt
  that does not fit loses its oldest tokens (and is counted);
- a batch whose labels are all −100: every kept example has at least one completion token.
"""
from __future__ import annotations

import json
import random
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from tunecraft.conversation import TemplateMismatch, encode_pair, render_with_template, split_turns
from tunecraft.records import read_jsonl

IGNORE = -100
TEMPLATES = ("chat", "prompt-completion")


class DataError(ValueError):
    """Unusable training data; the message is one line naming the file (and line)."""


@dataclass
class Example:
    id: str
    input_ids: list[int]
    n_prompt: int               # input_ids[:n_prompt] is the prompt, the rest is the completion
    states: object = None       # the frozen blocks' output, when cached (train/frozen_prefix.py)

    @property
    def labels(self) -> list[int]:
        return [IGNORE] * self.n_prompt + self.input_ids[self.n_prompt:]


@dataclass
class Encoded:
    examples: list[Example]
    counts: Counter = field(default_factory=Counter)   # kept / dropped / truncated, for the card


def _empty_in_manifest(data_dir: Path, split: str) -> bool:
    """curate's manifest lists every split; one with 0 rows has no file (datasets cannot load one)."""
    try:
        manifest = json.loads((data_dir / "manifest.json").read_text(encoding="utf-8"))
        return manifest["splits"][split]["rows"] == 0
    except (OSError, ValueError, KeyError, TypeError):
        return False


def read_split(data_dir: str | Path, split: str):
    """Records of one split written by `curate` (`<data_dir>/<split>.jsonl`)."""
    path = Path(data_dir) / f"{split}.jsonl"
    if not path.is_file() and _empty_in_manifest(Path(data_dir), split):
        return []           # curate writes no file for an empty split
    if not path.is_file():
        raise DataError(f"{path}: missing (expected curate's output folder with {split}.jsonl)")
    try:
        return read_jsonl(path)
    except ValueError as exc:
        raise DataError(str(exc)) from None


def cap_validation(records: list, limit: int, seed: int = 0) -> list:
    """At most `limit` validation records, a seeded sample kept in file order (0: all of them).

    Validation runs before step 1 and at every evaluation, so on a real-sized split (2,350 rows)
    scoring all of it cost more than the training; a few hundred rows measure the loss to well
    under its change between evaluations. A sample, not the head: split files may be ordered by
    label."""
    if not limit or len(records) <= limit:
        return list(records)
    keep = sorted(random.Random(f"validation:{seed}").sample(range(len(records)), limit))
    return [records[i] for i in keep]


def chat_texts(messages: list[dict], tokenizer) -> tuple[str, str] | None:
    """(prompt, completion) text of the target assistant turn, rendered by the model's template;
    None when there is no target or nothing before it.

    The completion is what the template writes after the generation prompt: the answer plus the
    end-of-turn token(s), so the model learns to stop."""
    turns = split_turns(messages)
    if turns is None or not turns[0]:
        return None
    try:
        return render_with_template(tokenizer, *turns)
    except TemplateMismatch:
        raise DataError("the chat template does not render the prompt as a prefix of the "
                        "conversation; use --template prompt-completion") from None


def encode(records, tokenizer, template: str = "chat", max_len: int = 512) -> Encoded:
    """Tokenize once; fit each example into max_len without ever cutting its completion."""
    if template not in TEMPLATES:
        raise DataError(f"unknown template '{template}'; choose one of {', '.join(TEMPLATES)}")
    if template == "chat" and not getattr(tokenizer, "chat_template", None):
        raise DataError(f"{getattr(tokenizer, 'name_or_path', 'the model')}: the tokenizer has no "
                        "chat template; use --template prompt-completion, or a model with one")
    out = Encoded([])
    for record in records:
        if template == "chat":
            texts = chat_texts(record.messages, tokenizer)
        else:
            texts = (record.prompt, record.completion) if record.completion else None
            if texts and not isinstance(record.prompt, str):
                raise DataError(f"{record.id}: `prompt` is a list of messages (curate's openai "
                                "template); train it with --template chat")
        if texts is None:
            out.counts["dropped_no_completion"] += 1
            continue
        prompt_ids, completion_ids = encode_pair(tokenizer, *texts,
                                                 eos=template == "prompt-completion")
        if len(completion_ids) >= max_len or not completion_ids:
            out.counts["dropped_completion_too_long" if completion_ids
                       else "dropped_no_completion"] += 1
            continue
        room = max_len - len(completion_ids)
        if len(prompt_ids) > room:
            prompt_ids = prompt_ids[len(prompt_ids) - room:]
            out.counts["prompt_truncated"] += 1
        out.examples.append(Example(record.id, prompt_ids + completion_ids, len(prompt_ids)))
    out.counts["kept"] = len(out.examples)
    return out


def batch_schedule(lengths: list[int], batch_size: int, seed: int, epoch: int) -> list[list[int]]:
    """One epoch of index batches: shuffled, then grouped by length inside windows of 50 batches
    (little padding, still random), then the batch order shuffled. Depends on seed and epoch only."""
    rng = random.Random(f"{seed}:{epoch}")
    order = list(range(len(lengths)))
    rng.shuffle(order)
    window = batch_size * 50
    batches = []
    for start in range(0, len(order), window):
        chunk = sorted(order[start:start + window], key=lambda i: (lengths[i], i))
        batches += [chunk[i:i + batch_size] for i in range(0, len(chunk), batch_size)]
    rng.shuffle(batches)
    return batches


def eval_schedule(lengths: list[int], batch_size: int) -> list[list[int]]:
    """Validation batches: sorted by length (least padding); order does not change a summed loss."""
    order = sorted(range(len(lengths)), key=lambda i: (lengths[i], i))
    return [order[i:i + batch_size] for i in range(0, len(order), batch_size)]


WIDTH_STEP = 32


def collate(examples: list[Example], pad_id: int):
    """Right-padded tensors; labels are −100 on prompt and padding positions, by position.

    Widths are rounded up to a multiple of WIDTH_STEP tokens: with a new shape at nearly every
    step, freed activation buffers rarely fit the next step's and the process's memory kept
    growing (the demo's run without checkpointing: 2.5 GB after 20 steps, 3.2 GB after 80, 4 GB
    at the end); with few shapes it stays flat (2.2 → 2.3 GB over the same 80 steps), at the same
    speed (bench/RESULTS.md). Padding changes no loss: it is masked and causal attention never
    reads ahead."""
    import torch

    width = max(len(e.input_ids) for e in examples)
    width = -(-width // WIDTH_STEP) * WIDTH_STEP
    input_ids = torch.full((len(examples), width), pad_id, dtype=torch.long)
    labels = torch.full((len(examples), width), IGNORE, dtype=torch.long)
    attention_mask = torch.zeros((len(examples), width), dtype=torch.long)
    for row, example in enumerate(examples):
        n = len(example.input_ids)
        input_ids[row, :n] = torch.tensor(example.input_ids)
        labels[row, :n] = torch.tensor(example.labels)
        attention_mask[row, :n] = 1
    assert (labels != IGNORE).any(), "a batch without completion tokens"
    batch = {"input_ids": input_ids, "attention_mask": attention_mask, "labels": labels}
    if examples[0].states is not None:
        from train import frozen_prefix

        batch[frozen_prefix.KEY] = frozen_prefix.pad(examples, width)
    return batch

