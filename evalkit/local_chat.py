"""A local model behind the endpoint systems' `chat(messages_batch) -> list[str]`, so anything
written against an endpoint (the judge) runs on the model already loaded for the run.

Messages are rendered with the tokenizer's chat template, as the systems render theirs, and
generated greedily by evalkit.generate, with its cache: the same judgement is never generated
twice. The adapter is on only when the named system uses it.
"""
from __future__ import annotations

from tunecraft.conversation import generation_prompt

from .generate import GenerationCache, GenerationParams, generate


class LocalChat:
    def __init__(self, model, tokenizer, identity: dict, params: GenerationParams, *,
                 adapter_on: bool = False, cache: GenerationCache | None = None,
                 batch_size: int = 8):
        self.model, self.tokenizer, self.cache, self.batch_size = model, tokenizer, cache, batch_size
        self.identity = {**identity, "adapter": identity.get("adapter") if adapter_on else None}
        self.params, self.adapter_on = params, adapter_on

    def chat(self, messages_batch: list[list[dict]]) -> list[str]:
        from evalkit.runner import adapter_switch

        prompts = [generation_prompt(self.tokenizer, messages) for messages in messages_batch]
        with adapter_switch(self.model, self.adapter_on):
            gens = generate(self.model, self.tokenizer, prompts, self.params,
                            identity=self.identity, cache=self.cache, batch_size=self.batch_size)
        return [g.output for g in gens]
