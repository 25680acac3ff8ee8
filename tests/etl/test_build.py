"""The build as a whole: tables, flags, bad input, atomic swap, determinism, staleness."""
from __future__ import annotations

import re
import shutil

import duckdb
import pytest

from gcmdash.config import SCHEMA_PATH, reference_dir
from gcmdash.derive import checks
from gcmdash.runner.build import build, is_stale
from gcmdash.topics import stage as topic_stage
from tests.conftest import SEED_DIR

TABLES = ("documents", "session_facts", "sessions", "agenda_items", "format_rules", "people",
          "person_directory", "roles", "participation", "discussion_areas", "recommendations", "panels",
          "record_coverage", "quality_flags")


def query(db, sql, params=()):
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql, params).fetchall()


def test_row_counts(seed_db):
    # record_coverage: 7 sessions x (8 document kinds, 5 of them added by issue 15, + 6 facts)
    counts = {t: query(seed_db, f"SELECT count(*) FROM {t}")[0][0] for t in TABLES}
    assert counts == {
        "documents": 5, "session_facts": 66, "sessions": 7, "agenda_items": 42,
        "format_rules": 24, "people": 44, "person_directory": 44, "roles": 62, "participation": 16,
        "discussion_areas": 12, "recommendations": 73, "panels": 24, "record_coverage": 98,
        "quality_flags": 15,
    }
    parsed = {t: query(seed_db, f"SELECT count(*) FROM {t} WHERE document_id IS NOT NULL")[0][0]
              for t in ("session_facts", "roles", "participation", "panels")}
    assert parsed == {"session_facts": 29, "roles": 30, "participation": 5, "panels": 12}


def test_documents_all_loaded_with_type_and_session(seed_db):
    rows = query(seed_db, "SELECT document_id, document_type, session_number, status "
                          "FROM documents ORDER BY document_id")
    assert rows == [
        ("000_f70e12f896b5f4b9.txt", "procedural_note", 3, "loaded"),
        ("001_bab7ddbf46844fd5.txt", "programme_of_work", 3, "loaded"),
        ("002_11a64b559e8c10d2.txt", "procedural_note", 1, "loaded"),
        ("003_caee5c70cc5473e9.txt", "summary", 3, "loaded"),
        ("004_c622c7e6c4042f6b.txt", "procedural_note", 4, "loaded"),
    ]


def test_parsed_session_facts_with_provenance(seed_db):
    rows = query(seed_db, """
        SELECT session_number, source, max(value) FILTER (WHERE fact = 'city'),
               max(value) FILTER (WHERE fact = 'start_date'), max(value) FILTER (WHERE fact = 'end_date'),
               min(line_start)
        FROM session_facts WHERE document_id IS NOT NULL GROUP BY ALL ORDER BY ALL""")
    assert rows == [
        (1, "002_11a64b559e8c10d2.txt", "Geneva", "2017-05-08", "2017-05-09", 7),
        (3, "000_f70e12f896b5f4b9.txt", "Geneva", "2017-06-19", "2017-06-20", 6),
        (3, "001_bab7ddbf46844fd5.txt", "Geneva", "2017-06-19", "2017-06-20", 9),
        (3, "003_caee5c70cc5473e9.txt", "Geneva", "2017-06-19", "2017-06-20", 6),
        (4, "004_c622c7e6c4042f6b.txt", "New York", "2017-07-24", "2017-07-25", 5),
        (7, "003_caee5c70cc5473e9.txt", "Guadalajara", "2017-12-04", "2017-12-06", 19),
    ]


