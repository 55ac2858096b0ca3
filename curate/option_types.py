"""Does a recipe value fit the type its pass's config declares?

YAML guesses types: `max_chars: ten` is a string, and so is `max_chars: 1e3` (YAML 1.1 wants a dot
in a float). A pass config takes either without complaint and the run fails with a TypeError in
the middle, after minutes of work. Checked against the config's annotations when the recipe is
read, the error names the pass, the option and the type wanted, before any file is read.
"""
from __future__ import annotations

import types
import typing
from typing import Any

_NAMES = {int: ("an integer", "integers"), float: ("a number", "numbers"),
          str: ("a string", "strings"), bool: ("true or false", "booleans"),
          type(None): ("null", "nulls")}


def fits(value: Any, hint: Any) -> bool:
    """True when `value` has the annotated type; a type this check does not know passes (the
    config's own __post_init__ judges it)."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        return any(fits(value, arg) for arg in args)
    if hint is bool or hint is type(None) or hint is str:
        return isinstance(value, hint)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if hint is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if origin is list:
        inner = args[0] if args else Any
        if isinstance(value, str) and inner is str:   # "en,hi": the configs split it themselves
            return True
        return isinstance(value, (list, tuple)) and all(fits(v, inner) for v in value)
    if origin is dict:
        key, val = args or (Any, Any)
        return isinstance(value, dict) and all(fits(k, key) and fits(v, val)
                                               for k, v in value.items())
    return True


def describe(hint: Any) -> str:
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        return " or ".join(describe(arg) for arg in args)
    if origin is list and args and args[0] in _NAMES:
        return f"a list of {_NAMES[args[0]][1]}"
    if origin is dict and args and all(a in _NAMES for a in args):
        return f"a mapping of {_NAMES[args[0]][1]} to {_NAMES[args[1]][1]}"
    return _NAMES.get(hint, (str(hint),))[0]


def option_type_error(config_class: type, options: dict[str, Any]) -> str | None:
    """'option X must be …, got …' for the first option of the wrong type, else None."""
    hints = typing.get_type_hints(config_class)
    for key, value in options.items():
        hint = hints.get(key)
        if hint is None or fits(value, hint):
            continue
        message = f"option '{key}' must be {describe(hint)}, got {value!r}"
        if isinstance(value, str) and _is_number(value):
            message += f" (YAML read {value} as text; write it as a plain number, e.g. " \
                       f"{_plain(value)})"
        return message
    return None


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _plain(text: str) -> str:
    number = float(text)
    return str(int(number)) if number.is_integer() else repr(number)
