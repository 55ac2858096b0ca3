"""Options declared once: a config dataclass field carries its default, help text and CLI type, and
the typer options, the config-file keys and the library's keyword arguments all come from it.

`train lora` and `evalkit run` used to re-declare every option in the CLI and build the config from
positional arguments, so a default or a help text could drift between the CLI and the library, and
a misspelt key in a dict was dropped without a word: a silently ignored option is a silently
different run. Here an unknown key is an error naming the key, the likely one and the known ones.

Precedence, as for curate's --recipe: dataclass defaults < the config file < explicit values
(CLI flags actually typed, or keyword arguments of the Python API).
"""
from __future__ import annotations

import dataclasses
import difflib
import inspect
import json
import typing
from pathlib import Path
from typing import Any, Callable, Optional

from tunecraft.text import first_line


class ConfigError(ValueError):
    """One setting is wrong. `key` names it; `source` is the config file it came from, if any."""

    def __init__(self, key: str, problem: str, source: str | None = None):
        super().__init__(f"{source}: {key} {problem}" if source else f"{key} {problem}")
        self.key, self.problem, self.source = key, problem, source

    def cli_message(self) -> str:
        """As the CLI says it: the flag, or the file and its key."""
        if self.source:
            return str(self)
        return f"--{self.key.replace('_', '-')} {self.problem}"


def setting(default: Any = dataclasses.MISSING, *, help: str, cli_type: Any = None,
            cli_default: Any = dataclasses.MISSING, parse: Callable | None = None,
            factory: Callable | None = None, cli: bool = True):
    """A config field with its help text. `parse` turns what a user types (CLI text, a YAML
    scalar) into the field's value and runs in `__post_init__`, so it must accept its own output.
    `cli_type`/`cli_default` are the flag's type and shown default when they differ from the
    field's (e.g. --time-budget takes "10m" for a float of seconds); `cli=False`: file and API only."""
    metadata = {"help": help, "cli": cli, "cli_type": cli_type, "cli_default": cli_default,
                "parse": parse}
    if factory is not None:
        return dataclasses.field(default_factory=factory, metadata=metadata)
    return dataclasses.field(default=default, metadata=metadata)


def parse_fields(cfg) -> None:
    """Apply each field's `parse` (from `__post_init__`); a bad value is a ConfigError naming it,
    so a parser's ValueError says what the value must be: "must be …, got '…'"."""
    for f in dataclasses.fields(cfg):
        parse = f.metadata.get("parse")
        if parse is None:
            continue
        try:
            object.__setattr__(cfg, f.name, parse(getattr(cfg, f.name)))
        except ValueError as exc:
            raise ConfigError(f.name, str(exc)) from None


def known_keys(cls) -> list[str]:
    return [f.name for f in dataclasses.fields(cls)]


def check_keys(cls, keys, source: str | None = None) -> None:
    """An unknown key is an error naming it, the closest known key and all of them."""
    known = known_keys(cls)
    for key in keys:
        if key not in known:
            close = difflib.get_close_matches(str(key), known, n=1)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            raise ConfigError(str(key), f"is not a setting{hint} (known: {', '.join(known)})",
                              source=source)


def read_config_file(path: str | Path) -> dict:
    """A run's settings from YAML or JSON; keys may be written with - or _ (`max-steps`)."""
    import yaml

    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
        data = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    except OSError as exc:
        raise ConfigError("file", f"cannot be read ({exc.strerror or exc})", source=str(path)) from None
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        raise ConfigError("file", f"is not valid {path.suffix.lstrip('.') or 'YAML'}: {first_line(exc)}",
                          source=str(path)) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError("file", f"must hold a mapping of settings, got {type(data).__name__}",
                          source=str(path))
    return {str(k).replace("-", "_"): v for k, v in data.items()}


def build(cls, file: str | Path | None = None, **values):
    """The config from its defaults, then the file, then `values` (None: not given)."""
    given = {k: v for k, v in values.items() if v is not None}
    check_keys(cls, given)
    from_file = read_config_file(file) if file else {}
    check_keys(cls, from_file, str(file) if file else None)
    from_file = {k: _from_yaml(cls, k, v) for k, v in from_file.items() if k not in given}
    try:
        return cls(**{**from_file, **given})
    except ConfigError as exc:
        if exc.key in from_file and exc.source is None:
            raise ConfigError(exc.key, exc.problem, source=str(file)) from None
        raise
    except TypeError as exc:        # a required field given nowhere
        missing = [f.name for f in dataclasses.fields(cls) if f.name not in {**from_file, **given}
                   and f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING]
        if not missing:
            raise
        raise ConfigError(missing[0], "is required (a flag, a keyword, or a key of the config "
                                      "file)") from None


def _from_yaml(cls, key: str, value):
    """PyYAML reads `5e-4` (no dot) as a string; a float setting takes it as the number."""
    hint = typing.get_type_hints(cls).get(key)
    if hint is float and isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return value
    return value


# --- the CLI side --------------------------------------------------------------------------------

def cli_parameters(cls) -> list[inspect.Parameter]:
    """One typer option per CLI field, in field order, keyword-only."""
    import typer

    hints = typing.get_type_hints(cls)
    params = []
    for f in dataclasses.fields(cls):
        if not f.metadata.get("cli", False):
            continue
        kind = f.metadata["cli_type"] or _optional(hints[f.name])
        params.append(inspect.Parameter(
            f.name, inspect.Parameter.KEYWORD_ONLY, annotation=kind,
            default=typer.Option(_cli_default(f), help=f.metadata["help"], show_default=True)))
    return params


def _cli_default(f: dataclasses.Field):
    if f.metadata["cli_default"] is not dataclasses.MISSING:
        return f.metadata["cli_default"]
    if f.default_factory is not dataclasses.MISSING:
        value = f.default_factory()
        return list(value) if isinstance(value, tuple) else value
    return None if f.default is dataclasses.MISSING else f.default


def _optional(hint):
    """`X | None` → typing.Optional[X], which every typer version reads."""
    args = typing.get_args(hint)
    if type(None) in args and len(args) == 2:
        return Optional[next(a for a in args if a is not type(None))]
    return hint


def with_options(cls):
    """Decorator: the command takes `cls`'s options as keyword arguments (collected by its
    `**options`) after its own parameters, so one dataclass declares them for every front door."""
    def decorate(command):
        own = [p for p in inspect.signature(command).parameters.values()
               if p.kind is not inspect.Parameter.VAR_KEYWORD]
        hints = typing.get_type_hints(command)
        own = [p.replace(annotation=hints.get(p.name, p.annotation)) for p in own]
        first = [p for p in own if p.name == "ctx"]
        rest = [p.replace(kind=inspect.Parameter.KEYWORD_ONLY) for p in own if p.name != "ctx"]
        command.__signature__ = inspect.Signature(first + cli_parameters(cls) + rest)
        return command
    return decorate


def typed_on_the_command_line(ctx, options: dict) -> dict:
    """The options the user actually typed (or set through the environment): these override the
    config file; a default shown in --help does not."""
    typed = ("COMMANDLINE", "ENVIRONMENT")      # by name: typer may bring its own click
    return {k: v for k, v in options.items()
            if getattr(ctx.get_parameter_source(k), "name", None) in typed}
