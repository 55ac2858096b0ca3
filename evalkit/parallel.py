"""Local systems evaluated side by side: one process per CPU core, one torch thread each.

Why processes: on a CPU a small model's generation (batches of 8 prompts, 576-wide matmuls) keeps
two threads of one process far from twice one thread's work, while two systems in two processes
are two independent jobs. Why one thread each: in bf16 a greedy output depends on the thread count
(the kernels split their sums by it; `generate.batch_of` keys the cache on it), so a fixed count
makes the outputs the same on any machine that runs them this way, whatever its core count.

Each worker loads the model once (`lineup.ModelPool`, as the single process does) and runs whole
systems with `runner.run_system`, appending to the same cache files (one line per write, in append
mode); the rows come back in the order of the systems.
"""
from __future__ import annotations

import itertools
import os
import threading
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

THREADS = 1          # torch threads per worker
_pool = _queue = None   # in a worker: its ModelPool (a model loaded on first use), the progress queue


def workers_for(config, specs) -> int:
    """How many processes: --workers, at most one per local system and per core; 1 means run
    in-process (another backend, or a GPU, where one process already keeps it busy)."""
    import torch

    local = sum(not s.is_endpoint for s in specs)
    if config.workers < 2 or config.backend != "transformers" or torch.cuda.is_available():
        return 1
    return max(1, min(config.workers, local, _cores() // THREADS))


def longest_first(jobs: list) -> list:
    """[(spec, system, items)] with the longest prompts first: a free worker takes the next job,
    so starting with the long ones keeps the last worker from running alone (the demo on 2 cores:
    RAG then fine-tuned on one worker, few-shot then zero-shot on the other: an evaluation of
    215–219 s, against 233 s with zero-shot then RAG on one worker while the other sat idle).
    Characters of the messages, a proxy for prefill and decode alike, computed without a
    tokenizer; ties keep the systems' order."""
    def size(job) -> int:
        _, system, items = job
        return sum(len(m["content"]) for item in items for m in system.messages(item))

    return sorted(jobs, key=size, reverse=True)


def _machine_threads(workers: int) -> int:
    """The torch threads the run holds in all: those this process would use alone (training's
    count: it held them all), and never fewer than the workers' own."""
    import torch

    return max(torch.get_num_threads(), workers * THREADS)


def _cores() -> int:
    affinity = getattr(os, "sched_getaffinity", None)      # Linux: the cores this process may use
    return len(affinity(0)) if affinity else os.cpu_count() or 1


def run_systems(jobs, specs, config, params, progress, workers: int) -> list[list]:
    """[(spec, system, items)] → each system's rows, in that order, from `workers` processes."""
    context = get_context("spawn")          # no fork of a process holding torch's threads
    queue = context.Queue() if progress else None
    relay = threading.Thread(target=_relay, args=(queue, progress), daemon=True) if queue else None
    if relay:
        relay.start()
    try:
        start = (specs, config.dtype, queue, _machine_threads(workers))
        with ProcessPoolExecutor(workers, mp_context=context, initializer=_start,
                                 initargs=start) as executor:
            futures = [executor.submit(_run, system, spec, items, params, config)
                       for spec, system, items in jobs]
            return [f.result() for f in futures]
    finally:
        if queue:
            queue.put(None)
            relay.join()


def _start(specs, dtype, queue, machine_threads) -> None:
    import torch

    from evalkit import generate, lineup

    global _pool, _queue
    torch.set_num_threads(THREADS)
    generate.MACHINE_SHARE = THREADS / machine_threads
    _pool, _queue = lineup.ModelPool(specs, dtype), queue


def _run(system, spec, items, params, config):
    from evalkit.generate import GenerationCache
    from evalkit.runner import run_system

    model, tokenizer, identity = _pool.get(spec)
    cache = GenerationCache(Path(config.out) / "cache" / "generations.jsonl")
    progress = _Progress(_queue) if _queue is not None else None
    return run_system(system, items, model, tokenizer, identity, params, cache, config, progress)


class _Progress:
    """The worker's side of the progress bars: `task` and `advance` sent to the parent."""
    ids = itertools.count()

    def __init__(self, queue):
        self.queue = queue

    def task(self, description: str, total: int):
        task_id = f"{os.getpid()}:{next(self.ids)}"
        self.queue.put(("task", task_id, description, total))
        return lambda n: self.queue.put(("advance", task_id, n))


def _relay(queue, progress) -> None:
    """The parent's side: draws what the workers send until None."""
    advances = {}
    for message in iter(queue.get, None):
        if message[0] == "task":
            advances[message[1]] = progress.task(message[2], message[3])
        else:
            advances[message[1]](message[2])
