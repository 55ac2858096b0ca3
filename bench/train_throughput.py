"""Training throughput: our LoRA trainer vs TRL's SFTTrainer on SmolLM2-135M, on this machine.

Same data (BANKING77 queries → intent name, rendered with SmolLM2's chat template), same LoRA
(r=16, alpha=32, dropout=0.05, every linear projection of attention and MLP), same batch (8),
same max length, same steps (one epoch over steps×8 examples, so both see every example once),
completion-only loss in both. Reported: tokens/s over all non-padding tokens of the training
batches (the prompt tokens are ~90% of them), and the final validation loss of each trainer's
adapter computed by one function (train.loop.evaluate: mean cross-entropy per completion token).
The machine's measured matmul peak (fp32, bf16) is the physical reference.

    .venv/bin/python bench/train_throughput.py                 # ours + TRL
    .venv/bin/python bench/train_throughput.py --ours-fp32 --trl-no-checkpointing --json r.json
    .venv/bin/python bench/train_throughput.py --packing --checkpointing on   # same for both

--packing: ours packs each micro-batch (train --packing), TRL flattens it (padding_free=True,
DataCollatorWithFlattening's layout): the same examples per step, so equal work in both.
"""
from __future__ import annotations

import argparse
import csv
import json
import math
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
BANKING = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "banking77"


def matmul_peak(dtype_name: str, n: int = 1024, reps: int = 10) -> float:
    """Best-of GFLOP/s of an n×n matmul: what this CPU can do at most, for reference."""
    import torch

    dtype = getattr(torch, dtype_name)
    a, b = torch.randn(n, n).to(dtype), torch.randn(n, n).to(dtype)
    a @ b
    best = math.inf
    for _ in range(reps):
        t0 = time.perf_counter()
        a @ b
        best = min(best, time.perf_counter() - t0)
    return 2 * n**3 / best / 1e9


