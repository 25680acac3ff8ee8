"""The dashboard while builds swap its database, and `gcmdash serve` stopped by a signal."""
from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from benchmarks.browser import free_port
from gcmdash import config
from gcmdash.runner.build import build
from tests.reliability.helpers import copy_seeds, marked_env, new_tag, wait_until_gone

PAGES = sorted((config.APP_PAGES_DIR).glob("*.py"))
SWAPS = 3


def test_pages_show_no_error_while_builds_swap_the_database(tmp_path, monkeypatch, seed_db):
    raw = copy_seeds(tmp_path / "raw")
    db = tmp_path / "g.duckdb"
    shutil.copyfile(seed_db, db)
    monkeypatch.setenv("GCMDASH_DB", str(db))
    cache = tmp_path / "cache"
    failures: list[BaseException] = []
    # a file by (inode, ctime): a deleted database's inode number may be reused by the next
    inodes = {(db.stat().st_ino, db.stat().st_ctime_ns)}

    def rebuild() -> None:
        try:
            for _ in range(SWAPS):  # bounded: each build swaps a new file in
                build(raw, db, cache_dir=cache, workers=1)
                swapped = db.stat()
                inodes.add((swapped.st_ino, swapped.st_ctime_ns))
        except BaseException as exc:  # noqa: BLE001 - reported by the test below
            failures.append(exc)

    builder = threading.Thread(target=rebuild, name="swapping-builds")
    builder.start()
    runs = 0
    try:
        while builder.is_alive() or runs < len(PAGES):
            page = PAGES[runs % len(PAGES)]
            at = AppTest.from_file(str(page), default_timeout=120).run()
            assert not at.exception, (page.name, [e.value for e in at.exception])
            assert not at.error, (page.name, [e.value for e in at.error])
            runs += 1
    finally:
        builder.join()
    assert failures == []
    assert len(inodes) == SWAPS + 1  # the pages really ran across swaps
    assert runs >= len(PAGES)


