"""Parse work grows in proportion to a summary's size (issue 20, item 4): a summary ten times
larger costs about ten times the work, counted deterministically as the Python lines the parse
executes (never wall-clock; the timing ratio is in benchmarks/ as `linear_parse`)."""
from __future__ import annotations

import sys

import pytest

from benchmarks.synthetic import large_summary
from gcmdash.extract.text import HyphenLexicon, clean_text, join_wrapped
from gcmdash.parse import parse_document
from gcmdash.parse.common import JoinedText, NumberedLine


class _Budget(Exception):
    pass


def executed_lines(function, budget: int) -> int:
    """How many Python lines `function()` executes; _Budget once past `budget` (so a quadratic
    parse fails fast instead of running for minutes under the tracer)."""
    count = 0

    def tracer(frame, event, arg):  # noqa: ARG001 - sys.settrace signature
        nonlocal count
        if event == "line":
            count += 1
            if count > budget:
                raise _Budget
        return tracer

    sys.settrace(tracer)
    try:
        function()
    finally:
        sys.settrace(None)
    return count


def _parse_work(scale: int, budget: int) -> tuple[int, int]:
    text = clean_text(large_summary(scale))
    lexicon = HyphenLexicon.from_texts([])
    result = {}

    def parse():
        result["doc"] = parse_document(text, lexicon)

    work = executed_lines(parse, budget)
    return work, len(result["doc"].recommendations)


def test_a_ten_times_larger_summary_costs_about_ten_times_the_work():
    small, small_recs = _parse_work(100, budget=10_000_000)
    large, large_recs = _parse_work(1000, budget=14 * small)
    assert (small_recs, large_recs) == (100, 1000)  # the parse read everything, both times
    # a fixed part (headings, the session, the tail) is paid once: the ratio is under 10
    assert 5 * small <= large <= 11 * small, (small, large, large / small)


@pytest.mark.parametrize("lines", [200, 2000])
def test_joined_text_maps_offsets_to_lines_as_it_joins(lines):
    numbered = [NumberedLine(i + 1, f"word{i} end-" if i % 3 == 0 else f"next{i}")
                for i in range(lines)]
    joined = JoinedText(numbered)
    assert joined.text == join_wrapped([line.text for line in numbered])
    # each line's first character maps back to it, and the one before it to the line above
    offset = 0
    for line in numbered:
        offset = joined.text.index(line.text, offset)
        assert joined.line_at(offset) == line.number
        if offset:
            assert joined.line_at(offset - 1) == line.number - 1
    assert joined.line_at(-5) == 1 and joined.line_at(10**9) == lines
    assert JoinedText([]).line_at(3) == 0


def test_line_lookup_work_does_not_grow_with_the_text():
    small = JoinedText([NumberedLine(i, f"line {i}") for i in range(1, 101)])
    large = JoinedText([NumberedLine(i, f"line {i}") for i in range(1, 100_001)])
    def look_up_near_the_end(joined):
        return lambda: [joined.line_at(len(joined.text) - o) for o in range(1, 500, 5)]

    work_small = executed_lines(look_up_near_the_end(small), 10**6)
    work_large = executed_lines(look_up_near_the_end(large), 10**6)
    assert work_large == work_small
    assert large.line_at(len(large.text) - 1) == 100_000


class _CountingPattern:
    """A compiled pattern that counts the characters its searches are given."""

    def __init__(self, pattern):
        self.pattern, self.scanned = pattern, 0

    def search(self, text, *args):
        self.scanned += len(text)
        return self.pattern.search(text, *args)


@pytest.mark.parametrize("counts", [50, 500])
def test_a_long_sentence_of_counts_is_read_once_not_once_per_count(monkeypatch, counts):
    from gcmdash.parse import summary

    attend = _CountingPattern(summary._ATTEND_RE)
    informal = _CountingPattern(summary._INFORMAL_DIALOGUE_RE)
    monkeypatch.setattr(summary, "_ATTEND_RE", attend)
    monkeypatch.setattr(summary, "_INFORMAL_DIALOGUE_RE", informal)
    sentence = ", ".join(f"{i % 90 + 10} Member States and {i % 30 + 3} non-governmental "
                         "stakeholders" for i in range(counts)) + " attended."
    joined = JoinedText([NumberedLine(1, sentence)])
    found, _ = summary.extract_participation(joined)
    assert {c.measure for c in found} == {"member_states_attended", "non_governmental_stakeholders"}
    assert attend.scanned <= len(sentence) and informal.scanned <= len(sentence)
