"""Full disks, read-only folders, damaged databases and caches, odd entries in the input folder:
each a message (no traceback), an exit status, and the database as it was."""
from __future__ import annotations

import os
import pickle
import signal
import sqlite3
import stat
from contextlib import closing
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from gcmdash import sealed
from gcmdash.cli import main
from gcmdash.runner.build import BuildError, build
from gcmdash.runner.cache import STATE, STORE_FILE, entry_label
from tests.reliability.helpers import copy_seeds, folder_listing, mounted, read_only

SEEDS_LOADED = 5


def _statuses(report) -> dict[str, tuple[str, str | None]]:
    return {d: (s, e) for d, s, e in report.documents}


def _loaded(report) -> int:
    return sum(1 for _, s, _ in report.documents if s == "loaded")


@pytest.fixture()
def raw(tmp_path):
    return copy_seeds(tmp_path / "raw")


# --------------------------------------------------------------------------- full disk

def test_a_full_disk_is_a_message_and_keeps_the_previous_database(raw, tmp_path, seed_db):
    previous = seed_db.read_bytes()
    size = len(previous) + 512 * 1024  # room for the old database, not for a new one
    with mounted(tmp_path / "small", "-t", "tmpfs", "-o", f"size={size}", "tmpfs") as small:
        db = small / "g.duckdb"
        db.write_bytes(previous)
        with pytest.raises(BuildError, match="is full"):
            build(raw, db, cache_dir=None)
        assert db.read_bytes() == previous
        assert folder_listing(small) == ["g.duckdb"]  # no temporary file, no lock left

        result = CliRunner().invoke(main, ["build", "--raw-dir", str(raw), "--db", str(db),
                                           "--no-cache"])
        assert result.exit_code == 2
        assert "left as it was" in result.output and "is full" in result.output
        assert "Traceback" not in result.output
        assert db.read_bytes() == previous


def test_a_full_disk_for_the_cache_only_means_nothing_is_cached(raw, tmp_path):
    with mounted(tmp_path / "tiny", "-t", "tmpfs", "-o", "size=64k", "tmpfs") as tiny:
        (tiny / "filler").write_bytes(b"\0" * 60 * 1024)
        db = tmp_path / "g.duckdb"
        report = build(raw, db, cache_dir=tiny / "cache")
    assert _loaded(report) == SEEDS_LOADED
    assert any("cannot be written" in n for n in report.notices), report.notices


# --------------------------------------------------------------------------- read-only

def test_a_read_only_database_folder_is_a_message(raw, tmp_path, seed_db):
    folder = tmp_path / "db"
    folder.mkdir()
    db = folder / "g.duckdb"
    db.write_bytes(seed_db.read_bytes())
    with read_only(folder):
        with pytest.raises(BuildError, match="read-only"):
            build(raw, db, cache_dir=None)
        result = CliRunner().invoke(main, ["build", "--raw-dir", str(raw), "--db", str(db)])
        assert result.exit_code == 2 and "read-only" in result.output
        assert "Traceback" not in result.output
    assert folder_listing(folder) == ["g.duckdb"]
    assert db.read_bytes() == seed_db.read_bytes()


def test_read_only_inputs_and_cache_still_build(raw, tmp_path):
    cache = tmp_path / "cache"
    build(raw, tmp_path / "first.duckdb", cache_dir=cache)
    with read_only(raw), read_only(cache):
        report = build(raw, tmp_path / "g.duckdb", cache_dir=cache)
    assert _loaded(report) == SEEDS_LOADED
    assert report.cache_hits["extract"] == SEEDS_LOADED  # read from the read-only cache


# --------------------------------------------------------------------------- damaged database

