"""The Makefile's set-up contract: what a fresh clone's `make demo` / `make test` rely on."""
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.skipif(shutil.which("make") is None, reason="no make")
def test_recipes_cache_bytecode_even_where_the_environment_forbids_it():
    """pip installs with --no-compile, so the tools' modules are compiled on first import: a recipe
    that inherited PYTHONDONTWRITEBYTECODE=1 would recompile torch in every process, every time."""
    probe = f"probe: ; @{sys.executable} -c 'import sys; print(sys.dont_write_bytecode)'"
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    out = subprocess.run(["make", "-s", "-f", "Makefile", "--eval", probe, "probe"], cwd=REPO, env=env,
                         capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_the_demo_set_up_skips_pip_byte_compilation_and_pins_torch():
    setup = (REPO / "Makefile").read_text().split("$(STAMP): pyproject.toml", 1)[1].split("touch $@", 1)[0]
    assert "--no-compile torch==2.13.0 -e ." in setup
