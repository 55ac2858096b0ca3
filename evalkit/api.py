"""`evalkit.run(...)`: the library call behind `evalkit run`, for notebooks and scripts.

`evalkit run` builds its config with the same `build` and calls the same `evaluate`, so the CLI
and the library cannot drift apart.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from evalkit.results import read_results


@dataclass
class Evaluation:
    """A finished evaluation: its folder, metrics.json as a dict, and the rows as a DataFrame."""

    out: Path
    metrics: dict
    _results: object = field(default=None, init=False, repr=False, compare=False)

    @property
    def verdict(self) -> dict:
        """decision ("fine-tuning wins", "few-shot wins", "cannot tell", …), text and evidence."""
        return self.metrics["verdict"]

    @property
    def results(self):
        """pandas.DataFrame, one row per test item × system (results.jsonl), each item metric
        (`scores`) in a column of its own: `ev.results.groupby("system")["accuracy"].mean()`."""
        if self._results is None:
            self._results = results_frame(self.out / "results.jsonl")
        return self._results

    @classmethod
    def load(cls, out) -> "Evaluation":
        """An evaluation already on disk (an `evalkit run` output folder)."""
        out = Path(out)
        return cls(out, json.loads((out / "metrics.json").read_text(encoding="utf-8")))


def load(out) -> Evaluation:
    """An `evalkit run` output folder, read back: `evalkit.load("evals/v1").results`."""
    return Evaluation.load(out)


def results_frame(path: Path):
    import pandas as pd

    rows = read_results(path)
    frame = pd.DataFrame(rows)
    if "scores" not in frame:
        return frame
    scores = pd.DataFrame([r.get("scores") or {} for r in rows], index=frame.index)
    scores = scores[[c for c in scores.columns if c not in frame.columns]]
    return pd.concat([frame.drop(columns="scores"), scores], axis=1)


def evaluate(config, progress=None) -> Evaluation:
    """Run a built RunConfig (evalkit/config.py); `progress.task(description, total)` → advance."""
    from evalkit.runner import run as run_config

    return Evaluation(Path(config.out), run_config(config, progress))


def run(data=None, systems: str | None = None, adapter=None, out=None, *, config=None,
        progress=None, **settings) -> Evaluation:
    """Run every system on the test split; write results.jsonl, metrics.json and the report to OUT.

    Every `evalkit run` flag is a keyword (underscores: `max_new_tokens=64`); `config` is a
    YAML/JSON file of them, which keywords override; None means "not given" (the default).

        import evalkit
        ev = evalkit.run("clean/", systems="zero-shot,fine-tuned", adapter="runs/v1",
                         out="evals/v1", limit=50)
        ev.verdict["decision"]                                  # 'fine-tuning wins'
        ev.metrics["systems"]["fine-tuned"]["accuracy"]         # {'value': …, 'low': …, 'high': …}
        ev.results.groupby("system")["accuracy"].mean()         # one row per item × system

    Raises evalkit.config.ConfigError for a bad or unknown setting; evalkit.loaders.LoadError,
    evalkit.systems.SystemsError and tunecraft.models.ModelError for unusable inputs (one line each).
    """
    from evalkit.config import RunConfig
    from train.options import build

    cfg = build(RunConfig, config, data=data, systems=systems, adapter=adapter, out=out, **settings)
    return evaluate(cfg, progress)
