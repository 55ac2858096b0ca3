"""The base model and the fine-tuned model as plain `nn.Linear`s while a system runs, for speed.

Why: peft wraps every targeted linear (7 per layer, 210 in SmolLM2-135M) in a LoRA layer whose
forward is Python. Profiling the demo's evaluation on a CPU (bench/RESULTS.md, issue 20) put a
one-token decode step of the base model at 1.4× the plain model's cost with the adapter switched
off (`disable_adapter()`: the wrapper still runs, then calls its base layer) and at 2.2× with it on
(two more matmuls, a dropout and casts per linear). Decode steps are most of an evaluation.

- `base_only`: each LoRA layer is replaced in its parent by the `base_layer` it wraps, and put
  back on exit. A disabled LoRA layer computes exactly `base_layer(x)`, so outputs are identical
  bit for bit.
- `merged`: each base layer's weight is replaced by W + ΔW (ΔW = B·A·scaling, added in float32,
  rounded once to the weight's dtype) and the LoRA layer by its base layer; on exit the original
  weight tensor (not a subtraction, which would not round-trip in bf16) and the LoRA layer return.
  In float32 this equals the unmerged forward up to float rounding; in bfloat16 it differs by one
  rounding of the merged weight (tests/test_plain_modules.py states the tolerance).

Only plain LoRA on `Linear` layers with one active adapter takes these paths (what `train lora`
makes); anything else (DoRA, other tuners, several adapters) keeps peft's own switch.
"""
from __future__ import annotations

from contextlib import contextmanager, nullcontext


def lora_linears(model) -> list[tuple[object, str, object]] | None:
    """(parent, attribute, LoRA layer) for every LoRA layer, or None when any is not a plain
    single-adapter LoRA Linear (then the caller keeps peft's own switch)."""
    from peft import PeftModel
    from peft.tuners.lora import Linear, LoraLayer

    if not isinstance(model, PeftModel) or len(model.active_adapters) != 1:
        return None
    found = []
    for parent in model.modules():
        for name, child in parent.named_children():
            if isinstance(child, LoraLayer):
                if type(child) is not Linear or child.lora_variant or child.merged:
                    return None
                found.append((parent, name, child))
    return found


@contextmanager
def base_only(model, layers):
    """The base model's own linears in place of the LoRA layers (exact: see the module doc)."""
    try:
        for parent, name, layer in layers:
            setattr(parent, name, layer.base_layer)
        yield
    finally:
        for parent, name, layer in layers:
            setattr(parent, name, layer)


@contextmanager
def merged(model, layers):
    """Linears holding W + ΔW in place of the LoRA layers; the original weights come back."""
    import torch

    adapter = model.active_adapters[0]
    saved = []
    try:
        with torch.no_grad():
            for parent, name, layer in layers:
                weight = layer.base_layer.weight
                saved.append(weight.data)
                if adapter in layer.lora_A:
                    delta = layer.get_delta_weight(adapter).float()
                    weight.data = (weight.data.float() + delta).to(weight.dtype)
                setattr(parent, name, layer.base_layer)
        yield
    finally:
        for (parent, name, layer), data in zip(layers, saved):
            layer.base_layer.weight.data = data
        for parent, name, layer in layers:
            setattr(parent, name, layer)


def plain_switch(model, on: bool):
    """Context for one system: the merged fine-tuned model (`on`) or the plain base model;
    peft's own switch where the adapter is not a plain LoRA; nothing without an adapter."""
    from peft import PeftModel

    if not isinstance(model, PeftModel):
        return nullcontext()
    layers = lora_linears(model)
    if layers is None:
        return nullcontext() if on else model.disable_adapter()
    return merged(model, layers) if on else base_only(model, layers)
