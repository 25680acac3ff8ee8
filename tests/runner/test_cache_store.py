"""The cache store: one SQLite file for every entry, shared safely by concurrent builds, pruned
in one statement, and the per-file cache of earlier versions cleared away."""
from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
import time
from contextlib import closing
from pathlib import Path

from gcmdash.runner.build import build
from gcmdash.runner.cache import STORE_FILE, DocumentCache
from gcmdash.sealed import seal_value

CODE = "c" * 64
WRITER = textwrap.dedent("""
    import sys
    from pathlib import Path
    from gcmdash.runner.cache import DocumentCache

    folder, tag, count = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    for round_ in range(3):  # write, read back what the other process wrote, write again
        cache = DocumentCache(folder, "c" * 64)
        for i in range(count):
            cache.store_failure("parse", f"{tag}{i:05d}", f"{tag} {round_} " + "x" * 2000, (1,))
        cache.close()
        cache = DocumentCache(folder, "c" * 64)
        seen = sum(cache.failure("parse", f"{other}{i:05d}", (1,)) is not None
                   for other in "ab" for i in range(count))
        assert not cache.ignored, cache.ignored
        cache.close()
    print(seen)
""")


def _rows(folder: Path) -> int:
    with closing(sqlite3.connect(folder / STORE_FILE)) as con:
        return con.execute("SELECT count(*) FROM entries").fetchone()[0]


def test_two_processes_write_and_read_one_store_at_once(tmp_path):
    folder = tmp_path / "cache"
    writers = [subprocess.Popen([sys.executable, "-c", WRITER, str(folder), tag, "600"],
                                stdout=subprocess.PIPE, text=True) for tag in "ab"]
    outputs = [w.communicate(timeout=600)[0] for w in writers]
    assert [w.returncode for w in writers] == [0, 0]
    assert all(int(out) >= 600 for out in outputs)  # its own entries at least, all intact
    cache = DocumentCache(folder, CODE)
    reasons = [cache.failure("parse", f"{tag}{i:05d}", (1,)) for tag in "ab" for i in range(600)]
    assert all(r is not None and r.split()[1] == "2" for r in reasons)  # the last round's
    assert not cache.ignored and cache.unwritable is None
    cache.close()
    assert _rows(folder) == 1200


KEY_MAKER = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from gcmdash.sealed import cache_key

    start = float(sys.argv[2])
    while time.time() < start:  # every process asks at the same moment
        pass
    print(cache_key(Path(sys.argv[1])).hex())
""")


def test_processes_starting_at_once_on_a_new_folder_share_one_key(tmp_path):
    folder = tmp_path / "cache"
    for attempt in range(3):  # a race: try it a few times, each on a fresh folder
        target = folder / str(attempt)
        start = str(time.time() + 1.5)
        makers = [subprocess.Popen([sys.executable, "-c", KEY_MAKER, str(target), start],
                                   stdout=subprocess.PIPE, text=True) for _ in range(6)]
        keys = {m.communicate(timeout=120)[0].strip() for m in makers}
        assert [m.returncode for m in makers] == [0] * 6
        assert keys == {(target / "key").read_text(encoding="ascii").strip()}
        assert sorted(p.name for p in target.iterdir()) == ["key"]  # no temporary left


def test_two_builds_at_once_share_one_cache(tmp_path):
    from tests.conftest import SEED_DIR

    cache = tmp_path / "cache"
    script = ("import sys; from pathlib import Path; from gcmdash.runner.build import build; "
              "r = build(Path(sys.argv[1]), Path(sys.argv[2]), cache_dir=Path(sys.argv[3]), "
              "workers=1); print(len(r.notices), sum(s == 'loaded' for _, s, _ in r.documents))")
    builds = [subprocess.Popen([sys.executable, "-c", script, str(SEED_DIR),
                                str(tmp_path / f"{n}.duckdb"), str(cache)],
                               stdout=subprocess.PIPE, text=True) for n in (1, 2)]
    # the last two words: DuckDB may print a progress bar before them
    outputs = [b.communicate(timeout=900)[0].split()[-2:] for b in builds]
    assert [b.returncode for b in builds] == [0, 0]
    # no notice (nothing ignored, nothing unwritable); a build may find what the other one has
    # just written, so each reports 0 to 5 documents from the cache, and all 5 documents
    for hits, documents in outputs:
        assert documents == "5" and 0 <= int(hits) <= 5, outputs
    third = build(SEED_DIR, tmp_path / "3.duckdb", cache_dir=cache, workers=1)
    assert third.cache_hits == {"extract": 5, "parse": 5} and third.notices == []


def test_prune_keeps_only_this_code_and_corpus(tmp_path):
    old = DocumentCache(tmp_path, "o" * 64, "e" * 64)
    for sha in ("1" * 64, "2" * 64):
        old.store_failure("parse", sha, "why", (1,))
        old.store_failure("extract", sha, "why", (1,))
    old.close()
    cache = DocumentCache(tmp_path, CODE, "e" * 64)  # parser changed, extraction code did not
    cache.store_failure("parse", "1" * 64, "why", (1,))
    cache.prune({"1" * 64})
    cache.close()
    with closing(sqlite3.connect(tmp_path / STORE_FILE)) as con:
        left = sorted(con.execute("SELECT stage, sha256, version FROM entries").fetchall())
    assert left == [("extract-failure", "1" * 64, "e" * 16), ("parse-failure", "1" * 64, "c" * 16)]


def test_the_per_file_cache_of_earlier_versions_is_removed(tmp_path):
    from tests.conftest import SEED_DIR

    cache = tmp_path / "cache"
    for folder in ("0123456789abcdef", "extract-fedcba9876543210"):
        (cache / folder).mkdir(parents=True)
        (cache / folder / "key").write_text("00" * 32)
        (cache / folder / f"{'a' * 64}.extract.pkl").write_bytes(
            seal_value(b"\0" * 32, "x", "an old entry"))
    (cache / "notes.txt").write_text("not ours: kept")
    report = build(SEED_DIR, tmp_path / "g.duckdb", cache_dir=cache, workers=1)
    assert report.notices == []
    assert sorted(p.name for p in cache.iterdir()) == [STORE_FILE, "key", "notes.txt"]
    assert _rows(cache) == 5 + 5 + 1  # extractions, parses, the corpus state


def test_is_stale_hashes_only_the_files_whose_stamp_changed(raw, tmp_path, monkeypatch):
    from gcmdash.runner import ingest
    from gcmdash.runner.build import is_stale

    time.sleep(2.1)  # a file changed within 2 s of being hashed is hashed again (racy stamps)
    cache, db = tmp_path / "cache", tmp_path / "g.duckdb"
    build(raw, db, cache_dir=cache, workers=1)
    hashed: list[int] = []
    real = ingest.hash_fd

    def recording(fd, *args):
        hashed.append(fd)
        return real(fd, *args)

    monkeypatch.setattr(ingest, "hash_fd", recording)
    assert not is_stale(raw, db, cache_dir=cache)
    assert hashed == []  # what `gcmdash serve` asks first: no file read
    assert not is_stale(raw, db)  # without the cache's stamps every file is hashed
    assert len(hashed) == 5
    hashed.clear()
    note = raw / "004_c622c7e6c4042f6b.txt"
    note.write_bytes(note.read_bytes().replace(b"Fourth", b"Sixth"))
    assert is_stale(raw, db, cache_dir=cache)
    assert len(hashed) == 1
