"""Did a document give everything it holds? Cross-checks between what a parsed document yielded
and what its text and its kind say it should have yielded.

A gap is a fact the build lost (a rendering or layout the parsers did not read); a document with
a gap is loaded as `partial`, the gap becomes its error and a quality flag. A document that is
itself incomplete (an agenda whose head is missing from the file, flagged `agenda_truncated` by
the parser) is not a loss of the build: it stays `loaded`, and its own flag says what is missing.
"""
from __future__ import annotations

import functools
import re

from gcmdash.parse.caseless import lower_for_search
from gcmdash.parse.common import NUMBER_PATTERN, session_days, to_number
from gcmdash.records import Completeness, CompletenessGap, ParsedDocument

# What each parsable kind promises: the facts every document of that kind gives.
PROMISES = {
    "procedural_note": ("sessions", "agenda_items", "format_rules"),
    "programme_of_work": ("sessions", "agenda_items", "roles"),
    "summary": ("sessions", "participation", "discussion_areas", "recommendations"),
    "chair_summary": ("sessions", "participation"),
    "letter": ("sessions",),
    "panel_page": ("roles",),
    "press_release": ("sessions", "participation"),
    "news_item": ("sessions",),
}
FACT_KINDS = ("sessions", "agenda_items", "roles", "participation", "discussion_areas",
              "recommendations", "format_rules")
# Findings where the document itself says it is incomplete, not the build.
SOURCE_GAPS = frozenset({"agenda_truncated"})

_CLOCK = r"(?:[01]?\d|2[0-3])[:.][0-5]\d"
_TIME_RANGE_ANYWHERE_RE = re.compile(
    rf"(?<![\d:.]){_CLOCK}\s*(?:[-–—]|to)?\s*{_CLOCK}(?![\d])")
_PANELS_ANNOUNCED_RE = re.compile(rf"\b(?P<count>{NUMBER_PATTERN})\s+(?:expert\s+)?panels\b",
                                  re.IGNORECASE)
_LEAD_IN_RE = re.compile(r"Concrete issues and recommendations", re.IGNORECASE)
_DAY_HEADING_RE = re.compile(r"^\W*Day\s+(\d{1,2})\b", re.IGNORECASE | re.MULTILINE)
# The patterns above scan every position of a text; what follows finds the few places where a
# match can start and tries the same pattern there (see TextMarks), for the same results.
_MINUTES_RE = re.compile(r"[:.](?<=\d[:.])[0-5]\d")  # every clock time's minutes
_DAY_AT_RE = re.compile(r"Day\s+(\d{1,2})\b", re.IGNORECASE)
_NON_WORD_RE = re.compile(r"\W*")
_LEAD_IN = "concrete issues and recommendations"


class TextMarks:
    """What the cross-checks read from a document's text: its time ranges, the days it heads,
    the panels it announces and its lead-ins to lists of recommendations, the same as the
    patterns above give scanned over the whole text (`_TIME_RANGE_ANYWHERE_RE.findall` ...),
    for a fraction of the cost: each pattern is tried only where a match can start. Words are
    found case-insensitively in the text's lower case, which keeps every offset, and where a
    character matches an ASCII letter ignoring case exactly when its lower case is that letter
    (tested over every code point); a text with one of the three characters for which that
    does not hold (parse/caseless.py) is scanned by the patterns."""

    def __init__(self, text: str) -> None:
        self.text = text

    @functools.cached_property
    def _lower(self) -> str | None:
        return lower_for_search(self.text)

    def time_ranges(self) -> int:
        """How many time ranges ('10:00-13:00') the text holds."""
        text, count, end = self.text, 0, 0
        for minutes in _MINUTES_RE.finditer(text):
            # a range starts with the one or two digits of an hour before its first minutes
            for start in (minutes.start() - 2, minutes.start() - 1):
                found = _TIME_RANGE_ANYWHERE_RE.match(text, start) if start >= end else None
                if found:
                    count, end = count + 1, found.end()
                    break
        return count

    def headed_days(self) -> set[int]:
        """The day numbers of the lines that start with 'Day N' (after non-word characters)."""
        text, lower = self.text, self._lower
        if lower is None:
            return {int(n) for n in _DAY_HEADING_RE.findall(text)}
        days, at = set(), lower.find("day")
        while at >= 0:
            found = _DAY_AT_RE.match(text, at)
            if found and _NON_WORD_RE.fullmatch(text, text.rfind("\n", 0, at) + 1, at):
                days.add(int(found[1]))
            at = lower.find("day", at + 1)
        return days

    def panels_announced(self) -> re.Match[str] | None:
        """The first 'N (expert) panels' of the text."""
        if self._lower is not None and "panels" not in self._lower:
            return None
        return _PANELS_ANNOUNCED_RE.search(self.text)

    def lead_ins(self) -> int:
        """How many times the text says 'Concrete issues and recommendations'."""
        if self._lower is None:
            return len(_LEAD_IN_RE.findall(self.text))
        return self._lower.count(_LEAD_IN)


