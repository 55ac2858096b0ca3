"""`curate run | inspect | passes | export`: each command is its docstring and a few calls into the
library.

User errors (missing input, output exists, bad recipe, a file no schema maps) are one line on
stderr and exit code 2. `curate run` prints its result (summary tables, warnings, where it wrote)
on stdout and its progress on stderr; with --strict a guard warning (curate/guards.py) fails the
run with exit 3. A run that writes no row to any split exits 1: there is nothing to train on.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import NoReturn, Optional

import typer

from curate.api import cores as _cores
from curate.engines import EngineError
from curate.passes.base import RecipeError
from curate.readers import InputError
from curate.writers import OutputError
from tunecraft.exits import fail

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  rich_markup_mode=None,
                  help="Raw files → clean train/validation/test splits through passes.\n\n"
                       "\b\nExample:\n    curate run raw/ --out clean/ && curate inspect clean/")
USER_ERRORS = (InputError, OutputError, RecipeError, EngineError)


def _fail(message: str) -> NoReturn:
    fail(message, prefix="curate: error")


@app.command()
def run(
    raw: str = typer.Argument(..., help="Folder of raw files (searched recursively), one file, "
                              "a folder written by datasets' save_to_disk, or an fsspec URL (s3://...)."),
    out: str = typer.Option(..., "--out", "-o", help="Folder (or fsspec URL) to write the clean splits into."),
    recipe: Optional[Path] = typer.Option(None, "--recipe", "-r", help="YAML recipe."),
    seed: Optional[int] = typer.Option(None, "--seed", help="Seed (overrides the recipe)."),
    lang: Optional[str] = typer.Option(None, "--lang", help="Languages to keep, e.g. en,hi."),
    workers: Optional[int] = typer.Option(None, "--workers", "-w",
                                          help="Processes for per-record passes (default: all cores)."),
    skip: Optional[str] = typer.Option(None, "--skip", help="Passes to turn off, e.g. pii,dedup_near "
                                       "(replaces the recipe's skip list)."),
    map_: Optional[str] = typer.Option(None, "--map", help="Column map, e.g. prompt=dialogue,"
                                       "completion=summary,label=topic (targets: prompt, completion, "
                                       "context, system, label, group)."),
    force: bool = typer.Option(False, "--force", help="Replace an existing output folder."),
    engine: str = typer.Option("local", "--engine", help="Where per-record passes run: local (processes "
                               "on this machine) or ray (Ray Data; same outputs)."),
    address: Optional[str] = typer.Option(None, "--address", help="--engine ray: the Ray cluster, e.g. "
                                          "auto (default: a local cluster started for the run)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress or summary."),
    strict: bool = typer.Option(False, "--strict", help="Fail (exit 3) when a guard warns: a pass "
                                "removed over 25% of its input or every train row of a label, file or task."),
) -> None:
    """Curate RAW into OUT: train/validation/test.jsonl, rejects.jsonl, manifest.json, report.html.

    \b
    Example:
        curate run raw/ --out clean/ --recipe recipe.yaml --seed 7 --lang en,hi --workers 2 --skip pii
        curate run raw/ --out clean/ --strict     # exit 3 if a pass removed a whole label/file/task
        curate run dialogues/ --out clean/ --map prompt=dialogue,completion=summary,label=topic
        curate run tickets.xlsx --out clean/      # one file; each sheet is an input
        curate run s3://bucket/raw/ --out s3://bucket/clean/ --engine ray --address auto
    """
    from curate.api import curate_into
    from curate.recipe import load_recipe
    from curate.remote import is_url

    where = (lambda name: f"{out.rstrip('/')}/{name}") if is_url(out) else (lambda name: Path(out) / name)
    try:
        resolved = load_recipe(recipe, seed=seed, skip=skip or (), lang=lang, workers=workers,
                               columns=map_)
        manifest = curate_into(raw, out, resolved, workers=_capped(resolved.workers), force=force,
                               progress=not quiet, engine=engine, address=address)
    except USER_ERRORS as e:
        _fail(str(e))
    except KeyboardInterrupt:
        typer.echo(f"curate: interrupted; {out if is_url(out) else Path(out)} was not written", err=True)
        raise typer.Exit(130)
    if not quiet:
        rows = ", ".join(f"{name} {s['rows']}" for name, s in manifest["splits"].items())
        typer.echo(f"wrote {out if is_url(out) else Path(out)}: {rows}, rejects "
                   f"{manifest['rejects']['total']}; see {where('report.html')}")
    if not any(s["rows"] for s in manifest["splits"].values()):
        typer.echo(f"curate: error: every split is empty: all {manifest['rejects']['total']} rows were "
                   f"rejected; see {where('rejects.jsonl')}", err=True)
        raise typer.Exit(1)
    _check_guards(manifest, strict, quiet)


def _check_guards(manifest: dict, strict: bool, quiet: bool) -> None:
    """Warnings were printed with the summary; quiet runs still show them, on stderr."""
    from curate.display import warning_lines

    lines = warning_lines(manifest)
    if quiet:
        for line in lines:
            typer.echo(f"curate: {line}", err=True)
    if strict and lines:
        typer.echo(f"curate: error: --strict: {len(lines)} guard warning(s); the output was written "
                   "for inspection (see the warnings in its report.html)", err=True)
        raise typer.Exit(3)


def _capped(workers: int | None) -> int:
    """All cores by default; more processes than cores only multiply memory (each worker loads the
    passes' models, ~0.6 GB with pii) without adding speed, so a larger number is capped."""
    cores = _cores()
    if workers and workers > cores:
        typer.echo(f"curate: warning: {workers} workers asked for, {cores} CPU cores available; "
                   f"using {cores}", err=True)
    return min(workers or cores, cores)


@app.command()
def inspect(clean: Path = typer.Argument(..., help="A folder written by `curate run`.")) -> None:
    """Show what a clean folder holds: inputs, the per-pass funnel, splits and the accounting.

    \b
    Example:
        curate inspect clean/
    """
    from rich.console import Console
    from rich.table import Table

    from curate.display import accounting_line, splits_table, summary_table, warning_lines

    manifest_path = clean / "manifest.json"
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as e:
        _fail(f"{manifest_path}: cannot read the manifest ({getattr(e, 'strerror', None) or e})")
    console = Console()
    inputs = Table(title=f"inputs ({len(manifest['inputs'])} files, {len(manifest['skipped'])} skipped)")
    for column in ("file", "format", "schema", "rows", "read rejects"):
        inputs.add_column(column)
    for f in manifest["inputs"]:
        inputs.add_row(f["path"], f["format"], str(f["schema"]), str(f["rows"]), str(f["rejected"]))
    for s in manifest["skipped"]:
        inputs.add_row(s["path"], "skipped", s["reason"], "", "")
    for table in (inputs, summary_table(manifest), splits_table(manifest)):
        console.print(table)
    console.print(accounting_line(manifest))
    for line in warning_lines(manifest):
        console.print(line, style="bold red", markup=False)


@app.command("export")
def export_(
    clean: Path = typer.Argument(..., help="A folder written by `curate run`."),
    fmt: str = typer.Option(..., "--format", "-f",
                            help="openai | trl-messages | trl-prompt-completion | alpaca"),
    out: Path = typer.Option(..., "--out", "-o", help="Folder to write <split>.jsonl into."),
    force: bool = typer.Option(False, "--force", help="Replace an existing output folder."),
    engine: str = typer.Option("local", "--engine", help="Where per-record passes run: local (processes "
                               "on this machine) or ray (Ray Data; same outputs)."),
    address: Optional[str] = typer.Option(None, "--address", help="--engine ray: the Ray cluster, e.g. "
                                          "auto (default: a local cluster started for the run)."),
) -> None:
    """Write each split of CLEAN with only the columns one trainer reads.

    \b
    Example:
        curate export clean/ --format openai --out openai/
        curate export clean/ --format trl-messages --out trl/
    """
    from curate.export import export

    try:
        counts = export(clean, out, fmt, force=force)
    except (OutputError, ValueError) as e:
        _fail(str(e))
    for split, c in counts.items():
        skipped = f" ({c['skipped']} with no assistant turn left out)" if c["skipped"] else ""
        typer.echo(f"{out / (split + '.jsonl')}: {c['rows']} rows{skipped}", err=True)


@app.command()
def passes() -> None:
    """List every pass in its default order, with its options and their defaults.

    \b
    Example:
        curate passes
    """
    from rich.console import Console
    from rich.markup import escape

    from curate.passes import DEFAULT_ORDER, get_pass_class
    from curate.recipe import pass_options

    console = Console(highlight=False)
    for name in DEFAULT_ORDER:
        try:
            cls = get_pass_class(name)
        except (ImportError, RecipeError) as e:
            console.print(f"[bold]{name}[/bold]  (unavailable: {escape(str(e))})")
            continue
        kind = "per record" if cls.per_record else "whole dataset"
        console.print(f"[bold]{name}[/bold]  ({kind}) {escape(_summary(cls))}")
        for o in pass_options(cls) or [{"name": "(no options)", "type": "", "default": ""}]:
            default = repr(o["default"]) if o["type"] else ""
            default = default if len(default) <= 70 else default[:67] + "..."
            console.print(escape(f"    {o['name']}" + (f": {o['type']} = {default}" if o["type"] else "")))


def _summary(cls) -> str:
    """First line of the pass's docstring, else of its module's: what the pass is for."""
    import sys as _sys

    for doc in (cls.__doc__, getattr(_sys.modules.get(cls.__module__), "__doc__", None)):
        if doc and doc.strip():
            return "— " + doc.strip().splitlines()[0]
    return ""


def main() -> None:    # pragma: no cover - `python -m curate.cli`
    sys.exit(app())


if __name__ == "__main__":  # pragma: no cover
    main()
