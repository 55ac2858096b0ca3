"""`train.lora(...)`: the library call behind `train lora`, for notebooks and scripts.

The CLI is a thin shell over this function: the same settings (train/config.py), the same
refusal to overwrite a finished run, the same run folder.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from train.card import RunCard


@dataclass(frozen=True)
class TrainRun:
    """A finished run: its folder and its card (run.json as a typed `RunCard`)."""

    out: Path
    card: "RunCard"

    @property
    def adapter(self) -> Path:
        """The best adapter (by validation loss); evalkit's --adapter takes this or `out`."""
        return self.out / "adapter"


def lora(data=None, model: str | None = None, out=None, *, config=None, resume: bool = False,
         force: bool = False, quiet: bool = False, **settings) -> TrainRun:
    """Train a LoRA adapter on curate's output folder; the best adapter goes to OUT/adapter.

    Every `train lora` flag is a keyword (underscores: `max_steps`, `time_budget="10m"`); `config`
    is a YAML/JSON file of them, which keywords override; None means "not given".

        import train
        run = train.lora("clean/", model="smollm2-135m", out="runs/v1", max_steps=48)
        run.adapter                    # runs/v1/adapter
        run.card.best                  # Best(step=48, val_loss=1.93)
        train.lora(config="run.yaml", out="runs/v2", lr=3e-4)   # the file, one setting changed

    Raises train.config.ConfigError (a bad or unknown setting), train.data.DataError (unusable
    data), tunecraft.models.ModelError and train.card.RunExistsError (OUT holds a run: force=True
    replaces it, resume=True continues it).
    """
    from train import distributed
    from train.card import claim_run_dir
    from train.config import TrainConfig
    from train.data import DataError
    from train.loop import train
    from train.options import build

    cfg = build(TrainConfig, config, data=data, model=model, out=out, **settings)
    if not Path(cfg.data).is_dir():
        raise DataError(f"{cfg.data}: not a folder (pass curate's output folder)")
    distributed.init()              # under torchrun: join the others (train/distributed.py)
    claimed = None
    if distributed.is_main():
        try:
            claim_run_dir(Path(cfg.out), force=force, resume=resume)
        except Exception as exc:    # every process must stop, not only the first
            claimed = exc
    distributed.broadcast_ok(claimed)
    run = TrainRun(Path(cfg.out), train(cfg, resume=resume, quiet=quiet))
    distributed.finish()
    return run
