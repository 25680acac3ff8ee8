"""Real-world ingest: every hostile input in one build, duplicates, incremental rebuilds,
parallel workers, `gcmdash add`."""
from __future__ import annotations

import shutil

import duckdb
import pytest
from click.testing import CliRunner

from gcmdash.cli import main
from gcmdash.extract.formats import extract
from gcmdash.runner.build import build
from tests.conftest import SEED_DIR, separate_streams_runner
from tests.etl import hostile

TABLES = ("documents", "sessions", "agenda_items", "roles", "people", "participation",
          "discussion_areas", "recommendations", "quality_flags", "panels", "session_facts")


def query(db, sql, params=()):
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql, params).fetchall()


def contents(db):
    return {t: query(db, f"SELECT * FROM {t} ORDER BY ALL") for t in TABLES}


def test_hostile_inputs_in_one_build(raw, tmp_path, seed_texts):
    files = {
        "a_empty.txt": b"",
        "b_random.pdf": bytes(range(256)) * 64,
        "c_truncated.pdf": hostile.pdf_from_text(seed_texts["002_11a64b559e8c10d2.txt"])[:3000],
        "d_encrypted.pdf": hostile.encrypted_pdf(),
        "e_inflating.pdf": hostile.inflating_pdf(300),
        "f_zipbomb.docx": hostile.docx_zip_bomb(300),
        "g_entities.docx": hostile.docx_with_entities(),
        "h_scripts.html": hostile.HTML_WITH_SCRIPTS.encode(),
        "i_cp1252.txt": seed_texts["004_c622c7e6c4042f6b.txt"].replace("▪", "-").encode("cp1252"),
        "j_nul_surrogate.txt": b"Minutes\x00 of a staff meeting \xed\xa0\x80\n",
        "k_copy_of_003.txt": (SEED_DIR / "003_caee5c70cc5473e9.txt").read_bytes(),
    }
    for name, data in files.items():
        (raw / name).write_bytes(data)
    with (raw / "l_huge.txt").open("wb") as handle:
        handle.truncate(60 * 1024 * 1024)
    db = tmp_path / "h.duckdb"
    report = build(raw, db, workers=2)
    status = {d: (s, e) for d, s, e in report.documents}
    assert status["a_empty.txt"] == ("no_text", "the file holds no text")
    assert status["b_random.pdf"] == ("failed", "not a PDF file (no %PDF header)")
    assert status["c_truncated.pdf"][0] == "failed"
    assert status["d_encrypted.pdf"] == ("encrypted", "the PDF is encrypted with a password")
    assert "decompression bomb" in status["e_inflating.pdf"][1]
    assert "zip bomb" in status["f_zipbomb.docx"][1]
    assert "DOCTYPE or entities" in status["g_entities.docx"][1]
    assert status["h_scripts.html"] == ("loaded", None)
    assert status["i_cp1252.txt"] == ("duplicate", "identical content to 004_c622c7e6c4042f6b.txt") \
        or status["i_cp1252.txt"] == ("loaded", None)
    assert status["j_nul_surrogate.txt"][0] == "failed" and "no session found" in status["j_nul_surrogate.txt"][1]
    assert status["k_copy_of_003.txt"] == ("duplicate", "identical content to 003_caee5c70cc5473e9.txt")
    assert status["l_huge.txt"][0] == "failed" and "the limit is" in status["l_huge.txt"][1]
    # the good documents all loaded, the database is whole
    assert all(status[n] == ("loaded", None) for n in ("000_f70e12f896b5f4b9.txt",
               "001_bab7ddbf46844fd5.txt", "002_11a64b559e8c10d2.txt", "003_caee5c70cc5473e9.txt",
               "004_c622c7e6c4042f6b.txt"))
    assert query(db, "SELECT count(*) FROM recommendations") == [(73,)]
    assert query(db, "SELECT duplicate_of FROM documents WHERE document_id = 'k_copy_of_003.txt'") == [
        ("003_caee5c70cc5473e9.txt",)]
    assert {d for d, in query(db, "SELECT document_id FROM quality_flags WHERE check_name = "
                                  "'document_failed'")} >= {"b_random.pdf", "e_inflating.pdf",
                                                            "f_zipbomb.docx", "g_entities.docx"}


