"""`train lora` and `train models cache`: each command is a docstring with an example and a few lines
calling the library. User errors print one line and exit with status 2."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer

app = typer.Typer(help="Train a LoRA adapter on curated data (tunecraft).", no_args_is_help=True,
                  add_completion=False)
models_app = typer.Typer(help="Resolve and cache base models.", no_args_is_help=True)
app.add_typer(models_app, name="models")


def _fail(message: str) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(2)


@app.command()
def lora(
    data: Path = typer.Option(..., help="curate's output folder (train.jsonl, validation.jsonl)"),
    out: Path = typer.Option(..., help="run folder: adapter/, run.json, checkpoint.pt"),
    model: str = typer.Option("smollm2-135m", help="alias, local HF folder or .gguf file"),
    template: str = typer.Option("chat", help="chat (the model's chat template) | prompt-completion"),
    rank: int = typer.Option(16, help="LoRA rank"),
    alpha: int = typer.Option(32, help="LoRA alpha"),
    dropout: float = typer.Option(0.05, help="LoRA dropout"),
    epochs: int = typer.Option(3, help="at most this many passes over the training split "
                               "(early stopping usually ends sooner)"),
    max_steps: int = typer.Option(0, help="optimizer steps; > 0 overrides --epochs"),
    lr: float = typer.Option(0.0, help="peak learning rate (warmup, then cosine decay); "
                             "0: by model size, 5e-4 for models under 0.5B"),
    max_len: int = typer.Option(512, help="tokens per example; completions are never cut"),
    batch_size: int = typer.Option(8, help="examples per micro-batch"),
    grad_accum: int = typer.Option(1, help="micro-batches per optimizer step"),
    eval_every: int = typer.Option(0, help="validate and checkpoint every N steps (0: 4 per epoch)"),
    patience: int = typer.Option(2, help="stop after N evaluations without improvement (0: off)"),
    val_limit: int = typer.Option(200, help="validation rows scored during training, a seeded "
                                  "sample (0: all)"),
    time_budget: str = typer.Option("0", help="stop after this much wall time, e.g. 10m, 90s, "
                                    "1.5h (0: none)"),
    seed: int = typer.Option(0, help="seed for adapter init, data order and dropout"),
    precision: str = typer.Option("auto", help="auto (bf16 where the hardware has it) | bf16 | fp32"),
    resume: bool = typer.Option(False, help="continue from OUT/checkpoint.pt with its config"),
    force: bool = typer.Option(False, help="replace the run already in OUT"),
    merge: bool = typer.Option(False, help="also write OUT/merged, base + adapter in one model"),
    quiet: bool = typer.Option(False, help="no progress bar"),
):
    """Train a LoRA adapter; the best adapter (by validation loss) goes to OUT/adapter.

    Example:  train lora --data clean/ --model smollm2-135m --out runs/support-v1 --time-budget 10m
    """
    from train.card import RunExistsError, claim_run_dir
    from train.checks import ConfigError
    from train.data import DataError
    from train.loop import TrainConfig, parse_duration, train
    from tunecraft.models import ModelError

    if not data.is_dir():
        _fail(f"{data}: not a folder (pass curate's output folder)")
    try:
        budget = parse_duration(time_budget)
    except ValueError as exc:
        _fail(f"--time-budget: {exc}")
    try:
        cfg = TrainConfig(str(data), str(out), model, template, rank, alpha, dropout, epochs,
                          max_steps, lr, max_len=max_len, batch_size=batch_size,
                          grad_accum=grad_accum, eval_every=eval_every, patience=patience,
                          val_limit=val_limit, time_budget=budget, seed=seed, precision=precision,
                          merge=merge)
        claim_run_dir(out, force=force, resume=resume)
        run = train(cfg, resume=resume, quiet=quiet)
    except ConfigError as exc:
        _fail(f"--{exc.key.replace('_', '-')} {exc.problem}")
    except (ModelError, DataError, RunExistsError, FileNotFoundError, ValueError) as exc:
        _fail(str(exc).splitlines()[0])
    except KeyboardInterrupt:
        _fail(f"interrupted; continue with: train lora --data {data} --out {out} --resume")
    summarise(run, out)


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
            _fail(str(exc))


@models_app.command("show")
def show(name: str = typer.Argument("smollm2-135m")):
    """Print what a model name resolves to, with the sha256 of its weights file.

    Example:  train models show smollm2-135m
    """
    from tunecraft.models import ModelError, resolve

    try:
        typer.echo(json.dumps(resolve(name).identity(), indent=2))
    except ModelError as exc:
        _fail(str(exc))


if __name__ == "__main__":
    app()
