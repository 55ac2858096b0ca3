"""LoRA settings and applying them with peft (we compose `LoraConfig` + `get_peft_model`, we do not
re-implement LoRA). Target modules are found from the architecture: every `nn.Linear` inside the
transformer blocks (attention and MLP projections), never the output head, whose weights are
often tied to the input embeddings.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass
class LoraSettings:
    rank: int = 16
    alpha: int = 32
    dropout: float = 0.05
    target_modules: list[str] | None = None   # None: every linear projection in the blocks
    layers: list[int] | None = None           # block indices to adapt; None: every block

    def __post_init__(self):
        if self.rank < 1:
            raise ValueError(f"LoRA rank must be ≥ 1, got {self.rank}")
        if not 0.0 <= self.dropout < 1.0:
            raise ValueError(f"LoRA dropout must be in [0, 1), got {self.dropout}")

    def to_dict(self) -> dict:
        return asdict(self)


def linear_target_modules(model) -> list[str]:
    """Names (last path component) of every nn.Linear except the output head, sorted."""
    import torch

    head = model.get_output_embeddings()
    names = {name.rsplit(".", 1)[-1] for name, module in model.named_modules()
             if isinstance(module, torch.nn.Linear) and module is not head}
    head_names = {name.rsplit(".", 1)[-1] for name, module in model.named_modules()
                  if module is head}
    return sorted(names - head_names)


def apply_lora(model, settings: LoraSettings):
    """Wrap `model` with fresh LoRA adapters; returns the PeftModel and the resolved targets."""
    from peft import LoraConfig, get_peft_model

    targets = settings.target_modules or linear_target_modules(model)
    config = LoraConfig(r=settings.rank, lora_alpha=settings.alpha, lora_dropout=settings.dropout,
                        target_modules=targets, layers_to_transform=settings.layers,
                        bias="none", task_type="CAUSAL_LM")
    return get_peft_model(model, config), targets


def top_layers(model, count: int) -> list[int] | None:
    """Indices of the top `count` transformer blocks (None: every block, for `count` 0)."""
    from train.options import ConfigError

    total = model.config.num_hidden_layers
    if count > total:
        raise ConfigError("lora_layers", f"must be at most {total} (the model's blocks), "
                                         f"got {count}")
    return list(range(total - count, total)) if 0 < count < total else None


def trainable_state(model) -> dict:
    """A detached copy of the adapter weights (what the best-adapter snapshot and checkpoints keep)."""
    return {name: param.detach().clone() for name, param in model.named_parameters()
            if param.requires_grad}


def load_trainable_state(model, state: dict) -> None:
    params = dict(model.named_parameters())
    for name, value in state.items():
        params[name].data.copy_(value)
