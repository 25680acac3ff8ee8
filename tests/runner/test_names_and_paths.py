"""File names of any bytes and entries that change under the build (issue 20, names and paths):
never a crash, names kept whole and shown escaped, nothing outside the input folder read, the
size checked before hashing, and no read that can block."""
from __future__ import annotations

import os
import signal
import threading
import time

import duckdb
from click.testing import CliRunner

from gcmdash.cli import main
from gcmdash.extract.formats import MAX_BYTES, extract
from gcmdash.runner import ingest
from gcmdash.runner.add import add_files, read_manifest
from gcmdash.runner.build import build, is_stale
from gcmdash.runner.names import shown_name, stored_name
from tests.conftest import SEED_DIR, separate_streams_runner

NOTE = "004_c622c7e6c4042f6b.txt"
UNSAFE = ("\x1b", "\x07", "\u2028", "\u0085", "\u202e", "\t")  # never raw on a terminal


def query(db, sql, params=()):
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql, params).fetchall()


def session_note(session: str) -> bytes:
    return (SEED_DIR / NOTE).read_bytes().replace(b"Fourth", session.encode())


def test_the_escaped_forms():
    assert stored_name(b"caf\xe9.txt") == "caf\\xe9.txt"
    assert stored_name("a\u2028b\u0085c\td\ne.txt") == "a\\u2028b\\x85c\\x09d\\x0ae.txt"
    assert stored_name("\x1b]0;owned\x07.txt") == "\\x1b]0;owned\\x07.txt"
    # letters of any script and format characters are kept in the stored form ...
    assert stored_name("Привет 你好 ..\u202etxt.pdf") == "Привет 你好 ..\u202etxt.pdf"
    # ... and what a terminal gets hides nothing
    assert shown_name("Привет ..\u202etxt.pdf") == "Привет ..\\u202etxt.pdf"
    assert shown_name(stored_name(b"caf\xe9\x1b[2J.txt")) == "caf\\xe9\\x1b[2J.txt"


def test_add_keeps_any_name_whole_and_never_prints_it_raw(raw, tmp_path, cli_env):
    incoming = tmp_path / "incoming"
    incoming.mkdir()
    names = {os.fsdecode(b"caf\xe9.txt"): ("Sixth", "caf\\xe9.txt"),
             "one\u2028two\u0085three.txt": ("Fifth", "one\\u2028two\\x85three.txt"),
             "\x1b[31mred\x1b[0m\ttab.txt": ("Third", "\\x1b[31mred\\x1b[0m\\x09tab.txt")}
    for name, (session, _) in names.items():
        (incoming / name).write_bytes(session_note(session))

    result = CliRunner().invoke(main, ["add", *(str(incoming / n) for n in names)])
    assert result.exit_code == 0, result.output
    assert not any(char in result.output for char in UNSAFE)
    added = [line for line in result.output.splitlines() if ": added as " in line]
    assert [line.split(": added as ")[0] for line in added] == [kept for _, kept in names.values()]

    manifest = read_manifest(raw)
    assert sorted(manifest.values()) == sorted(kept for _, kept in names.values())
    assert len((raw / ".originals.tsv").read_text(encoding="utf-8").split("\n")) == 4
    rows = dict(query(cli_env, "SELECT original_name, status FROM documents "
                               "WHERE original_name IS NOT NULL"))
    assert rows == {kept: "loaded" for _, kept in names.values()}


def test_the_build_output_escapes_names_from_the_input_folder(raw, tmp_path):
    hostile = "zz\x1b]0;owned\x07\u2028.txt"
    (raw / hostile).write_bytes(b"not a meeting record\n")
    os.close(os.open(os.fsencode(raw) + b"/caf\xe9.txt", os.O_CREAT | os.O_WRONLY, 0o644))
    db = tmp_path / "b.duckdb"
    result = separate_streams_runner().invoke(
        main, ["build", "--raw-dir", str(raw), "--db", str(db), "--no-cache"])
    assert result.exit_code == 1  # two documents failed, the others were built
    assert "Traceback" not in result.stderr
    assert not any(char in result.stdout + result.stderr for char in UNSAFE)
    assert "FAILED zz\\x1b]0;owned\\x07\\u2028.txt: could not parse" in result.stderr
    assert "FAILED caf\\xe9.txt: the file name is not valid UTF-8" in result.stderr
    # stored whole in the database, which is text and never a terminal
    assert query(db, "SELECT status FROM documents WHERE document_id = ?", [hostile]) == [
        ("failed",)]
    assert not is_stale(raw, db)  # what `gcmdash serve` asks first: no crash, and up to date


