"""Conditional negative log-likelihood of the reference completion given a system's prompt.

As in lm-evaluation-harness' loglikelihood requests, the prompt and the completion are tokenized
separately and concatenated (so the completion's tokens are exactly those of the reference, not a
string matched inside a joint tokenization), and only the completion's tokens are scored. The
encoding is training's own (`tunecraft.conversation.encode_pair`: the tokenizer's BOS once at the
start of the prompt), so a fine-tuned model is scored on the prompt ids it was trained on. The
completion is the reference text alone: no end-of-turn token, so prompt formats that end turns
differently still score the same text.

Why explicit position ids and attention masks: with padding, positions and the causal mask are the
two ways a batch can leak into a row's numbers. Rows are right padded by default and every row gets
positions 0..n-1 and a mask over its own tokens, so a row's NLL does not depend on the batch it sits
in, the batch size, or the padding side (both sides are supported and tested to agree).
Per-byte figures divide by the UTF-8 bytes of the reference, which compares models whose
tokenizers differ; per-token figures divide by the reference's token count under this tokenizer.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

from tunecraft.conversation import PROMPT_ENCODING, encode_pair


# Changes whenever the computation below changes, so cached likelihoods are not reused across it.
NLL_RECIPE = f"separate-tokenization|{PROMPT_ENCODING}|no-eos|left-truncated-prompt|v2"


@dataclass(frozen=True)
class NLL:
    nll: float           # sum over the reference's tokens, in nats
    ref_tokens: int
    ref_bytes: int
    truncated_prompt_tokens: int = 0   # prompt tokens dropped from the left to fit the context

    @property
    def perplexity(self) -> float:
        return math.exp(self.nll / self.ref_tokens) if self.ref_tokens else float("nan")

    @property
    def bits_per_byte(self) -> float:
        return self.nll / (self.ref_bytes * math.log(2)) if self.ref_bytes else float("nan")


def context_limit(model) -> int | None:
    return getattr(model.config, "max_position_embeddings", None)


def encode_for_scoring(tokenizer, prompt: str, completion: str, limit: int | None):
    """(prompt ids, completion ids, dropped): the prompt is cut from the left if both don't fit."""
    prompt_ids, completion_ids = encode_pair(tokenizer, prompt, completion)
    dropped = 0
    if limit is not None and len(prompt_ids) + len(completion_ids) > limit:
        keep_prompt = max(1, limit - len(completion_ids))
        dropped = len(prompt_ids) - keep_prompt
        prompt_ids = prompt_ids[-keep_prompt:]
        completion_ids = completion_ids[: limit - keep_prompt]
    if not prompt_ids:   # the first completion token needs something to be predicted from
        bos = tokenizer.bos_token_id if tokenizer.bos_token_id is not None else tokenizer.eos_token_id
        prompt_ids = [bos]
    return prompt_ids, completion_ids, dropped


def conditional_nll(model, tokenizer, pairs: list[tuple[str, str]], *, batch_size: int = 4,
                    padding_side: str = "right",
                    on_batch: Callable[[int], None] | None = None) -> list[NLL]:
    """NLL of each (prompt, completion) pair's completion tokens, in input order."""
    limit = context_limit(model)
    encoded = [encode_for_scoring(tokenizer, p, c, limit) for p, c in pairs]
    order = sorted(range(len(encoded)), key=lambda i: (len(encoded[i][0]) + len(encoded[i][1]), i))
    sums = [0.0] * len(encoded)           # batches of similar length waste little on padding
    for start in range(0, len(order), batch_size):
        chunk = order[start:start + batch_size]
        values = _batch_nll(model, [encoded[i] for i in chunk], padding_side,
                            pad_id=tokenizer.pad_token_id or 0)
        for i, value in zip(chunk, values):
            sums[i] = value
        if on_batch:
            on_batch(len(chunk))
    return [NLL(s, len(c), len(text.encode("utf-8")), d)
            for s, (_, c, d), (_, text) in zip(sums, encoded, pairs)]


def _batch_nll(model, batch, padding_side: str, pad_id: int) -> list[float]:
    import torch

    rows = [p + c for p, c, _ in batch]
    width = max(len(r) for r in rows)
    ids = torch.full((len(rows), width), pad_id, dtype=torch.long)
    mask = torch.zeros_like(ids)
    positions = torch.zeros_like(ids)
    offsets = []
    for i, row in enumerate(rows):
        offset = width - len(row) if padding_side == "left" else 0
        ids[i, offset:offset + len(row)] = torch.tensor(row)
        mask[i, offset:offset + len(row)] = 1
        positions[i, offset:offset + len(row)] = torch.arange(len(row))
        offsets.append(offset)
    # Only positions that predict a completion token need the output head (most of a few-shot or
    # RAG prompt does not): the output head runs only on the span covering every row's completion.
    start = min(o + len(p) for o, (p, _, _) in zip(offsets, batch)) - 1
    end = max(o + len(p) + len(c) for o, (p, c, _) in zip(offsets, batch)) - 1
    on = model.device
    with torch.inference_mode():
        logits = model(input_ids=ids.to(on), attention_mask=mask.to(on), position_ids=positions.to(on),
                       logits_to_keep=torch.arange(start, max(end, start + 1), device=on)).logits
    sums = []
    for i, (prompt, completion, _) in enumerate(batch):
        if not completion:
            sums.append(0.0)
            continue
        first = offsets[i] + len(prompt) - 1 - start    # kept logit predicting the 1st completion token
        predicting = logits[i, first: first + len(completion)].float()
        logprobs = torch.log_softmax(predicting, dim=-1)
        target = torch.tensor(completion, device=logits.device).unsqueeze(1)
        sums.append(float(-logprobs.gather(1, target).sum()))
    return sums
