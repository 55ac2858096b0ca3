"""curate on both engines: wall time and peak memory (RSS summed over every process) per run.

    PYTHONPATH=. .venv/bin/python bench/curate_engines.py --rows 100000 --work /tmp/engines
    PYTHONPATH=. .venv/bin/python bench/curate_engines.py --rows 1000000 --engines local

1. writes `--rows` support tickets (generated here, seeded: English, Devanagari and Hinglish
   templates with varied numbers and names, 5% exact copies, 3% near copies, 1 in 500 lines
   malformed) as 4 JSONL files under --work;
2. runs `curate run` (the default recipe minus pii: at 1M rows the pii pass alone is hours on
   2 cores) once per engine, each in a fresh process; a sampler adds up the RSS of that process
   and all its descendants (Ray's GCS, raylet and workers included) every 0.2 s;
3. prints wall time, peak summed RSS, CPU seconds of that process tree (user + system, the last
   reading of each process, so a process that ends between two samples loses up to 0.2 s), the
   load average before and after (wall figures on a loaded machine are the load's, CPU seconds
   much less so), the CPU seconds and the peak RSS of the driver process alone (what does not
   spread over a cluster), rows/s and each pass's seconds from the manifest (for the per-record passes:
   seconds summed over shards, i.e. CPU seconds of the workers).
Both runs must write the same splits and rejects: the script compares their sha256.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parents[1]
OUTPUTS = ("train.jsonl", "validation.jsonl", "test.jsonl", "rejects.jsonl")
TEMPLATES = [
    ("How do I reset my card PIN? I tried {n} times from my {device}", "Open the app, go to Cards and "
     "tap Reset PIN. Attempt {n} from your {device} is logged.", "pin"),
    ("मेरा कार्ड ब्लॉक हो गया है, टिकट {n}, क्या करूँ {name}?", "ऐप में Cards खोलें और Unblock दबाएँ। "
     "टिकट {n} बंद किया गया।", "card"),
    ("Mera refund abhi tak nahi aaya, order {n} ka, {name} bol raha hoon", "Refund 5-7 din mein aa "
     "jayega, order {n} ka status app mein dekhein.", "refund"),
    ("<p>How do I export my <b>statement</b> for {month}? ref {n}</p>", "<ol><li>Open Statements</li>"
     "<li>Choose {month}</li><li>Tap <code>Export</code> (ref {n})</li></ol>", "statement"),
    ("Why was I charged {n} rupees twice on my {device}?", "A duplicate charge of {n} rupees is "
     "reversed within 3 working days; no action is needed.", "charge"),
]
NAMES = ["Priya", "Rahul", "Anita", "Vikram", "Sara", "Imran", "Deepa", "Arjun"]
DEVICES = ["phone", "laptop", "tablet", "smart watch"]
MONTHS = ["January", "March", "June", "September", "December"]


def generate(folder: Path, rows: int, seed: int = 0) -> None:
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    files = [open(folder / f"part-{k}.jsonl", "w", encoding="utf-8") for k in range(4)]
    made: list[dict] = []
    for i in range(rows):
        roll = rng.random()
        if made and roll < 0.05:
            row = dict(rng.choice(made[-5000:]))
        elif made and roll < 0.08:
            row = dict(rng.choice(made[-5000:]))
            row["instruction"] = row["instruction"] + " please"
        else:
            q, a, intent = TEMPLATES[rng.randrange(len(TEMPLATES))]
            fill = dict(n=rng.randrange(10 ** 6), name=rng.choice(NAMES), device=rng.choice(DEVICES),
                        month=rng.choice(MONTHS))
            row = {"instruction": q.format(**fill), "output": a.format(**fill), "intent": intent}
            made.append(row)
        line = json.dumps(row, ensure_ascii=False)
        files[i % 4].write((line[: len(line) // 2] if i % 500 == 499 else line) + "\n")
    for f in files:
        f.close()


def sample(proc: psutil.Process, stop: threading.Event, out: list[int], cpu: dict[int, float],
           driver: list[int], driver_uss: list[int]) -> None:
    """Every 0.2 s: the summed RSS of `proc` and its descendants (into `out`), the RSS of `proc`
    alone (into `driver`) and its private memory (USS, into `driver_uss`: the driver's RSS also
    counts the object-store pages it touched), and each one's CPU seconds so far (into `cpu`)."""
    while not stop.is_set():
        total = 0
        try:
            for p in [proc] + proc.children(recursive=True):
                try:
                    rss = p.memory_info().rss
                    total += rss
                    if p.pid == proc.pid:
                        driver.append(rss)
                        driver_uss.append(p.memory_full_info().uss)
                    times = p.cpu_times()
                    cpu[p.pid] = times.user + times.system
                except psutil.Error:
                    pass
        except psutil.Error:
            pass
        out.append(total)
        stop.wait(0.2)


def run(raw: Path, out: Path, engine: str, workers: int) -> dict:
    cmd = [sys.executable, "-m", "curate.cli", "run", str(raw), "--out", str(out), "--skip", "pii",
           "--engine", engine, "--workers", str(workers), "--seed", "1", "--force", "-q"]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env)
    samples: list[int] = []
    driver: list[int] = [0]
    driver_uss: list[int] = [0]
    cpu: dict[int, float] = {}
    stop = threading.Event()
    sampler = threading.Thread(target=sample, args=(psutil.Process(proc.pid), stop, samples, cpu, driver, driver_uss))
    sampler.start()
    code = proc.wait()
    wall = time.perf_counter() - started
    stop.set()
    sampler.join()
    if code != 0:
        raise SystemExit(f"{engine} run failed with exit status {code}")
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    digest = hashlib.sha256(b"".join((out / n).read_bytes() if (out / n).exists() else b"" for n in OUTPUTS))
    return {"engine": engine, "wall_s": round(wall, 1), "peak_rss_mib": round(max(samples) / 2 ** 20),
            "driver_peak_rss_mib": round(max(driver) / 2 ** 20),
            "driver_peak_uss_mib": round(max(driver_uss) / 2 ** 20),
            "cpu_s": round(sum(cpu.values()), 1), "driver_cpu_s": round(cpu.get(proc.pid, 0.0), 1),
            "load_avg_1min": [round(load_before, 1), round(os.getloadavg()[0], 1)],
            "rows_read": manifest["accounting"]["rows_read"],
            "rows_per_s": round(manifest["accounting"]["rows_read"] / wall),
            "pass_seconds": manifest["timings"]["passes"], "outputs_sha256": digest.hexdigest()[:16]}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--work", type=Path, default=Path("/tmp/curate-engines"))
    ap.add_argument("--engines", default="local,ray")
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    raw = args.work / f"raw_{args.rows}"
    if not raw.exists():
        generate(raw, args.rows)
    results = [run(raw, args.work / f"clean_{engine}", engine, args.workers)
               for engine in args.engines.split(",")]
    for r in results:
        print(json.dumps(r))
    if len({r["outputs_sha256"] for r in results}) > 1:
        raise SystemExit("the engines wrote different outputs")


if __name__ == "__main__":
    main()
