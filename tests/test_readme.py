"""The README's two quickstart commands are the ones the project runs."""
from __future__ import annotations

import re

from gcmdash.config import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


SERVE = "python3 -m venv .venv && .venv/bin/pip install -e . && .venv/bin/gcmdash serve"
TEST = 'python3 -m venv .venv && .venv/bin/pip install -e ".[test]" && .venv/bin/python -m pytest'


def test_quickstart_commands_are_in_the_readme():
    assert f"\n```bash\n{SERVE}\n```\n" in README
    assert f"\n```bash\n{TEST}\n```\n" in README


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    (pattern,) = re.findall(r"grep -m1 -E '(.+)' README\.md", ci)
    found = [line for line in README.splitlines() if re.search(pattern, line)]
    assert found[0] == TEST  # the first match is what CI runs
    assert 'bash -c "$test_command"' in ci


def test_the_quickstart_venv_is_ignored_by_git():
    assert ".venv/" in (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()


def test_ci_runs_the_suite_on_the_declared_floors():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert ci.rstrip().endswith(".venv/bin/python .ci/floors.py")
