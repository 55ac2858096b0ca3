"""The manifest: what went in (files, hashes, recipe, versions) and what each pass did.

It is the one place that explains a clean folder: `curate inspect` and report.html read only it.
Timings live here (and in the report), never in the split files, so reruns stay byte-identical.
"""
from __future__ import annotations

import dataclasses
import platform
import re
from collections import Counter
from typing import Any

from curate.guards import guard_warnings, source_of, task_of
from curate.writers import SPLITS
from tunecraft.records import Record

LIBRARIES = ("tunecraft", "ftfy", "langdetect", "trafilatura", "selectolax", "presidio-analyzer",
             "presidio-anonymizer", "spacy", "datasketch", "pyarrow", "pyyaml", "orjson", "transformers")
SECRET_OPTION = re.compile(r"(salt|secret|password|api_key|access_token)$", re.IGNORECASE)
MAX_LENGTH_BIN = 20         # characters, log2 bins: 0, 1, 2-3, 4-7, ..., >= 2**19


class SplitStats:
    """Counts per split gathered while the records stream into the files."""

    def __init__(self):
        self.splits = {s: {"rows": 0, "copies": 0, "labels": Counter(), "langs": Counter(),
                           "sources": Counter(), "tasks": Counter(),
                           "prompt_chars": [0] * MAX_LENGTH_BIN,
                           "response_chars": [0] * MAX_LENGTH_BIN} for s in SPLITS}

    def add(self, record: Record, split: str) -> None:
        stats = self.splits[split]
        stats["rows"] += 1
        stats["copies"] += "copy_of" in record.meta
        stats["labels"][record.label if record.label is not None else "(none)"] += 1
        stats["langs"][record.lang or "(untagged)"] += 1
        stats["sources"][source_of(record.id)] += 1
        if (task := task_of(record)) is not None:
            stats["tasks"][task] += 1
        stats["prompt_chars"][_length_bin(len(record.instruction))] += 1
        stats["response_chars"][_length_bin(len(record.response))] += 1

    def rows_excluding_copies(self) -> int:
        return sum(s["rows"] - s["copies"] for s in self.splits.values())

    def to_dict(self) -> dict[str, Any]:
        edges = [0] + [2 ** (i - 1) for i in range(1, MAX_LENGTH_BIN)]
        return {split: {"rows": s["rows"], "copies": s["copies"],
                        "labels": _sorted_counts(s["labels"]), "langs": _sorted_counts(s["langs"]),
                        "sources": _sorted_counts(s["sources"]), "tasks": _sorted_counts(s["tasks"]),
                        "lengths": {"bin_lower_edges": edges, "prompt_chars": s["prompt_chars"],
                                    "response_chars": s["response_chars"]}}
                for split, s in self.splits.items()}


def _length_bin(n: int) -> int:
    return min(n.bit_length(), MAX_LENGTH_BIN - 1)


def _sorted_counts(counts: Counter) -> dict[str, int]:
    """Most common first, ties by name: the same data gives the same JSON."""
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], str(kv[0]))))


def pass_stats(pipeline) -> list[dict[str, Any]]:
    """One entry per pass, the reader first: in/out, rejects by reason, counters, info, seconds."""
    read = {"name": "read", "in": pipeline.read_meter.n_in, "out": pipeline.read_meter.n_out,
            "rejected": len(pipeline.read_rejects),
            "reasons": _sorted_counts(Counter(r.reason for r in pipeline.read_rejects)),
            "counts": {}, "info": {}, "seconds": None, "config": {}}
    entries = [read]
    for p in pipeline.passes:
        ctx, meter = pipeline.contexts[p.name], pipeline.meters[p.name]
        entry = {"name": p.name, "in": meter.n_in, "out": meter.n_out,
                 "rejected": len(ctx.rejects),
                 "reasons": _sorted_counts(Counter(r.reason for r in ctx.rejects)),
                 "counts": dict(sorted(ctx.counts.items())), "info": ctx.info,
                 "seconds": round(meter.seconds, 3), "config": _config(p)}
        if p.name == "pii":
            entry["on_rejects"] = {"counts": dict(sorted(pipeline.scrubbed.counts.items()))}
        entries.append(entry)
    return entries


def _config(pass_) -> dict[str, Any]:
    config = pass_.config
    return redact(dataclasses.asdict(config)) if dataclasses.is_dataclass(config) else {}


def redact(options: Any) -> Any:
    """Secrets in options (pii's hash_salt, ...) must not be published with the data."""
    if isinstance(options, dict):
        return {k: "<redacted>" if SECRET_OPTION.search(str(k)) and v else redact(v)
                for k, v in options.items()}
    return options


def library_versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    versions = {"python": platform.python_version()}
    for name in LIBRARIES:
        try:
            versions[name] = version(name)
        except PackageNotFoundError:
            pass
    return versions


