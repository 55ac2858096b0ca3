#!/usr/bin/env bash
# What a GPU machine runs end to end in under 10 minutes (issue 18): train SmolLM2-135M in bf16,
# with packing + checkpointing, with QLoRA, on 1 and on all GPUs; evalkit on CUDA (transformers)
# and, when vllm is installed, `evalkit run --backend vllm` on the same items, with its agreement
# with the transformers backend. Prints tokens/s, peak GPU memory and the loss curve of each.
#
#     make setup && bash bench/gpu_check.sh [WORK_DIR]          # from the repository root
#     STEPS=60 PYTHON=.venv/bin/python bash bench/gpu_check.sh /tmp/gpu-check
#
# Each step says PASS or FAIL (or SKIP with the reason); the exit status is the number of FAILs
# (1 with one line when the machine has no CUDA device). Peak GPU memory is given twice where it
# can be: torch's own peak allocation (training's run.json) and nvidia-smi's busiest GPU, sampled
# every 200 ms (allocator cache, CUDA context and vLLM's preallocated KV cache included).
set -uo pipefail

usage() { sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; }
WORK=/tmp/tunecraft-gpu-check
for arg in "$@"; do
    case "$arg" in
        -h|--help) usage; exit 0 ;;
        -*) echo "gpu_check.sh: unknown option $arg (usage: bash bench/gpu_check.sh [WORK_DIR])" >&2; exit 2 ;;
    esac
done
[ $# -le 1 ] || { echo "gpu_check.sh: one WORK_DIR at most, got $#: $*" >&2; exit 2; }
WORK=${1:-$WORK}
STEPS=${STEPS:-60}
[[ "$STEPS" =~ ^[1-9][0-9]*$ ]] || { echo "gpu_check.sh: STEPS must be a positive integer, got '$STEPS'" >&2; exit 2; }

cd "$(dirname "$0")/.."
PY=${PYTHON:-.venv/bin/python}
[ -x "$PY" ] || { echo "gpu_check.sh: no Python at $PY: run make setup first, or set PYTHON=" >&2; exit 2; }
BIN=$(dirname "$PY")             # the console scripts curate, train, evalkit
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 TOKENIZERS_PARALLELISM=false

"$PY" - <<'EOF' || exit 1
import sys
import torch
if not torch.cuda.is_available():
    sys.exit(f"FAIL: no CUDA device (torch {torch.__version__}, built for CUDA {torch.version.cuda}): "
             "gpu_check.sh is for GPU machines; on a CPU use make test and bench/train_memory.py")
print("torch", torch.__version__, "CUDA", torch.version.cuda,
      [torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())])
EOF
NGPU=$("$PY" -c "import torch; print(torch.cuda.device_count())")
mkdir -p "$WORK"
failures=0

sampler=""
watch_gpu() {   # watch_gpu NAME: sample every GPU's used memory in the background
    sampler=""
    command -v nvidia-smi > /dev/null || return 0
    nvidia-smi --query-gpu=memory.used --format=csv,noheader,nounits -lms 200 > "$WORK/$1.gpumem" 2>/dev/null &
    sampler=$!
}
unwatch_gpu() {  # unwatch_gpu NAME: stop sampling; print the busiest GPU's peak
    [ -n "$sampler" ] || return 0
    kill "$sampler" 2>/dev/null; wait "$sampler" 2>/dev/null
    echo "  peak GPU memory (nvidia-smi, busiest GPU): $(sort -n "$WORK/$1.gpumem" | tail -n 1) MiB"
}

step() {  # step NAME COMMAND... : run it, time it, say PASS or FAIL
    local name=$1; shift
    echo; echo "=== $name"; local t0=$SECONDS status=0
    watch_gpu "$name"
    "$@" > "$WORK/$name.log" 2>&1 || status=$?
    unwatch_gpu "$name"
    if [ "$status" -eq 0 ]; then
        echo "PASS $name ($((SECONDS - t0)) s)"
    else
        echo "FAIL $name ($((SECONDS - t0)) s): $(tail -n 3 "$WORK/$name.log" | tr '\n' ' ')"
        failures=$((failures + 1))
    fi
    return "$status"
}