def write_clean(folder: Path, n_train: int, n_val: int, seed: int) -> None:
    """BANKING77 rows as curated Records: user = the query, assistant = the intent name."""
    with open(BANKING / "train.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    random.Random(seed).shuffle(rows)
    folder.mkdir(parents=True, exist_ok=True)
    for split, chunk in (("train", rows[:n_train]), ("validation", rows[n_train:n_train + n_val])):
        with open(folder / f"{split}.jsonl", "w", encoding="utf-8") as f:
            for i, row in enumerate(chunk, 1):
                record = {"id": f"banking77/train.csv:{i}", "split": split, "label": row["category"],
                          "messages": [{"role": "user", "content": row["text"]},
                                       {"role": "assistant", "content": row["category"]}],
                          "meta": {}}
                f.write(json.dumps(record) + "\n")


def run_ours(clean: Path, out: Path, args, precision: str) -> dict:
    from train.loop import TrainConfig, train

    cfg = TrainConfig(data=str(clean), out=str(out), model="smollm2-135m", max_steps=args.steps,
                      lr=args.lr, batch_size=args.batch, max_len=args.max_len,
                      eval_every=args.steps, seed=args.seed, precision=precision,
                      packing=args.packing, gradient_checkpointing=args.checkpointing or "off")
    run = train(cfg, quiet=True)
    return {"trainer": f"tunecraft ({precision}{_layout(args, args.checkpointing == 'on')})", "tokens_per_s": run.tokens_per_s.all,
            "completion_tokens_per_s": run.tokens_per_s.completion,
            "val_loss": run.history.validation[-1].loss,
            "val_loss_before": run.history.validation[0].loss,
            "train_time_s": run.train_time_s, "tokens": run.tokens.all}


def run_trl(clean: Path, out: Path, args, checkpointing: bool) -> dict:
    """TRL's SFTTrainer with its defaults except what must match (and gradient checkpointing,
    which TRL turns on by default, when --trl-no-checkpointing is given)."""
    import torch
    from datasets import Dataset
    from peft import LoraConfig
    from trl import SFTConfig, SFTTrainer

    from train.data import encode, read_split
    from train.adapters import linear_target_modules
    from train.loop import evaluate
    from tunecraft.models import load_model

    model, tokenizer = load_model("smollm2-135m")
    rows = [{"prompt": r.messages[:-1], "completion": r.messages[-1:]}
            for r in read_split(clean, "train")]
    peft_config = LoraConfig(r=16, lora_alpha=32, lora_dropout=0.05, bias="none",
                             target_modules=linear_target_modules(model), task_type="CAUSAL_LM")
    config = SFTConfig(output_dir=str(out), per_device_train_batch_size=args.batch,
                       max_steps=args.steps, learning_rate=args.lr, lr_scheduler_type="cosine",
                       warmup_steps=math.ceil(0.05 * args.steps), completion_only_loss=True,
                       # padding_free refuses a max_length it does not enforce; the queries are
                       # far shorter than max_len, so nothing is cut either way
                       max_length=None if args.packing else args.max_len,
                       packing=False, padding_free=args.packing,
                       gradient_checkpointing=checkpointing, use_cpu=True,
                       bf16=False, report_to=[], save_strategy="no", eval_strategy="no",
                       logging_steps=max(1, args.steps // 4), seed=args.seed,
                       dataloader_num_workers=0)
    trainer = SFTTrainer(model=model, args=config, train_dataset=Dataset.from_list(rows),
                         processing_class=tokenizer, peft_config=peft_config)
    tokens = sum(sum(m) for m in trainer.train_dataset["attention_mask"]) \
        if "attention_mask" in trainer.train_dataset.column_names \
        else sum(len(ids) for ids in trainer.train_dataset["input_ids"])
    t0 = time.perf_counter()
    trainer.train()
    seconds = time.perf_counter() - t0
    val = encode(read_split(clean, "validation"), tokenizer, "chat", args.max_len).examples
    trainer.model.eval()
    val_loss = evaluate(trainer.model, val, args.batch, tokenizer.pad_token_id, _no_autocast)
    name = f"TRL SFTTrainer (fp32{_layout(args, checkpointing)})"
    return {"trainer": name, "tokens_per_s": tokens / seconds, "val_loss": val_loss,
            "train_time_s": seconds, "tokens": tokens, "torch_threads": torch.get_num_threads()}


def _layout(args, checkpointing: bool) -> str:
    return (", grad. checkpointing" if checkpointing else ", no grad. checkpointing") + \
        (", packed" if args.packing else "")


def _no_autocast():
    from contextlib import nullcontext

    return nullcontext()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=16)
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--max-len", type=int, default=128)
    parser.add_argument("--n-val", type=int, default=64)
    parser.add_argument("--lr", type=float, default=5e-4)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--only", choices=["ours", "trl"], default=None)
    parser.add_argument("--ours-fp32", action="store_true", help="also run ours in fp32")
    parser.add_argument("--trl-no-checkpointing", action="store_true",
                        help="also run TRL with gradient checkpointing off")
    parser.add_argument("--threads", type=int, default=1,
                        help="torch threads for every trainer (1 on a shared 2-core machine: "
                             "2 threads under contention stall in OpenMP barriers)")
    parser.add_argument("--checkpointing", choices=["on", "off"], default=None,
                        help="gradient checkpointing for both trainers (default: ours off, TRL "
                             "on, its default)")
    parser.add_argument("--packing", action="store_true",
                        help="ours --packing, TRL padding_free: the same examples per step")
    parser.add_argument("--json", type=Path, help="write the results here too")
    args = parser.parse_args()

    import torch

    torch.set_num_threads(args.threads)

    peak = {d: round(matmul_peak(d), 1) for d in ("float32", "bfloat16")}
    print(f"matmul peak GFLOP/s (1024², {torch.get_num_threads()} threads): {peak}", flush=True)
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        clean = Path(tmp) / "clean"
        write_clean(clean, args.steps * args.batch, args.n_val, args.seed)
        plan = []
        if args.only != "trl":
            plan += [lambda: run_ours(clean, Path(tmp) / "ours", args, "auto")]
            if args.ours_fp32:
                plan += [lambda: run_ours(clean, Path(tmp) / "ours32", args, "fp32")]
        if args.only != "ours":
            plan += [lambda: run_trl(clean, Path(tmp) / "trl", args, args.checkpointing != "off")]
            if args.trl_no_checkpointing:
                plan += [lambda: run_trl(clean, Path(tmp) / "trl2", args, False)]
        for job in plan:
            results.append(job())
            print(json.dumps(results[-1]), flush=True)
    print_table(results, peak, args)
    if args.json:
        args.json.write_text(json.dumps({"peak_gflops": peak, "results": results}, indent=2))


def print_table(results, peak, args) -> None:
    print(f"\nSmolLM2-135M, LoRA r=16 all linear, batch {args.batch}, max_len {args.max_len}, "
          f"{args.steps} steps, lr {args.lr}, BANKING77 (prompt tokens masked)")
    print("| trainer | tokens/s (all) | train s | val loss |")
    print("|---|---:|---:|---:|")
    for r in results:
        print(f"| {r['trainer']} | {r['tokens_per_s']:.0f} | {r['train_time_s']:.1f} | "
              f"{r['val_loss']:.4f} |")
    print(f"\nmatmul peak: fp32 {peak['float32']} GFLOP/s, bf16 {peak['bfloat16']} GFLOP/s")


if __name__ == "__main__":
    main()
