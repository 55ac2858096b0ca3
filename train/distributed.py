"""Several processes (torchrun, or `train lora --nproc N`): data parallel, NCCL on GPUs, gloo on CPUs.

Each process holds the whole model and takes every `world`-th example of each micro-batch; after
the backward pass the adapter gradients are summed across processes (one all_reduce of one flat
tensor: LoRA gradients are a few MB). The loss of a step is divided by the completion tokens of
the *global* batch, so the summed gradient is exactly the single-process one and the loss curve is
the single-process curve with the same global batch (up to float summation order). We do this by
hand rather than through `DistributedDataParallel` because the loss calls the decoder directly
(train/loop.py: the head only at label positions), past the wrapper's forward hooks.

Rank 0 alone writes (checkpoint, adapter, run.json) and prints progress; every process reads the
same checkpoint on --resume, so their states stay identical.
"""
from __future__ import annotations

import os


def world() -> int:
    return int(os.environ.get("WORLD_SIZE", "1"))


def rank() -> int:
    return int(os.environ.get("RANK", "0"))


def is_main() -> bool:
    return rank() == 0


def init() -> None:
    """Join the process group torchrun describes in the environment (a no-op for one process)."""
    import torch
    import torch.distributed as dist

    if world() == 1 or dist.is_initialized():
        return
    if torch.cuda.is_available():
        local_rank, gpus = int(os.environ.get("LOCAL_RANK", "0")), torch.cuda.device_count()
        if local_rank >= gpus:
            raise SystemExit(f"error: process {local_rank} of this node has no GPU: the node has "
                             f"{gpus}; use --nproc {gpus} (or --nproc-per-node {gpus}) at most")
        torch.cuda.set_device(local_rank)
    dist.init_process_group("nccl" if torch.cuda.is_available() else "gloo")


def device() -> str:
    import torch

    if not torch.cuda.is_available():
        return "cpu"
    return f"cuda:{os.environ.get('LOCAL_RANK', '0')}" if world() > 1 else "cuda"


def shard(indices: list[int]) -> list[int]:
    """This process's share of a batch: every world-th example, starting at its rank."""
    return indices[rank()::world()]


def total(value: float) -> float:
    """The sum of a number over all processes."""
    if world() == 1:
        return value
    import torch
    import torch.distributed as dist

    t = torch.tensor([float(value)], dtype=torch.float64, device=device())
    dist.all_reduce(t)
    return float(t.item())


def total_list(values: list) -> list:
    """The element-wise sum of a list of numbers over all processes (one all_reduce)."""
    if world() == 1:
        return list(values)
    import torch
    import torch.distributed as dist

    t = torch.tensor([float(v) for v in values], dtype=torch.float64, device=device())
    dist.all_reduce(t)
    return t.tolist()


def sum_gradients(params) -> None:
    """Add up the gradients of `params` across processes, in place (one flat all_reduce)."""
    if world() == 1:
        return
    import torch
    import torch.distributed as dist

    grads = [p.grad if p.grad is not None else torch.zeros_like(p) for p in params]
    flat = torch.cat([g.reshape(-1).float() for g in grads])
    dist.all_reduce(flat)
    offset = 0
    for p, g in zip(params, grads):
        n = g.numel()
        p.grad = flat[offset:offset + n].view_as(g).to(g.dtype)
        offset += n


def broadcast_ok(error: Exception | None) -> None:
    """Rank 0 checked something (the run folder) that every process must stop on: share it."""
    if world() == 1:
        if error:
            raise error
        return
    import torch.distributed as dist

    box = [None if error is None else f"{type(error).__name__}: {error}"]
    dist.broadcast_object_list(box, src=0)
    if error is not None:
        raise error
    if box[0] is not None:
        raise SystemExit(f"rank 0 stopped: {box[0]}")


def barrier() -> None:
    if world() > 1:
        import torch.distributed as dist

        dist.barrier()


def finish() -> None:
    import torch.distributed as dist

    if world() > 1 and dist.is_initialized():
        dist.destroy_process_group()
