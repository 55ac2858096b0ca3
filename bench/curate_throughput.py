"""curate throughput on the shared dirty corpus: per pass, whole run, and against datatrove.

    .venv/bin/python bench/curate_throughput.py                    # 10k and 100k rows
    .venv/bin/python bench/curate_throughput.py --sizes 10000 --no-datatrove

1. builds the seeded corpus with ../shared/bench/make_corpus.py (bench/data/corpus_<n>.jsonl), and
   an input folder holding it as two files (so datatrove, which parallelises over files, can use
   both workers; curate shards inside a file);
2. per pass, one process: records/s of each pass of the default order (pii, dedup_near,
   decontaminate and balance left out), each fed the previous pass's output;
3. the whole run (`run_curation`, default recipe with pii and dedup_near skipped) with 1 and 2
   workers: records/s from rows read and wall time, peak RSS (main process + largest worker);
4. the closest equivalent steps in both tools, 2 workers: datatrove JsonlReader -> FTFYFormatter ->
   exact dedup (its 3 stages: signatures, find, filter, re-reading the input) -> JsonlWriter, and
   curate reader -> unicode -> dedup_exact -> writers (splits, rejects, manifest, data card).
Each run is a fresh subprocess, so RSS and caches do not carry over between runs.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(__file__).resolve().parents[2] / "shared"
DATA = REPO / "bench" / "data"
PER_PASS = ["html", "unicode", "quality", "language", "dedup_exact", "split", "template"]
WHOLE_SKIP = ("pii", "dedup_near")


def build_corpus(n: int) -> Path:
    """bench/data/in_<n>/ with the corpus as two JSONL files (same rows, same order)."""
    corpus = DATA / f"corpus_{n}.jsonl"
    if not corpus.exists():
        subprocess.run([sys.executable, str(SHARED / "bench" / "make_corpus.py"), "--n", str(n),
                        "--seed", "0", "--out", str(corpus)], check=True)
    folder = DATA / f"in_{n}"
    if not folder.exists():
        folder.mkdir(parents=True)
        lines = corpus.read_text(encoding="utf-8").splitlines(keepends=True)
        half = len(lines) // 2
        (folder / "part-0.jsonl").write_text("".join(lines[:half]), encoding="utf-8")
        (folder / "part-1.jsonl").write_text("".join(lines[half:]), encoding="utf-8")
    return folder


def in_subprocess(code: str) -> dict:
    """Run `code` (which prints one JSON line last) in a fresh interpreter; add its peak RSS."""
    wrapper = (f"import sys, json, resource; sys.path.insert(0, {str(REPO)!r})\n{code}\n"
               "rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
               "kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
               "print(json.dumps(dict(result, rss_mb=round((rss + kids) / 1024))))\n")
    out = subprocess.run([sys.executable, "-c", wrapper], capture_output=True, text=True, cwd=REPO)
    if out.returncode:
        sys.exit(f"benchmark subprocess failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def per_pass(folder: Path) -> dict:
    code = f"""
import time
from pathlib import Path
from curate.passes import get_pass_class
from curate.passes.base import Context
from curate.readers import discover, read_all
records = [r for r in read_all(discover(Path({str(folder)!r}))) if hasattr(r, "messages")]
result = {{"rows": len(records), "passes": {{}}}}
for name in {PER_PASS!r}:
    p = get_pass_class(name).from_options({{}})
    p.ensure_setup()
    n_in, t0 = len(records), time.perf_counter()
    records = list(p.run(records, Context(name, seed=0)))
    result["passes"][name] = {{"in": n_in, "out": len(records), "seconds": time.perf_counter() - t0}}
"""
    return in_subprocess(code)


def whole_run(folder: Path, workers: int, passes: list[str] | None = None) -> dict:
    """run_curation with the default recipe (pii, dedup_near skipped), or only `passes`."""
    build = ("passes = recipe.build_passes()" if passes is None else
             f"passes = [get_pass_class(n).from_options({{}}) for n in {passes!r}]")
    code = f"""
