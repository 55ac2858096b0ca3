"""A run on the terminal: the live progress while it goes (stderr), and the manifest's tables after
(stdout, also `curate inspect`). Only views: everything shown comes from the manifest or from the
pipeline's meters, so the manifest module stays free of rich.
"""
from __future__ import annotations

from typing import Any


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

    def tick(self, n: int = 1):
        before, self.ticks = self.ticks, self.ticks + n
        if self.ticks // 256 != before // 256:
            self.refresh()

    def refresh(self):
        for name, task in self.tasks.items():
            meter, ctx = self.pipeline.meters[name], self.pipeline.contexts[name]
            self.progress.update(task, completed=meter.n_out,
                                 stats=f"in {meter.n_in} → out {meter.n_out}, rejected {ctx.n_rejected}")


class _NoProgress:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return None

    def file_done(self):
        pass

    def tick(self, n: int = 1):
        pass


def progress(enabled: bool, pipeline, inventory):
    """The live display, or one that shows nothing (`-q`, the Python API)."""
    return LiveProgress(pipeline, inventory) if enabled else _NoProgress()
