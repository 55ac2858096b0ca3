"""A system served behind an OpenAI-compatible API (hosted, vLLM, llama.cpp, Ollama, TGI, SGLang).

The messages are the ones the local systems build (evalkit.systems: system prompt, few-shot turns,
RAG passages), sent through the official `openai` client's chat completions, greedy (temperature
0) with the run's max new tokens and stop strings, so the served model answers the same question
the local ones do.

Why the client's own retries: openai's client already retries connection errors, timeouts, 408,
409, 429 and 5xx with exponential backoff (0.5 s doubling to 8 s, jittered) and waits out a
`Retry-After`/`retry-after-ms` header (up to 2 minutes in openai 3.x, 60 s in 1.x; a longer one is
not retried); writing a second loop around it would only multiply the waits. tests/test_endpoint_server.py checks each path through a fault-injecting proxy.
Why the cache: a run of a thousand paid requests that dies at item 900 must not pay for the first
900 again. Generations are cached as they arrive, keyed by endpoint URL, model, messages and
generation parameters; never by the API key, which is read from the environment and written
nowhere.
"""
from __future__ import annotations

import json
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Callable

from evalkit.generate import GenerationParams, JsonlCache, cache_key
from evalkit.systems import SystemsError
from tunecraft.text import first_line

RETRIES = 5             # the openai client's max_retries (its backoff, Retry-After honoured)
NO_KEY = "not-needed"   # sent to servers that want none; never the user's OPENAI_API_KEY


class EndpointError(SystemsError):
    """A served system that cannot answer (after the client's retries); one line."""


@dataclass
class Reply:
    """One chat completion, shaped like evalkit.generate.Generation for build_row."""
    output: str
    prompt_tokens: int | None
    completion_tokens: int | None
    latency_s: float
    tokens_from: str | None     # "usage" (the server's count) or "tokenizer:NAME" (local count)
    cached: bool = False


def messages_text(messages: list[dict]) -> str:
    """The prompt as results.jsonl stores it and the cache keys it: the messages as JSON."""
    return json.dumps(messages, ensure_ascii=False, sort_keys=True)


class EndpointSystem:
    """Chat completions for one SystemSpec with an `endpoint`; bounded concurrency, cached.

    `tokenizer` (with `tokenizer_name`) counts tokens only when the server's reply has no `usage`.
    """

    def __init__(self, spec, params: GenerationParams, cache: JsonlCache | None = None,
                 tokenizer=None, tokenizer_name: str | None = None):
        self.spec, self.params, self.cache = spec, params, cache
        self.tokenizer, self.tokenizer_name = tokenizer, tokenizer_name
        # a server this run started itself (evalkit.backend_llamacpp) is keyed by what it serves
        self.identity = getattr(spec, "served_identity", None) or {"endpoint": spec.endpoint,
                                                                   "model": spec.model}
        self._client = None
        self._lock = threading.Lock()

    @property
    def client(self):
        if self._client is None:
            from openai import OpenAI

            self._client = OpenAI(base_url=self.spec.endpoint, api_key=self._api_key(),
                                  timeout=self.spec.timeout, max_retries=RETRIES)
        return self._client

    def _api_key(self) -> str:
        variable = self.spec.api_key_env
        if variable is None:
            return NO_KEY
        key = os.environ.get(variable)
        if not key:
            raise EndpointError(f"system {self.spec.name!r}: the environment variable {variable} "
                                "(api_key_env) is not set")
        return key

    def chat(self, messages_batch: list[list[dict]]) -> list[str]:
        """One greedy answer per conversation, in order (the judge's call)."""
        return [reply.output for reply in self.replies(messages_batch)]

    def replies(self, messages_batch: list[list[dict]],
                on_done: Callable[[int], None] | None = None) -> list[Reply]:
        """A Reply per conversation, in order; cached ones cost no request."""
        keys = [cache_key(self.identity, messages_text(m), self.params) for m in messages_batch]
        found = [self._cached(k) for k in keys]
        todo = [i for i, reply in enumerate(found) if reply is None]
        if on_done and len(todo) < len(keys):
            on_done(len(keys) - len(todo))

        def ask(i: int) -> None:
            reply = self._ask(messages_batch[i])
            with self._lock:
                found[i] = reply
                if self.cache is not None:
                    self.cache.put_row(keys[i], _row(reply))
                if on_done:
                    on_done(1)

        with ThreadPoolExecutor(max_workers=self.spec.max_concurrency) as pool:
            for future in [pool.submit(ask, i) for i in todo]:
                future.result()
        return found  # type: ignore[return-value]

    def _cached(self, key: str) -> Reply | None:
        row = self.cache.get_row(key) if self.cache is not None else None
        if row is None:
            return None
        return Reply(row["output"], row["prompt_tokens"], row["completion_tokens"],
                     row["latency_s"], row.get("tokens_from"), cached=True)

    def _ask(self, messages: list[dict]) -> Reply:
        import openai

        started = time.perf_counter()
        try:
            response = self.client.chat.completions.create(
                model=self.spec.model, messages=messages, temperature=0.0, top_p=1.0,
                max_tokens=self.params.max_new_tokens, stop=list(self.params.stop) or None,
                seed=self.params.seed)
        except openai.OpenAIError as exc:
            raise EndpointError(f"system {self.spec.name!r} at {self.spec.endpoint}: "
                                f"{type(exc).__name__}: {first_line(exc)} (after {RETRIES} "
                                "retries; re-run to resume from the cache)") from None
        latency = time.perf_counter() - started
        text = (response.choices[0].message.content or "") if response.choices else ""
        for stop in self.params.stop:        # a server that ignores `stop` is cut the same way
            text = text.split(stop, 1)[0]
        prompt_n, completion_n, source = self._counts(response.usage, messages, text)
        return Reply(text.strip(), prompt_n, completion_n, latency, source)

    def _counts(self, usage, messages: list[dict], text: str):
        if usage is not None and usage.prompt_tokens is not None:
            return usage.prompt_tokens, usage.completion_tokens, "usage"
        if self.tokenizer is None:
            return None, None, None
        from tunecraft.conversation import generation_prompt

        with self._lock:    # a tokenizer is not shared across threads safely
            prompt = generation_prompt(self.tokenizer, messages)
            prompt_n = len(self.tokenizer(prompt, add_special_tokens=False)["input_ids"])
            completion_n = len(self.tokenizer(text, add_special_tokens=False)["input_ids"])
        return prompt_n, completion_n, f"tokenizer:{self.tokenizer_name}"


def _row(reply: Reply) -> dict:
    return {"output": reply.output, "prompt_tokens": reply.prompt_tokens,
            "completion_tokens": reply.completion_tokens, "latency_s": reply.latency_s,
            "tokens_from": reply.tokens_from}
