"""The completeness checks' text marks, found where a match can start, are what their patterns
give scanned over the whole text (the way assess read them before)."""
from __future__ import annotations

import re
import sys

import pytest

from benchmarks.synthetic import generate
from gcmdash.parse import completeness
from gcmdash.parse.caseless import CASE_EXCEPTIONS
from gcmdash.parse.completeness import TextMarks

TRICKY = [
    "", "10:00", "10:00-11:00", "Day 10:00 - 11:00\nDay 2", "123:45 - 12:30", "1:00to2:00",
    "x9.15-10.30 and 24:00-25:00, 23:59 – 00:10 and ٣:٤٥-٤:٣٠", "\n\n  -- DAY 3\nToday 4\nDay\n\n5",
    "  ::Day 7:\n(Day 8)\nday 12345", "three expert\n panels and 12 panels", "twenty-one PANELS",
    "seventeen panelsx, four panels", "CONCRETE ISSUES AND RECOMMENDATIONS x2 concrete issues "
    "and recommendations", "Concrete iſſues and recommendations, two panelſ, Dİy 3 Day 4",
    "\u212aelvin: Day 5 and six panels \u2013 10.00\u201311.00",
]


def _reference(text: str) -> tuple:
    announced = completeness._PANELS_ANNOUNCED_RE.search(text)
    return (len(completeness._TIME_RANGE_ANYWHERE_RE.findall(text)),
            {int(n) for n in completeness._DAY_HEADING_RE.findall(text)},
            announced and (announced.span(), announced["count"]),
            len(completeness._LEAD_IN_RE.findall(text)))


def _marks(text: str) -> tuple:
    marks = TextMarks(text)
    announced = marks.panels_announced()
    return (marks.time_ranges(), marks.headed_days(),
            announced and (announced.span(), announced["count"]), marks.lead_ins())


def _variants(text: str) -> list[str]:
    return [text, text.upper(), text.lower(), text.replace("\n", " "), text + "\u0131",
            text.replace(":", ".").replace("Day", "\n DAY")]


@pytest.mark.parametrize("text", TRICKY)
def test_tricky_texts(text):
    for variant in _variants(text):
        assert _marks(variant) == _reference(variant), variant


def test_synthetic_corpus_and_seeds(seed_texts):
    texts = [d.text for d in generate(300)] + list(seed_texts.values())
    assert sum(_reference(t)[0] for t in texts) > 1000  # the corpus does hold what is counted
    for text in texts:
        for variant in _variants(text):
            assert _marks(variant) == _reference(variant)


def test_case_exceptions_are_all_there_are():
    ascii_letter = re.compile("[a-z]", re.IGNORECASE)
    exceptions = set()
    for code_point in range(sys.maxunicode + 1):
        character = chr(code_point)
        lower = character.lower()
        if len(lower) != 1 or bool(ascii_letter.fullmatch(character)) != (
                lower.isascii() and lower.isalpha()):
            exceptions.add(character)
    assert exceptions == set(CASE_EXCEPTIONS)