@pytest.mark.parametrize("damage", ["garbage", "truncated", "empty"])
def test_a_damaged_previous_database_is_replaced_by_a_full_build(raw, tmp_path, damage):
    db = tmp_path / "g.duckdb"
    cache = tmp_path / "cache"
    build(raw, db, cache_dir=cache)  # with a cache: the next build tries to start from it
    data = db.read_bytes()
    db.write_bytes({"garbage": os.urandom(len(data)), "truncated": data[:len(data) // 3],
                    "empty": b""}[damage])
    report = build(raw, db, cache_dir=cache)
    assert report.reused == 0 and _loaded(report) == SEEDS_LOADED
    if damage != "empty":
        assert any("building from nothing" in n for n in report.notices), report.notices
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM recommendations").fetchone() == (73,)
    assert folder_listing(tmp_path) == ["cache", "g.duckdb", "raw"]


# --------------------------------------------------------------------------- damaged cache

def _entries(cache: Path, stage: str) -> list[tuple[str, str]]:
    """(sha256, version) of the store's entries of `stage`, by hash."""
    with closing(sqlite3.connect(cache / STORE_FILE)) as con:
        return con.execute("SELECT sha256, version FROM entries WHERE stage = ? ORDER BY sha256",
                           [stage]).fetchall()


def _replace(cache: Path, stage: str, entry: tuple[str, str], data: bytes) -> None:
    """Put `data` in place of the stored value of one entry, as another program could."""
    with closing(sqlite3.connect(cache / STORE_FILE)) as con, con:
        con.execute("UPDATE entries SET sealed = ? WHERE stage = ? AND sha256 = ? AND version = ?",
                    [data, stage, *entry])


def _stored(cache: Path, stage: str, entry: tuple[str, str]) -> bytes:
    with closing(sqlite3.connect(cache / STORE_FILE)) as con:
        return con.execute("SELECT sealed FROM entries WHERE stage = ? AND sha256 = ? "
                           "AND version = ?", [stage, *entry]).fetchone()[0]


class _RunsCode:
    """A pickle that, unpickled, would create a file: what an attacker would put in a cache."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (Path.write_text, (self.marker, "the cache ran code"))


def test_a_damaged_or_foreign_cache_is_ignored_entry_by_entry(raw, tmp_path):
    cache = tmp_path / "cache"
    db = tmp_path / "g.duckdb"
    build(raw, db, cache_dir=cache)
    assert sorted(p.name for p in cache.iterdir()) == [STORE_FILE, "key"]  # no file per entry
    marker = tmp_path / "pwned"
    extractions = _entries(cache, "extract")
    parses = _entries(cache, "parse")
    assert len(extractions) == len(parses) == SEEDS_LOADED
    _replace(cache, "extract", extractions[0], b"garbage")  # damaged
    # foreign: not sealed
    _replace(cache, "extract", extractions[1], pickle.dumps(_RunsCode(marker)))
    # sealed with another key (another cache's, or an attacker's guess)
    _replace(cache, "extract", extractions[2], sealed.seal(
        b"k" * 32, entry_label("extract", *extractions[2]), pickle.dumps(_RunsCode(marker))))
    # sealed by this cache but unreadable here (a pickle protocol from a newer Python)
    key = sealed.cache_key(cache)
    _replace(cache, "parse", parses[0], sealed.seal(key, entry_label("parse", *parses[0]),
                                                    b"\x80\x63garbage"))
    # another content's entry under this hash
    _replace(cache, "extract", extractions[4], _stored(cache, "extract", extractions[3]))
    # a truncated entry (a write cut short)
    whole = _stored(cache, "parse", parses[1])
    _replace(cache, "parse", parses[1], whole[:len(whole) // 2])
    # a new database: nothing to start from, every document is looked up in the cache
    report = build(raw, tmp_path / "h.duckdb", cache_dir=cache)
    assert not marker.exists()  # nothing in the cache ran
    assert _loaded(report) == SEEDS_LOADED
    assert report.cache_hits == {"extract": 1, "parse": SEEDS_LOADED - 2}
    notices = " ".join(report.notices)
    assert "ignored (not a sealed gcmdash cache entry)" in notices
    assert "ignored (sealed with another key, or changed since)" in notices
    assert "cannot be read back" in notices
    again = build(raw, tmp_path / "i.duckdb", cache_dir=cache)  # written again, sealed
    assert again.cache_hits["extract"] == SEEDS_LOADED and again.notices == []


def test_a_foreign_corpus_state_is_not_unpickled(raw, tmp_path):
    cache = tmp_path / "cache"
    db = tmp_path / "g.duckdb"
    build(raw, db, cache_dir=cache)
    (state,) = _entries(cache, STATE)
    marker = tmp_path / "pwned"
    _replace(cache, STATE, state, pickle.dumps(_RunsCode(marker)))
    report = build(raw, db, cache_dir=cache)
    assert not marker.exists() and report.reused == 0
    assert any("ignored" in n for n in report.notices)


def test_a_store_that_is_not_sqlite_is_started_afresh(raw, tmp_path):
    cache = tmp_path / "cache"
    build(raw, tmp_path / "g.duckdb", cache_dir=cache)
    (cache / STORE_FILE).write_bytes(os.urandom(8192))
    report = build(raw, tmp_path / "h.duckdb", cache_dir=cache)
    assert _loaded(report) == SEEDS_LOADED and report.cache_hits == {"extract": 0, "parse": 0}
    assert any("started afresh" in n for n in report.notices), report.notices
    again = build(raw, tmp_path / "i.duckdb", cache_dir=cache)
    assert again.cache_hits == {"extract": SEEDS_LOADED, "parse": SEEDS_LOADED}


def test_the_cache_key_is_private(raw, tmp_path):
    cache = tmp_path / "cache"
    build(raw, tmp_path / "g.duckdb", cache_dir=cache)
    keys = sorted(cache.rglob(sealed.KEY_FILE))
    assert len(keys) == 1  # one store, one key
    assert all(stat.S_IMODE(k.stat().st_mode) == 0o600 for k in keys)


# --------------------------------------------------------------------------- odd entries

def test_odd_entries_in_the_input_folder_are_failed_documents(raw, tmp_path):
    outside = tmp_path / "secret.txt"
    outside.write_text("Procedural note SECRET-OUTSIDE-TEXT for the first informal thematic "
                       "session\n", encoding="utf-8")
    (raw / "loop.txt").symlink_to("loop.txt")
    (raw / "out.txt").symlink_to(outside)
    (raw / "dangling.pdf").symlink_to(raw / "nothing.pdf")
    (raw / "inside.txt").symlink_to(raw / "000_f70e12f896b5f4b9.txt")  # a link inside is read
    os.mkfifo(raw / "pipe.txt")
    (raw / "folder.docx").mkdir()
    (raw / "subfolder").mkdir()  # not named like a document: not an input, not listed
    os.close(os.open(os.fsencode(raw) + b"/caf\xe9.txt", os.O_CREAT | os.O_WRONLY, 0o644))
    device = raw / "null.txt"
    try:
        os.mknod(device, 0o644 | stat.S_IFCHR, os.makedev(1, 3))
    except (PermissionError, OSError):
        device = None
    signal.alarm(600)  # a FIFO that was opened would block the build: fail, do not hang
    try:
        report = build(raw, tmp_path / "g.duckdb", cache_dir=None)
    finally:
        signal.alarm(0)
    status = _statuses(report)
    assert _loaded(report) == SEEDS_LOADED
    assert status["inside.txt"][0] == "duplicate"
    expected = {"loop.txt": "a symbolic link loop",
                "out.txt": "a link to a file outside the input folder",
                "dangling.pdf": "a link to a file that does not exist",
                "pipe.txt": "a named pipe (FIFO), not a regular file",
                "folder.docx": "a folder, not a regular file",
                "caf\\xe9.txt": "the file name is not valid UTF-8"}
    if device is not None:
        expected["null.txt"] = "a character device, not a regular file"
    for name, reason in expected.items():
        assert status[name][0] == "failed" and status[name][1].startswith(reason), name
    assert "subfolder" not in status
    with duckdb.connect(str(tmp_path / "g.duckdb"), read_only=True) as con:
        texts = con.execute("SELECT string_agg(text, ' ') FROM text_units").fetchone()[0]
    assert "SECRET-OUTSIDE-TEXT" not in texts

    result = CliRunner().invoke(main, ["build", "--raw-dir", str(raw), "--db",
                                       str(tmp_path / "cli.duckdb"), "--no-cache"])
    assert result.exit_code == 1  # documents failed; the others were built
    assert "FAILED pipe.txt: a named pipe" in result.output
    assert "Traceback" not in result.output


def test_an_added_odd_entry_makes_the_database_stale(raw, tmp_path):
    from gcmdash.runner.build import is_stale

    db = tmp_path / "g.duckdb"
    build(raw, db, cache_dir=None)
    assert not is_stale(raw, db)
    os.mkfifo(raw / "pipe.txt")
    assert is_stale(raw, db)


# --------------------------------------------------------------------------- the CLI

def test_no_traceback_without_debug(raw, tmp_path, monkeypatch):
    import gcmdash.runner.build as build_module  # the CLI imports build() when it builds

    def broken(*args, **kwargs):
        raise RuntimeError("something nobody foresaw\nsecond line")

    monkeypatch.setattr(build_module, "build", broken)
    args = ["build", "--raw-dir", str(raw), "--db", str(tmp_path / "g.duckdb")]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 70
    assert "unexpected error: RuntimeError: something nobody foresaw" in result.output
    assert "--debug" in result.output and "Traceback" not in result.output
    assert "second line" not in result.output
    debug = CliRunner().invoke(main, ["--debug", *args])
    assert isinstance(debug.exception, RuntimeError)  # the traceback, as asked


def test_serve_without_inputs_or_database_is_a_message(tmp_path, monkeypatch):
    monkeypatch.setenv("GCMDASH_RAW_DIR", str(tmp_path / "missing"))
    monkeypatch.setenv("GCMDASH_DB", str(tmp_path / "g.duckdb"))
    result = CliRunner().invoke(main, ["serve", "--headless"])
    assert result.exit_code == 2
    assert "no input folder" in result.output and "Traceback" not in result.output