def test_one_person_across_documents_with_affiliation_per_document(seed_db):
    rows = query(seed_db, """
        SELECT p.full_name, r.document_id, r.honorific, r.affiliation
        FROM roles r JOIN people p USING (person_id)
        WHERE p.person_id = 'ivan-martin' ORDER BY r.document_id""")
    assert rows == [
        ("Iván Martín", "001_bab7ddbf46844fd5.txt", "Prof.",
         "Interdiciplinary Research Group on Immigration (GRITIM), University Pompeu Fabra, Barcelona"),
        ("Iván Martín", "003_caee5c70cc5473e9.txt", "Prof.",
         "Part-time Professor at the Migration Policy Centre (MPC) of the European University Institute"),
    ]
    people = dict(query(seed_db, "SELECT person_id, count(*) FROM roles GROUP BY person_id"))
    assert people["omar-abdulrahman-salem-alnuaimi"] == 2  # 'Dr.' (001) and 'H.E. Mr.' (003)
    assert people["gregory-maniatis"] == 3  # none (001), "Mr." (003), curated (people.csv)
    # co-facilitators named on both days count once per document
    assert people["jurg-lauber"] == 2
    genders = dict(query(seed_db, "SELECT role_id, gender_as_listed FROM roles WHERE person_id IN "
                                  "('omar-abdulrahman-salem-alnuaimi', 'louise-arbour')"))
    assert genders == {"001_bab7ddbf46844fd5.txt:196": "unknown",
                       "003_caee5c70cc5473e9.txt:703": "male",
                       "001_bab7ddbf46844fd5.txt:46": "female",
                       "003_caee5c70cc5473e9.txt:611": "female"}


def test_parsed_participation_rows(seed_db):
    rows = query(seed_db, "SELECT measure, value, qualifier, source, line_start FROM participation "
                          "WHERE document_id IS NOT NULL ORDER BY measure")
    assert rows == [
        ("informal_dialogue_stakeholders", 18, "exact", "003_caee5c70cc5473e9.txt", 12),
        ("member_state_interventions", 105, "exact", "003_caee5c70cc5473e9.txt", 11),
        ("member_states_attended", 110, "exact", "003_caee5c70cc5473e9.txt", 11),
        ("non_governmental_stakeholders", 17, "exact", "003_caee5c70cc5473e9.txt", 12),
        ("un_agencies", 6, "exact", "003_caee5c70cc5473e9.txt", 12),
    ]


def test_quality_flags(seed_db):
    rows = query(seed_db, "SELECT check_name, severity, session_number, document_id, line_start "
                          "FROM quality_flags ORDER BY flag_id")
    assert rows == [
        ("affiliation_differs", "info", 3, None, None),
        ("affiliation_differs", "info", 3, None, None),
        ("agenda_overlap", "warning", 1, "002_11a64b559e8c10d2.txt", 68),
        ("agenda_truncated", "warning", 4, "004_c622c7e6c4042f6b.txt", 56),
        ("honorific_differs", "info", 3, None, None),
        ("honorific_differs", "info", 3, None, None),
        ("honorific_differs", "info", 3, None, None),
        ("panel_facts_differ", "warning", 1, None, None),
        ("panel_short_of_announced", "warning", 1, None, None),
        ("panel_short_of_announced", "warning", 3, None, 76),
        ("participation_sources_differ", "warning", 7, None, None),
        ("participation_uncertain", "warning", 5, None, None),
        ("person_not_in_record", "warning", 1, None, None),
        ("reference_without_source", "info", 3, None, None),
        ("session_facts_differ", "warning", 7, None, None),
    ]
    messages = dict(query(seed_db, "SELECT flag_id, message FROM quality_flags"))
    assert messages[3] == ('Session 1 day 1: "Social inclusion and cohesion" ends 17:55 but '
                           '"Closing remarks by the Co-facilitators" starts 17:50 (lines 68 and 69)')
    assert messages[1].startswith("Iván Martín is listed with 2 affiliations")
    assert messages[10].startswith("Session 3 panel 1: 001_bab7ddbf46844fd5.txt; "
                                   "003_caee5c70cc5473e9.txt; http://webtv.un.org/")
    assert "name(s) 2 panelist(s)" in messages[10]


def test_agendas_that_disagree_are_flagged_slot_by_slot(raw_copy, tmp_path):
    """A revised procedural note whose lunch ends earlier: only that slot is reported, naming
    both documents and lines (slots the documents agree on are never compared pairwise)."""
    text = (raw_copy / "002_11a64b559e8c10d2.txt").read_text(encoding="utf-8")
    assert "13:00 – 15:00\tLunch" in text
    (raw_copy / "002b_revised.txt").write_text(
        text.replace("13:00 – 15:00\tLunch", "13:00 – 14:30\tLunch", 1), encoding="utf-8")
    db = tmp_path / "d.duckdb"
    build(raw_copy, db)
    assert query(db, "SELECT session_number, document_id, line_start, message FROM quality_flags "
                     "WHERE check_name = 'agenda_differs'") == [
        (1, "002b_revised.txt", 67,
         'Session 1 day 1 at 13:00: 002_11a64b559e8c10d2.txt (line 67) has lunch "Lunch" until '
         '15:00, 002b_revised.txt (line 67) has lunch "Lunch" until 14:30')]