import time
from curate.passes import get_pass_class
from curate.pipeline import curate_folder
from curate.recipe import load_recipe
recipe = load_recipe(skip={WHOLE_SKIP!r})
{build}
t0 = time.perf_counter()
manifest = curate_folder({str(folder)!r}, {str(DATA / f"out_{folder.name}_{workers}")!r}, passes,
                         recipe=recipe, workers={workers}, force=True, progress=False)
result = {{"seconds": time.perf_counter() - t0, "passes": [p.name for p in passes],
           "accounting": manifest.get("accounting")}}
"""
    return in_subprocess(code)


def datatrove_run(folder: Path, workers: int) -> dict:
    work = DATA / f"datatrove_{folder.name}"
    code = f"""
import shutil, time
from pathlib import Path
from datatrove.executor import LocalPipelineExecutor
from datatrove.pipeline.dedup.exact_dedup import (ExactDedupConfig, ExactDedupFilter,
                                                  ExactDedupSignature, ExactFindDedups)
from datatrove.pipeline.formatters import FTFYFormatter
from datatrove.pipeline.readers import JsonlReader
from datatrove.pipeline.writers import JsonlWriter
work = Path({str(work)!r}); shutil.rmtree(work, ignore_errors=True)
config = ExactDedupConfig(content_getter=lambda doc: doc.text.encode("utf-8"))
def reader():
    return JsonlReader({str(folder)!r}, text_key="instruction")
stages = [
    [reader(), FTFYFormatter(), ExactDedupSignature(str(work / "sigs"), config, finder_workers=1)],
    [ExactFindDedups(str(work / "sigs"), str(work / "dups"), config)],
    [reader(), FTFYFormatter(), ExactDedupFilter(str(work / "dups"), config), JsonlWriter(str(work / "out"))],
]
tasks = [{workers}, 1, {workers}]
t0 = time.perf_counter()
previous = None
for i, (steps, n) in enumerate(zip(stages, tasks)):
    ex = LocalPipelineExecutor(steps, tasks=n, workers=n, logging_dir=str(work / f"logs{{i}}"),
                               depends=previous, skip_completed=False)
    ex.run()
    previous = None
result = {{"seconds": time.perf_counter() - t0}}
"""
    return in_subprocess(code)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--no-datatrove", action="store_true")
    ap.add_argument("--no-per-pass", action="store_true")
    args = ap.parse_args()
    for n in args.sizes:
        folder = build_corpus(n)
        print(f"\n## {n:,} rows ({folder.relative_to(REPO)})")
        if not args.no_per_pass:
            res = per_pass(folder)
            print("| pass | in | out | records/s |\n|---|---|---|---|")
            for name, r in res["passes"].items():
                print(f"| {name} | {r['in']:,} | {r['out']:,} | {r['in'] / r['seconds']:,.0f} |")
        for w in args.workers:
            r = whole_run(folder, w)
            print(f"whole run ({', '.join(r['passes'])}), {w} worker(s): {n / r['seconds']:,.0f} records/s "
                  f"({r['seconds']:.1f} s), peak RSS {r['rss_mb']} MiB")
        if not args.no_datatrove:
            ours = whole_run(folder, 2, passes=["unicode", "dedup_exact"])
            theirs = datatrove_run(folder, 2)
            print(f"equivalent steps, 2 workers: curate (reader, unicode, dedup_exact, writers) "
                  f"{n / ours['seconds']:,.0f} records/s, peak RSS {ours['rss_mb']} MiB; datatrove (reader, "
                  f"ftfy, exact dedup x3 stages, writer) {n / theirs['seconds']:,.0f} records/s, peak RSS "
                  f"{theirs['rss_mb']} MiB; ratio {theirs['seconds'] / ours['seconds']:.1f}x")
        sys.stdout.flush()


if __name__ == "__main__":
    t0 = time.perf_counter()
    main()
    print(f"\n(total {time.perf_counter() - t0:.0f} s)")