def test_a_link_out_of_the_folder_is_refused_when_it_appears_after_discovery(raw, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_bytes(session_note("Sixth"))
    swapped = raw / "swapped.txt"
    swapped.write_bytes(b"an ordinary file when the folder was listed")
    paths = sorted(raw.iterdir())
    swapped.unlink()
    swapped.symlink_to(secret)
    unreadable: dict[str, str] = {}
    stamps = ingest.hash_files(paths, {}, unreadable)
    assert "swapped.txt" not in stamps
    assert unreadable == {"swapped.txt": "could not be read: it now links outside the input folder"}
    # and the worker's read refuses it too
    document = extract(swapped, inside=raw)
    assert document.status == "failed" and "outside the input folder" in document.error
    assert document.text is None


def test_the_size_is_checked_before_a_byte_is_hashed(raw, tmp_path, monkeypatch):
    with (raw / "huge.txt").open("wb") as handle:
        handle.truncate(MAX_BYTES + 1)  # sparse: costs no disk
    hashed: list[int] = []
    real = ingest.hash_fd

    def recording(fd, *args):
        hashed.append(os.fstat(fd).st_size)
        return real(fd, *args)

    monkeypatch.setattr(ingest, "hash_fd", recording)
    report = build(raw, tmp_path / "s.duckdb", cache_dir=None, workers=1)
    status = {d: (s, e) for d, s, e in report.documents}
    assert status["huge.txt"] == ("failed", f"file is {MAX_BYTES + 1:,} bytes; the limit is "
                                            f"{MAX_BYTES:,}")
    assert MAX_BYTES + 1 not in hashed and len(hashed) == 5  # the five seeds, once each
    assert query(tmp_path / "s.duckdb", "SELECT size_bytes FROM documents "
                                        "WHERE document_id = 'huge.txt'") == [(MAX_BYTES + 1,)]


def test_a_fifo_in_place_of_a_file_is_refused_without_blocking(raw, tmp_path):
    entry = raw / "flip.txt"
    entry.write_bytes(b"a file when the folder was listed")
    paths = sorted(raw.iterdir())
    entry.unlink()
    os.mkfifo(entry)
    signal.alarm(60)  # an open() that blocked would hang here: fail instead
    try:
        unreadable: dict[str, str] = {}
        ingest.hash_files(paths, {}, unreadable)
        document = extract(entry, inside=raw)
        added = add_files([entry], tmp_path / "elsewhere")
    finally:
        signal.alarm(0)
    assert unreadable == {"flip.txt": "could not be read: it is no longer a regular file"}
    assert document.status == "failed" and "no longer a regular file" in document.error
    assert [(r.stored_as, r.message) for r in added] == [(None, "not a regular file")]


def test_an_entry_flipping_between_file_and_fifo_never_hangs_the_build(raw, tmp_path):
    entry = raw / "flip.txt"
    stop = threading.Event()

    def flip() -> None:
        while not stop.is_set():
            entry.unlink(missing_ok=True)
            entry.write_bytes(session_note("Sixth"))
            time.sleep(0.001)
            entry.unlink(missing_ok=True)
            os.mkfifo(entry)
            time.sleep(0.001)

    flipper = threading.Thread(target=flip, daemon=True)
    flipper.start()
    signal.alarm(300)
    try:
        for attempt in range(3):
            report = build(raw, tmp_path / f"f{attempt}.duckdb", cache_dir=None, workers=1)
            status = {d: s for d, s, _ in report.documents}
            assert sum(1 for s in status.values() if s == "loaded") >= 5
            assert status.get("flip.txt", "failed") in ("loaded", "failed")
    finally:
        stop.set()
        flipper.join()
        signal.alarm(0)
