"""YAML recipe → configured passes. No recipe at all is a valid recipe: every pass on, defaults.

```yaml
seed: 7
skip: [pii]
schema: alpaca            # force the input schema (default: detected per file)
columns: {prompt: dialogue, completion: summary, label: topic}   # or map the columns yourself
workers: 2
passes:
  language: {allow: [en, hi]}
  split: {ratios: [0.8, 0.1, 0.1], by: label}
```
Command-line flags override the file: `--seed`, `--workers`, `--skip` (replaces the recipe's list),
`--lang en,hi` (the language pass's allow list) and `--map prompt=dialogue` (per target). A typo is
an error naming the valid keys, because a silently ignored option is a silently different dataset.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from curate.columns import ColumnMapError, parse_map, spec
from curate.option_types import option_type_error
from curate.passes import DEFAULT_ORDER, get_pass_class
from curate.passes.base import Pass, RecipeError
from curate.schemas import SCHEMA_NAMES

TOP_LEVEL_KEYS = ("seed", "skip", "schema", "columns", "passes", "workers")


@dataclass
class Recipe:
    seed: int = 0
    skip: tuple[str, ...] = ()
    schema: str | None = None                     # None: detect per file
    columns: dict[str, str] = field(default_factory=dict)   # target → source column
    passes: dict[str, dict[str, Any]] = field(default_factory=dict)   # name → options
    workers: int | None = None                    # None: the caller decides
    source: str | None = None                     # the YAML file it came from, if any

    def enabled(self) -> list[str]:
        return [name for name in DEFAULT_ORDER if name not in self.skip]

    @property
    def reader_schema(self) -> str | None:
        """The schema spec the readers map rows with: the schema and the column map in one."""
        return spec(self.schema, self.columns)

    def build_passes(self) -> list[Pass]:
        """Configured pass objects in the default order; option errors surface here."""
        return [get_pass_class(name).from_options(self.passes.get(name)) for name in self.enabled()]

    def to_dict(self) -> dict[str, Any]:
        """The resolved recipe, as the manifest keeps it."""
        return {"source": self.source, "seed": self.seed, "skip": list(self.skip),
                "schema": self.schema, "columns": self.columns, "workers": self.workers,
                "passes": {name: self.passes[name] for name in DEFAULT_ORDER if name in self.passes}}


def load_recipe(path: str | Path | None = None, *, seed: int | None = None,
                skip: Iterable[str] | str = (), lang: Iterable[str] | str | None = None,
                workers: int | None = None, columns: str | None = None) -> Recipe:
    """Read a recipe file (or start from defaults) and apply the command-line overrides."""
    data = _read_yaml(Path(path)) if path else {}
    where = f"{path}: " if path else ""
    unknown = sorted(set(data) - set(TOP_LEVEL_KEYS))
    if unknown:
        raise RecipeError(f"{where}unknown key '{unknown[0]}'; valid keys: {', '.join(TOP_LEVEL_KEYS)}")
    recipe = Recipe(
        seed=_seed(data.get("seed", 0), where),
        skip=_names(data.get("skip") or (), where + "skip"),
        schema=_schema(data.get("schema"), where),
        columns=_columns(data.get("columns"), where + "columns"),
        passes=_passes(data.get("passes") or {}, where),
        workers=_workers(data.get("workers"), where),
        source=str(path) if path else None)
    if columns:
        recipe.columns = _columns({**recipe.columns, **_columns(columns, "--map")}, "--map")
    return _override(recipe, seed=seed, skip=skip, lang=lang, workers=workers)


def _columns(value, where: str) -> dict[str, str]:
    try:
        return parse_map(value, where)
    except ColumnMapError as e:
        raise RecipeError(str(e)) from None


def _override(recipe: Recipe, *, seed, skip, lang, workers) -> Recipe:
    if seed is not None:
        recipe.seed = _seed(seed, "--seed: ")
    if skip:
        recipe.skip = _names(skip, "--skip")
    if workers is not None:
        recipe.workers = _workers(workers, "--workers: ")
    if lang:
        allow = _split_list(lang)
        recipe.passes["language"] = {**recipe.passes.get("language", {}), "allow": allow}
    return recipe


def _read_yaml(path: Path) -> dict[str, Any]:
    import yaml

    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise RecipeError(f"{path}: cannot read recipe: {e.strerror or e}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        at = f" line {mark.line + 1}" if mark is not None else ""
        raise RecipeError(f"{path}:{at} invalid YAML: {getattr(e, 'problem', None) or e}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise RecipeError(f"{path}: a recipe is a mapping of {', '.join(TOP_LEVEL_KEYS)}")
    return data


def _split_list(value: Iterable[str] | str) -> list[str]:
    items = value.split(",") if isinstance(value, str) else list(value)
    return [str(item).strip() for item in items if str(item).strip()]


def _names(value, where: str) -> tuple[str, ...]:
    names = _split_list(value)
    for name in names:
        if name not in DEFAULT_ORDER:
            raise RecipeError(f"{where}: unknown pass '{name}'; valid passes: {', '.join(DEFAULT_ORDER)}")
    return tuple(sorted(set(names), key=DEFAULT_ORDER.index))


def _seed(value, where: str) -> int:
    """A non-negative integer: numpy's generators (split, balance) refuse negative seeds."""
    try:
        seed = int(str(value)) if isinstance(value, bool) or not isinstance(value, int) else value
    except ValueError:
        seed = None
    if seed is None or seed < 0:
        raise RecipeError(f"{where}seed must be an integer ≥ 0, got {value!r}")
    return seed


def _workers(value, where: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise RecipeError(f"{where}workers must be a positive integer, got {value!r}")
    return value


def _schema(value, where: str) -> str | None:
    if value in (None, "auto"):
        return None
    if value not in SCHEMA_NAMES:
        raise RecipeError(f"{where}unknown schema '{value}'; valid schemas: auto, {', '.join(SCHEMA_NAMES)}")
    return value


def _passes(value, where: str) -> dict[str, dict[str, Any]]:
    if not isinstance(value, dict):
        raise RecipeError(f"{where}'passes' must map pass names to options")
    passes = {}
    for name, options in value.items():
        if name not in DEFAULT_ORDER:
            raise RecipeError(f"{where}unknown pass '{name}'; valid passes: {', '.join(DEFAULT_ORDER)}")
        if options is not None and not isinstance(options, dict):
            raise RecipeError(f"{where}options of pass '{name}' must be a mapping, got {options!r}")
        wrong = option_type_error(get_pass_class(name).Config, options or {})
        if wrong:
            raise RecipeError(f"{where}pass '{name}': {wrong}")
        passes[name] = dict(options or {})
    return passes


def pass_options(pass_class: type[Pass]) -> list[dict[str, Any]]:
    """Each option of a pass with its type and default (for `curate passes` and the manifest)."""
    options = []
    for f in dataclasses.fields(pass_class.Config):
        if f.default is not dataclasses.MISSING:
            default = f.default
        elif f.default_factory is not dataclasses.MISSING:
            default = f.default_factory()
        else:
            default = None
        options.append({"name": f.name, "type": str(f.type), "default": default})
    return options
