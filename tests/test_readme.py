"""The README's two quickstart commands are the ones the project runs."""
from __future__ import annotations

from gcmdash.config import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_quickstart_commands_are_in_the_readme():
    assert "\npip install -e . && gcmdash serve\n" in README
    assert '\npip install -e ".[test]" && python -m pytest\n' in README


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert """grep -m1 -E '^pip install -e "\\.\\[test\\]" && python -m pytest' README.md""" in ci