def test_a_hanging_or_greedy_document_is_stopped(raw, tmp_path, monkeypatch):
    from gcmdash.runner import ingest

    monkeypatch.setattr(ingest, "EXTRACT_TIMEOUT_S", 0.5)
    monkeypatch.setattr(ingest, "extract_task", _hang_on_marked_files)
    (raw / "zz_hangs.txt").write_text("HANG")
    db = tmp_path / "t.duckdb"
    report = build(raw, db, workers=1)
    status = {d: (s, e) for d, s, e in report.documents}
    assert status["zz_hangs.txt"] == ("failed", "took longer than 0.5 s and was stopped")
    assert query(db, "SELECT count(*) FROM documents WHERE status = 'loaded'") == [(5,)]


def _hang_on_marked_files(path, state):
    from tests.etl.pool_tasks import hang_on_marked_files

    return hang_on_marked_files(path, state)


def test_seed_documents_as_pdf_and_docx_build_the_same_database(tmp_path, seed_texts):
    raw = tmp_path / "converted"
    raw.mkdir()
    for i, (name, text) in enumerate(sorted(seed_texts.items())):
        make, suffix = ((hostile.pdf_from_text, ".pdf") if i % 2 == 0
                        else (hostile.docx_from_text, ".docx"))
        (raw / (name.replace(".txt", "") + suffix)).write_bytes(make(text))
    db = tmp_path / "c.duckdb"
    report = build(raw, db)
    assert report.failed == []
    assert query(db, "SELECT count(*) FROM recommendations") == [(73,)]
    assert query(db, "SELECT measure, value FROM participation WHERE document_id IS NOT NULL "
                     "ORDER BY measure") == [
        ("informal_dialogue_stakeholders", 18), ("member_state_interventions", 105),
        ("member_states_attended", 110), ("non_governmental_stakeholders", 17), ("un_agencies", 6)]
    assert query(db, "SELECT city, planned_city FROM sessions WHERE session_number = 7") == [
        ("Puerto Vallarta", "Guadalajara")]
    pages = query(db, "SELECT document_id, page_count FROM documents WHERE format = 'pdf' ORDER BY 1")
    # 77 lines fit a generated page: 002 (79 lines) takes two
    assert pages == [("000_f70e12f896b5f4b9.pdf", 1), ("002_11a64b559e8c10d2.pdf", 2),
                     ("004_c622c7e6c4042f6b.pdf", 1)]
    # page 2 starts where the 78th source line (the first past page 1) lands in the text
    (start,) = query(db, "SELECT line_start FROM document_pages WHERE document_id = "
                         "'002_11a64b559e8c10d2.pdf' AND page_number = 2")[0]
    source = [line for line in seed_texts["002_11a64b559e8c10d2.txt"].split("\n")[77:] if line.strip()]
    extracted = extract(raw / "002_11a64b559e8c10d2.pdf").text.split("\n")
    assert extracted[start - 1].strip() == source[0].replace("\t", "    ").strip()


def test_incremental_rebuild_reuses_unchanged_documents_and_matches_a_full_build(raw, tmp_path):
    cache = tmp_path / "cache"
    first = build(raw, tmp_path / "1.duckdb", cache_dir=cache, workers=2)
    assert first.cache_hits == {"extract": 0, "parse": 0}
    again = build(raw, tmp_path / "2.duckdb", cache_dir=cache, workers=2)
    assert again.cache_hits == {"extract": 5, "parse": 5}
    assert contents(tmp_path / "2.duckdb") == contents(tmp_path / "1.duckdb")

    changed = raw / "002_11a64b559e8c10d2.txt"
    changed.write_text(changed.read_text(encoding="utf-8").replace("17:55", "17:50"), encoding="utf-8")
    incremental = build(raw, tmp_path / "3.duckdb", cache_dir=cache)
    assert incremental.cache_hits == {"extract": 4, "parse": 4}
    full = build(raw, tmp_path / "4.duckdb")
    assert contents(tmp_path / "3.duckdb") == contents(tmp_path / "4.duckdb")
    assert query(tmp_path / "3.duckdb", "SELECT count(*) FROM quality_flags WHERE check_name = "
                                         "'agenda_overlap'") == [(0,)]
    assert full.cache_hits == {"extract": 0, "parse": 0}


