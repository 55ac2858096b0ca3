"""A run card written by hand, as `train lora` would write it, for tests that need one without
training (cost, the undertrained verdict, evalkit's adapter folders)."""
from __future__ import annotations

from train.card import (BaseModel, Best, Data, History, Lora, RunCard, Stop, STOP_REASONS,
                        Template, Tokens, TrainPoint, ValPoint)
from train.loop import TrainConfig


def make_card(validation=((0, 4.0), (20, 2.0), (40, 1.9)), *, reason="max_steps", steps=None,
              model="smollm2-135m", base_sha256=None, chat_template=None, train_time_s=12.5,
              tokens=(200, 1000), **config) -> RunCard:
    """`validation`: (step, loss) or (step, loss, fall_se); `tokens`: (completion, all)."""
    points = [ValPoint(*point) for point in validation]
    steps = steps if steps is not None else max((p.step for p in points), default=0)
    cfg = TrainConfig(**{"data": "clean", "out": "runs/v1", "model": model, "max_steps": steps,
                         **config})
    best = min(points, key=lambda p: p.loss, default=ValPoint(0, None))
    return RunCard(
        config=cfg, precision="fp32", device="cpu",
        base_model=BaseModel(model, "alias", "/models/m.gguf", "/models/m.gguf", base_sha256,
                             "LlamaForCausalLM"),
        template=Template("chat", chat_template, None, True, None, "<|im_end|>", "<|im_end|>"),
        data=Data("/data/clean", "a" * 64, "b" * 64, "c" * 64, {"kept": 12}, {"kept": 4}),
        lora=Lora(16, 32, 0.05, ["q_proj", "v_proj"], 4096),
        steps=steps, stopped_early=reason == "early_stopping",
        stop=Stop(reason, STOP_REASONS[reason], steps, 1.0, cfg.patience, None, train_time_s),
        best=Best(best.step, best.loss),
        history=History([TrainPoint(s, 2.5 - s / 100, 5e-4) for s in range(1, steps + 1)], points),
        tokens=Tokens(*tokens), train_time_s=train_time_s,
        tokens_per_s=Tokens(round(tokens[0] / train_time_s, 2), round(tokens[1] / train_time_s, 2)),
        peak_memory_mb=812.5, adapter="adapter", merged=None,
        versions={"python": "3.11.7", "torch": "2.5.1"})

