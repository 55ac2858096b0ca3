"""The manifest: what went in (files, hashes, recipe, versions) and what each pass did.

It is the one place that explains a clean folder: `curate inspect` and report.html read only it.
Timings live here (and in the report), never in the split files, so reruns stay byte-identical.
This module builds the dict; curate.display shows it (and the run's progress) on the terminal.
"""
from __future__ import annotations

import dataclasses
import platform
import re
from collections import Counter
from typing import Any

from curate.guards import RejectedGroups, guard_warnings, source_of, task_of
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

    def merge(self, other: "SplitStats") -> None:
        """Add the counts of `other` (a part of the records, counted where it was written)."""
        for split, theirs in other.splits.items():
            mine = self.splits[split]
            for key, value in theirs.items():
                mine[key] = [a + b for a, b in zip(mine[key], value)] if isinstance(value, list) \
                    else mine[key] + value

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


class RejectStats:
    """Counts of the rejects gathered while they stream into rejects.jsonl, after scrubbing."""

    def __init__(self):
        self.by_pass, self.by_reason, self.read_by_file = Counter(), Counter(), Counter()
        self.groups = RejectedGroups()

    def add(self, reject) -> None:
        self.by_pass[reject.pass_name] += 1
        self.by_reason[reject.reason] += 1
        if reject.pass_name == "read":
            self.read_by_file[reject.record.id.rpartition(":")[0]] += 1
        self.groups.add(reject)

    @property
    def total(self) -> int:
        return sum(self.by_pass.values())


def pass_stats(pipeline) -> list[dict[str, Any]]:
    """One entry per pass, the reader first: in/out, rejects by reason, counters, info, seconds."""
    read = {"name": "read", "in": pipeline.read_meter.n_in, "out": pipeline.read_meter.n_out,
            "rejected": pipeline.read.n_rejected, "reasons": _sorted_counts(pipeline.read.reasons),
            "counts": {}, "info": {}, "seconds": None, "config": {}}
    entries = [read]
    for p in pipeline.passes:
        ctx, meter = pipeline.contexts[p.name], pipeline.meters[p.name]
        entry = {"name": p.name, "in": meter.n_in, "out": meter.n_out,
                 "rejected": ctx.n_rejected, "reasons": _sorted_counts(ctx.reasons),
                 "counts": dict(sorted(ctx.counts.items())), "info": ctx.info,
                 "seconds": round(meter.seconds, 3), "config": _config(p)}
        if p.scrubs_rejects:
            entry["on_rejects"] = {"counts": dict(sorted(pipeline.scrubbed[p.name].counts.items()))}
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


def build_manifest(*, inventory, recipe, pipeline, split_stats: SplitStats, rejects: RejectStats,
                   workers: int, seconds: float) -> dict[str, Any]:
    rows_read = sum(f.rows for f in inventory.files)
    in_splits = split_stats.rows_excluding_copies()
    accounting = {"identity": "rows_read = rows_in_splits (excluding balancing copies) + rejects",
                  "rows_read": rows_read, "rows_in_splits": in_splits, "rejects": rejects.total,
                  "copies": sum(s["copies"] for s in split_stats.splits.values()),
                  "ok": rows_read == in_splits + rejects.total}
    passes = pass_stats(pipeline)
    for source in inventory.files:
        source.rejected = rejects.read_by_file[source.rel]
    return {
        "inputs": [f.to_dict() for f in inventory.files],
        "skipped": inventory.skipped,
        "recipe": redact(recipe.to_dict()),
        "seed": recipe.seed,
        "workers": workers,
        "libraries": library_versions(),
        "passes": passes,
        "splits": split_stats.to_dict(),
        "rejects": {"total": rejects.total,
                    "by_pass": _sorted_counts(rejects.by_pass),
                    "by_reason": _sorted_counts(rejects.by_reason)},
        "accounting": accounting,
        "warnings": guard_warnings(passes, split_stats.to_dict(), rejects.groups),
        "timings": {"total_seconds": round(seconds, 3),
                    "note": "per-record passes: seconds summed over shards (and worker processes)",
                    "passes": {p["name"]: p["seconds"] for p in passes if p["seconds"] is not None}},
    }
