"""Fingerprint of what the three commands produce on the bundled example, to show a refactor
changed no behaviour: hashes of curate's output files, train's loss history, evalkit's metrics.

    python scripts/behaviour_hashes.py --work /tmp/before > before.json
    python scripts/behaviour_hashes.py --work /tmp/after  > after.json
    diff before.json after.json      # empty when behaviour is unchanged

Timings, versions and absolute paths are left out: they differ between any two runs.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples/support-desk"
BIN = Path(sys.executable).parent
VOLATILE = {"timings", "libraries", "train_time_s", "tokens_per_s", "tokens_per_s_note", "peak_memory_mb",
            "versions", "wall_s", "seconds", "elapsed_s", "time_s", "latency_s", "compute_s_per_request",
            "compute_s_total", "wall_time_s", "break_even_requests", "cached",
            "compute_s_per_1k_requests", "build", "frontier"}   # compute-second costs vary by run


def sh(*args: str) -> None:
    subprocess.run([str(BIN / args[0]), *args[1:]], check=True, stdout=subprocess.DEVNULL)


def stable(value, root: str):
    """The value without timing keys, with the work folder's and the checkout's paths replaced by
    tokens (a recipe's path is in the manifest; two checkouts must compare equal)."""
    if isinstance(value, dict):
        return {key: stable(item, root) for key, item in value.items() if key not in VOLATILE}
    if isinstance(value, list):
        return [stable(item, root) for item in value]
    if isinstance(value, str):
        return value.replace(root, "<work>").replace(str(ROOT), "<repo>")
    return value


def digest(value) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True).encode()).hexdigest()[:16]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--skip-model", action="store_true", help="curate only (no train, no evalkit)")
    work = parser.parse_args().work
    args = parser.parse_args()
    clean, run_dir, eval_dir = work / "clean", work / "run", work / "eval"
    root = str(work)
    sh("curate", "run", str(EXAMPLE / "raw"), "--out", str(clean), "--recipe", str(EXAMPLE / "recipe.yaml"),
       "--force")
    out = {f"curate/{p.name}": hashlib.sha256(p.read_bytes()).hexdigest()[:16]
           for p in sorted(clean.glob("*.jsonl"))}
    manifest = json.loads((clean / "manifest.json").read_text())
    out["curate/manifest.json (stable keys)"] = digest(stable(manifest, root))
    if not args.skip_model:
        sh("train", "lora", "--data", str(clean), "--out", str(run_dir), "--max-steps", "6", "--max-len", "128",
           "--eval-every", "3", "--val-limit", "16", "--force")
        card = json.loads((run_dir / "run.json").read_text())
        out["train/history"] = stable(card["history"], root)
        out["train/best"] = stable(card["best"], root)
        sh("evalkit", "run", "--data", str(clean), "--adapter", str(run_dir), "--systems", "zero-shot,fine-tuned",
           "--limit", "8", "--max-new-tokens", "16", "--out", str(eval_dir))
        metrics = json.loads((eval_dir / "metrics.json").read_text())
        out["evalkit/systems"] = stable(metrics["systems"], root)
        out["evalkit/cost"] = stable(metrics["cost"], root)
        out["evalkit/results.jsonl"] = digest(stable(
            [json.loads(line) for line in (eval_dir / "results.jsonl").read_text().splitlines()], root))
    print(json.dumps(out, indent=1, sort_keys=True))


if __name__ == "__main__":
    main()