def _listening(port: int) -> set[str]:
    """Local addresses listening on the port (Linux /proc/net/tcp, tcp6)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        path = Path(table)
        if not path.exists():
            continue
        for line in path.read_text().splitlines()[1:]:
            fields = line.split()
            address, hex_port = fields[1].rsplit(":", 1)
            if int(hex_port, 16) == port and fields[3] == "0A":
                found.add(address)
    return found


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT])
def test_serve_listens_on_localhost_and_stops_its_server(stop, tmp_path, seed_db):
    if not Path("/proc/net/tcp").exists():
        pytest.skip("needs /proc/net/tcp to see which address the server listens on")
    raw = copy_seeds(tmp_path / "raw")
    db = tmp_path / "g.duckdb"
    build(raw, db, cache_dir=None)
    port = free_port()
    tag = new_tag()
    env = marked_env(tag, GCMDASH_DB=str(db), GCMDASH_RAW_DIR=str(raw),
                     GCMDASH_CACHE_DIR=str(tmp_path / "cache"))
    serve = subprocess.Popen([sys.executable, "-m", "gcmdash.cli", "serve", "--headless",
                              "--port", str(port)], env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 180
        while not _listening(port):
            assert serve.poll() is None, serve.communicate()
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.2)
        assert _listening(port) == {"0100007F"}  # 127.0.0.1 only, no other interface
        serve.send_signal(stop)
        out, err = serve.communicate(timeout=60)
        assert serve.returncode == 0, (out, err)
        assert wait_until_gone(tag, 15) == []  # its Streamlit server stopped too
        assert not _listening(port)
    finally:
        if serve.poll() is None:
            serve.kill()
            serve.wait()


# --- issue 20: a swap or a damaged file under a running page ----------------------------------
def _swap_in(source: Path, path: Path, marker: int) -> None:
    """What a build does: a new file beside the old, then os.replace."""
    import duckdb

    staged = path.with_name(f".{path.name}.{marker}.tmp")
    shutil.copyfile(source, staged)
    with duckdb.connect(str(staged)) as writer:
        writer.execute(f"CREATE TABLE swap_marker AS SELECT {marker} AS i")
    staged.replace(path)


def test_a_statement_whose_connection_a_swap_closed_runs_again_on_the_new_file(
        tmp_path, seed_db, monkeypatch):
    from gcmdash.app import connection

    path = tmp_path / "live.duckdb"
    _swap_in(seed_db, path, 1)
    live = connection.LiveConnection(path)
    stale = connection.get_connection(path)
    _swap_in(seed_db, path, 2)
    fresh = connection.get_connection(path)  # another viewer's run: the old one is closed
    assert fresh is not stale
    calls = []
    real = connection.get_connection

    def first_the_stale_one(p):
        calls.append(p)
        return stale if len(calls) == 1 else real(p)

    monkeypatch.setattr(connection, "get_connection", first_the_stale_one)
    with live.cursor() as cur:
        assert cur.execute("SELECT i FROM swap_marker").fetchone() == (2,)
    assert len(calls) == 2  # once on the closed connection, once more on the new file
    with live.cursor() as cur:  # the query layer's way: execute(...).df()
        assert cur.execute("SELECT i FROM swap_marker WHERE i = ?", [2]).df()["i"].tolist() == [2]


def _page_messages(page: Path) -> tuple[list[str], list[str]]:
    at = AppTest.from_file(str(page), default_timeout=120).run()
    return [e.value for e in at.error], [str(e.value) for e in at.exception]


@pytest.mark.parametrize("damage", ["replaced", "in_place", "blocks"])
def test_a_damaged_database_under_a_running_dashboard_is_a_plain_message(
        tmp_path, seed_db, monkeypatch, damage):
    from gcmdash.app import connection

    db = tmp_path / "g.duckdb"
    shutil.copyfile(seed_db, db)
    monkeypatch.setenv("GCMDASH_DB", str(db))
    page = config.APP_PAGES_DIR / "overview.py"
    assert _page_messages(page) == ([], [])  # the page ran, its connection is open
    junk = b"this is not a database " * 4096
    if damage == "replaced":
        staged = tmp_path / ".g.duckdb.tmp"
        staged.write_bytes(junk)
        staged.replace(db)
    elif damage == "in_place":
        time.sleep(0.01)  # a new mtime
        with db.open("r+b") as handle:
            handle.seek(0)
            handle.write(junk)
    else:  # the headers intact, so the file opens, and a block every 256 KiB overwritten:
        time.sleep(0.01)  # the queries meet DuckDB's checksum errors
        size = db.stat().st_size
        with db.open("r+b") as handle:
            for offset in range(3 * 4096 + 262144, size, 262144):
                handle.seek(offset)
                handle.write(b"\xff" * 4096)
    for _ in range(2):  # and on every run after, until it is rebuilt
        errors, exceptions = _page_messages(page)
        assert exceptions == []
        assert errors == [connection.UNREADABLE_MESSAGE]
    shutil.copyfile(seed_db, tmp_path / ".fixed.tmp")
    (tmp_path / ".fixed.tmp").replace(db)
    assert _page_messages(page) == ([], [])  # rebuilt: the page is back


def test_damaged_pages_of_a_database_found_by_a_query_are_a_plain_message(tmp_path, seed_db):
    """A file that opens but fails in a query: the query is tried once more, then the message."""
    from gcmdash.app import connection

    path = tmp_path / "g.duckdb"
    shutil.copyfile(seed_db, path)
    live = connection.LiveConnection(path)
    runs = []
    real = connection.get_connection
    connection.get_connection = lambda p: runs.append(p) or real(p)
    try:
        with pytest.raises(connection.DatabaseUnavailable) as info, live.cursor() as cur:
            cur.execute("SELECT * FROM no_such_table").fetchall()
    finally:
        connection.get_connection = real
    assert str(info.value) == f"{connection.UNREADABLE_MESSAGE} {path}"
    assert len(runs) == 2
