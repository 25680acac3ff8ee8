"""Same inputs, same result, on any machine load (issue 20): a document's fate is decided by
the processor time it takes, not the wall clock; a document that failed that way is not run
again on every build (`--retry-failed` asks again)."""
from __future__ import annotations

import subprocess
import sys

import duckdb
import pytest
from click.testing import CliRunner

from gcmdash.cli import main
from gcmdash.runner import ingest
from gcmdash.runner.build import build
from gcmdash.runner.isolate import IsolatedPool, TaskFailed
from tests.etl import pool_tasks

COMPARED = ("documents", "document_pages", "session_facts", "sessions", "agenda_items",
            "people", "roles", "participation", "discussion_areas", "recommendations", "panels",
            "person_directory", "record_coverage", "quality_flags", "text_units", "topics",
            "unit_topics", "unit_objectives", "coverage", "topic_sessions")


def contents(db):
    with duckdb.connect(str(db), read_only=True) as con:
        return {t: con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in COMPARED}


def _burn_on_marked_files(path, state):
    return pool_tasks.burn_on_marked_files(path, state)


@pytest.fixture()
def cpu_limited(monkeypatch):
    """Extraction under a 2 s processor-time limit, with marked files that compute."""
    monkeypatch.setattr(ingest, "EXTRACT_CPU_S", 2.0)
    monkeypatch.setattr(ingest, "extract_task", _burn_on_marked_files)


def test_the_processor_time_limit_stops_computing_not_waiting():
    with IsolatedPool(workers=2, timeout_s=120, memory_bytes=None, cpu_s=1) as pool:
        results = dict(pool.map(pool_tasks.burn, [("computes", None)]))
        waited = dict(pool.map(pool_tasks.slow, [("waits", 2.5)]))
        brief = dict(pool.map(pool_tasks.burn, [("brief", 0.2)]))
    assert results["computes"] == TaskFailed("used more than 1 s of processor time and was stopped")
    assert results["computes"].kind == "cpu" and results["computes"].deterministic
    assert waited == {"waits": 2.5}  # 2.5 s of wall clock, almost no processor time
    assert brief == {"brief": 0.2}  # the limit counts each task's own time, not the worker's


def test_a_failure_is_cached_and_retried_only_when_asked(raw, tmp_path, cpu_limited):
    (raw / "zz_burns.txt").write_bytes(b"BURN forever")
    runs = raw / ".zz_burns.txt.ran"
    cache = tmp_path / "cache"
    reason = "used more than 2 s of processor time and was stopped"

    first = build(raw, tmp_path / "1.duckdb", cache_dir=cache, workers=1)
    assert ("zz_burns.txt", "failed", reason) in first.documents
    assert runs.read_text() == "x"

    again = build(raw, tmp_path / "2.duckdb", cache_dir=cache, workers=1)
    assert ("zz_burns.txt", "failed", reason) in again.documents
    assert runs.read_text() == "x"  # not run again
    assert any("--retry-failed" in notice for notice in again.notices)
    assert contents(tmp_path / "2.duckdb") == contents(tmp_path / "1.duckdb")

    result = CliRunner().invoke(main, ["build", "--raw-dir", str(raw), "--db",
                                       str(tmp_path / "3.duckdb"), "--retry-failed"],
                                env={"GCMDASH_CACHE_DIR": str(cache)})
    assert result.exit_code == 1, result.output  # the document failed again
    assert runs.read_text() == "xx"  # asked again
    assert f"FAILED zz_burns.txt: {reason}" in result.output


def test_a_wall_clock_timeout_is_not_cached(raw, tmp_path, monkeypatch):
    monkeypatch.setattr(ingest, "EXTRACT_TIMEOUT_S", 0.5)
    monkeypatch.setattr(ingest, "extract_task", _hang_on_marked_files)
    (raw / "zz_hangs.txt").write_text("HANG")
    cache = tmp_path / "cache"
    build(raw, tmp_path / "1.duckdb", cache_dir=cache, workers=1)
    again = build(raw, tmp_path / "2.duckdb", cache_dir=cache, workers=1)
    # waiting says nothing about the document: the machine may have been busy
    assert ("zz_hangs.txt", "failed", "took longer than 0.5 s and was stopped") in again.documents
    assert not any("--retry-failed" in notice for notice in again.notices)


def _hang_on_marked_files(path, state):
    return pool_tasks.hang_on_marked_files(path, state)


def _busy_loops(count: int) -> list[subprocess.Popen]:
    return [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(count)]


def test_the_same_corpus_gives_the_same_tables_under_cpu_load(raw, tmp_path, cpu_limited):
    note = (raw / "004_c622c7e6c4042f6b.txt").read_bytes().replace(b"Fourth", b"Sixth")
    (raw / "zz_computes.txt").write_bytes(b"BURN 0.6\n" + note)  # well inside the limit
    (raw / "zz_burns.txt").write_bytes(b"BURN forever")  # over it, however idle
    idle = build(raw, tmp_path / "idle.duckdb", cache_dir=None, workers=2)
    loops = _busy_loops(3)
    try:
        loaded = build(raw, tmp_path / "loaded.duckdb", cache_dir=None, workers=2)
    finally:
        for loop in loops:
            loop.kill()
            loop.wait()
    assert contents(tmp_path / "loaded.duckdb") == contents(tmp_path / "idle.duckdb")
    assert loaded.documents == idle.documents
    status = {d: (s, e) for d, s, e in idle.documents}
    assert status["zz_burns.txt"] == ("failed", "used more than 2 s of processor time and was "
                                                "stopped")
    assert status["zz_computes.txt"] == ("loaded", None)