def test_workers_give_the_same_database(raw, tmp_path):
    build(raw, tmp_path / "one.duckdb", workers=1)
    build(raw, tmp_path / "two.duckdb", workers=2)
    assert contents(tmp_path / "one.duckdb") == contents(tmp_path / "two.duckdb")


def test_add_copies_under_a_safe_name_and_keeps_the_original_as_metadata(raw, tmp_path, monkeypatch,
                                                                         seed_texts):
    monkeypatch.setenv("GCMDASH_RAW_DIR", str(raw))
    monkeypatch.setenv("GCMDASH_DB", str(tmp_path / "a.duckdb"))
    monkeypatch.setenv("GCMDASH_CACHE_DIR", str(tmp_path / "cache"))
    incoming = tmp_path / "incoming"
    incoming.mkdir()
    hostile_name = incoming / "..\u202enote;rm -rf ~;.pdf"
    hostile_name.write_bytes(hostile.pdf_from_text(seed_texts["004_c622c7e6c4042f6b.txt"]
                                                   .replace("Fourth", "Sixth")))
    (incoming / "macro.docm").write_bytes(b"PK\x03\x04")
    same = incoming / "again.txt"
    shutil.copyfile(raw / "003_caee5c70cc5473e9.txt", same)

    result = CliRunner().invoke(main, ["add", str(hostile_name), str(incoming / "macro.docm"), str(same)])
    assert result.exit_code == 1, result.output  # one file was refused
    lines = result.output.splitlines()
    assert "unsupported type '.docm'" in lines[1]
    assert lines[2] == "again.txt: already present as 003_caee5c70cc5473e9.txt"
    stored = [p.name for p in raw.iterdir() if p.suffix == ".pdf"]
    assert len(stored) == 1 and stored[0].endswith(".pdf") and len(stored[0]) == 24
    assert all(c in "0123456789abcdef." or c == "p" or c == "d" or c == "f" for c in stored[0])
    row = query(tmp_path / "a.duckdb", "SELECT original_name, status, session_number, format "
                                       "FROM documents WHERE document_id = ?", [stored[0]])
    assert row == [("..\u202enote;rm -rf ~;.pdf", "loaded", 6, "pdf")]


def test_a_second_summary_of_a_session_is_flagged_not_mixed_in(raw, tmp_path):
    summary = (raw / "003_caee5c70cc5473e9.txt").read_text(encoding="utf-8")
    (raw / "zz_revised_summary.txt").write_text(summary.replace("Detention", "Detention of migrants"),
                                                encoding="utf-8")
    db = tmp_path / "s.duckdb"
    report = build(raw, db)
    assert ("zz_revised_summary.txt", "loaded", None) in report.documents
    assert query(db, "SELECT count(*), count(DISTINCT document_id) FROM recommendations") == [(73, 1)]
    (message,) = query(db, "SELECT message FROM quality_flags WHERE check_name = 'second_summary'")[0]
    assert message == ("Session 3 already has its areas and recommendations from "
                       "003_caee5c70cc5473e9.txt; the 73 recommendations of zz_revised_summary.txt "
                       "were not loaded (remove the version that is out of date)")


def document_names(db):
    return query(db, "SELECT document_id, original_name FROM documents ORDER BY document_id")


def test_add_shows_original_and_stored_names_and_does_not_rebuild_for_nothing_new(
        raw, tmp_path, cli_env):
    incoming = tmp_path / "incoming"
    incoming.mkdir()
    note = incoming / "Procedural note, session 6.txt"
    note.write_text((raw / "004_c622c7e6c4042f6b.txt").read_text(encoding="utf-8")
                    .replace("Fourth", "Sixth"), encoding="utf-8")
    first = CliRunner().invoke(main, ["add", str(note)])
    assert first.exit_code == 0, first.output
    stored = next(p.name for p in raw.iterdir() if p.name not in
                  {p.name for p in SEED_DIR.iterdir()} and not p.name.startswith("."))
    assert first.output.splitlines()[0] == f"Procedural note, session 6.txt: added as {stored}"
    assert "6 document(s) loaded" in first.output
    assert (stored, "Procedural note, session 6.txt") in document_names(cli_env)

    built_at = cli_env.stat().st_mtime_ns
    copy = incoming / "the same note.txt"
    shutil.copyfile(note, copy)
    again = CliRunner().invoke(main, ["add", str(note), str(copy)])
    assert again.exit_code == 0, again.output
    assert again.output.splitlines() == [
        f"Procedural note, session 6.txt: already present as {stored}",
        f"the same note.txt: already present as {stored}",
        f"nothing new in {raw}: the database was not rebuilt"]
    assert cli_env.stat().st_mtime_ns == built_at


