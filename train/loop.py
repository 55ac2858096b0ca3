"""The LoRA training loop, readable top to bottom (in the spirit of nanoGPT's train.py).

config → model + adapters → data → (evaluate, checkpoint) … train steps … → best adapter, run.json.

Speed on a CPU comes from three things: bf16 where the CPU has bf16 instructions (the frozen
linear weights stored in bf16 so autocast need not cast them at every step; embeddings, norms,
the residual stream and the adapters stay fp32); batches grouped by length (little
padding); and the output head applied only at completion positions (train/loss.py).
"""
from __future__ import annotations

import math
import sys
import time
from contextlib import nullcontext
from dataclasses import asdict, replace
from pathlib import Path

from train import card, distributed, progress
from train.config import TrainConfig
from train.data import (IGNORE, DataError, batch_schedule, cap_validation, collate, encode,
                        read_split)
from train.loss import completion_loss, evaluate, fall_se  # noqa: F401  (bench/tests use them here)
from train.adapters import load_trainable_state, trainable_state
from train.modeling import pick_precision, prepare, store_linears_in_bf16  # noqa: F401
from train.packing import collate_packed
from tunecraft.files import atomic_path


def default_lr(hidden_size: int) -> float:
    """Peak LoRA learning rate by model width. 2e-4 is the common default for 7B-13B models
    (QLoRA, Unsloth, axolotl); QLoRA halves it for 33B+; small models train best higher (LoRA
    wants ~10x the full fine-tuning rate, which itself grows as models shrink). README: "Training
    defaults" has the measurements on SmolLM2-135M."""
    if hidden_size <= 1024:      # ≲ 0.5B parameters (SmolLM2-135M/360M, Qwen2.5-0.5B)
        return 5e-4
    if hidden_size <= 2560:      # ≲ 3B
        return 3e-4
    return 2e-4 if hidden_size < 6656 else 1e-4


def train_step(model, optimizer, scheduler, micro_batches, clip, autocast) -> tuple[float, int]:
    """One optimizer step over the micro-batches; the loss is normalised by the completion tokens
    of *all* micro-batches together, so gradient accumulation equals one big batch."""
    import torch

    n_total = distributed.total(sum(int((b["labels"][:, 1:] != IGNORE).sum())
                                    for b in micro_batches))       # of the global batch
    loss_total = 0.0
    for batch in micro_batches:
        with autocast():
            loss_sum, _ = completion_loss(model, batch)
        (loss_sum / n_total).backward()
        loss_total += float(loss_sum.detach())
    params = [p for p in model.parameters() if p.requires_grad]
    distributed.sum_gradients(params)
    loss_total = distributed.total(loss_total)
    torch.nn.utils.clip_grad_norm_(params, clip)
    optimizer.step()
    scheduler.step()
    optimizer.zero_grad(set_to_none=True)
    return loss_total / n_total, n_total


