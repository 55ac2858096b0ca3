"""`evalkit run | score | report | sheet export | sheet import`: flags in, a library call, one line out.

User errors (bad paths, malformed files, unknown systems) print one line and exit with status 2.
"""
from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from evalkit.config import RunConfig, ScoreConfig
from train.options import ConfigError, typed_on_the_command_line, with_options
from tunecraft.exits import fail

app = typer.Typer(add_completion=False, no_args_is_help=True, rich_markup_mode="rich",
                  help="Does fine-tuning beat prompting? Evaluate, score, report, human-eval sheets.")
sheet_app = typer.Typer(add_completion=False, no_args_is_help=True,
                        help="Blinded human-evaluation sheets (XLSX) out and back in.")
app.add_typer(sheet_app, name="sheet")


def user_errors() -> tuple[type[Exception], ...]:
    from tunecraft.models import ModelError

    from evalkit.docs import DocsError
    from evalkit.loaders import LoadError
    from evalkit.scoring import ScoringError
    from evalkit.systems import SystemsError

    from evalkit.curve import CurveError
    from evalkit.judge import JudgeError

    errors = [ModelError, DocsError, LoadError, ScoringError, SystemsError, CurveError, JudgeError]
    try:
        from evalkit.sheets import SheetError
        errors.append(SheetError)
    except ImportError:
        pass
    return tuple(errors)


def guarded(call):
    """Run `call`; a user error becomes one line on stderr and exit status 2."""
    try:
        return call()
    except ConfigError as exc:
        fail(exc.cli_message())
    except user_errors() as exc:
        fail(str(exc))


class RichProgress:
    """`task(description, total)` → an `advance(n)` callable, drawn as rich progress bars."""

    def __init__(self, progress):
        self.progress = progress

    def task(self, description: str, total: int):
        task_id = self.progress.add_task(description, total=total)
        return lambda n: self.progress.advance(task_id, n)


@app.command()
@with_options(RunConfig)
def run(
    ctx: typer.Context,
    config: Optional[Path] = typer.Option(None, help="a YAML or JSON file of these settings "
                                          "(systems: zero-shot,fine-tuned, …); flags given here "
                                          "override it"),
    **settings,
):
    """Run every system on the test split and write the evaluation.

    Example:

        evalkit run --data clean/ --model smollm2-135m --adapter runs/support-v1 --systems zero-shot,few-shot,rag,fine-tuned --out evals/support-v1
    """
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from evalkit.api import evaluate
    from train.options import build

    typed = typed_on_the_command_line(ctx, settings)
    run_config = guarded(lambda: build(RunConfig, config, **typed))
    console = Console(stderr=True)
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=console) as bars:
        evaluation = guarded(lambda: evaluate(run_config, RichProgress(bars)))
    summarise(evaluation.metrics, evaluation.out)


@app.command()
@with_options(ScoreConfig)
def score(**settings):
    """Score outputs produced elsewhere against the test split (no model, no likelihood).

    Example:

        evalkit score --hyps outputs.jsonl --refs clean/test.jsonl --out evals/api-model
    """
    from evalkit.runner import score_outputs
    from train.options import build

    cfg = guarded(lambda: build(ScoreConfig, **settings))
    metrics = guarded(lambda: score_outputs(list(cfg.hyps), cfg.refs, cfg.out, primary=cfg.primary,
                                            seed=cfg.seed, resamples=cfg.resamples,
                                            min_effect=cfg.min_effect))
    summarise(metrics, cfg.out)


@app.command()
def report(eval_dir: Path = typer.Argument(..., help="an `evalkit run` output folder")):
    """Re-render report.md and report.html from saved results.jsonl and metrics.json.

    Example:

        evalkit report evals/support-v1
    """
    from evalkit.loaders import LoadError
    from evalkit.report import write_report

    def render():
        for name in ("results.jsonl", "metrics.json"):
            if not (eval_dir / name).is_file():
                raise LoadError(f"{eval_dir / name}: missing (is this an `evalkit run` folder?)")
        write_report(eval_dir)

    guarded(render)
    typer.echo(f"wrote {eval_dir / 'report.md'} and {eval_dir / 'report.html'}")


@sheet_app.command("export")
def sheet_export(
    eval_dir: Path = typer.Argument(..., help="an `evalkit run` output folder"),
    out: Path = typer.Option(..., help="the XLSX to write"),
    seed: int = typer.Option(0, help="seeds the blind labels' per-item order"),
):
    """Write a blinded rating sheet; the un-blinding key goes to EVAL_DIR/sheet-key.json.

    Example:

        evalkit sheet export evals/support-v1 --out sheet.xlsx
    """
    from evalkit.loaders import LoadError
    from evalkit.report import load
    from evalkit.sheets import export_sheet

    def export():
        if not (eval_dir / "results.jsonl").is_file():
            raise LoadError(f"{eval_dir / 'results.jsonl'}: missing (is this an `evalkit run` folder?)")
        rows, _, _ = load(eval_dir)
        readable = [{**r, "prompt": r.get("input") or r["prompt"]} for r in rows]  # not the template
        export_sheet(readable, out, eval_dir / "sheet-key.json", seed=seed)

    guarded(export)
    typer.echo(f"wrote {out} (key: {eval_dir / 'sheet-key.json'})")


@sheet_app.command("import")
def sheet_import(
    filled: List[Path] = typer.Argument(..., help="filled sheets, one per rater"),
    key: Path = typer.Option(..., help="the sheet-key.json written by `sheet export`"),
):
    """Read filled sheets, write human.json next to the key, and re-render the report.

    Example:

        evalkit sheet import filled-a.xlsx filled-b.xlsx --key evals/support-v1/sheet-key.json
    """
    from evalkit.report import write_report
    from evalkit.sheets import import_sheets
    from tunecraft.files import atomic_write_json

    def do_import():
        human = import_sheets(filled, key)
        atomic_write_json(key.parent / "human.json", human)   # a crash keeps the earlier one
        if (key.parent / "metrics.json").is_file():
            write_report(key.parent)

    guarded(do_import)
    typer.echo(f"wrote {key.parent / 'human.json'}")


def summarise(metrics: dict, out: Path) -> None:
    from rich.console import Console

    console = Console()
    for warning in metrics.get("warnings") or []:
        console.print(f"[bold red]WARNING[/] {warning}")
    console.print(f"[bold]{(metrics.get('verdict') or {}).get('text', '')}[/]")
    console.print(f"wrote {out / 'results.jsonl'}, metrics.json, report.md, report.html")