def test_remove_by_original_or_stored_name_and_rebuild(raw, tmp_path, cli_env):
    incoming = tmp_path / "incoming"
    incoming.mkdir()
    for name, old, new in (("six.txt", "Fourth", "Sixth"), ("five.txt", "Fourth", "Fifth")):
        (incoming / name).write_text((raw / "004_c622c7e6c4042f6b.txt").read_text(encoding="utf-8")
                                     .replace(old, new), encoding="utf-8")
    added = CliRunner().invoke(main, ["add", str(incoming / "six.txt"), str(incoming / "five.txt"),
                                      "--no-build"])
    assert added.exit_code == 0, added.output
    stored = dict(line.split(": added as ") for line in added.output.splitlines())

    runner = separate_streams_runner()
    by_original = runner.invoke(main, ["remove", "six.txt", "--no-build"])
    assert by_original.exit_code == 0, by_original.output
    assert by_original.stdout == f"six.txt: removed {stored['six.txt']}\n"
    assert not (raw / stored["six.txt"]).exists()
    manifest = (raw / ".originals.tsv").read_text(encoding="utf-8")
    assert manifest == f"{stored['five.txt']}\tfive.txt\n"

    by_stored = runner.invoke(main, ["remove", stored["five.txt"], "003_caee5c70cc5473e9.txt"])
    assert by_stored.exit_code == 0, by_stored.output
    assert by_stored.stdout.splitlines()[:2] == [
        f"{stored['five.txt']}: removed {stored['five.txt']} (added as five.txt)",
        "003_caee5c70cc5473e9.txt: removed 003_caee5c70cc5473e9.txt"]
    assert "4 document(s) loaded" in by_stored.stdout
    assert [d for d, _ in document_names(cli_env)] == sorted(
        p.name for p in SEED_DIR.iterdir() if p.name != "003_caee5c70cc5473e9.txt")
    assert query(cli_env, "SELECT count(*) FROM recommendations") == [(0,)]


def test_remove_refuses_unknown_paths_and_shared_original_names(raw, tmp_path, cli_env):
    incoming = tmp_path / "incoming"
    for folder, session in (("a", "Sixth"), ("b", "Fifth")):
        (incoming / folder).mkdir(parents=True)
        (incoming / folder / "note.txt").write_text(
            (raw / "004_c622c7e6c4042f6b.txt").read_text(encoding="utf-8").replace("Fourth", session),
            encoding="utf-8")
    CliRunner().invoke(main, ["add", str(incoming / "a" / "note.txt"),
                              str(incoming / "b" / "note.txt"), "--no-build"])
    before = sorted(p.name for p in raw.iterdir())
    outside = tmp_path / "outside.txt"
    outside.write_text("keep me", encoding="utf-8")
    result = separate_streams_runner().invoke(
        main, ["remove", "note.txt", str(outside), "../outside.txt", "nothing.pdf"])
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[0].startswith("note.txt: 2 documents were added under this name (")
    assert lines[0].endswith("): remove one by its stored name")
    assert all("neither a stored nor an original name" in line for line in lines[1:])
    assert len(lines) == 4 and result.stdout == ""
    assert sorted(p.name for p in raw.iterdir()) == before
    assert outside.read_text(encoding="utf-8") == "keep me"
    assert not cli_env.exists()  # nothing removed, nothing rebuilt


@pytest.mark.parametrize("contents", [{}, {"notes.odt": b"x", ".hidden.txt": b"x"}])
def test_a_build_of_no_documents_warns_and_writes_nothing(tmp_path, contents):
    empty = tmp_path / "empty"
    empty.mkdir()
    for name, data in contents.items():
        (empty / name).write_bytes(data)
    db = tmp_path / "e.duckdb"
    result = separate_streams_runner().invoke(main, ["build", "--raw-dir", str(empty), "--db", str(db)])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"warning: no documents in {empty}")
    assert ("(1 file(s) of other types)" in result.stderr) == bool(contents)
    assert "Nothing built" in result.stderr and result.stdout == ""
    assert not db.exists()


