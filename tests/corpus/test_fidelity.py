"""The development corpus: its expected records are sound, and the build's fidelity on it does
not regress (floors measured on the code of 2026-12-01) and, in time, reads no fact wrong."""
from __future__ import annotations

import pytest

from tests.corpus import fidelity as fid

# (right at least, missed at most, wrong at most) per document, measured with
# `python -m tests.corpus.report` (2026-12-02, issue 15's parser work: 442 of 452 right, 0 wrong).
# Raise them when a parser reads more; never lower them.
FLOORS = {
    "event_s2_stakeholder.html": (10, 0, 0),
    "news_s2_iisd.html": (8, 0, 0),
    "news_s3_unic.html": (8, 0, 0),
    "news_stocktaking_summary.html": (9, 0, 0),
    "pga_letter_s2_scanned.txt": (24, 0, 0),
    "pga_letter_s5_procedural_note.txt": (30, 0, 0),
    "pga_letter_stocktaking_chair_summary.txt": (12, 0, 0),
    "press_release_stocktaking.html": (10, 0, 0),
    "procedural_note_s4_copy.txt": (7, 0, 0),
    "s1_session_page.html": (42, 1, 0),
    "s2_session_page.html": (52, 1, 0),
    "s3_session_page.html": (67, 1, 0),
    "s4_session_page.html": (16, 1, 0),
    "s5_cofacilitators_summary.txt": (33, 3, 0),
    "s5_session_page.html": (40, 1, 0),
    "s6_session_page.html": (40, 1, 0),
    "stocktaking_page.html": (15, 0, 0),
    "webtv_s3_panel1.html": (19, 1, 0),
    "webtv_s6_panel1.html": (18, 0, 0),
}


@pytest.fixture(scope="module")
def measured(tmp_path_factory) -> fid.Fidelity:
    return fid.measure(tmp_path_factory.mktemp("corpus"))


def _scores(measured: fid.Fidelity) -> dict[str, fid.Score]:
    return {s.document: s for s in measured.scores}


# --- the corpus itself ---------------------------------------------------------------------------
def test_every_document_has_an_expected_record_and_a_floor():
    names = {p.name for p in fid.documents()}
    assert set(fid.load_expected()) == names
    assert set(FLOORS) == names


def test_expected_records_use_the_data_model_vocabulary():
    for name, record in fid.load_expected().items():
        assert record["kind"] in fid.KINDS, name
        assert record["session"] in range(1, 8), name
        assert set(record["session_facts"]) <= set(fid.SESSION_FACTS), name
        for person in record["people"]:
            assert person["role"] in fid.ROLES, (name, person)
            assert (person["panel"] is not None) == (person["role"] in ("panelist", "moderator")), \
                (name, person)
        for count in record["participation"]:
            assert count["qualifier"] in fid.QUALIFIERS, (name, count)
        for item in record["agenda"]:
            assert (item["item_type"] == "panel") == (item["panel"] is not None), (name, item)


def _stated_strings(record: dict) -> list[str]:
    strings = [v for k, v in record["session_facts"].items() if not k.endswith("_date")]
    for person in record["people"]:
        # a name read with OCR noise is stated as read; the record holds the known person
        strings += [person.get("read_as", person["name"]), person["affiliation"] or ""]
    strings += [p["title"] for p in record["panels"] if p["title"]]
    strings += [a["heading"] for a in record["areas"]]
    strings += [r["text"] for r in record["recommendations"]]
    strings += [str(c["value"]) for c in record["participation"]]
    return [s for s in strings if s]


@pytest.mark.parametrize("name", sorted(fid.load_expected()))
def test_expected_facts_are_stated_in_the_document(name):
    """Only facts the text states: every name, affiliation, title, heading, recommendation and
    count of the expected record occurs in the document's own words."""
    text = fid.norm_text(fid.document_text(fid.DOCUMENTS_DIR / name))
    record = fid.load_expected()[name]
    absent = [s for s in _stated_strings(record) if fid.norm_text(s) not in text]
    assert absent == []


# --- the instrument ------------------------------------------------------------------------------
def test_scoring_counts_right_missed_wrong_and_facts_the_record_does_not_state():
    expected = fid.to_facts({
        "kind": "programme", "session": 1,
        "session_facts": {"venue": "Palais des Nations, Room XIX", "city": "Geneva"},
        "participation": [{"measure": "un_agencies", "value": 8, "qualifier": "exact"}],
        "people": [{"name": "Omar Hilale", "role": "moderator", "panel": 1,
                    "honorific": "H.E. Mr.", "affiliation": "Permanent Representative of Morocco"}],
        "panels": [{"panel": 1, "title": "Human rights of all migrants",
                    "start_time": "10:15", "end_time": "13:00"}],
    })
    read = fid.to_facts({
        "kind": "programme", "session": 1,
        "session_facts": {"venue": "Palais des Nations, Room XIX I. Introduction"},
        "participation": [{"measure": "un_agencies", "value": 8, "qualifier": "exact"}],
        "people": [{"name": "Omar Hilale", "role": "panelist", "panel": 1, "honorific": "H. E. Mr.",
                    "affiliation": "Permanent Representative of Morocco"},
                   {"name": "Monami Maulik, Advocacy Coordinator Moderator: H.E. Mr. Omar Hilale",
                    "role": "panelist", "panel": 1, "honorific": None, "affiliation": None}],
        "panels": [{"panel": 1, "title": "Panel 1. Human rights of all migrants",
                    "start_time": "10:15:00", "end_time": "13:00:00"}],
    })
    result = fid.score("doc", expected, read)
    statuses = sorted((status, key[0]) for status, key, _, _ in result.details)
    assert statuses == [("extra", "person"), ("missed", "session_fact"),
                        ("wrong", "person"), ("wrong", "session_fact")]
    # kind, session, un_agencies, honorific, affiliation, panel title and time are right
    assert (result.expected, result.right, result.missed, result.wrong) == (10, 7, 1, 3)


def test_a_summary_kind_from_the_old_vocabulary_is_right_for_either_summary():
    for kind in ("co_facilitators_summary", "chair_summary"):
        result = fid.score("doc", {("kind",): kind}, {("kind",): "summary"})
        assert result.right == 1
    assert fid.score("doc", {("kind",): "letter"}, {("kind",): "procedural_note"}).wrong == 1


# --- the build on the corpus -----------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(FLOORS))
def test_fidelity_does_not_regress(measured, name):
    right, missed, wrong = FLOORS[name]
    score = _scores(measured)[name]
    assert score.right >= right, fid.format_details(measured)
    assert score.missed <= missed
    assert score.wrong <= wrong


def test_no_fact_is_read_wrong(measured):
    assert measured.total.wrong == 0, fid.format_details(measured)


def test_no_document_loads_empty_without_a_flag(measured):
    assert measured.silent_loads == []


def test_record_coverage_counts_documents_as_what_they_are(measured):
    assert measured.false_coverage == []


def test_silent_loads_and_false_coverage_are_found():
    """The two checks above see what they look for (so they cannot pass by accident)."""
    read = {"a.html": {**fid._blank_record(), "status": "loaded", "kind": "procedural_note",
                       "session": 5, "coverage_claims": [(5, "procedural_note")]},
            "b.html": {**fid._blank_record(), "status": "loaded", "kind": "programme",
                       "session": 1, "flags": 1}}
    fidelity = fid.Fidelity([], read, {"a.html": {"kind": "letter"}, "b.html": {"kind": "programme"}})
    assert fidelity.silent_loads == ["a.html"]
    assert fidelity.false_coverage == ["a.html: counted as the procedural_note of session 5 "
                                       "(it is a letter)"]
