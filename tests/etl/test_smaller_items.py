"""Issue 20, item 6 (parsing): implausible dates and a lone tab (inputs made from the seeds)."""
from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from benchmarks.synthetic import large_summary
from gcmdash.extract.text import clean_text
from gcmdash.parse import parse_document
from gcmdash.runner.build import build

PN1, SUM3 = "002_11a64b559e8c10d2.txt", "003_caee5c70cc5473e9.txt"


@pytest.mark.parametrize("year", ["0001", "1999", "2020", "9999"])
def test_a_date_outside_the_consultations_years_is_dropped_and_flagged(seed_texts, seed_lexicon,
                                                                       year):
    text = seed_texts[PN1]
    assert text.count("8-9 May 2017") == 1
    doc = parse_document(text.replace("8-9 May 2017", f"8-9 May {year}"), seed_lexicon)
    session = next(s for s in doc.sessions if s.session_number == 1)
    assert (session.start_date, session.end_date) == (None, None)
    assert session.city == "Geneva"  # the rest of the header is kept
    [finding] = [f for f in doc.findings if f.check == "implausible_date"]
    assert f"{int(year):04d}-05-08" in finding.message and finding.severity == "warning"


def test_plausible_dates_are_kept(seed_texts, seed_lexicon):
    doc = parse_document(seed_texts[PN1], seed_lexicon)
    session = next(s for s in doc.sessions if s.session_number == 1)
    assert (session.start_date, session.end_date) == (dt.date(2017, 5, 8), dt.date(2017, 5, 9))
    assert not [f for f in doc.findings if f.check == "implausible_date"]


def test_a_year_0001_never_replaces_the_curated_dates(seed_texts, tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / PN1).write_text(seed_texts[PN1].replace("8-9 May 2017", "8-9 May 0001"),
                           encoding="utf-8")
    db = tmp_path / "gcmdash.duckdb"
    build(raw, db)
    with duckdb.connect(str(db), read_only=True) as con:
        dates = con.execute("SELECT start_date, end_date FROM sessions WHERE session_number = 1"
                            ).fetchone()
        parsed_dates = con.execute(
            "SELECT count(*) FROM session_facts WHERE document_id IS NOT NULL "
            "AND fact IN ('start_date', 'end_date')").fetchone()[0]
        flags = con.execute("SELECT severity, document_id FROM quality_flags "
                            "WHERE check_name = 'implausible_date'").fetchall()
    assert dates == (dt.date(2017, 5, 8), dt.date(2017, 5, 9))  # data/reference/sessions.csv
    assert parsed_dates == 0
    assert len(flags) == 1 and flags[0][0] == "warning" and flags[0][1] is not None


def _summary_with_a_tab(where: str) -> str:
    lines = large_summary(3).split("\n")
    index = next(i for i, line in enumerate(lines) if line.startswith(where))
    lines[index] = lines[index].replace(" ", "\t", 1)
    return "\n".join(lines)


@pytest.mark.parametrize("where", ["The third informal", "In total", "Participants stressed"])
def test_one_tab_in_a_summary_is_no_agenda_start(where):
    untouched = parse_document(clean_text(large_summary(3)))
    doc = parse_document(clean_text(_summary_with_a_tab(where)))
    assert doc.document_type == "summary"
    assert len(doc.recommendations) == len(untouched.recommendations) == 3
    assert [a.area_letter for a in doc.discussion_areas] == ["a"]
    assert {p.measure for p in doc.participation} == {p.measure for p in untouched.participation}
    assert doc.agenda_items == ()


def test_a_tab_table_row_before_its_times_still_starts_the_agenda(seed_texts, seed_lexicon):
    """The seed notes' 'Time<TAB>Concept' header row is the agenda's first line, as before."""
    doc = parse_document(seed_texts[PN1], seed_lexicon)
    assert doc.agenda_items and doc.agenda_items[0].start_time == dt.time(10, 0)
    summary = parse_document(seed_texts[SUM3], seed_lexicon)
    assert summary.agenda_items  # the annex is still read
