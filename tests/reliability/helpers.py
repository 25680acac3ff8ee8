"""Shared pieces of the fault-injection tests: processes by a marker, mounts, a killable build."""
from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import SEED_DIR

MARKER = "GCMDASH_FAULT_TEST"

# Run as a child: build argv[1] -> argv[2], and SIGKILL itself at stage argv[3] (with its
# workers alive during extract and parse), or just after the swap ("swap").
KILLED_BUILD = """
import os, signal, sys
from pathlib import Path
from gcmdash.runner import build

stage = sys.argv[3]

def progress(name, done, total):
    if name == stage and (done >= 1 or name not in ("extract", "parse")):
        os.kill(os.getpid(), signal.SIGKILL)

if stage == "swap":
    replace = os.replace
    def replace_then_die(source, target):
        replace(source, target)
        os.kill(os.getpid(), signal.SIGKILL)
    os.replace = replace_then_die
build.build(Path(sys.argv[1]), Path(sys.argv[2]), progress, workers=2, cache_dir=None)
"""


def marked_env(tag: str, **extra: str) -> dict[str, str]:
    """The environment of a child whose processes (and its workers', which inherit it) carry
    the tag, so the test can find every one of them, wherever they were reparented."""
    return {**os.environ, MARKER: tag, **extra}


def new_tag() -> str:
    """A marker value no other process carries."""
    return uuid.uuid4().hex


def processes_with(tag: str) -> list[int]:
    """PIDs of live processes whose environment carries the tag (Linux /proc)."""
    if not Path("/proc/self/environ").exists():
        pytest.skip("needs /proc to find the build's processes")
    needle = f"{MARKER}={tag}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environ = (entry / "environ").read_bytes()
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if needle in environ.split(b"\0") and state != "Z":
            found.append(int(entry.name))
    return found


def wait_until_gone(tag: str, seconds: float = 5.0) -> list[int]:
    """The tagged processes still alive after waiting up to `seconds` for them to exit."""
    deadline = time.monotonic() + seconds
    while (alive := processes_with(tag)) and time.monotonic() < deadline:
        time.sleep(0.1)
    return alive


def copy_seeds(target: Path) -> Path:
    """A writable copy of the seed documents."""
    shutil.copytree(SEED_DIR, target)
    return target


def run_killed_build(raw: Path, db: Path, stage: str, tag: str) -> int:
    """Run a build in a child that kills itself at `stage`; returns its exit status."""
    completed = subprocess.run([sys.executable, "-c", KILLED_BUILD, str(raw), str(db), stage],
                               env=marked_env(tag), capture_output=True, timeout=600)
    return completed.returncode


@contextlib.contextmanager
def mounted(target: Path, *mount_args: str) -> Iterator[Path]:
    """`mount ARGS target` for the test, or skip it with the reason when mounting is not
    permitted (not root, or in a container without the capability)."""
    target.mkdir(parents=True, exist_ok=True)
    if shutil.which("mount") is None:
        pytest.skip("no mount command")
    completed = subprocess.run(["mount", *mount_args, str(target)], capture_output=True,
                               text=True)
    if completed.returncode != 0:
        pytest.skip(f"cannot mount here ({completed.stderr.strip() or completed.returncode}); "
                    "this fault needs a size-limited or read-only file system")
    try:
        yield target
    finally:
        subprocess.run(["umount", "-l", str(target)], capture_output=True, check=False)


@contextlib.contextmanager
def read_only(folder: Path) -> Iterator[Path]:
    """The folder, made read-only by a read-only bind mount over itself (permission bits do
    not stop root, which these tests may run as)."""
    with mounted(folder, "--bind", str(folder)):
        completed = subprocess.run(["mount", "-o", "remount,ro,bind", str(folder)],
                                   capture_output=True, text=True)
        if completed.returncode != 0:
            pytest.skip(f"cannot remount read-only here ({completed.stderr.strip()})")
        yield folder


def folder_listing(folder: Path) -> list[str]:
    """Every entry of a folder, hidden ones too, sorted."""
    return sorted(p.name for p in folder.iterdir())
