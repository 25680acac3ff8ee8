"""The package's layers are a contract (pyproject.toml [tool.importlinter]): an upward import,
a Streamlit import below the app, or an import of the benchmarks fails here."""
from __future__ import annotations

import subprocess
import sys

from gcmdash.config import ROOT


def test_import_contracts_are_kept():
    completed = subprocess.run([sys.executable, "-c", "import sys; from importlinter.cli import "
                                "lint_imports_command as c; sys.exit(c())", "--no-cache"],
                               cwd=ROOT, capture_output=True, text=True, check=False)
    output = completed.stdout + completed.stderr
    assert completed.returncode == 0, output
    assert "0 broken" in output
