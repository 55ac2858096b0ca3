"""The three CLIs' contract for a user error: one line on stderr, exit status 2, no traceback."""
from __future__ import annotations

from typing import NoReturn


def fail(message: str, prefix: str = "error") -> NoReturn:
    """Print `prefix: message` to stderr and leave with status 2 (typer.Exit)."""
    import typer

    typer.echo(f"{prefix}: {message}", err=True)
    raise typer.Exit(2)
