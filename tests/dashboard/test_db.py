"""gcmdash.app.connection: one cached read-only connection, reopened when the file is swapped."""
from __future__ import annotations

import shutil

import duckdb
import pytest

from gcmdash.app import connection


def test_connection_is_read_only_and_cached(built_db, tmp_path):
    path = tmp_path / "copy.duckdb"
    shutil.copy(built_db, path)
    con = connection.get_connection(path)
    assert connection.get_connection(path) is con
    with con.cursor() as cur:
        assert cur.execute("SELECT count(*) FROM sessions").fetchone()[0] >= 4
        with pytest.raises(duckdb.Error):
            cur.execute("CREATE TABLE scratch (i INTEGER)")


def test_swapped_file_gets_a_new_connection(built_db, tmp_path):
    path = tmp_path / "live.duckdb"
    shutil.copy(built_db, path)
    old = connection.get_connection(path)
    with old.cursor() as cur:
        before = cur.execute("SELECT count(*) FROM documents").fetchone()[0]

    # What the build does: write a new file next to it, then os.replace it in.
    staged = tmp_path / ".live.duckdb.tmp"
    shutil.copy(built_db, staged)
    with duckdb.connect(str(staged)) as writer:
        writer.execute("CREATE TABLE swapped_marker AS SELECT 1 AS i")
    staged.replace(path)

    new = connection.get_connection(path)
    assert new is not old
    assert connection.get_connection(path) is new
    with pytest.raises(duckdb.ConnectionException):  # the old file's connection is released
        old.cursor()
    with new.cursor() as cur:
        assert cur.execute("SELECT i FROM swapped_marker").fetchone() == (1,)
        assert cur.execute("SELECT count(*) FROM documents").fetchone()[0] == before


def test_missing_file_raises_database_missing(tmp_path):
    with pytest.raises(connection.DatabaseMissing) as info:
        connection.get_connection(tmp_path / "absent.duckdb")
    assert "gcmdash build" in str(info.value)


def test_default_path_comes_from_config(built_db, monkeypatch):
    monkeypatch.setenv("GCMDASH_DB", str(built_db))
    with connection.get_connection().cursor() as cur:
        assert cur.execute("SELECT value FROM participation WHERE session_number = 3 "
                           "AND measure = 'member_states_attended'").fetchone() == (110,)
