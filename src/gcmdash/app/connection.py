"""The dashboard's one read-only DuckDB connection.

Cached with st.cache_resource and keyed on the database file's path, inode and mtime: a
rebuild swaps a new file in (os.replace), so the next script run opens the new file. Pages
get a LiveConnection: its cursors run each statement on the file now in place, once more if a
swap closed the connection under it, and a damaged file is a plain message, not a traceback.
"""
from __future__ import annotations

import contextlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn, TypeVar

import duckdb
import streamlit as st

from gcmdash import config

T = TypeVar("T")

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


def connection_or_stop() -> LiveConnection:
    """For pages: the live connection, or a clear st.error (not a traceback) and the page
    stops. Opening is tried twice: a build may swap the file in between the two."""
    path = config.db_path()
    for attempt in (1, 2):
        try:
            get_connection(path)
            return LiveConnection(path)
        except DatabaseMissing:
            if attempt == 2:
                stop_with(MISSING_MESSAGE, path)
        except duckdb.Error:
            if attempt == 2:
                stop_with(UNREADABLE_MESSAGE, path)
    raise AssertionError("unreachable")  # stop_with raises


def stop_with(message: str, path: Path) -> NoReturn:
    """A plain message naming the database file, and the page stops there."""
    st.error(message)
    st.code(str(path), language=None)
    st.stop()
    raise DatabaseUnavailable(f"{message} {path}")  # st.stop() returns outside a script run


class DatabaseUnavailable(RuntimeError):
    """The database could not be read (outside a Streamlit script run, where st.stop()
    does not stop)."""


class LiveConnection:
    """What pages pass to gcmdash.views.queries: each cursor runs on the connection to the
    file now at `path`. A build may swap the file while a page runs (another viewer's run then
    closes the old file's connection); a statement that fails is run once more on the file
    now there, and a second failure is a plain message (a damaged database), never a
    traceback."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def cursor(self) -> _RetryingCursor:
        """A cursor (context manager) whose statement runs when its rows are fetched."""
        return _RetryingCursor(self.path)


# The frames pages read, kept per database file: a page's queries run once per file, not on
# every rerun (a widget change reruns the whole page script). The key holds the file's inode
# and mtime, so a swapped or rewritten file misses, and a frame is only ever read as a copy.
RESULT_CACHE_ENTRIES = 256
RESULT_CACHE_MAX_CELLS = 200_000  # a frame larger than this is read again each time
_results: OrderedDict[tuple, object] = OrderedDict()
_results_lock = threading.Lock()


def _result_key(path: Path, sql: str, parameters: object) -> tuple | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return (str(path), stat.st_ino, stat.st_mtime_ns, sql, repr(parameters))


def clear_results() -> None:
    """Forget every cached frame."""
    with _results_lock:
        _results.clear()


class _RetryingCursor:
    """execute() records the statement; df() / fetchall() / fetchone() run it, twice at most;
    df() answers from the per-file result cache when the same statement ran before."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._statement: tuple[str, object] | None = None
        self._cursor: duckdb.DuckDBPyConnection | None = None

    def __enter__(self) -> _RetryingCursor:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        if self._cursor is not None:
            with contextlib.suppress(duckdb.Error):
                self._cursor.close()
            self._cursor = None

    def execute(self, sql: str, parameters: object = None) -> _RetryingCursor:
        self._statement = (sql, parameters)
        return self

    def df(self):  # noqa: ANN201 - a pandas DataFrame
        key = _result_key(self._path, *self._statement) if self._statement else None
        with _results_lock:
            hit = _results.get(key) if key is not None else None
            if hit is not None:
                _results.move_to_end(key)
        if hit is not None:
            return hit.copy()
        frame = self._run(lambda cur: cur.df())
        if key is not None and frame.size <= RESULT_CACHE_MAX_CELLS:
            with _results_lock:
                _results[key] = frame.copy()
                while len(_results) > RESULT_CACHE_ENTRIES:
                    _results.popitem(last=False)
        return frame

    def fetchall(self) -> list:
        return self._run(lambda cur: cur.fetchall())

    def fetchone(self) -> tuple | None:
        return self._run(lambda cur: cur.fetchone())

    def _run(self, fetch: Callable[[duckdb.DuckDBPyConnection], T]) -> T:
        if self._statement is None:
            raise duckdb.InvalidInputException("no statement to run: call execute() first")
        sql, parameters = self._statement
        for attempt in (1, 2):
            try:
                self.close()
                self._cursor = get_connection(self._path).cursor()
                self._cursor.execute(sql, parameters)
                return fetch(self._cursor)
            except DatabaseMissing:
                if attempt == 2:
                    stop_with(MISSING_MESSAGE, self._path)
            except duckdb.Error:
                if attempt == 2:
                    stop_with(UNREADABLE_MESSAGE, self._path)
        raise AssertionError("unreachable")  # stop_with raises
