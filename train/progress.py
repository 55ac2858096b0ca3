"""Progress while training: a rich bar on a terminal, plain lines otherwise.

Off a terminal (a job's log, a pipe, a notebook cell) a live bar prints nothing until the end, so a
long run looked dead: there we print one flushed line per evaluation and about every 5% of the
steps instead, to stderr (stdout carries the result).
"""
from __future__ import annotations

import math
import sys
import time


def reporter(total: int, quiet: bool):
    if quiet:
        return Silent()
    if sys.stderr.isatty():
        return Bar(total)
    return Lines(total)


class Silent:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def note(self, text: str) -> None:
        pass

    def step(self, step: int, loss: float, tps: float) -> None:
        pass

    def validation(self, step: int, loss: float) -> None:
        pass


class Lines(Silent):
    def __init__(self, total: int):
        self.total, self.every = total, max(1, math.ceil(total / 20))
        self.started = time.perf_counter()

    def note(self, text: str) -> None:
        print(f"train: {text}", file=sys.stderr, flush=True)

    def step(self, step: int, loss: float, tps: float) -> None:
        if step % self.every == 0 or step == 1:
            self.note(f"step {step}/{self.total}  loss {loss:.4f}  {tps:.0f} tok/s  "
                      f"{time.perf_counter() - self.started:.0f} s")

    def validation(self, step: int, loss: float) -> None:
        self.note(f"step {step}/{self.total}  validation loss {loss:.4f}")


class Bar(Silent):
    def __init__(self, total: int):
        from rich.console import Console
        from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn,
                                   TimeElapsedColumn, TimeRemainingColumn)

        self.progress = Progress(
            TextColumn("[bold]train"), BarColumn(), MofNCompleteColumn(),
            TextColumn("loss {task.fields[loss]:.4f}  val {task.fields[val]:.4f}  "
                       "{task.fields[tps]:.0f} tok/s"),
            TimeElapsedColumn(), TimeRemainingColumn(), console=Console(stderr=True))
        self.task = self.progress.add_task("train", total=total, loss=math.nan, val=math.nan,
                                           tps=0.0)

    def __enter__(self):
        self.progress.__enter__()
        return self

    def __exit__(self, *exc):
        return self.progress.__exit__(*exc)

    def note(self, text: str) -> None:
        self.progress.console.print(f"train: {text}")

    def step(self, step: int, loss: float, tps: float) -> None:
        self.progress.update(self.task, completed=step, loss=loss, tps=tps)

    def validation(self, step: int, loss: float) -> None:
        self.progress.update(self.task, completed=step, val=loss)
