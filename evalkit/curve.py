"""`evalkit run --curve 0.25,0.5,1.0`: would more data help?

For each fraction below 1 an adapter is trained with the run's own settings (its run.json) on a
stratified, seeded share of the train split, then the fine-tuned system alone is scored on the same
test items; 1.0 is the adapter being evaluated. A score still rising at 1.0 says more data would
likely help; a flat one says it would not (at this model size and these settings).
"""
from __future__ import annotations

import shutil
from pathlib import Path

from tunecraft.files import atomic_write_text


class CurveError(ValueError):
    """A user error in --curve (one line)."""


def parse_fractions(spec) -> tuple[float, ...]:
    """'0.25,0.5,1.0' (or a list of numbers, from a config file) → sorted fractions."""
    if not spec:
        return ()
    if not isinstance(spec, str):
        spec = ",".join(str(x) for x in spec)
    try:
        fractions = sorted({float(x) for x in spec.split(",") if x.strip()})
    except ValueError:
        raise CurveError(f"must be fractions like 0.25,0.5,1.0, got {spec!r}") from None
    if not fractions or any(not 0 < f <= 1 for f in fractions):
        raise CurveError(f"must be fractions in (0, 1], got {spec!r}")
    return tuple(fractions)


def subset_folder(data: Path, fraction: float, seed: int, dest: Path) -> int:
    """A copy of curate's folder whose train.jsonl keeps `fraction` of the records, every label
    in proportion; validation and test are unchanged. Returns the number of train records."""
    from evalkit.runner import stratified_sample
    from evalkit.loaders import read_records

    train = read_records(data / "train.jsonl")
    keep = stratified_sample(train, max(1, round(fraction * len(train))), seed)
    dest.mkdir(parents=True, exist_ok=True)
    atomic_write_text(dest / "train.jsonl", "".join(r.to_json() + "\n" for r in keep))
    for name in ("validation.jsonl", "test.jsonl", "manifest.json"):
        if (data / name).is_file():
            shutil.copyfile(data / name, dest / name)
    return len(keep)


def learning_curve(config, card, fractions, primary: str, full_metrics: dict) -> list[dict]:
    """One point per fraction: train records, the fine-tuned primary score (with its interval),
    and how that adapter's training ended."""
    from dataclasses import replace

    from evalkit.runner import run
    from train.loop import train

    if card is None:
        raise CurveError("--curve needs the adapter's run.json (its training settings)")
    n_full = len((Path(config.data) / "train.jsonl").read_text(encoding="utf-8").splitlines())
    points = []
    for fraction in fractions:
        if fraction == 1.0:
            score, run_card = full_metrics["systems"]["fine-tuned"][primary], card
            n_train = n_full
        else:
            where = Path(config.out) / "curve" / f"{fraction:g}"
            n_train = subset_folder(Path(config.data), fraction, config.seed, where / "data")
            settings = replace(card.config, data=str(where / "data"), out=str(where / "run"))
            run_card = train(settings, quiet=True)
            sub = run(replace(config, data=where / "data", adapter=where / "run", out=where / "eval",
                              systems="fine-tuned", curve=(), primary=primary))
            score = sub["systems"]["fine-tuned"][primary]
        points.append({"fraction": fraction, "train_records": n_train, primary: score,
                       "steps": run_card.steps, "stop": run_card.stop.reason})
    return points
