"""Quality-check messages stay readable however many sources repeat a value."""
from __future__ import annotations

import duckdb
import pytest

from gcmdash.derive import checks
from gcmdash.load import database


@pytest.fixture
def con():
    with duckdb.connect(":memory:") as con:
        database.create_schema(con)
        yield con


def _documents(con, ids):
    con.executemany(
        "INSERT INTO documents (document_id, file_name, sha256, size_bytes, format, "
        "document_type, session_number, status) VALUES (?, ?, ?, 1, 'txt', 'summary', 2, 'loaded')",
        [[i, i, "0" * 64] for i in ids])


def _messages(con, check):
    return [f.message for f in checks.run_quality_checks(con) if f.check_name == check]


def test_a_value_many_sources_give_names_three_and_counts_the_rest(con):
    docs = [f"d{i}.txt" for i in range(1, 7)]
    _documents(con, docs)
    con.execute("INSERT INTO sessions (session_number, title) VALUES (2, 'Drivers')")
    con.executemany("INSERT INTO session_facts (session_number, fact, source, value, document_id, "
                    "line_start) VALUES (2, 'title', ?, 'Whole of government', ?, 5)",
                    [[d, d] for d in docs])
    con.execute("INSERT INTO session_facts (session_number, fact, source, value, source_url, "
                "reference_row) VALUES (2, 'title', 'sessions.csv:3', 'Drivers', 'https://x.org', "
                "'sessions.csv:3')")
    assert _messages(con, "session_facts_differ") == [
        'Session 2 title: "Whole of government" (d1.txt, line 5; d2.txt, line 5; d3.txt, line 5; '
        'and 3 more) vs "Drivers" (sessions.csv:3 (https://x.org)); shown: "Drivers"']


def test_sources_that_count_alike_are_named_together(con):
    _documents(con, ["a.txt", "b.txt", "c.txt", "d.txt", "e.txt"])
    con.execute("INSERT INTO sessions (session_number) VALUES (2)")
    rows = [["a.txt", 110], ["b.txt", 110], ["c.txt", 110], ["d.txt", 110], ["e.txt", 112]]
    con.executemany("INSERT INTO participation (session_number, measure, source, value, qualifier, "
                    "document_id, line_start) VALUES (2, 'member_states_attended', ?, ?, 'exact', ?, 9)",
                    [[s, v, s] for s, v in rows])
    assert _messages(con, "participation_sources_differ") == [
        "Session 2: the sources count differently, all kept: a.txt; b.txt; c.txt; and 1 more say "
        "member_states_attended 110; e.txt says member_states_attended 112"]


def test_honorifics_name_every_source_kind(con):
    _documents(con, ["a.txt", "b.txt"])
    con.execute("INSERT INTO sessions (session_number) VALUES (2)")
    con.execute("INSERT INTO people VALUES ('jo-doe', 'Jo Doe', 'jo doe')")
    con.executemany(
        "INSERT INTO roles (role_id, person_id, listed_name, session_number, role, honorific, "
        "gender_as_listed, organisation_type, organisation_rule, document_id, line_start, "
        "source_url, reference_row) VALUES (?, 'jo-doe', 'Jo Doe', 2, 'co_facilitator', ?, "
        "'unknown', 'other', 'none', ?, ?, ?, ?)",
        [["a.txt:3", "Dr.", "a.txt", 3, None, None], ["b.txt:4", None, "b.txt", 4, None, None],
         ["people.csv:2", None, None, None, "https://x.org", "people.csv:2"]])
    assert _messages(con, "honorific_differs") == [
        'Jo Doe is listed as "Dr." (a.txt) and "no honorific" (b.txt; people.csv:2)']


def test_a_fact_given_many_ways_names_the_most_given_and_counts_the_others(con):
    docs = [f"d{i}.txt" for i in range(1, 9)]
    _documents(con, docs)
    con.execute("INSERT INTO sessions (session_number) VALUES (2)")
    # d1 and d8 agree; the six others each give their own title
    titles = {"d1.txt": "Panel Z", "d8.txt": "Panel Z", **{f"d{i}.txt": f"Panel {i}" for i in range(2, 8)}}
    con.executemany("INSERT INTO panels (session_number, panel_number, source, title, document_id, "
                    "line_start) VALUES (2, 1, ?, ?, ?, 7)", [[d, t, d] for d, t in titles.items()])
    assert _messages(con, "panel_facts_differ") == [
        'Session 2 panel 1: no time "Panel Z" (d1.txt, line 7; d8.txt, line 7) vs '
        'no time "Panel 2" (d2.txt, line 7) vs no time "Panel 3" (d3.txt, line 7) vs '
        'no time "Panel 4" (d4.txt, line 7) vs no time "Panel 5" (d5.txt, line 7) '
        'and 2 other values']


def test_a_parsed_venue_that_differs_from_the_curated_one_is_a_flag(con):
    _documents(con, ["glued.txt", "grain.txt", "order.txt"])
    con.execute("INSERT INTO sessions (session_number) VALUES (2)")
    con.executemany("INSERT INTO session_facts (session_number, fact, source, value, document_id, "
                    "line_start) VALUES (2, 'venue', ?, ?, ?, 6)", [
                        ["glued.txt", "United Nations Headquarters, Trusteeship Council Chamber "
                                      "I. Introduction", "glued.txt"],
                        ["grain.txt", "Trusteeship Council Chamber", "grain.txt"],
                        ["order.txt", "Trusteeship Council Chamber, United Nations Headquarters",
                         "order.txt"]])
    con.execute("INSERT INTO session_facts (session_number, fact, source, value, source_url, "
                "reference_row) VALUES (2, 'venue', 'sessions.csv:3', 'United Nations "
                "Headquarters, Trusteeship Council Chamber', 'https://x.org', 'sessions.csv:3')")
    assert _messages(con, "venue_differs_from_curated") == [
        'Session 2 venue: "United Nations Headquarters, Trusteeship Council Chamber I. '
        'Introduction" (glued.txt, line 6) differs from the curated "United Nations '
        'Headquarters, Trusteeship Council Chamber" (sessions.csv:3 (https://x.org))']