def train(cfg: TrainConfig, resume: bool = False, quiet: bool = False) -> card.RunCard:
    """Train, write `<out>/adapter/` and `<out>/run.json`; returns the run card.

    Without --max-steps it trains up to `epochs` passes and stops when the validation loss has not
    improved for `patience` evaluations (the best adapter is kept), or when `time_budget` runs
    out; the card records which of these ended it (`stop_reason`), which evalkit's verdict reads."""
    import torch
    from transformers import get_cosine_schedule_with_warmup

    from train import frozen_prefix
    from tunecraft.models import resolve

    started = time.perf_counter()
    out = Path(cfg.out)
    main = distributed.is_main()                  # only the first process writes and prints
    quiet = quiet or not main
    ckpt_path = out / "checkpoint.pt"
    checkpoint = None
    if resume:
        checkpoint = _load_checkpoint(ckpt_path)
        cfg = TrainConfig.from_dict({**checkpoint["config"], "data": cfg.data, "out": cfg.out})
    precision = pick_precision(cfg.precision)
    device = distributed.device()

    def autocast():
        if precision != "bf16":
            return nullcontext()
        return torch.autocast(device.split(":")[0], dtype=torch.bfloat16)

    # --- model, adapters, data --------------------------------------------------------------
    source = resolve(cfg.model)
    torch.manual_seed(cfg.seed)
    model, tokenizer, targets = prepare(cfg, precision, device)
    if not cfg.lr:
        cfg = replace(cfg, lr=default_lr(model.get_base_model().config.hidden_size))
    train_set = encode(read_split(cfg.data, "train"), tokenizer, cfg.template, cfg.max_len)
    val_records = read_split(cfg.data, "validation")
    val_set = encode(cap_validation(val_records, cfg.val_limit, cfg.seed), tokenizer,
                     cfg.template, cfg.max_len)
    val_set.counts["rows_in_split"] = len(val_records)
    if not train_set.examples:
        raise DataError(f"{cfg.data}: no usable training examples ({dict(train_set.counts)})")
    cfg = check_validation(cfg, val_set)
    pad_id = tokenizer.pad_token_id
    # --lora-layers: the blocks below the adapters run once per example, not at every step
    frozen = frozen_prefix.cache(model, cfg, train_set.examples + val_set.examples, pad_id,
                                 autocast, precision)
    if main:       # only now: a refused option (--qlora without CUDA) or bad data leaves no folder
        out.mkdir(parents=True, exist_ok=True)

    def batch_of(examples):
        if cfg.packing:
            return collate_packed(examples, pad_id, cfg.max_len)
        return collate(examples, pad_id)

    # --- the whole micro-batch schedule, fixed by seed: resume replays the same data order ------
    lengths = [len(e.input_ids) for e in train_set.examples]
    per_epoch = math.ceil(len(lengths) / cfg.batch_size)
    wanted = cfg.max_steps * cfg.grad_accum if cfg.max_steps > 0 else per_epoch * cfg.epochs
    schedule = []
    for epoch in range(math.ceil(wanted / per_epoch)):
        schedule += batch_schedule(lengths, cfg.batch_size, cfg.seed, epoch)
    schedule = schedule[:wanted]
    total_steps = math.ceil(len(schedule) / cfg.grad_accum)
    steps_per_epoch = per_epoch / cfg.grad_accum
    if not cfg.eval_every:                         # four evaluations per epoch
        cfg = replace(cfg, eval_every=max(1, math.ceil(steps_per_epoch / 4)))

    trainable = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(trainable, lr=cfg.lr, weight_decay=cfg.weight_decay)
    scheduler = get_cosine_schedule_with_warmup(
        optimizer, math.ceil(cfg.warmup_ratio * total_steps), total_steps)

    state = {"step": 0, "history": {"train": [], "validation": []}, "best_loss": math.inf,
             "best_step": 0, "bad_evals": 0, "train_time": 0.0,
             "tokens": {"completion": 0, "all": 0}, "stopped_early": False}
    best_adapter = trainable_state(model)
    if checkpoint is not None:
        load_trainable_state(model, checkpoint["trainable"])
        optimizer.load_state_dict(checkpoint["optimizer"])
        scheduler.load_state_dict(checkpoint["scheduler"])
        torch.set_rng_state(checkpoint["rng"])
        if checkpoint.get("cuda_rng") and torch.cuda.is_available():   # dropout on the GPU
            torch.cuda.set_rng_state_all(checkpoint["cuda_rng"])
        state, best_adapter = checkpoint["state"], checkpoint["best_adapter"]
    state.update(planned_steps=total_steps, steps_per_epoch=steps_per_epoch, frozen_cache=frozen)

    def validate_and_checkpoint():
        rows = []
        val = evaluate(model, val_set.examples, cfg.batch_size, pad_id, autocast, rows) \
            if val_set.examples else math.nan
        state["history"]["validation"].append(
            {"step": state["step"], "loss": val, "fall_se": fall_se(state.get("val_rows"), rows)})
        state["val_rows"] = rows
        if val < state["best_loss"] or not val_set.examples:
            state.update(best_loss=val, best_step=state["step"], bad_evals=0)
            best_adapter.update(trainable_state(model))
        else:
            state["bad_evals"] += 1
        if main:
            _save_checkpoint(ckpt_path, cfg, model, optimizer, scheduler, state, best_adapter)
        report.validation(state["step"], val)
        return val

    # --- the loop ------------------------------------------------------------------------------
    with progress.reporter(total_steps, quiet) as report:
        report.note(f"{len(train_set.examples)} training examples, {total_steps} steps planned "
                    f"({total_steps / steps_per_epoch:.2g} epochs), lr {cfg.lr:g}, validating "
                    f"{len(val_set.examples)} of {len(val_records)} rows every {cfg.eval_every} steps")
        if frozen["used"]:
            report.note(f"the {frozen['blocks']} frozen blocks below the adapters computed once "
                        f"({frozen['mb']:g} MB, {frozen['seconds']:.0f} s)")
        if state["step"] == 0 and not state["history"]["validation"]:
            validate_and_checkpoint()
        state["stop_reason"] = "max_steps" if cfg.max_steps > 0 else "epochs"
        while state["step"] < total_steps:
            step = state["step"]
            shares = [[train_set.examples[i] for i in distributed.shard(idx)]
                      for idx in schedule[step * cfg.grad_accum:(step + 1) * cfg.grad_accum]]
            # a short last batch may leave a process nothing: it still joins the gradient sum
            micro = [_to(batch_of(share), device) for share in shares if share]
            t0 = time.perf_counter()
            loss, n_completion = train_step(model, optimizer, scheduler, micro, cfg.clip, autocast)
            state["train_time"] += time.perf_counter() - t0
            state["tokens"]["completion"] += n_completion
            state["tokens"]["all"] += int(distributed.total(
                sum(len(e.input_ids) for share in shares for e in share)))
            state["step"] = step + 1
            state["history"]["train"].append(
                {"step": step + 1, "loss": loss, "lr": scheduler.get_last_lr()[0]})
            report.step(state["step"], loss, state["tokens"]["all"] / max(state["train_time"], 1e-9))
            out_of_time = cfg.time_budget and time.perf_counter() - started >= cfg.time_budget
            out_of_time = distributed.total(float(bool(out_of_time))) > 0   # all stop together
            if state["step"] % cfg.eval_every == 0 or state["step"] == total_steps or out_of_time:
                validate_and_checkpoint()
                if cfg.patience and state["bad_evals"] >= cfg.patience:
                    state.update(stopped_early=True, stop_reason="early_stopping")
                    break
            if out_of_time:
                state["stop_reason"] = "time_budget"
                report.note(f"time budget of {cfg.time_budget:.0f} s reached at step "
                            f"{state['step']}/{total_steps} "
                            f"({state['step'] / steps_per_epoch:.2g} epochs)")
                break
    state["wall_time"] = time.perf_counter() - started

    # --- outputs: the best adapter, optionally merged, and the run card -------------------------
    load_trainable_state(model, best_adapter)
    run = card.build(cfg, precision, device, source, tokenizer, targets, model,
                     train_set, val_set, state)
    if main:
        card.save_adapter(model, tokenizer, out / "adapter")
        if cfg.merge:
            card.save_merged(cfg.model, out / "adapter", out / "merged")
        run.write(out / "run.json")
    distributed.barrier()         # the others return once the adapter and card are on disk
    return run


