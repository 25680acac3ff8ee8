"""Install the lowest versions pyproject.toml declares and run the suite on them once.

Every `name>=X` of the dependencies and the test extra becomes `name==X` in a constraints
file; a fresh venv installs `-e ".[test]"` under it (wheels only for those packages, so a
floor without a wheel for this Python fails here rather than compiling), then runs the tests
that call those packages: `python -m pytest -m "not browser and not slow"`, without the
process-fault tests (FLOORS_SKIP). Those and the slow tests exercise Chromium, LibreOffice,
pandoc and the operating system, which the floors do not change; the main run has them. Exit
status: pytest's, or pip's when the floors do not install together.

    python .ci/floors.py [--venv DIR] [pytest arguments...]
"""
from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Killed workers, full disks, read-only folders, the served app's process, processor-time
# limits under a loaded machine: the operating system's behaviour, the same on every version
# of the packages.
FLOORS_SKIP = ("tests/reliability/test_faults.py", "tests/reliability/test_kills.py",
               "tests/reliability/test_serve_and_app.py", "tests/runner/test_machine_load.py")
REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?\s*(>=|==)\s*([^,;\s]+)")


def declared_floors(pyproject: Path) -> dict[str, str]:
    """Package name -> lowest declared version, from the dependencies and the test extra."""
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    requirements = [*project["dependencies"], *project["optional-dependencies"]["test"]]
    floors = {}
    for requirement in requirements:
        match = REQUIREMENT.match(requirement)
        if match is None:
            raise SystemExit(f"{pyproject}: no '>=' or '==' version in {requirement!r}")
        name, _, version = match.groups()
        floors[name.lower()] = version
    return floors


def main() -> int:
    """Build the floors venv, print what it holds, run the suite in it."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--venv", type=Path, default=None,
                        help="Where to make the venv (default: a temporary folder).")
    args, pytest_args = parser.parse_known_args()
    floors = declared_floors(ROOT / "pyproject.toml")
    work = Path(tempfile.mkdtemp(prefix="gcmdash-floors-"))
    venv = args.venv or work / "venv"
    constraints = work / "constraints.txt"
    constraints.write_text("".join(f"{n}=={v}\n" for n, v in sorted(floors.items())),
                           encoding="utf-8")
    print(f"+ floors: {', '.join(f'{n}=={v}' for n, v in sorted(floors.items()))}", flush=True)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    python = venv / "bin" / "python"
    steps = [
        [sys.executable, "-m", "venv", "--clear", str(venv)],
        [str(python), "-m", "pip", "install", "-qq", "--only-binary", ",".join(sorted(floors)),
         "-c", str(constraints), "-e", ".[test]"],
        [str(python), "-m", "pip", "check"],
    ]
    for step in steps:
        print("+ " + " ".join(step), flush=True)
        completed = subprocess.run(step, cwd=ROOT, env=env, check=False)
        if completed.returncode:
            return completed.returncode
    command = [str(python), "-m", "pytest", "-m", "not browser and not slow",
               "-p", "no:cacheprovider", *(f"--ignore={path}" for path in FLOORS_SKIP),
               *pytest_args]
    print("+ " + " ".join(command), flush=True)
    return subprocess.run(command, cwd=ROOT, env=env, check=False).returncode


if __name__ == "__main__":
    sys.exit(main())