def facts_yielded(parsed: ParsedDocument) -> tuple[tuple[str, int], ...]:
    """(kind of fact, how many) for every kind, plus the agenda's days."""
    counts = [(kind, len(getattr(parsed, kind))) for kind in FACT_KINDS]
    counts.append(("agenda_days", len({a.day_number for a in parsed.agenda_items})))
    return tuple(counts)


def assess(parsed: ParsedDocument, text: str) -> Completeness:
    """What `parsed` yielded, and the gaps between it and what `text` and its kind hold."""
    gaps: list[CompletenessGap] = []
    promised = PROMISES.get(parsed.document_type, ())
    if promised and not any(getattr(parsed, kind) for kind in FACT_KINDS):
        gaps.append(CompletenessGap(
            "nothing_yielded", f"a {parsed.document_type.replace('_', ' ')} that yielded no facts"))
    else:
        gaps += [CompletenessGap(f"no_{kind}", f"a {parsed.document_type.replace('_', ' ')} "
                                               f"gives {kind.replace('_', ' ')}, none was read")
                 for kind in promised if not getattr(parsed, kind)]
    gaps += [CompletenessGap(f.check, f.message, f.line_start)
             for f in parsed.findings if f.severity == "error"]
    truncated = any(f.check in SOURCE_GAPS for f in parsed.findings)
    marks = TextMarks(text)
    if parsed.agenda_items and not truncated:
        gaps += _agenda_gaps(parsed, marks)
    if parsed.document_type == "summary":
        gaps += _area_gaps(parsed, marks)
    return Completeness(facts_yielded(parsed), tuple(_unique(gaps)))


def _unique(gaps: list[CompletenessGap]) -> list[CompletenessGap]:
    seen: set[str] = set()
    out = []
    for gap in gaps:
        if gap.message not in seen:
            seen.add(gap.message)
            out.append(gap)
    return out


def _agenda_gaps(parsed: ParsedDocument, marks: TextMarks) -> list[CompletenessGap]:
    gaps: list[CompletenessGap] = []
    rows_rejected = sum(f.check == "agenda_time_invalid" for f in parsed.findings)
    times = marks.time_ranges()
    read = len(parsed.agenda_items) + rows_rejected
    if times > read:
        gaps.append(CompletenessGap(
            "agenda_rows_missing", f"the text holds {times} time ranges but {read} agenda "
                                   f"rows were read"))
    session = next((s for s in parsed.sessions if s.session_number == parsed.session_number), None)
    last_day = session_days(session)
    days = {a.day_number for a in parsed.agenda_items}
    headed = marks.headed_days()
    if last_day is not None:
        # a day the text heads but no row was read for (a programme may cover fewer days than
        # the session; the days it heads are the days it holds)
        missing = [d for d in range(1, last_day + 1) if d not in days and d in headed]
        if missing:
            gaps.append(CompletenessGap(
                "agenda_days_missing",
                f"the session lasts {last_day} day(s) but the agenda has no rows for day(s) "
                f"{', '.join(map(str, missing))}"))
    # a procedural note announces the panels its annexed agenda lays out
    announced = marks.panels_announced() if parsed.document_type == "procedural_note" else None
    panels = {a.panel_number for a in parsed.agenda_items if a.panel_number is not None}
    if announced:
        count = to_number(announced["count"])
        if len(panels) < count:
            gaps.append(CompletenessGap(
                "panels_missing", f"the text announces {count} panels, the agenda gives "
                                  f"{len(panels)}", marks.text.count("\n", 0, announced.start()) + 1))
    skipped = sorted(set(range(1, max(panels) + 1)) - panels) if panels else []
    if skipped:
        gaps.append(CompletenessGap(
            "panels_missing", f"the agenda numbers its panels {', '.join(map(str, sorted(panels)))}"
                              f" and gives no panel {', '.join(map(str, skipped))}"))
    return gaps


def _area_gaps(parsed: ParsedDocument, marks: TextMarks) -> list[CompletenessGap]:
    gaps: list[CompletenessGap] = []
    letters = [a.area_letter for a in parsed.discussion_areas]
    expected = [chr(ord("a") + i) for i in range(len(letters))]
    if letters != expected:
        gaps.append(CompletenessGap(
            "area_letters", f"area letters are not consecutive from a: {''.join(letters)}"))
    lead_ins = marks.lead_ins()
    with_bullets = len({r.area_letter for r in parsed.recommendations})
    if parsed.discussion_areas and lead_ins > len(letters):
        gaps.append(CompletenessGap(
            "areas_missing", f"the text opens {lead_ins} lists of concrete issues and "
                             f"recommendations but {len(letters)} areas of discussion were read"))
    if with_bullets < min(lead_ins, len(letters)):
        empty = [a.area_letter for a in parsed.discussion_areas
                 if a.area_letter not in {r.area_letter for r in parsed.recommendations}]
        gaps.append(CompletenessGap(
            "recommendations_missing",
            f"area(s) {', '.join(empty)} open a list of recommendations but none was read"))
    return gaps
