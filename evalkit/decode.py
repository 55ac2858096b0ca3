"""Greedy decoding that reads each prompt once, for evaluation on a CPU.

Why not `model.generate` for greedy runs: profiling the demo's evaluation (bench/RESULTS.md) showed
three kinds of waste it cannot avoid.
- A batch decodes until its longest row ends, and rows that already ended are still computed. Here
  a row leaves the batch (and its KV cache rows are dropped) as soon as it emits an end token.
- The reference's likelihood needed a second forward pass over the whole prompt. Here the
  reference's tokens are run on the prompt's KV cache right after prefill (the prefill's last logit
  predicts the reference's first token), then the cache is cropped back to the prompt for decoding.
- Per-step logits processors and stopping criteria that greedy search without them does not need.

What keeps outputs identical to `model.generate`: the same left padding, the same position ids
(the cumulative sum of the attention mask, pads at 0), the same argmax, and stopping at the same
end tokens. It is used only where that holds: greedy, no stop strings, and a generation config
that adds no logits processor (`plain_greedy`); everything else goes to `model.generate`.
tests/test_decode.py compares both paths, and the likelihood with `likelihood.conditional_nll`.
"""
from __future__ import annotations

from dataclasses import dataclass

# Generation-config fields that make `generate` alter greedy logits; a non-default one → fallback.
_PROCESSORS = {"repetition_penalty": 1.0, "no_repeat_ngram_size": 0, "bad_words_ids": None,
               "suppress_tokens": None, "begin_suppress_tokens": None, "min_length": 0,
               "min_new_tokens": None, "forced_bos_token_id": None, "forced_eos_token_id": None,
               "sequence_bias": None, "encoder_repetition_penalty": 1.0,
               "exponential_decay_length_penalty": None, "renormalize_logits": False}


@dataclass
class Decoded:
    tokens: list[int]            # new tokens up to and including the first end token
    reference_nll: float | None  # summed NLL of the reference's tokens, when one was given


def plain_greedy(model) -> bool:
    """True when the model's generation config adds nothing to a plain argmax over the logits."""
    config = model.generation_config
    return all(getattr(config, name, default) in (default, None)
               for name, default in _PROCESSORS.items())


def greedy(model, prompts: list[list[int]], max_new_tokens: int, ends: set[int], pad_id: int,
           references: list[list[int] | None] | None = None) -> tuple[list[Decoded], float]:
    """Greedy continuation of each prompt (token ids); with `references`, each one's NLL too.
    Also returns the seconds spent scoring references (not part of a generation's latency)."""
    import time

    import torch

    with torch.inference_mode():
        ids, mask = _left_pad(prompts, pad_id, model.device)
        cache = _new_cache(model)
        positions = (mask.cumsum(-1) - 1).masked_fill(mask == 0, 0)
        last = model(input_ids=ids, attention_mask=mask, position_ids=positions, cache=cache,
                     use_cache=True, logits_to_keep=1).logits[:, -1, :]
        nlls, started = [None] * len(prompts), time.perf_counter()
        if references and any(references):
            nlls = _score_references(model, cache, last, mask, positions, references, pad_id)
        scoring_s = time.perf_counter() - started
        tokens = _decode(model, cache, last, mask, positions, max_new_tokens, ends)
    return [Decoded(t, n) for t, n in zip(tokens, nlls)], scoring_s


def _left_pad(rows: list[list[int]], pad_id: int, device):
    import torch

    width = max(len(r) for r in rows)
    ids = torch.full((len(rows), width), pad_id, dtype=torch.long)
    mask = torch.zeros_like(ids)
    for i, row in enumerate(rows):
        ids[i, width - len(row):] = torch.tensor(row, dtype=torch.long)
        mask[i, width - len(row):] = 1
    return ids.to(device), mask.to(device)


def _new_cache(model):
    from transformers import DynamicCache

    return DynamicCache(config=model.config)


def _score_references(model, cache, last, mask, positions, references, pad_id) -> list[float | None]:
    """Summed NLL of each reference given its prompt, from the prompt's cache; the cache is
    cropped back to the prompt afterwards, so decoding sees exactly what prefill left."""
    import torch

    refs = [r or [] for r in references]
    width = max(len(r) for r in refs)
    ids = torch.full((len(refs), width), pad_id, dtype=torch.long, device=last.device)
    ref_mask = torch.zeros_like(ids)
    for i, row in enumerate(refs):
        ids[i, :len(row)] = torch.tensor(row, dtype=torch.long)
        ref_mask[i, :len(row)] = 1
    start = positions[:, -1:] + 1
    ref_positions = start + torch.arange(width, device=last.device).unsqueeze(0)
    logits = last.unsqueeze(1)
    if width > 1:   # the last reference token predicts nothing that is scored
        more = model(input_ids=ids[:, :-1], attention_mask=torch.cat([mask, ref_mask[:, :-1]], dim=1),
                     position_ids=ref_positions[:, :-1], cache=cache, use_cache=True).logits
        logits = torch.cat([logits, more], dim=1)
        cache.crop(-(width - 1))
    logprobs = torch.log_softmax(logits.float(), dim=-1)
    picked = torch.where(ref_mask.bool(), logprobs.gather(2, ids.unsqueeze(2)).squeeze(2), 0.0)
    return [float(-picked[i].sum()) if references[i] is not None else None for i in range(len(refs))]


def _decode(model, cache, last, mask, positions, max_new_tokens: int, ends: set[int]) -> list[list[int]]:
    """Argmax step by step; a row that emits an end token (or reaches the limit) leaves the batch."""
    import torch

    out: list[list[int]] = [[] for _ in range(last.shape[0])]
    rows = list(range(last.shape[0]))          # batch position → original row
    end_ids = torch.tensor(sorted(ends), device=last.device)
    position = positions[:, -1:]
    for step in range(max_new_tokens):
        chosen = last.argmax(dim=-1)
        for b, token in enumerate(chosen.tolist()):
            out[rows[b]].append(token)
        if step == max_new_tokens - 1:
            break
        keep = ~torch.isin(chosen, end_ids)
        if not bool(keep.any()):
            break
        if not bool(keep.all()):
            index = keep.nonzero().squeeze(1)
            cache.batch_select_indices(index)
            chosen, mask, position = chosen[index], mask[index], position[index]
            rows = [rows[i] for i in index.tolist()]
        mask = torch.cat([mask, mask.new_ones((mask.shape[0], 1))], dim=1)
        position = position + 1
        last = model(input_ids=chosen.unsqueeze(1), attention_mask=mask, position_ids=position,
                     cache=cache, use_cache=True, logits_to_keep=1).logits[:, -1, :]
    return out
