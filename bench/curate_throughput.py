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
4. the closest equivalent steps in both tools, 1 and 2 workers: datatrove JsonlReader -> FTFYFormatter ->
   exact dedup (its 3 stages: signatures, find, filter, re-reading the input) -> JsonlWriter (no
   compression, like ours), and curate reader -> unicode -> dedup_exact -> writers (splits, rejects,
   manifest, data card). curate cleans both turns and hashes them with the label; datatrove is run
   twice: doing the same (a reader adapter joins instruction and output, the label joins the hash),
   and on the instruction only (its text_key), the lighter job.
Each run is a fresh subprocess, so RSS and caches do not carry over between runs. CPU seconds
(process + reaped children) are printed next to wall time because the machine may be shared;
datatrove's pool workers are not always reaped, so compare its CPU at 1 worker (in-process) only.
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
               "me, kids = (resource.getrusage(w) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))\n"
               "cpu = me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime\n"
               "print(json.dumps(dict(result, cpu_s=cpu, rss_mb=round((me.ru_maxrss + kids.ru_maxrss) / 1024))))\n")
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
    n_in, t0, c0 = len(records), time.perf_counter(), time.process_time()
    records = list(p.run(records, Context(name, seed=0)))
    result["passes"][name] = {{"in": n_in, "out": len(records), "seconds": time.perf_counter() - t0,
                               "cpu": time.process_time() - c0}}
    if name == "unicode":  # html + unicode output against the generator's ground truth
        truth = json.load(open({str(folder.parent / f"corpus_{folder.name[3:]}.truth.json")!r}))
        got = {{str(int(r.meta["id"])): " ".join(r.messages[0]["content"].split()) for r in records}}
        wrong = [k for k, v in truth["clean_text"].items() if got[k] != " ".join(v.split())]
        result["cleaning"] = {{"rows": len(truth["clean_text"]), "wrong": len(wrong)}}
    if name == "language":
        hindi = {{str(i) for i in truth["hindi"]}}
        result["hindi_mistagged"] = sum((str(int(r.meta["id"])) in hindi) != (r.lang == "hi") for r in records)
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


def datatrove_run(folder: Path, workers: int, both_turns: bool) -> dict:
    """`both_turns`: datatrove cleans and hashes what curate does (instruction, output and the
    label) through a reader adapter; otherwise the instruction only (its text_key)."""
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
def both_turns(self, data, path, id_in_file):
    text = data.pop("instruction", "") + "\\n\\n" + data.pop("output", "")
    return {{"text": text, "id": f"{{path}}/{{id_in_file}}", "media": [], "metadata": data}}
def content(doc):
    return (doc.text + "\\x1f" + str(doc.metadata.get("intent", ""))).encode("utf-8")
config = ExactDedupConfig(content_getter=content if {both_turns!r} else lambda doc: doc.text.encode("utf-8"))
def reader():
    if {both_turns!r}:
        return JsonlReader({str(folder)!r}, adapter=both_turns)
    return JsonlReader({str(folder)!r}, text_key="instruction")
stages = [
    [reader(), FTFYFormatter(), ExactDedupSignature(str(work / "sigs"), config, finder_workers=1)],
    [ExactFindDedups(str(work / "sigs"), str(work / "dups"), config)],
    [reader(), FTFYFormatter(), ExactDedupFilter(str(work / "dups"), config),
     JsonlWriter(str(work / "out"), compression=None)],
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


def equivalent(folder: Path, n: int, workers: int) -> None:
    """The closest equivalent steps in both tools. CPU includes worker processes that were reaped."""
    ours = whole_run(folder, workers, passes=["unicode", "dedup_exact"])
    print(f"equivalent steps, {workers} worker(s), curate (reader, unicode, dedup_exact, writers): "
          f"{_rate(n, ours)}")
    for both in (True, False):
        theirs = datatrove_run(folder, workers, both_turns=both)
        what = "instruction + output + label" if both else "instruction only"
        print(f"equivalent steps, {workers} worker(s), datatrove (reader, ftfy, exact dedup in 3 stages, "
              f"writer; {what}): {_rate(n, theirs)}")
        print(f"ratio curate/datatrove ({what}), {workers} worker(s): "
              f"{theirs['seconds'] / ours['seconds']:.1f}x wall, {theirs['cpu_s'] / ours['cpu_s']:.1f}x CPU")


def _rate(n: int, r: dict) -> str:
    return (f"{n / r['seconds']:,.0f} records/s ({r['seconds']:.1f} s wall, {r['cpu_s']:.1f} s CPU), "
            f"peak RSS {r['rss_mb']} MiB")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--no-datatrove", action="store_true")
    ap.add_argument("--no-per-pass", action="store_true")
    ap.add_argument("--no-whole", action="store_true")
    args = ap.parse_args()
    for n in args.sizes:
        folder = build_corpus(n)
        print(f"\n## {n:,} rows ({folder.relative_to(REPO)})")
        if not args.no_per_pass:
            res = per_pass(folder)
            print("| pass | in | out | records/s (wall) | records/s (CPU) |\n|---|---|---|---|---|")
            for name, r in res["passes"].items():
                print(f"| {name} | {r['in']:,} | {r['out']:,} | {r['in'] / r['seconds']:,.0f} "
                      f"| {r['in'] / r['cpu']:,.0f} |")
            print(f"html+unicode vs ground truth: {res['cleaning']['wrong']} of {res['cleaning']['rows']} "
                  f"HTML/mojibake rows differ (whitespace-insensitive); language: "
                  f"{res['hindi_mistagged']} rows with hi/non-hi tag against the truth")
        for w in [] if args.no_whole else args.workers:
            r = whole_run(folder, w)
            print(f"whole run ({', '.join(r['passes'])}), {w} worker(s): {n / r['seconds']:,.0f} records/s "
                  f"({r['seconds']:.1f} s wall, {r['cpu_s']:.1f} s CPU), peak RSS {r['rss_mb']} MiB")
        if not args.no_datatrove:
            for w in args.workers:
                equivalent(folder, n, w)
        sys.stdout.flush()


if __name__ == "__main__":
    t0 = time.perf_counter()
    main()
    print(f"\n(total {time.perf_counter() - t0:.0f} s)")
