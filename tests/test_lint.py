"""The lint gate (pyproject.toml [tool.ruff]): pyflakes, import order, pathlib, docstrings on
public classes and functions, complexity at most 10, over the package, benchmarks, tests and
notebooks."""
from __future__ import annotations

import subprocess
import sys

from gcmdash.config import ROOT


def test_ruff_finds_nothing():
    completed = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", "src", "benchmarks", "tests",
         "notebooks"], cwd=ROOT, capture_output=True, text=True, check=False)
    assert completed.returncode == 0, completed.stdout + completed.stderr
