"""Conditional perplexity of a served model: the reference's log-probabilities given the prompt, as
the server itself computes them, or "n/a" with the reason. Never a number from another model.

How: the legacy completions API with `echo` and `logprobs` returns a log-probability for every
token of the prompt (OpenAI's API did; vLLM and llama-cpp-python's server still do; llama-cpp
needs `logits_all`, its server's default). The text sent is the system's prompt, rendered with
the chat template of the run's local model (the completions API takes text, not messages),
followed by the reference. Which of the echoed tokens are the reference's is counted, not read
from `text_offset` or the token strings: llama-cpp-python's offsets leave out special tokens and
its token strings drop the halves of a character split across tokens (Devanagari), so neither
spells the prompt back. A second, cheap request (the prompt alone, no log-probs) gives the
prompt's token count in `usage`; the reference's tokens are the ones after it, before the one
generated token. A chat template ends its generation prompt in a newline, so the two texts are
tokenized alike up to the boundary.

It costs two requests per item (and, on llama-cpp-python, a Python sort over the vocabulary for
every prompt token: ~0.15 s a token on 2 cores), so it runs only when asked (--served-perplexity).
Chat-only APIs (most hosted ones) answer 404 or return no log-probs: n/a with that reason.
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
    whole = _complete(endpoint, prompt + reference, echo=True, logprobs=1)
    alone = _complete(endpoint, prompt, echo=False, logprobs=None)
    if whole.usage is None or alone.usage is None:
        raise NotAvailable("the server reports no token counts (usage)")
    logprobs = whole.choices[0].logprobs if whole.choices else None
    values = list(logprobs.token_logprobs or []) if logprobs is not None else []
    if not values:
        raise NotAvailable("the server returned no prompt log-probs")
    n_ref = whole.usage.prompt_tokens - alone.usage.prompt_tokens
    end = len(values) - (whole.usage.completion_tokens or 0)
    picked = values[end - n_ref:end] if 0 < n_ref <= end else []
    if not picked or len(picked) != n_ref or any(v is None for v in picked):
        raise NotAvailable("the server's prompt log-probs do not cover the reference")
    return NLL(-float(sum(picked)), n_ref, len(reference.encode("utf-8")))


def _complete(endpoint, text: str, **options):
    import openai

    try:
        return endpoint.client.completions.create(model=endpoint.spec.model, prompt=text,
                                                  max_tokens=1, temperature=0.0, **options)
    except openai.APIStatusError as exc:
        raise NotAvailable(f"the server refused completions with echo+logprobs "
                           f"(HTTP {exc.status_code})") from None
    except openai.OpenAIError as exc:
        raise NotAvailable(f"completions with echo+logprobs failed ({type(exc).__name__})") from None
