"""The base model made ready to train: loaded (4-bit for --qlora), frozen weights in bf16 where the
precision is bf16, activation checkpointing, then the LoRA adapters.

Any Hugging Face causal LM works: the adapters go on every linear layer of the blocks (what peft
calls "all-linear"; Llama's q/k/v/o/gate/up/down, Phi's dense/fc1/fc2, Phi3's fused qkv_proj and
gate_up_proj), found from the module tree rather than from a per-architecture table that a new
architecture would be missing from.
"""
from __future__ import annotations

from train.adapters import LoraSettings, apply_lora, top_layers


class HardwareError(ValueError):
    """An option this machine cannot run (--qlora without CUDA or bitsandbytes); one line."""


def pick_precision(requested: str) -> str:
    """bf16 on CUDA with bf16 support and on CPUs with bf16 instructions (AVX512-BF16/AMX)."""
    import torch

    if requested != "auto":
        return requested
    if torch.cuda.is_available():
        return "bf16" if native_cuda_bf16() else "fp32"
    try:  # oneDNN's own check for AVX512-BF16 / AMX; a private op, so fall back to fp32
        return "bf16" if torch.ops.mkldnn._is_mkldnn_bf16_supported() else "fp32"
    except (AttributeError, RuntimeError):
        return "fp32"


def native_cuda_bf16() -> bool:
    """Ampere or newer. torch's plain `is_bf16_supported()` also says yes where bf16 is only
    emulated (T4, V100), which runs slower than fp32 there."""
    import torch

    return torch.cuda.is_bf16_supported(including_emulation=False)


def quantization_config():
    """NF4 with double quantization and bf16 compute: the QLoRA paper's recipe (fp16 compute on a
    GPU without native bf16, as bitsandbytes' own examples do for T4s)."""
    import torch

    if not torch.cuda.is_available():
        raise HardwareError("--qlora needs a CUDA GPU (bitsandbytes 4-bit); this machine has "
                            "none: train without --qlora")
    try:
        import bitsandbytes  # noqa: F401
    except ImportError:
        raise HardwareError("--qlora needs bitsandbytes: pip install bitsandbytes") from None
    from transformers import BitsAndBytesConfig

    return BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_quant_type="nf4",
                              bnb_4bit_use_double_quant=True,
                              bnb_4bit_compute_dtype=torch.bfloat16 if native_cuda_bf16()
                              else torch.float16)


def store_linears_in_bf16(model) -> None:
    """Frozen projection weights in bf16 (autocast would cast them to bf16 anyway, every step);
    the output head stays fp32 because it is often tied to the input embeddings."""
    import torch

    head = model.get_output_embeddings()
    for module in model.modules():
        if isinstance(module, torch.nn.Linear) and module is not head:
            module.to(torch.bfloat16)


def checkpoint_adapted_blocks(base) -> None:
    """Activation checkpointing (non-reentrant) on the blocks from the lowest one holding an
    adapter up; autograd records nothing below it.

    transformers hooks the input embeddings so that their output requires a gradient when it
    turns checkpointing on (reentrant checkpointing needs that; so does peft, which adds the same
    hook when it wraps an already checkpointed model: hence adapters first, then this). With
    non-reentrant checkpointing the hook only makes autograd record every block from the
    embeddings up and compute activation gradients that no parameter uses; removed, the frozen
    blocks below the adapters (all of them with --lora-layers) run as plain inference, with no
    graph and so nothing to recompute: they are not checkpointed either."""
    from transformers.modeling_layers import GradientCheckpointingLayer

    enable = getattr(base, "activation_checkpointing_enable", None)   # transformers ≥ 5.x
    if enable is not None:
        enable(activation_checkpointing_kwargs={"use_reentrant": False})
    else:
        base.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": False})
    if getattr(base, "_require_grads_hooks", None) or getattr(base, "_require_grads_hook", None):
        base.disable_input_require_grads()
    for block in (m for m in base.modules() if isinstance(m, GradientCheckpointingLayer)):
        if any(p.requires_grad for p in block.parameters()):
            break
        block.gradient_checkpointing = False


EAGER_MAX_LEN = 256


def pick_attention(base, device: str, max_len: int) -> None:
    """Plain (eager) attention instead of SDPA for short sequences on a CPU.

    Why: at the demo's lengths (≤ 256 tokens, batches of 4) torch's CPU flash-attention kernel
    was 18% of a training step, and eager attention — two matmuls and a softmax, what SDPA
    computes — made steps 10-12% faster and validations 9% (bench/RESULTS.md, "speed4"); losses
    agree to the fourth digit in bf16 and to rounding in fp32 (tests/test_train_attention.py).
    Eager keeps a [batch, heads, n, n] matrix per adapted block for the backward pass, so longer
    sequences (and GPUs, where SDPA is the fast path) keep SDPA. Only evalkit generates, and it
    loads its own model: generation is untouched."""
    if device.startswith("cpu") and max_len <= EAGER_MAX_LEN and \
            getattr(base.config, "_attn_implementation", None) == "sdpa":
        base.set_attn_implementation("eager")


def prepare(cfg, precision: str, device: str):
    """(peft model on `device`, tokenizer, LoRA target module names)."""
    from tunecraft.models import load_model

    quant = quantization_config() if cfg.qlora else None
    base, tokenizer = load_model(cfg.model, quantization_config=quant,
                                 device_map={"": device} if quant else None)
    if quant is not None:
        from peft import prepare_model_for_kbit_training

        base = prepare_model_for_kbit_training(base, use_gradient_checkpointing=False)
    elif precision == "bf16":
        store_linears_in_bf16(base)
    pick_attention(base, device, cfg.max_len)
    layers = top_layers(base, cfg.lora_layers)
    model, targets = apply_lora(base, LoraSettings(cfg.rank, cfg.alpha, cfg.dropout, layers=layers))
    if cfg.gradient_checkpointing == "on":     # on by default: README "Memory" has the figures
        checkpoint_adapted_blocks(base)
    if quant is None:
        model.to(device)
    return model.train(), tokenizer, targets