def test_roles_keep_each_sources_spelling(seed_db):
    """people.full_name is the most accented spelling; each role keeps its source's own."""
    rows = query(seed_db, "SELECT r.document_id, r.listed_name, p.full_name FROM roles r "
                          "JOIN people p USING (person_id) WHERE person_id = 'ivan-martin' "
                          "ORDER BY r.document_id")
    assert rows == [("001_bab7ddbf46844fd5.txt", "Iván Martín", "Iván Martín"),
                    ("003_caee5c70cc5473e9.txt", "Ivan Martin", "Iván Martín")]
    assert query(seed_db, "SELECT count(*) FROM roles WHERE person_id NOT IN "
                          "(SELECT person_id FROM people)") == [(0,)]


def test_every_table_and_column_has_a_description(seed_db):
    tables = query(seed_db, "SELECT table_name, comment FROM duckdb_tables() WHERE schema_name = 'main'")
    assert {t for t, _ in tables} >= set(TABLES)
    assert [t for t, comment in tables if not comment] == []
    columns = query(seed_db, "SELECT table_name, column_name, comment FROM duckdb_columns() "
                             "WHERE schema_name = 'main' AND NOT internal")
    assert {t for t, _, _ in columns} == {t for t, _ in tables}
    assert [(t, c) for t, c, comment in columns if not comment] == []


def test_schema_rejects_impossible_values(tmp_path):
    with duckdb.connect(str(tmp_path / "x.duckdb")) as con:
        con.execute(SCHEMA_PATH.read_text())
        con.execute("INSERT INTO documents VALUES ('d', 'd', ?, 1, 'txt', 'summary', 3, 'x', 'loaded', "
                    "NULL, NULL, NULL, NULL, NULL)", ["0" * 64])
        con.execute("INSERT INTO sessions (session_number, document_id, line_start, line_end) "
                    "VALUES (3, 'd', 1, 1)")
        with pytest.raises(duckdb.ConstraintException):
            con.execute("INSERT INTO participation (session_number, measure, source, value, qualifier,"
                        " document_id, line_start) VALUES (3, 'un_agencies', 'd', -1, 'exact', 'd', 1)")
        with pytest.raises(duckdb.ConstraintException):
            con.execute("INSERT INTO agenda_items VALUES ('d', 3, 1, '10:00', '09:00', 'lunch', NULL,"
                        " 'Lunch', NULL, false, 1, 1)")


