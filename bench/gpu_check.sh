#!/usr/bin/env bash
# What a GPU machine runs end to end in under 10 minutes (issue 18): train SmolLM2-135M in bf16,
# with packing + checkpointing, with QLoRA, on 1 and on all GPUs; evalkit on CUDA; vLLM with the
# LoRA adapter when vllm is installed. Prints tokens/s, peak GPU memory and the loss curve of each.
#
#     make setup && bash bench/gpu_check.sh [WORK_DIR]          # from the repository root
#
# Each step says PASS or FAIL (or SKIP with the reason); the exit status is the number of FAILs.
# Written by reading, not run: the session that wrote it had no GPU (see bench/RESULTS.md).
set -uo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-.venv/bin/python}
BIN=$(dirname "$PY")             # the console scripts curate, train, evalkit
WORK=${1:-/tmp/tunecraft-gpu-check}
STEPS=${STEPS:-60}
mkdir -p "$WORK"
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 TOKENIZERS_PARALLELISM=false
failures=0

step() {  # step NAME COMMAND... : run it, time it, say PASS or FAIL
    local name=$1; shift
    echo; echo "=== $name"; local t0=$SECONDS
    if "$@" > "$WORK/$name.log" 2>&1; then
        echo "PASS $name ($((SECONDS - t0)) s)"
    else
        echo "FAIL $name ($((SECONDS - t0)) s): $(tail -n 3 "$WORK/$name.log" | tr '\n' ' ')"
        failures=$((failures + 1))
    fi
}

card() {  # card RUN_DIR: tokens/s, peak GPU memory and the loss curve from run.json
    "$PY" - "$1" <<'EOF'
import json, sys
c = json.load(open(sys.argv[1] + "/run.json"))
print(f"  device {c['device']}  precision {c['precision']}  tokens/s {c['tokens_per_s']['all']}"
      f"  peak GPU memory {c['peak_memory_mb']} MB  train time {c['train_time_s']} s")
print("  train loss:", " ".join(f"{p['loss']:.3f}" for p in c["history"]["train"][::5]))
print("  validation:", " → ".join(f"{p['loss']:.3f}@{p['step']}" for p in c["history"]["validation"]))
EOF
}

"$PY" -c "import torch; assert torch.cuda.is_available(), 'no CUDA device'; \
print(torch.__version__, torch.version.cuda, [torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())])" \
    || { echo "FAIL: torch sees no CUDA device"; exit 1; }
NGPU=$("$PY" -c "import torch; print(torch.cuda.device_count())")

CLEAN=$WORK/clean
step curate "$BIN/curate" run examples/support-desk/raw --out "$CLEAN" \
    --recipe examples/support-desk/recipe.yaml --force

TRAIN=("$BIN/train" lora --data "$CLEAN" --model smollm2-135m --max-steps "$STEPS"
       --eval-every 20 --max-len 384 --batch-size 8 --force --quiet)
step train-bf16 "${TRAIN[@]}" --out "$WORK/bf16" --precision auto --gradient-checkpointing off \
    && card "$WORK/bf16"
step train-packing-ckpt "${TRAIN[@]}" --out "$WORK/packing" --packing --gradient-checkpointing on \
    && card "$WORK/packing"
if "$PY" -c "import bitsandbytes" 2>/dev/null; then
    step train-qlora "${TRAIN[@]}" --out "$WORK/qlora" --qlora && card "$WORK/qlora"
else
    echo "SKIP train-qlora: bitsandbytes is not installed (pip install bitsandbytes)"
fi
if [ "$NGPU" -gt 1 ]; then
    step "train-${NGPU}gpu" "${TRAIN[@]}" --out "$WORK/ddp" --nproc "$NGPU" && card "$WORK/ddp"
    echo "  (the same global batch of 8 as train-bf16: the curves should agree)"
else
    echo "SKIP train-all-gpus: one GPU"
fi

step evalkit-cuda "$BIN/evalkit" run --data "$CLEAN" --model smollm2-135m \
    --adapter "$WORK/bf16" --systems zero-shot,fine-tuned --limit 64 --batch-size 32 \
    --dtype bfloat16 --out "$WORK/eval"
[ -f "$WORK/eval/metrics.json" ] && "$PY" -c "
import json; m = json.load(open('$WORK/eval/metrics.json'))
print('  ', json.dumps(m.get('verdict', m), default=str)[:400])"
grep -iE "tokens/s|items/s" "$WORK/evalkit-cuda.log" | tail -n 3

if "$PY" -c "import vllm" 2>/dev/null; then
    step vllm-lora "$PY" - "$WORK" <<'EOF'
"""vLLM loads the base model and our adapter folder as a LoRARequest and generates."""
import sys, time
from tunecraft.models import local_folder, resolve
from vllm import LLM, SamplingParams
from vllm.lora.request import LoRARequest

work = sys.argv[1]
llm = LLM(model=local_folder(resolve("smollm2-135m")), enable_lora=True, max_lora_rank=16,
          dtype="bfloat16", gpu_memory_utilization=0.3)
prompts = ["How do I block my debit card?"] * 64
t0 = time.perf_counter()
out = llm.generate(prompts, SamplingParams(max_tokens=64, temperature=0),
                   lora_request=LoRARequest("support", 1, f"{work}/bf16/adapter"))
n = sum(len(o.outputs[0].token_ids) for o in out)
print(f"vllm: {n / (time.perf_counter() - t0):.0f} generated tokens/s; {out[0].outputs[0].text!r}")
EOF
    grep "vllm:" "$WORK/vllm-lora.log"
else
    echo "SKIP vllm-lora: vllm is not installed"
fi

echo; echo "$failures failure(s); logs in $WORK"
exit "$failures"
