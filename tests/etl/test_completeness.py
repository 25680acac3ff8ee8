"""A document loses no fact silently: cross-checks between what it yielded and what it holds."""
from __future__ import annotations

import dataclasses

import pytest

from gcmdash.parse import parse_document
from gcmdash.parse.completeness import assess
from gcmdash.records import ParseFinding

PN3, SUM3 = "000_f70e12f896b5f4b9.txt", "003_caee5c70cc5473e9.txt"


@pytest.fixture(scope="module")
def parsed(seed_texts, seed_lexicon):
    return {name: parse_document(text, seed_lexicon) for name, text in seed_texts.items()}


def test_every_seed_is_complete(parsed, seed_texts):
    for name, doc in parsed.items():
        completeness = assess(doc, seed_texts[name])
        assert (name, completeness.status, completeness.gaps) == (name, "loaded", ())
    yielded = dict(assess(parsed[SUM3], seed_texts[SUM3]).facts_yielded)
    assert yielded == {"sessions": 2, "agenda_items": 10, "agenda_days": 2, "roles": 17,
                       "participation": 5, "discussion_areas": 12, "recommendations": 73,
                       "format_rules": 0}


def _checks(doc, text):
    completeness = assess(doc, text)
    assert completeness.status == "partial" and completeness.reason
    return {gap.check for gap in completeness.gaps}


def test_a_lost_agenda_day_is_caught(parsed, seed_texts):
    doc = parsed[PN3]
    day_one = tuple(a for a in doc.agenda_items if a.day_number == 1)
    checks = _checks(dataclasses.replace(doc, agenda_items=day_one), seed_texts[PN3])
    assert {"agenda_days_missing", "agenda_rows_missing", "panels_missing"} <= checks


def test_an_unaligned_day_is_a_loss(parsed, seed_texts):
    doc = parsed[PN3]
    finding = ParseFinding("agenda_unaligned", "error", "Day 2: 5 time ranges but 4 entries", 70)
    assert "agenda_unaligned" in _checks(dataclasses.replace(doc, findings=(finding,)),
                                         seed_texts[PN3])


def test_skipped_panel_numbers(parsed, seed_texts):
    doc = parsed[PN3]
    items = tuple(dataclasses.replace(a, panel_number=4) if a.panel_number == 3 else a
                  for a in doc.agenda_items)
    assert _checks(dataclasses.replace(doc, agenda_items=items), seed_texts[PN3]) == {"panels_missing"}


def test_lost_areas_and_bullets(parsed, seed_texts):
    doc = parsed[SUM3]
    fewer = dataclasses.replace(doc, discussion_areas=doc.discussion_areas[:1],
                                recommendations=tuple(r for r in doc.recommendations
                                                      if r.area_letter == "a"))
    assert _checks(fewer, seed_texts[SUM3]) == {"areas_missing"}
    no_bullets = dataclasses.replace(doc, recommendations=tuple(
        r for r in doc.recommendations if r.area_letter != "c"))
    assert _checks(no_bullets, seed_texts[SUM3]) == {"recommendations_missing"}
    gap = dataclasses.replace(doc, discussion_areas=tuple(
        a for a in doc.discussion_areas if a.area_letter != "b"))
    assert "area_letters" in _checks(gap, seed_texts[SUM3])


def test_a_parsable_kind_that_yielded_nothing(parsed, seed_texts):
    empty = dataclasses.replace(parsed[SUM3], sessions=(), agenda_items=(), roles=(),
                                participation=(), discussion_areas=(), recommendations=())
    assert _checks(empty, seed_texts[SUM3]) == {"nothing_yielded"}


def test_truncated_source_stays_loaded_with_its_own_flag(parsed, seed_texts):
    name = "004_c622c7e6c4042f6b.txt"
    assert [f.check for f in parsed[name].findings] == ["agenda_truncated"]
    assert assess(parsed[name], seed_texts[name]).status == "loaded"



def test_build_says_partial_in_documents_flags_and_exit_status(tmp_path):
    from click.testing import CliRunner

    from gcmdash.cli import main
    from tests.conftest import SEED_DIR
    from tests.etl.test_build import query

    raw = tmp_path / "raw"
    raw.mkdir()
    text = (SEED_DIR / PN3).read_text(encoding="utf-8")
    assert text.count("10.05-13.00\t") == 1
    (raw / PN3).write_text(text.replace("10.05-13.00\t", ""), encoding="utf-8")  # a lost time
    db = tmp_path / "x.duckdb"
    result = CliRunner().invoke(main, ["build", "--raw-dir", str(raw), "--db", str(db), "--no-cache"])
    assert result.exit_code == 4, result.output
    assert "0 document(s) loaded, 0 failed, 0 duplicate(s), 1 partial" in result.output
    (status, error, days, items), = query(
        db, "SELECT status, error, facts_yielded.agenda_days, facts_yielded.agenda_items "
            "FROM documents")
    assert (status, days, items) == ("partial", 1, 5)
    assert "Day 2: 4 time ranges but 5 agenda entries" in error and "no rows for day(s) 2" in error
    flags = query(db, "SELECT message FROM quality_flags WHERE check_name = 'document_partial'")
    messages = [m.removeprefix(f"{PN3} is partial: ") for (m,) in flags]
    assert len(messages) == 4 and all(m in error for m in messages)


def test_a_programme_covering_fewer_days_than_the_session_lost_nothing(parsed, seed_texts):
    # a day the text never heads is not a loss (a programme may cover one day of two); a
    # summary's annex is not checked against the procedural note's announcement of panels
    doc = parsed[PN3]
    text = seed_texts[PN3]
    day_one = tuple(a for a in doc.agenda_items if a.day_number == 1)
    cut = text[: text.index("### Day 2")]
    shorter = dataclasses.replace(doc, agenda_items=day_one)
    checks = {g.check for g in assess(shorter, cut).gaps}
    assert "agenda_days_missing" not in checks and "panels_missing" in checks
    summary = parsed[SUM3]
    fewer = dataclasses.replace(summary, agenda_items=tuple(
        a for a in summary.agenda_items if a.panel_number != 3))
    assert "panels_missing" not in {g.check for g in assess(fewer, seed_texts[SUM3]).gaps}