def test_a_worker_lets_go_of_the_texts_it_will_not_parse(tmp_path):
    """The worker keeps each text it extracts for the parse that follows; one it will not
    parse (b here: a duplicate another worker parses, or a parse from the cache) goes when
    the parses start, not when the build ends."""
    from collections import Counter
    from hashlib import sha256

    from gcmdash.extract.text import HyphenLexicon
    from gcmdash.runner import ingest
    from gcmdash.runner.cache import DocumentCache
    from tests.etl import pool_tasks

    paths = [tmp_path / "a.txt", tmp_path / "b.txt"]
    for path in paths:
        path.write_text(f"The text of {path.stem}.\n")
    hashes = {p.name: sha256(p.read_bytes()).hexdigest() for p in paths}
    cache, lazy, quiet = DocumentCache(None, "c" * 64), ingest.LazyPool(1), lambda *_: None
    try:
        extracted = ingest._extract_all(paths, hashes, cache, lazy, quiet)
        assert dict(lazy.pool.map(pool_tasks.kept_texts, [(0, None)])) == {
            0: sorted(hashes.values())}
        ingest._parse_all([extracted["a.txt"][0]], HyphenLexicon.from_token_counts(Counter()),
                          cache, lazy, quiet, {})
        assert dict(lazy.pool.map(pool_tasks.kept_texts, [(0, None)])) == {0: []}
    finally:
        lazy.close()


def test_a_document_not_loaded_carries_no_text():
    from gcmdash.extract.formats import ExtractedDocument
    from gcmdash.load.database import NotLoaded

    copy = ExtractedDocument(document_id="k.txt", file_name="k.txt", sha256="0" * 64,
                             size_bytes=9, format="txt", text="the text")
    assert NotLoaded(copy, "duplicate", "identical content to a.txt").document.text is None


def test_a_warmed_pool_serves_the_first_task_and_one_never_used_is_killed(tmp_path):
    """The build starts a worker before it copies the previous database when a file no longer
    matches its stamp; that worker takes the first task, and one that gets none is killed at
    once (not waited for) and does not count as workers started."""
    from hashlib import sha256

    from gcmdash.runner import ingest
    from gcmdash.runner.cache import DocumentCache

    path = tmp_path / "a.txt"
    path.write_text("The text of a.\n")
    hashes = {path.name: sha256(path.read_bytes()).hexdigest()}
    warmed = ingest.LazyPool(2)
    warmed.warm(1)
    started = [w.process.pid for w in warmed.pool._workers]
    try:
        assert len(started) == 1 and not warmed.used
        extracted = ingest._extract_all([path], hashes, DocumentCache(None, "c" * 64), warmed,
                                        lambda *_: None)
        assert extracted["a.txt"][0].text.startswith("The text of a.")
        assert warmed.used and [w.process.pid for w in warmed.pool._workers] == started
    finally:
        warmed.close()

    idle = ingest.LazyPool(1)
    idle.warm(1)
    worker = idle.pool._workers[0].process
    idle.close()
    assert worker.returncode is not None and worker.returncode < 0  # killed, by a signal
    assert not idle.used


def test_likely_changed_stops_at_a_file_that_no_longer_matches_its_stamp(tmp_path):
    from dataclasses import replace

    from gcmdash.runner.ingest import hash_files, likely_changed

    paths = [tmp_path / f"{name}.txt" for name in "abc"]
    for path in paths:
        path.write_text(f"{path.stem}\n")
    # as if hashed long after the files were written (outside the racy window)
    stamps = {name: replace(stamp, hashed_at_ns=stamp.hashed_at_ns + 10**10)
              for name, stamp in hash_files(paths, {}).items()}
    assert not likely_changed(paths, stamps)
    assert likely_changed(paths, {n: s for n, s in stamps.items() if n != "b.txt"})  # new file
    paths[2].write_text("c, edited\n")
    assert likely_changed(paths, stamps)
