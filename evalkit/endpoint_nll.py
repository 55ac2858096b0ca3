"""Conditional perplexity of a served model: the reference's log-probabilities given the prompt, as
the server itself computes them, or "n/a" with the reason. Never a number from another model.

How: the legacy completions API with `echo` and `logprobs` returns a log-probability for every
token of the prompt (OpenAI's API did; vLLM and llama-cpp-python's server still do; llama-cpp
needs `logits_all`, its server's default). The text sent is the system's prompt rendered with
the chat template of the run's local model (the completions API takes text, not messages)
followed by the reference, and the reference's tokens are those at text offsets from the end of
the prompt on. Chat-only APIs (most hosted ones) answer 404 or return no log-probs: n/a.
"""
from __future__ import annotations

from evalkit.likelihood import NLL


class NotAvailable(Exception):
    """Why this server gives no conditional perplexity (one line, for metrics.json)."""


def reference_nlls(endpoint, prompts: list[str], references: list[str]) -> tuple[list, str | None]:
    """(NLL per item, None) or ([None] * n, the reason) when the server cannot give them."""
    try:
        return [reference_nll(endpoint, p, r) for p, r in zip(prompts, references)], None
    except NotAvailable as exc:
        return [None] * len(prompts), str(exc)


def reference_nll(endpoint, prompt: str, reference: str) -> NLL:
    import openai

    try:
        reply = endpoint.client.completions.create(
            model=endpoint.spec.model, prompt=prompt + reference, echo=True, logprobs=1,
            max_tokens=1, temperature=0.0)
    except openai.APIStatusError as exc:
        raise NotAvailable(f"the server refused completions with echo+logprobs "
                           f"(HTTP {exc.status_code})") from None
    except openai.OpenAIError as exc:
        raise NotAvailable(f"completions with echo+logprobs failed ({type(exc).__name__})") from None
    logprobs = reply.choices[0].logprobs if reply.choices else None
    if logprobs is None or not logprobs.token_logprobs or not logprobs.text_offset:
        raise NotAvailable("the server returned no prompt log-probs")
    return _reference_part(logprobs, len(prompt), len(prompt) + len(reference), reference)


def _reference_part(logprobs, start: int, end: int, reference: str) -> NLL:
    """Sum the log-probs of the tokens that begin inside the reference's characters."""
    picked = [lp for offset, lp in zip(logprobs.text_offset, logprobs.token_logprobs)
              if start <= offset < end]
    if not picked or any(lp is None for lp in picked):
        raise NotAvailable("the server's prompt log-probs do not cover the reference")
    if start not in logprobs.text_offset:
        raise NotAvailable("the server's tokens straddle the prompt/reference boundary")
    return NLL(-float(sum(picked)), len(picked), len(reference.encode("utf-8")))
