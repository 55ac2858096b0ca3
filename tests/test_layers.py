"""The layering of docs/DESIGN.md ("Layers"), checked on the source: tunecraft imports none of the
three packages; curate and train import only tunecraft; evalkit imports tunecraft and train; no
module imports a `cli` module. Imports inside functions and `importlib.import_module("...")`
string literals count: a lazy import is still a dependency.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ALLOWED = {"tunecraft": set(), "curate": {"tunecraft"}, "train": {"tunecraft"},
           "evalkit": {"tunecraft", "train"}}


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _absolute(node: ast.ImportFrom, module: str, is_package: bool) -> str:
    if not node.level:
        return node.module or ""
    base = module.split(".") if is_package else module.split(".")[:-1]
    base = base[:len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _dynamic_target(call: ast.Call) -> str | None:
    """The module named by import_module("x") / __import__("x"); an f-string's literal head."""
    func = call.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
    if name not in ("import_module", "__import__") or not call.args:
        return None
    arg = call.args[0]
    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
        return arg.value
    if isinstance(arg, ast.JoinedStr) and arg.values and isinstance(arg.values[0], ast.Constant):
        return str(arg.values[0].value).rstrip(".")
    return None


def imported(source: str, module: str, is_package: bool = False) -> list[tuple[int, str]]:
    """(line, dotted name) of every module the source imports, anywhere in it."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            target = _absolute(node, module, is_package)
            found.append((node.lineno, target))   # `from pkg import cli` imports pkg.cli
            found += [(node.lineno, f"{target}.{alias.name}") for alias in node.names
                      if alias.name == "cli"]
        elif isinstance(node, ast.Call) and (target := _dynamic_target(node)):
            found.append((node.lineno, target))
    return found


def violations(path: Path, root: Path) -> list[str]:
    module = module_name(path, root)
    own = module.split(".")[0]
    out = []
    for line, target in imported(path.read_text(encoding="utf-8"), module, path.name == "__init__.py"):
        top = target.split(".")[0]
        if top in ALLOWED and top != own and top not in ALLOWED[own]:
            out.append(f"{path.relative_to(root)}:{line}: {own} may not import {target}")
        if top in ALLOWED and "cli" in target.split(".")[1:]:
            out.append(f"{path.relative_to(root)}:{line}: imports the command-line module {target}")
    return out


def layer_violations(root: Path) -> list[str]:
    return [v for package in ALLOWED for path in sorted((root / package).rglob("*.py"))
            for v in violations(path, root)]


def test_the_tree_keeps_its_layers():
    assert (ROOT / "tunecraft" / "records.py").is_file()
    assert layer_violations(ROOT) == []


def _plant(root: Path, relative: str, source: str) -> None:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    for parent in path.relative_to(root).parents:
        if str(parent) != ".":
            (root / parent / "__init__.py").touch()
    path.write_text(source, encoding="utf-8")


@pytest.mark.parametrize("relative, source, expected", [
    ("tunecraft/records.py", "from curate.schemas import FileSchema\n", "tunecraft may not import curate.schemas"),
    ("curate/passes/template.py", "def setup():\n    from train.models import load_tokenizer\n",
     "curate may not import train.models"),
    ("train/data.py", "import evalkit.metrics as m\n", "train may not import evalkit.metrics"),
    ("curate/passes/__init__.py", "import importlib\nimportlib.import_module('evalkit.docs')\n",
     "curate may not import evalkit.docs"),
    ("evalkit/runner.py", "from train import cli\n", "imports the command-line module train.cli"),
    ("evalkit/report.py", "from .cli import app\n", "imports the command-line module evalkit.cli"),
    ("curate/pii/names.py", "from ..cli import main\n", "imports the command-line module curate.cli"),
])
def test_a_planted_violation_is_found(tmp_path, relative, source, expected):
    _plant(tmp_path, relative, source)
    found = layer_violations(tmp_path)
    assert len(found) == 1 and expected in found[0] and found[0].startswith(relative + ":")


def test_allowed_imports_are_not_flagged(tmp_path):
    _plant(tmp_path, "evalkit/likelihood.py",
           "import math\nfrom tunecraft.conversation import encode_pair\nfrom train.data import IGNORE\n"
           "from evalkit.metrics import text\nfrom . import stats\n"
           "def f():\n    import importlib\n    return importlib.import_module(f'evalkit.metrics.{1}')\n")
    _plant(tmp_path, "curate/passes/html.py", "from tunecraft.text import html_fragment_to_text\n")
    assert layer_violations(tmp_path) == []
