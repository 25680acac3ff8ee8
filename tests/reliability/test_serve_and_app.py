"""The dashboard while builds swap its database, and `gcmdash serve` stopped by a signal."""
from __future__ import annotations

import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

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


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


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
    port = _free_port()
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