def build_manifest(*, inventory, recipe, pipeline, split_stats: SplitStats, rejects, workers: int,
                   seconds: float) -> dict[str, Any]:
    rows_read = sum(f.rows for f in inventory.files)
    in_splits = split_stats.rows_excluding_copies()
    accounting = {"identity": "rows_read = rows_in_splits (excluding balancing copies) + rejects",
                  "rows_read": rows_read, "rows_in_splits": in_splits, "rejects": len(rejects),
                  "copies": sum(s["copies"] for s in split_stats.splits.values()),
                  "ok": rows_read == in_splits + len(rejects)}
    passes = pass_stats(pipeline)
    read_rejects = Counter(r.record.id.rpartition(":")[0] for r in pipeline.read_rejects)
    for source in inventory.files:
        source.rejected = read_rejects[source.rel]
    return {
        "inputs": [f.to_dict() for f in inventory.files],
        "skipped": inventory.skipped,
        "recipe": redact(recipe.to_dict()),
        "seed": recipe.seed,
        "workers": workers,
        "libraries": library_versions(),
        "passes": passes,
        "splits": split_stats.to_dict(),
        "rejects": {"total": len(rejects),
                    "by_pass": _sorted_counts(Counter(r.pass_name for r in rejects)),
                    "by_reason": _sorted_counts(Counter(r.reason for r in rejects))},
        "accounting": accounting,
        "warnings": guard_warnings(passes, split_stats.to_dict(), rejects),
        "timings": {"total_seconds": round(seconds, 3),
                    "note": "per-record passes: seconds summed over shards (and worker processes)",
                    "passes": {p["name"]: p["seconds"] for p in passes if p["seconds"] is not None}},
    }


# --- views on the terminal ------------------------------------------------------------------------
def summary_table(manifest: dict[str, Any]):
    from rich.table import Table

    table = Table(title="curate: per-pass funnel")
    for column in ("pass", "in", "out", "rejected", "reasons", "seconds"):
        table.add_column(column, justify="right" if column in ("in", "out", "rejected", "seconds") else "left")
    for p in manifest["passes"]:
        reasons = ", ".join(f"{k} {v}" for k, v in p["reasons"].items())
        seconds = "" if p["seconds"] is None else f"{p['seconds']:.2f}"
        table.add_row(p["name"], str(p["in"]), str(p["out"]), str(p["rejected"]), reasons, seconds)
    return table


def splits_table(manifest: dict[str, Any]):
    from rich.table import Table

    table = Table(title="splits")
    for column in ("split", "rows", "copies", "top labels", "languages"):
        table.add_column(column)
    for name, s in manifest["splits"].items():
        labels = ", ".join(f"{k} {v}" for k, v in list(s["labels"].items())[:5])
        langs = ", ".join(f"{k} {v}" for k, v in list(s["langs"].items())[:5])
        table.add_row(name, str(s["rows"]), str(s["copies"]), labels, langs)
    return table


def accounting_line(manifest: dict[str, Any]) -> str:
    a = manifest["accounting"]
    mark = "ok" if a["ok"] else "VIOLATED"
    return (f"accounting {mark}: {a['rows_read']} rows read = {a['rows_in_splits']} in splits "
            f"+ {a['rejects']} rejects ({a['copies']} balancing copies not counted)")


def warning_lines(manifest: dict[str, Any]) -> list[str]:
    return [f"warning: {w['message']}" for w in manifest.get("warnings", [])]


def print_summary(manifest: dict[str, Any], console=None) -> None:
    """The result of a run, on stdout (progress bars go to stderr)."""
    from rich.console import Console

    console = console or Console(highlight=False)
    console.print(summary_table(manifest))
    console.print(splits_table(manifest))
    console.print(accounting_line(manifest))
    for line in warning_lines(manifest):
        console.print(line, style="bold red", markup=False)


class LiveProgress:
    """A rich progress display: files read, and per pass records in → out (rejected)."""

    def __init__(self, pipeline, inventory):
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self.pipeline, self.ticks = pipeline, 0
        self.progress = Progress(TextColumn("{task.description:<14}"), BarColumn(),
                                 MofNCompleteColumn(), TextColumn("{task.fields[stats]}"),
                                 TimeElapsedColumn(), console=Console(stderr=True), transient=False)
        self.files = self.progress.add_task("files", total=len(inventory.files), stats="")
        self.tasks = {p.name: self.progress.add_task(p.name, total=None, stats="")
                      for p in pipeline.passes}

    def __enter__(self):
        self.progress.start()
        return self

    def __exit__(self, *exc):
        self.refresh()
        self.progress.stop()

    def file_done(self):
        self.progress.advance(self.files)
        self.refresh()

    def tick(self):
        self.ticks += 1
        if self.ticks % 256 == 0:
            self.refresh()

    def refresh(self):
        for name, task in self.tasks.items():
            meter, ctx = self.pipeline.meters[name], self.pipeline.contexts[name]
            self.progress.update(task, completed=meter.n_out,
                                 stats=f"in {meter.n_in} → out {meter.n_out}, rejected {len(ctx.rejects)}")
