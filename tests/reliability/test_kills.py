"""A build killed at every stage, and at the swap: the database is whole, nothing runs on, and
the next build succeeds and removes what the killed one left."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import duckdb
import pytest

from gcmdash.runner.build import (
    BuildLocked,
    build,
    build_lock,
    lock_path,
    remove_stale_temp_files,
)
from tests.reliability.helpers import (
    copy_seeds,
    folder_listing,
    marked_env,
    new_tag,
    processes_with,
    run_killed_build,
    wait_until_gone,
)

STAGES = ("extract", "parse", "load", "topics", "checks", "swap")


def _loaded(db) -> int:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute("SELECT count(*) FROM documents WHERE status = 'loaded'").fetchone()[0]


@pytest.fixture(scope="module")
def previous_db(tmp_path_factory, seed_db):
    """A finished database, copied into each test's folder as the one a build replaces."""
    return seed_db.read_bytes()


@pytest.mark.parametrize("stage", STAGES)
def test_sigkill_at_each_stage(stage, tmp_path, previous_db):
    raw = copy_seeds(tmp_path / "raw")
    folder = tmp_path / "db"
    folder.mkdir()
    db = folder / "g.duckdb"
    db.write_bytes(previous_db)
    tag = new_tag()

    assert run_killed_build(raw, db, stage, tag) == -signal.SIGKILL
    assert wait_until_gone(tag) == []  # no worker outlives the killed build
    if stage == "swap":
        assert _loaded(db) == 5  # the new database, whole
    else:
        assert db.read_bytes() == previous_db  # the previous database, untouched
    left = [n for n in folder_listing(folder) if n != "g.duckdb"]
    # what a SIGKILL leaves: its temporary database (once it has one) and a free lock file
    assert all(n.startswith((".g.duckdb.tmp-", ".g.duckdb.lock")) for n in left), left

    report = build(raw, db, cache_dir=None)
    assert len([d for d in report.documents if d[1] == "loaded"]) == 5
    assert folder_listing(folder) == ["g.duckdb"]  # the next build removed the debris


def test_sigterm_of_the_cli_build_cleans_up(tmp_path, previous_db):
    """SIGTERM (a service manager stopping it) runs the build's clean-up: no temporary file,
    no worker, the database as it was, exit status 128 + 15."""
    raw = copy_seeds(tmp_path / "raw")
    folder = tmp_path / "db"
    folder.mkdir()
    db = folder / "g.duckdb"
    db.write_bytes(previous_db)
    tag = new_tag()
    process = subprocess.Popen(
        [sys.executable, "-m", "gcmdash.cli", "build", "--raw-dir", str(raw), "--db", str(db),
         "--no-cache", "--workers", "2"],
        env=marked_env(tag), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 300
    while len(processes_with(tag)) < 2 and process.poll() is None:  # the CLI and a worker
        assert time.monotonic() < deadline
        time.sleep(0.05)
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=120)
    assert process.returncode == 128 + signal.SIGTERM, err
    assert b"Traceback" not in err
    assert wait_until_gone(tag) == []
    assert db.read_bytes() == previous_db
    assert folder_listing(folder) == ["g.duckdb"]


def test_two_builds_at_once_refuse_with_a_message(tmp_path, previous_db):
    from click.testing import CliRunner

    from gcmdash.cli import main

    raw = copy_seeds(tmp_path / "raw")
    db = tmp_path / "g.duckdb"
    db.write_bytes(previous_db)
    with build_lock(db):  # another build holding it
        with pytest.raises(BuildLocked, match=f"another build \\(process {os.getpid()}\\)"):
            build(raw, db, cache_dir=None)
        result = CliRunner().invoke(main, ["build", "--raw-dir", str(raw), "--db", str(db)])
        assert result.exit_code == 3
        assert "is writing" in result.output and "Traceback" not in result.output
        assert db.read_bytes() == previous_db
    assert not lock_path(db).exists()  # the holder removes it as it lets go


def test_only_temp_files_of_dead_builds_are_removed(tmp_path):
    db = tmp_path / "g.duckdb"
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        dead = subprocess.Popen([sys.executable, "-c", "pass"])
        dead.wait()
        for pid in (dead.pid, sleeper.pid):
            (tmp_path / f".g.duckdb.tmp-{pid}").write_bytes(b"x")
            (tmp_path / f".g.duckdb.tmp-{pid}.wal").write_bytes(b"x")
        (tmp_path / ".other.duckdb.tmp-1").write_bytes(b"x")  # another database's
        with build_lock(db):
            removed = remove_stale_temp_files(db)
        assert [p.name for p in removed] == [f".g.duckdb.tmp-{dead.pid}",
                                             f".g.duckdb.tmp-{dead.pid}.wal"]
        assert folder_listing(tmp_path) == sorted([
            ".other.duckdb.tmp-1", f".g.duckdb.tmp-{sleeper.pid}",
            f".g.duckdb.tmp-{sleeper.pid}.wal"])
    finally:
        sleeper.kill()
        sleeper.wait()