def check_validation(cfg: TrainConfig, val_set) -> TrainConfig:
    """No validation examples: training still works (the adapter kept is the last step's), but
    nothing picks the best step or stops early, so say so before the minutes of training, not
    after, and turn early stopping off (the card then records patience 0)."""
    if val_set.examples:
        return cfg
    where = Path(cfg.data) / "validation.jsonl"
    print(f"warning: {where}: no usable validation examples ({dict(val_set.counts)}); training "
          "without validation or early stopping, the adapter kept is the last step's",
          file=sys.stderr)
    return replace(cfg, patience=0)


def _to(batch: dict, device) -> dict:
    return {k: v.to(device) for k, v in batch.items()}


def _load_checkpoint(path: Path) -> dict:
    """A checkpoint cut short (a full disk, a copy interrupted) is one line, not a torch trace."""
    import pickle

    import torch

    if not path.is_file():
        raise FileNotFoundError(f"{path}: no checkpoint to resume from")
    try:
        return torch.load(path, weights_only=False, map_location="cpu")
    except (RuntimeError, EOFError, pickle.UnpicklingError) as exc:
        raise DataError(f"{path}: unreadable checkpoint ({type(exc).__name__}); train again "
                        "with --force instead of --resume") from None


def _save_checkpoint(path, cfg, model, optimizer, scheduler, state, best_adapter) -> None:
    """Everything a resume needs to continue bit for bit; written to a temp file, then renamed."""
    import torch

    with atomic_path(path) as tmp:
        torch.save({"config": asdict(cfg), "trainable": trainable_state(model),
                    "optimizer": optimizer.state_dict(), "scheduler": scheduler.state_dict(),
                    "rng": torch.get_rng_state(),
                    "cuda_rng": torch.cuda.get_rng_state_all() if torch.cuda.is_available() else None,
                    "state": state, "best_adapter": best_adapter}, tmp)
