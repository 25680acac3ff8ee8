"""The dashboard's one read-only DuckDB connection.

Cached with st.cache_resource and keyed on the database file's path, inode and mtime: a
rebuild swaps a new file in (os.replace), so the next script run opens the new file. Queries
run on con.cursor() (gcmdash.views.queries).
"""
from __future__ import annotations

import threading
from pathlib import Path

import duckdb
import streamlit as st

from gcmdash import config

MISSING_MESSAGE = (
    "There is no database yet. Build it from the documents with `gcmdash build` "
    "(or start the dashboard with `gcmdash serve`, which builds it first), then reload this page. "
    "The dashboard looked for it here:"
)
UNREADABLE_MESSAGE = (
    "The database could not be opened. Rebuild it with `gcmdash build`, then reload this page. "
    "The file is:"
)


class DatabaseMissing(FileNotFoundError):
    """No database file at the configured path."""

    def __init__(self, path: Path) -> None:
        super().__init__(f"no database at {path}: run `gcmdash build`")
        self.path = path


def _close(con: duckdb.DuckDBPyConnection) -> None:
    con.close()


@st.cache_resource(show_spinner=False, max_entries=4, on_release=_close)
def _open(path: str, inode: int, mtime_ns: int) -> duckdb.DuckDBPyConnection:  # noqa: ARG001
    """inode and mtime_ns are part of the cache key only: a swapped file is a new entry."""
    return duckdb.connect(path, read_only=True)


# path -> the (path, inode, mtime_ns) key of the connection now open on it.
_open_keys: dict[str, tuple[str, int, int]] = {}
_open_keys_lock = threading.Lock()


def get_connection(path: Path | None = None) -> duckdb.DuckDBPyConnection:
    """The shared read-only connection to the database at `path` (default config.db_path()),
    reopened when the file was swapped. Raises DatabaseMissing when there is no file.

    DuckDB keeps one database instance per path in a process: while the old connection is
    open, connecting again to the same path reaches the old (replaced) file. So the old entry
    is released (closed) before the new file is opened."""
    path = Path(path) if path is not None else config.db_path()
    try:
        stat = path.stat()
    except FileNotFoundError:
        raise DatabaseMissing(path) from None
    key = (str(path), stat.st_ino, stat.st_mtime_ns)
    with _open_keys_lock:
        previous = _open_keys.get(key[0])
        if previous is not None and previous != key:
            _open.clear(*previous)  # closes it (on_release)
        _open_keys[key[0]] = key
        return _open(*key)


def connection_or_stop() -> duckdb.DuckDBPyConnection:
    """For pages: the connection, or a clear st.error (not a traceback) and the page stops."""
    path = config.db_path()
    try:
        return get_connection(path)
    except DatabaseMissing:
        message = MISSING_MESSAGE
    except duckdb.Error:
        message = UNREADABLE_MESSAGE
    st.error(message)
    st.code(str(path), language=None)
    st.stop()
