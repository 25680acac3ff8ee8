"""The app's per-file result cache: a page's statement runs once per database file, a copy is
returned each time, and a swapped file is read afresh."""
from __future__ import annotations

import shutil
from pathlib import Path

import duckdb


def _swap_in(seed_db: Path, path: Path, marker: int) -> None:
    staged = path.with_suffix(".tmp")
    shutil.copyfile(seed_db, staged)
    with duckdb.connect(str(staged)) as writer:
        writer.execute(f"CREATE TABLE cache_marker AS SELECT {marker} AS i")
    staged.replace(path)


def test_a_statement_runs_once_per_file_and_a_swap_misses(tmp_path, seed_db, monkeypatch):
    from gcmdash.app import connection

    connection.clear_results()
    path = tmp_path / "c.duckdb"
    _swap_in(seed_db, path, 1)
    live = connection.LiveConnection(path)
    runs = []
    real = connection.get_connection
    monkeypatch.setattr(connection, "get_connection", lambda p: runs.append(p) or real(p))

    def marker() -> list[int]:
        with live.cursor() as cur:
            return cur.execute("SELECT i FROM cache_marker WHERE i > ?", [0]).df()["i"].tolist()

    assert marker() == [1] and len(runs) == 1
    first = marker()
    assert first == [1] and len(runs) == 1  # answered from the cache
    with live.cursor() as cur:  # a copy each time: changing one changes no other
        frame = cur.execute("SELECT i FROM cache_marker WHERE i > ?", [0]).df()
    frame.loc[0, "i"] = 99
    assert marker() == [1]
    _swap_in(seed_db, path, 2)  # a rebuild swaps a new file in
    assert marker() == [2] and len(runs) == 2
    connection.clear_results()