@pytest.fixture()
def raw_copy(tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(SEED_DIR, raw)
    return raw


def table_contents(db):
    return {t: query(db, f"SELECT * FROM {t} ORDER BY ALL") for t in TABLES + ("build_info",)}


def test_rebuild_with_unchanged_inputs_is_identical(raw_copy, tmp_path, seed_db):
    again = tmp_path / "again.duckdb"
    build(raw_copy, again)
    assert table_contents(again) == table_contents(seed_db)


def test_a_panel_listed_twice_is_one_panel_and_a_flag_not_a_stopped_build(raw_copy, tmp_path):
    """A panel resumed after lunch under its own number once stopped the whole build (the
    panels key broke while deriving): now each slot is an agenda row, the panel is its first
    listing, and the second title is flagged."""
    text = (raw_copy / "002_11a64b559e8c10d2.txt").read_text(encoding="utf-8")
    old = "15:00 – 17:55\tPANEL 2: Social inclusion and cohesion"
    assert old in text
    (raw_copy / "002_11a64b559e8c10d2.txt").write_text(
        text.replace(old, "15:00 – 17:55\tPANEL 1: Human rights of all migrants, continued", 1),
        encoding="utf-8")
    db = tmp_path / "d.duckdb"
    report = build(raw_copy, db)
    statuses = {d: (s, e) for d, s, e in report.documents}
    assert statuses["002_11a64b559e8c10d2.txt"][0] == "partial"  # panel 2 is missing, and said
    assert "gives no panel 2" in statuses["002_11a64b559e8c10d2.txt"][1]
    assert query(db, "SELECT panel_number, title, start_time::VARCHAR, end_time::VARCHAR, "
                     "line_start FROM panels WHERE session_number = 1 AND "
                     "source = '002_11a64b559e8c10d2.txt' ORDER BY panel_number") == [
        (1, "Human rights of all migrants", "10:15:00", "13:00:00", 66),
        (3, "All forms of discrimination, including racism, xenophobia and intolerance",
         "10:05:00", "13:00:00", 75)]
    assert query(db, "SELECT count(*) FROM agenda_items WHERE document_id = "
                     "'002_11a64b559e8c10d2.txt' AND panel_number = 1") == [(2,)]
    assert query(db, "SELECT severity, line_start, message FROM quality_flags "
                     "WHERE check_name = 'panel_repeated'") == [
        ("warning", 68, "Panel 1 is listed again at line 68 as 'Human rights of all migrants, "
                        "continued'; the panel's title and times are those of line 66 ('Human "
                        "rights of all migrants')")]


def test_broken_files_are_listed_and_the_rest_load(raw_copy, tmp_path):
    (raw_copy / "zz_notes.txt").write_text("Minutes of an unrelated staff meeting.\n")
    (raw_copy / "zz_scan.pdf").write_bytes(b"%PDF-1.4 not really")
    (raw_copy / "zz_sheet.xlsx").write_bytes(b"PK\x03\x04")
    (raw_copy / "zz_empty.md").write_bytes(b"")
    db = tmp_path / "g.duckdb"
    report = build(raw_copy, db)
    failed = {d: e for d, s, e in report.documents if s in ("failed", "no_text")}
    assert set(failed) == {"zz_notes.txt", "zz_scan.pdf", "zz_empty.md", "zz_sheet.xlsx"}
    assert "no session found" in failed["zz_notes.txt"]
    assert failed["zz_scan.pdf"].startswith("not a readable PDF")
    assert "unsupported format '.xlsx'" in failed["zz_sheet.xlsx"]
    assert "no text" in failed["zz_empty.md"]
    assert query(db, "SELECT count(*) FROM recommendations")[0][0] == 73
    flagged = query(db, "SELECT check_name, document_id FROM quality_flags "
                        "WHERE check_name LIKE 'document_%' ORDER BY document_id")
    assert flagged == [("document_unreadable", "zz_empty.md"), ("document_failed", "zz_notes.txt"),
                       ("document_failed", "zz_scan.pdf"), ("document_failed", "zz_sheet.xlsx")]


def test_cp1252_text_is_read(raw_copy, tmp_path):
    text = (raw_copy / "002_11a64b559e8c10d2.txt").read_text(encoding="utf-8")
    (raw_copy / "002_11a64b559e8c10d2.txt").unlink()
    # curly quotes and dashes become single cp1252 bytes, which are not valid UTF-8
    (raw_copy / "legacy.txt").write_bytes(text.replace("▪", "-").encode("cp1252"))
    assert "“" in text and "–" in text
    db = tmp_path / "c.duckdb"
    build(raw_copy, db)
    assert query(db, "SELECT city, start_date::VARCHAR FROM sessions WHERE session_number = 1") == [
        ("Geneva", "2017-05-08")]


def test_a_broken_invariant_keeps_the_previous_database(raw_copy, tmp_path, monkeypatch):
    db = tmp_path / "keep.duckdb"
    build(raw_copy, db)
    before = db.read_bytes()
    monkeypatch.setattr(checks, "INVARIANTS", checks.INVARIANTS + (
        ("always broken", "SELECT 1"),))
    with pytest.raises(checks.InvariantError, match="always broken"):
        build(raw_copy, db)
    assert db.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".keep")] == []



def test_a_broken_topic_table_keeps_the_previous_database(raw_copy, tmp_path, monkeypatch):
    """The topic tables are written after the other tables' invariants ran (the fit overlaps
    them); their own invariants still run before the swap."""
    db = tmp_path / "keep.duckdb"
    build(raw_copy, db)
    before = db.read_bytes()
    compute = topic_stage.compute_topics

    def without_a_coverage_row(inputs):
        tables = compute(inputs)
        tables["coverage"] = tables["coverage"].iloc[1:]
        return tables

    monkeypatch.setattr(topic_stage, "compute_topics", without_a_coverage_row)
    with pytest.raises(checks.InvariantError, match="coverage has one row per session x objective"):
        build(raw_copy, db)
    assert db.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".keep")] == []