card() {  # card RUN_DIR: tokens/s, torch's peak GPU memory and the loss curve from run.json
    "$PY" - "$1" <<'EOF'
import json, sys
c = json.load(open(sys.argv[1] + "/run.json"))
print(f"  device {c['device']}  precision {c['precision']}  tokens/s {c['tokens_per_s']['all']}"
      f"  peak GPU memory (torch, allocated) {c['peak_memory_mb']} MB  train time {c['train_time_s']} s")
print("  train loss:", " ".join(f"{p['loss']:.3f}" for p in c["history"]["train"][::5]))
print("  validation:", " → ".join(f"{p['loss']:.3f}@{p['step']}" for p in c["history"]["validation"]))
EOF
}

evals() {  # evals DIR [REFERENCE_DIR]: generated tokens/s and metrics; agreement with the reference
    "$PY" - "$@" <<'EOF'
import json, sys
from pathlib import Path
def rows(d):
    return [json.loads(l) for l in (Path(d) / "results.jsonl").read_text().splitlines() if l.strip()]
mine = rows(sys.argv[1])
fresh = [r for r in mine if not r.get("cached")]
seconds = sum(r["latency_s"] or 0 for r in fresh)
tokens = sum(r["completion_tokens"] or 0 for r in fresh)
print(f"  generated tokens/s {tokens / seconds:.0f} ({tokens} tokens, {len(fresh)} requests)" if seconds
      else "  every generation came from the cache")
m = json.loads((Path(sys.argv[1]) / "metrics.json").read_text())
print("  verdict:", (m.get("verdict") or {}).get("text", "")[:300])
if len(sys.argv) > 2:
    ref = {(r["id"], r["system"]): r for r in rows(sys.argv[2])}
    pairs = [(r, ref[(r["id"], r["system"])]) for r in mine if (r["id"], r["system"]) in ref]
    same = sum(a["output"] == b["output"] for a, b in pairs)
    diffs = [abs(a["nll"] - b["nll"]) / max(a["ref_tokens"] or 1, 1) for a, b in pairs
             if a["nll"] is not None and b["nll"] is not None]
    print(f"  against transformers: {same}/{len(pairs)} outputs identical; reference NLL per token "
          f"differs by {sum(diffs) / max(len(diffs), 1):.4f} nats on average, {max(diffs, default=0):.4f} at most")
EOF
}

CLEAN=$WORK/clean
step curate "$BIN/curate" run examples/support-desk/raw --out "$CLEAN" \
    --recipe examples/support-desk/recipe.yaml --force || { echo "no data: stopping"; exit 1; }

TRAIN=("$BIN/train" lora --data "$CLEAN" --model smollm2-135m --max-steps "$STEPS"
       --eval-every 20 --max-len 384 --batch-size 8 --force --quiet)
step train-bf16 "${TRAIN[@]}" --out "$WORK/bf16" --precision auto --gradient-checkpointing off \
    && card "$WORK/bf16"
step train-packing-ckpt "${TRAIN[@]}" --out "$WORK/packing" --packing --gradient-checkpointing on \
    && card "$WORK/packing"
if "$PY" -c "import bitsandbytes" 2>/dev/null; then
    step train-qlora "${TRAIN[@]}" --out "$WORK/qlora" --qlora && card "$WORK/qlora"
else
    echo; echo "SKIP train-qlora: bitsandbytes is not installed (pip install bitsandbytes)"
fi
if [ "$NGPU" -gt 1 ]; then
    step "train-${NGPU}gpu" "${TRAIN[@]}" --out "$WORK/ddp" --precision auto \
        --gradient-checkpointing off --nproc "$NGPU" && card "$WORK/ddp" \
        && echo "  (the same global batch of 8 as train-bf16: the curves should agree)"
else
    echo; echo "SKIP train-all-gpus: one GPU"
fi

ADAPTER=$WORK/bf16
[ -f "$ADAPTER/run.json" ] || ADAPTER=$WORK/packing
EVAL=("$BIN/evalkit" run --data "$CLEAN" --model smollm2-135m --adapter "$ADAPTER"
      --systems zero-shot,few-shot,fine-tuned --limit 64 --batch-size 32 --dtype bfloat16
      --max-new-tokens 64 --resamples 200)
step evalkit-cuda "${EVAL[@]}" --out "$WORK/eval" && evals "$WORK/eval"

if "$PY" -c "import vllm" 2>/dev/null; then
    step evalkit-vllm "${EVAL[@]}" --backend vllm --out "$WORK/eval-vllm" \
        && evals "$WORK/eval-vllm" "$WORK/eval"
else
    echo; echo "SKIP evalkit-vllm: vllm is not installed (pip install vllm)"
fi

echo; echo "$failures failure(s); logs in $WORK"
exit "$failures"
