"""Any text in: records or a clear ParseError out, never an unhandled exception."""
from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gcmdash.extract.text import HyphenLexicon, clean_text, repair_joined_lines
from gcmdash.parse import parse_document
from gcmdash.parse.agenda import parse_agenda
from gcmdash.parse.common import JoinedText, numbered_lines
from gcmdash.parse.summary import extract_participation, split_bullets
from gcmdash.records import ParsedDocument, ParseError
from tests.conftest import SEED_NAMES

# Text that looks like the documents: their vocabulary, times, headings, bullets and junk.
FRAGMENTS = st.sampled_from([
    "Procedural Note for the Third Informal Thematic Session", "ANNEX I: Agenda", "Day 1",
    "Day 2", "10:00 – 10:15", "10.0010.15", "17.50-18.00\t", "PANEL 1:", "SUMMARY PANEL:",
    "Lunch", "Opening segment", "Moderated by H.E. Mr.", "Ms.", "Dr. ", "Areas of discussion",
    "a.", "b.", "IV.", "Concrete issues and recommendations presented for consideration included:",
    "In total, 110 Member States attended the session and made over 120 interventions.",
    "Geneva, 19-20 June 2017", "“Theme”", "<b>", "</b>", "<li>▪ ", "\t", "  ", "whole-of",
    "government", "Conclusions", "stocktaking meeting in", "Guadalajara, Mexico on 4-6 December 2017",
    "31-2 February 2017", "99:99-10:00", "\x00", "\ud800", "é", "-", ",",
])
DOCUMENT_LIKE = st.lists(st.one_of(FRAGMENTS, st.text(max_size=30)), max_size=60).map(
    lambda parts: "".join(p + ("\n" if i % 3 == 0 else " ") for i, p in enumerate(parts)))

# parse_document turns a parser's own crash (IndexError, KeyError, ...) into a ParseError that
# fails only that document; the properties must not count such a crash as a clear refusal.
WRAPPED_CRASH = re.compile(r"^\w+ parser failed: \w+: ")

SETTINGS = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


@SETTINGS
@given(st.text())
def test_clean_text_keeps_lines_and_drops_controls(raw):
    cleaned = clean_text(raw)
    normalised = raw.replace("\r\n", "\n").replace("\r", "\n")
    assert cleaned.count("\n") == normalised.count("\n")
    assert not any(ch in cleaned for ch in "\x00\x01\x1b\x7f")
    cleaned.encode("utf-8")  # no lone surrogates left


def assert_records_or_parse_error(text):
    """The document's records, or a ParseError a parser raised on purpose, saying why."""
    try:
        result = parse_document(text)
    except ParseError as exc:
        assert str(exc)
        assert not WRAPPED_CRASH.match(str(exc)), f"a parser crashed: {exc} (from {exc.__cause__!r})"
    else:
        assert isinstance(result, ParsedDocument)


def test_a_parser_crash_is_not_taken_for_a_clear_parse_error(monkeypatch):
    import gcmdash.parse as parse

    def crash(lines, session_number, classified_by):
        return [][0]

    monkeypatch.setitem(parse._PARSERS, "summary", crash)
    with pytest.raises(AssertionError, match="a parser crashed: summary parser failed: IndexError"):
        assert_records_or_parse_error("Co-facilitators' summary of the third informal thematic "
                                      "session\nAreas of discussion\n")


@SETTINGS
@given(st.one_of(st.text(), DOCUMENT_LIKE))
def test_parse_document_gives_records_or_parse_error(text):
    assert_records_or_parse_error(clean_text(text))


@SETTINGS
@given(data=st.data(), name=st.sampled_from(SEED_NAMES))
def test_damaged_seed_documents_give_records_or_parse_error(seed_texts, data, name):
    """Seeds with lines lost, repeated or moved, as a damaged extraction would leave them."""
    lines = seed_texts[name].split("\n")
    start = data.draw(st.integers(0, len(lines)))
    stop = data.draw(st.integers(start, len(lines)))
    damaged = lines[:start] + data.draw(st.lists(st.sampled_from(lines), max_size=10)) + lines[stop:]
    assert_records_or_parse_error("\n".join(damaged))


@SETTINGS
@given(DOCUMENT_LIKE)
def test_component_parsers_never_crash(text):
    lines = numbered_lines(clean_text(text))
    result = parse_agenda(lines, 2)
    assert all(item.end_time > item.start_time for item in result.items)
    bullets = split_bullets(lines, 100)
    assert sum(len(b) for b in bullets) <= len(lines)
    extract_participation(JoinedText(lines))
    repaired = repair_joined_lines([l.text for l in lines], HyphenLexicon.from_texts([text]))
    assert len(repaired) == len(lines)