@pytest.mark.parametrize("corruption, invariant", [
    ("INSERT INTO topic_models SELECT * REPLACE ('another' AS model_id) FROM topic_models",
     "one topic model drew the topics"),
    ("UPDATE topic_models SET n_topics = n_topics + 1", "topic ids run 1..n_topics"),
    ("UPDATE topic_model_selection SET chosen = NOT chosen",
     "the chosen number of topics is the model's"),
    ("UPDATE unit_topics SET is_primary = FALSE WHERE unit_id = 's3-g-03'",
     "every text unit with topics has exactly one primary topic"),
    ("UPDATE unit_topics SET weight = weight / 2 WHERE unit_id = 's3-g-03'",
     "every text unit's topic weights sum to 1"),
    ("UPDATE topics SET unit_count = unit_count + 1 WHERE topic_id = 1",
     "every topic counts the units whose strongest topic it is"),
    ("DELETE FROM coverage WHERE session_number = 3 AND objective = 13",
     "coverage has one row per session x objective"),
    ("UPDATE coverage SET unit_count = unit_count + 1 WHERE session_number = 3 AND objective = 13",
     "coverage counts the session's units"),
    ("UPDATE coverage SET top_unit_ids = ['s3-g-03'] WHERE session_number = 3 AND objective = 9",
     "coverage's top units map to its objective"),
    ("DELETE FROM topic_sessions WHERE topic_id = 1 AND session_number = 3",
     "topic_sessions has one row per topic x session"),
    ("UPDATE topic_sessions SET unit_count = unit_count + 1 WHERE topic_id = 1 "
     "AND session_number = 3", "topic_sessions counts the session's units"),
])
def test_topic_invariants_find_what_the_schema_cannot(seed_db, tmp_path, corruption, invariant):
    copy = tmp_path / "topics.duckdb"
    shutil.copy(seed_db, copy)
    with duckdb.connect(str(copy)) as con:
        checks.check_invariants(con, checks.TOPIC_INVARIANTS)  # a build's tables keep them
        con.execute(corruption)
        with pytest.raises(checks.InvariantError, match=re.escape(invariant)):
            checks.check_invariants(con, checks.TOPIC_INVARIANTS)

def test_staleness(raw_copy, tmp_path):
    db = tmp_path / "s.duckdb"
    assert is_stale(raw_copy, db)
    build(raw_copy, db)
    assert not is_stale(raw_copy, db)
    (raw_copy / "new.txt").write_text("Procedural Note for the Fifth Informal Thematic Session\n")
    assert is_stale(raw_copy, db)
    db.write_bytes(b"not a database")
    assert is_stale(raw_copy, db)


def test_the_objective_tables_are_inputs_too(raw_copy, tmp_path):
    """`gcmdash serve` rebuilds when the curated GCM objective tables change, as for the rest
    of the curated record."""
    curated = tmp_path / "reference"
    shutil.copytree(reference_dir(), curated)
    db = tmp_path / "o.duckdb"
    build(raw_copy, db, curated_dir=curated)
    assert not is_stale(raw_copy, db, curated)
    terms = curated / "gcm_objective_terms.csv"
    terms.write_text(terms.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert is_stale(raw_copy, db, curated)


def test_cli_build_exit_status(raw_copy, tmp_path, monkeypatch):
    from click.testing import CliRunner

    from gcmdash.cli import main

    cache = tmp_path / "cache"  # never the checkout's data/.cache
    monkeypatch.setenv("GCMDASH_CACHE_DIR", str(cache))
    runner = CliRunner()
    ok = runner.invoke(main, ["build", "--raw-dir", str(raw_copy), "--db", str(tmp_path / "a.duckdb")])
    assert ok.exit_code == 0, ok.output
    assert "5 document(s) loaded, 0 failed" in ok.output
    assert any(cache.iterdir()), "the build's cache went somewhere other than GCMDASH_CACHE_DIR"
    (raw_copy / "bad.docx").write_bytes(b"PK\x03\x04")
    bad = runner.invoke(main, ["build", "--raw-dir", str(raw_copy), "--db", str(tmp_path / "b.duckdb")])
    assert bad.exit_code == 1
    assert "1 failed" in bad.output
