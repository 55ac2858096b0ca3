"""A stand-in `vllm` package for machines without a GPU (vllm needs CUDA wheels): it records
every `LLM(...)` and `generate(...)` call and answers through a `respond` function the test gives,
either canned or the tiny model itself through transformers (`TransformersResponder`), so the
vLLM backend's plumbing can be checked against the reference backend's own numbers.

The shapes are vLLM's: `generate(prompts, sampling_params, lora_request=..., use_tqdm=...)`
returns one RequestOutput per prompt, with `outputs[0].token_ids` and, when asked for,
`prompt_logprobs`: None first, then per position a dict {token id: Logprob} holding the prompt's
own token and the top-k (here the top-1, which may differ from it).
"""
from __future__ import annotations

import sys
import types
from dataclasses import dataclass, field
from types import SimpleNamespace


@dataclass
class Logprob:
    logprob: float
    rank: int | None = None


class SamplingParams:
    def __init__(self, **kwargs):
        self.temperature, self.max_tokens, self.stop = 1.0, 16, None
        self.stop_token_ids, self.prompt_logprobs, self.seed, self.top_p = None, None, None, 1.0
        self.detokenize = True
        self.__dict__.update(kwargs)


@dataclass
class LoRARequest:
    lora_name: str
    lora_int_id: int
    lora_path: str


@dataclass
class Call:
    prompts: list[list[int]]
    params: SamplingParams
    lora: LoRARequest | None


@dataclass
class Recorder:
    respond: object                       # (ids, params, lora) → (generated ids, logprob per position)
    max_model_len: int = 512
    engines: list = field(default_factory=list)

    @property
    def calls(self) -> list[Call]:
        return [c for llm in self.engines for c in llm.calls]

    def generation_calls(self) -> list[Call]:
        return [c for c in self.calls if c.params.prompt_logprobs is None]

    def scoring_calls(self) -> list[Call]:
        return [c for c in self.calls if c.params.prompt_logprobs is not None]


def install(monkeypatch, respond, max_model_len: int = 512) -> Recorder:
    """Put the fake `vllm`, `vllm.lora` and `vllm.lora.request` in sys.modules for one test."""
    recorder = Recorder(respond, max_model_len)

    class LLM:
        def __init__(self, **kwargs):
            self.kwargs, self.calls = kwargs, []
            self.llm_engine = SimpleNamespace(model_config=SimpleNamespace(
                max_model_len=recorder.max_model_len))
            recorder.engines.append(self)

        def generate(self, prompts, sampling_params, lora_request=None, use_tqdm=True):
            ids = [list(p["prompt_token_ids"]) for p in prompts]
            self.calls.append(Call(ids, sampling_params, lora_request))
            return [answer(x, sampling_params, lora_request, recorder.respond) for x in ids]

    vllm = types.ModuleType("vllm")
    vllm.LLM, vllm.SamplingParams = LLM, SamplingParams
    lora, request = types.ModuleType("vllm.lora"), types.ModuleType("vllm.lora.request")
    request.LoRARequest = LoRARequest
    vllm.lora, lora.request = lora, request
    for name, module in (("vllm", vllm), ("vllm.lora", lora), ("vllm.lora.request", request)):
        monkeypatch.setitem(sys.modules, name, module)
    return recorder


def answer(ids, params, lora, respond):
    tokens, values = respond(ids, params, lora)
    prompt_logprobs = None
    if params.prompt_logprobs is not None:
        prompt_logprobs = [None] + [{ids[j]: Logprob(values[j]), -1: Logprob(-9.0, 1)}
                                    for j in range(1, len(ids))]
    return SimpleNamespace(prompt_token_ids=ids, prompt_logprobs=prompt_logprobs,
                           outputs=[SimpleNamespace(token_ids=tokens, text="(not read)")])


class TransformersResponder:
    """vLLM's answers computed by the tiny model in float32: greedy tokens up to max_tokens or a
    stop token (kept, as vLLM keeps it), and log p(token j | tokens before j)."""

    def __init__(self, model_dir):
        from transformers import AutoModelForCausalLM

        self.model_dir, self.models = str(model_dir), {None: AutoModelForCausalLM.from_pretrained(model_dir)}

    def model(self, lora):
        key = lora.lora_path if lora else None
        if key not in self.models:
            from peft import PeftModel
            from transformers import AutoModelForCausalLM

            base = AutoModelForCausalLM.from_pretrained(self.model_dir)
            self.models[key] = PeftModel.from_pretrained(base, key).eval()
        return self.models[key]

    def __call__(self, ids, params, lora):
        import torch

        model = self.model(lora)
        with torch.inference_mode():
            logprobs = torch.log_softmax(model(torch.tensor([ids])).logits[0].float(), dim=-1)
            values = [None] + [float(logprobs[j - 1, ids[j]]) for j in range(1, len(ids))]
            tokens, current = [], list(ids)
            for _ in range(params.max_tokens):
                nxt = int(model(torch.tensor([current])).logits[0, -1].argmax())
                tokens.append(nxt)
                current.append(nxt)
                if nxt in (params.stop_token_ids or []):
                    break
        return tokens, values
