"""`train lora` and `train models cache`: each command is a docstring with an example and a few lines
calling the library. User errors print one line and exit with status 2."""
from __future__ import annotations

import json
import os
from dataclasses import fields
from pathlib import Path
from typing import Optional

import typer

from train.config import ConfigError, TrainConfig
from train.options import typed_on_the_command_line, with_options
from tunecraft.exits import fail
from tunecraft.text import first_line

app = typer.Typer(help="Train a LoRA adapter on curated data (tunecraft).", no_args_is_help=True,
                  add_completion=False)
models_app = typer.Typer(help="Resolve and cache base models.", no_args_is_help=True)
app.add_typer(models_app, name="models")


FILE_ONLY = ", ".join(f.name for f in fields(TrainConfig) if not f.metadata["cli"])


@app.command()
@with_options(TrainConfig)
def lora(
    ctx: typer.Context,
    config: Optional[Path] = typer.Option(None, help="a YAML or JSON file of these settings "
                                          f"(max_steps: 48, …; also {FILE_ONLY}); flags given "
                                          "here override it"),
    resume: bool = typer.Option(False, help="continue from OUT/checkpoint.pt with its config"),
    force: bool = typer.Option(False, help="replace the run already in OUT"),
    quiet: bool = typer.Option(False, help="no progress bar"),
    nproc: int = typer.Option(1, min=1, help="processes (data parallel through torchrun: one per "
                              "GPU, or CPU processes with gloo)"),
    **settings,
):
    """Train a LoRA adapter; the best adapter (by validation loss) goes to OUT/adapter.

    Example:  train lora --data clean/ --model smollm2-135m --out runs/support-v1 --time-budget 10m
    """
    from train.api import lora as train_lora
    from train.card import RunExistsError
    from train.data import DataError
    from tunecraft.models import ModelError

    if nproc > 1 and "WORLD_SIZE" not in os.environ:
        relaunch(nproc)
    typed = typed_on_the_command_line(ctx, settings)
    try:
        run = train_lora(config=config, resume=resume, force=force, quiet=quiet, **typed)
    except ConfigError as exc:
        fail(exc.cli_message())
    except (ModelError, DataError, RunExistsError, FileNotFoundError, ValueError) as exc:
        fail(first_line(exc))
    except KeyboardInterrupt:
        again = " ".join(f"--{k} {v}" for k, v in (("config", config), ("data", typed.get("data")),
                                                   ("out", typed.get("out"))) if v)
        fail(f"interrupted; continue with: train lora {again} --resume")
    if int(os.environ.get("RANK", "0")) == 0:
        summarise(run.card, run.out)


def relaunch(nproc: int) -> None:
    """`train lora --nproc N …` is `torchrun --standalone --nproc-per-node N -m train.cli lora …`."""
    import subprocess
    import sys

    args, skip = [], False
    for arg in sys.argv[1:]:
        if skip or arg.startswith("--nproc="):
            skip = False
            continue
        skip = arg == "--nproc"
        if not skip:
            args.append(arg)
    command = [sys.executable, "-m", "torch.distributed.run", "--standalone",
               f"--nproc-per-node={nproc}", "-m", "train.cli", *args]
    raise typer.Exit(subprocess.call(command))


def summarise(run, out: Path) -> None:
    """Validation curve and where the adapter is; a run without validation keeps its last step."""
    best, curve = run.best, run.history.validation
    speed = f"{run.tokens_per_s.all or 0:.0f} tokens/s, {run.train_time_s:.0f} s of training"
    if best.val_loss is None:
        typer.echo(f"adapter: {out / 'adapter'}  (no validation: the last step, "
                   f"{run.steps}; {speed})")
        return
    typer.echo("validation loss: " + " → ".join(f"{_loss(v.loss)} (step {v.step})" for v in curve))
    typer.echo(f"adapter: {out / 'adapter'}  (best validation loss {best.val_loss:.4f} at step "
               f"{best.step}; {speed})")
    stop = run.stop
    typer.echo(f"stopped after {run.steps} of {stop.planned_steps} planned steps "
               f"({stop.epochs_done} epochs): {stop.why}")


def _loss(value: float | None) -> str:
    return "nan" if value is None else f"{value:.3f}"     # the card writes a NaN loss as null


@models_app.command("cache")
def cache(names: list[str] = typer.Argument(None, help="aliases or .gguf files")):
    """Build the safetensors cache for GGUF models (one-off, ~20 s each).

    Example:  train models cache smollm2-135m
    """
    from tunecraft.models import ModelError, local_folder, resolve

    for name in names or ["smollm2-135m"]:
        try:
            typer.echo(f"{name}: {local_folder(resolve(name))}")
        except ModelError as exc:
            fail(str(exc))


@models_app.command("show")
def show(name: str = typer.Argument("smollm2-135m")):
    """Print what a model name resolves to, with the sha256 of its weights file.

    Example:  train models show smollm2-135m
    """
    from tunecraft.models import ModelError, resolve

    try:
        typer.echo(json.dumps(resolve(name).identity(), indent=2))
    except ModelError as exc:
        fail(str(exc))


if __name__ == "__main__":
    app()
