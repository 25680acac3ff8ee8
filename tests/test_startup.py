"""`gcmdash --help` starts without the heavy libraries: the commands import them when they run."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

HEAVY = ("sklearn", "scipy", "pandas", "duckdb", "streamlit", "pyarrow", "numpy", "plotly",
         "dask", "distributed")

# in a fresh interpreter: the help printed as `gcmdash ARGS` prints it, then what was imported
PROBE = """
import json, sys
from gcmdash.cli import main
try:
    main(sys.argv[1:], prog_name="gcmdash")
except SystemExit as exc:
    code = exc.code
print(json.dumps({"code": code, "heavy": sorted(m for m in %r if m in sys.modules)}))
""" % (HEAVY,)


@pytest.mark.parametrize("arguments", [["--help"], ["build", "--help"], ["serve", "--help"],
                                       ["publish", "--help"], ["topics", "--help"]])
def test_help_imports_no_heavy_library(arguments):
    completed = subprocess.run([sys.executable, "-c", PROBE, *arguments], capture_output=True,
                               text=True, check=True, env=dict(os.environ))
    *help_lines, last = completed.stdout.strip().splitlines()
    outcome = json.loads(last)
    assert outcome["code"] == 0
    assert "Usage: gcmdash" in "\n".join(help_lines)
    assert outcome["heavy"] == []


def test_the_probe_sees_an_import():
    """The check can fail: a command that needs DuckDB imports it when it runs."""
    probe = PROBE.replace("from gcmdash.cli import main",
                          "from gcmdash.cli import main\nimport duckdb")
    completed = subprocess.run([sys.executable, "-c", probe, "--help"], capture_output=True,
                               text=True, check=True, env=dict(os.environ))
    assert json.loads(completed.stdout.strip().splitlines()[-1])["heavy"] == ["duckdb"]
