"""Pieces of language all three document kinds share: ordinals, numbers, dates, times, titles."""
from __future__ import annotations

import bisect
import datetime as dt
import re
from dataclasses import dataclass

from gcmdash.extract.text import hyphen_joins, squash_spaces
from gcmdash.records import ParseError, SessionInfo

ORDINALS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6,
    "1st": 1, "2nd": 2, "3rd": 3, "4th": 4, "5th": 5, "6th": 6,
}
NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20,
    "thirty": 30, "forty": 40, "fifty": 50,
}
NUMBER_PATTERN = r"\d{1,4}|" + "|".join(sorted(NUMBER_WORDS, key=len, reverse=True))
MONTHS = {
    m: i for i, m in enumerate(
        ["january", "february", "march", "april", "may", "june", "july", "august",
         "september", "october", "november", "december"], start=1)
}
# The consultations ran in 2017; a session date outside 2016-2018 in a document is a typo or an
# extraction error, never a fact.
PLAUSIBLE_YEARS = range(2016, 2019)
_MONTH_PATTERN = "|".join(m.capitalize() for m in MONTHS)

_ORDINAL_SESSION_RE = re.compile(
    r"\b(" + "|".join(ORDINALS) + r")\s+informal\s+thematic\s+session", re.IGNORECASE
)
# '19-20 June 2017', '19 and 20 June 2017', '4-6 December 2017', '30 November - 1 December 2017'
DATE_RANGE_RE = re.compile(
    rf"\b(?P<d1>\d{{1,2}})(?:\s+(?P<m1>{_MONTH_PATTERN}))?\s*(?:-|–|—|and|to)\s*"
    rf"(?P<d2>\d{{1,2}})\s+(?P<m2>{_MONTH_PATTERN}),?\s+(?P<year>\d{{4}})\b"
)
# The seeds write '10:00 – 10:15', '10.00-10.15', '17:50- 18:00' and, from PDF, '10.0010.15'.
_CLOCK = r"(?:[01]?\d|2[0-3])[:.][0-5]\d"
TIME_RANGE_RE = re.compile(
    rf"^\s*(?P<start>{_CLOCK})\s*(?:[-–—]|to)?\s*(?P<end>{_CLOCK})(?![\d])"
)


def to_number(word: str) -> int:
    """An integer from digits or a number word ('three' -> 3)."""
    word = word.lower()
    return int(word) if word.isdigit() else NUMBER_WORDS[word]


def parse_clock(value: str) -> dt.time:
    """A time of day from '10:15' or '10.15'."""
    hours, minutes = re.split(r"[:.]", value)
    return dt.time(int(hours), int(minutes))


def match_time_range(line: str) -> tuple[dt.time, dt.time, str] | None:
    """A time range at the start of a line, and the rest of the line; None if there is none."""
    match = TIME_RANGE_RE.match(line)
    if not match:
        return None
    return parse_clock(match["start"]), parse_clock(match["end"]), line[match.end():].strip()


def find_session_ordinal(text: str) -> tuple[int, int] | None:
    """(session number, character offset) of the first 'third informal thematic session'."""
    match = _ORDINAL_SESSION_RE.search(text)
    if not match:
        return None
    return ORDINALS[match.group(1).lower()], match.start()


def parse_date_range(match: re.Match[str]) -> tuple[dt.date, dt.date]:
    """(start, end) dates of a date-range match; ParseError when impossible or reversed."""
    year = int(match["year"])
    end_month = MONTHS[match["m2"].lower()]
    start_month = MONTHS[match["m1"].lower()] if match["m1"] else end_month
    try:
        start = dt.date(year, start_month, int(match["d1"]))
        end = dt.date(year, end_month, int(match["d2"]))
    except ValueError as exc:
        raise ParseError(f"impossible date in {match.group(0)!r}: {exc}") from exc
    if end < start:
        raise ParseError(f"date range ends before it starts: {match.group(0)!r}")
    return start, end


@dataclass(frozen=True)
class NumberedLine:
    """One line of a document's text with its line number."""

    number: int  # 1-based line number in the file
    text: str


def numbered_lines(text: str) -> list[NumberedLine]:
    """The text's lines, numbered from 1."""
    return [NumberedLine(i, line) for i, line in enumerate(text.split("\n"), start=1)]


def nonblank(lines: list[NumberedLine]) -> list[NumberedLine]:
    """The lines that are not blank."""
    return [line for line in lines if line.text.strip()]


class JoinedText:
    """Lines joined into running text, remembering which line each character came from."""

    def __init__(self, lines: list[NumberedLine]) -> None:
        parts: list[str] = []
        self._offsets: list[int] = []  # where each line's text starts in the running text
        self._numbers: list[int] = []  # and that line's number
        length = 0
        for line in lines:
            part = squash_spaces(line.text)
            if not part:
                continue
            # parts are joined as they come (one join at the end: a long text is not copied
            # once per line), by join_wrapped's rule (hyphen_joins)
            if parts and not hyphen_joins(parts, part):
                parts.append(" ")
                length += 1
            self._offsets.append(length)
            self._numbers.append(line.number)
            parts.append(part)
            length += len(part)
        self.text = "".join(parts)

    def line_at(self, offset: int) -> int:
        """The number of the line the character at `offset` came from."""
        if not self._numbers:
            return 0
        return self._numbers[max(0, bisect.bisect_right(self._offsets, offset) - 1)]

    def span_lines(self, start: int, end: int) -> tuple[int, int]:
        """(first line, last line) of the characters from `start` to `end` (exclusive)."""
        return self.line_at(start), self.line_at(max(start, end - 1))


def sentences(joined: JoinedText) -> list[tuple[int, int, str]]:
    """(start, end, sentence) over running text; a full stop before a capital ends a sentence."""
    out, start = [], 0
    for match in re.finditer(r"[.;:!?](?=\s+[“\"A-Z]|\s*$)", joined.text):
        end = match.end()
        sentence = joined.text[start:end].strip()
        if sentence:
            offset = start + (len(joined.text[start:end]) - len(joined.text[start:end].lstrip()))
            out.append((offset, end, sentence))
        start = end
    tail = joined.text[start:].strip()
    if tail:
        out.append((len(joined.text) - len(joined.text[start:].lstrip()), len(joined.text), tail))
    return out


_QUOTED_RE = re.compile(r"[“\"](?P<title>[^”\"]{8,}?)[”\"]")


def quoted_title(joined: JoinedText) -> tuple[str, int, int] | None:
    """The first quoted title (the session theme), with its line span."""
    match = _QUOTED_RE.search(joined.text)
    if not match:
        return None
    start, end = joined.span_lines(match.start(), match.end())
    return squash_spaces(match["title"]), start, end


_PLACE_DATE_RE = re.compile(
    rf"^(?P<city>[A-Z][A-Za-z .'-]+?),\s*{DATE_RANGE_RE.pattern[2:]}", re.MULTILINE
)
# The same after the theme's closing quote, when a layout ran the two into one paragraph.
_QUOTE_PLACE_DATE_RE = re.compile(
    rf"[”\"]\s+(?P<city>[A-Z][A-Za-z .'-]+?),\s*{DATE_RANGE_RE.pattern[2:]}"
)


_SECTION_START_RE = re.compile(r"^(I\.|[IVX]+\.\s|Organization of work|Introduction)")


def _wrapped_venue(venue: str, line_number: int, after: list[NumberedLine]) -> tuple[str, int]:
    """The venue and its last line: a layout without blank lines may wrap its last words
    ('… Trusteeship Council' / 'Chamber') onto the next line."""
    following = after[1:2]
    if following:
        candidate = squash_spaces(following[0].text.replace("*", ""))
        if (candidate and len(candidate.split()) <= 3 and candidate[:1].isupper()
                and not _SECTION_START_RE.match(candidate) and not venue.endswith((".", ":"))):
            return f"{venue} {candidate}", following[0].number
    return venue, line_number


# Countries the record names after a city ('Puerto Vallarta, Mexico', 'Vienna, Austria').
COUNTRIES = frozenset({"Mexico", "Austria", "Switzerland", "United States", "USA", "Morocco",
                       "Germany", "Tunisia", "Argentina", "Australia", "Sweden", "Ghana"})
# A heading a text extraction ran onto the venue's line ('… Chamber I. Introduction').
_RUN_ON_HEADING_RE = re.compile(r"\s+(?:[IVX]{1,4}|\d{1,2})\.\s+[A-Z][a-z]+(?:\s+\w+){0,3}$")
_SESSION_LEAD_RE = re.compile(r"^Thematic session \w+\s*:\s*", re.IGNORECASE)


def _place_parts(text: str) -> list[str] | None:
    parts = [squash_spaces(p) for p in text.split(",")]
    if not parts or any(not p[:1].isupper() or len(p.split()) > 6 for p in parts):
        return None
    return parts


def _one_line_place(text: str) -> tuple[re.Match[str], str, str | None, str | None] | None:
    """(date match, city, country, venue) from a line holding the venue, city and dates in
    either order: 'Palais des Nations, Room XIX, Geneva , 8-9 May 2017', '19-20 June 2017,
    Palais des Nations, Room XIX, Geneva', '…meeting, 4-6 December 2017, Puerto Vallarta, Mexico'."""
    match = DATE_RANGE_RE.search(text)
    if not match or len(text) > 160:
        return None
    before = text[: match.start()].strip(" ,;–-")
    after = text[match.end():].strip(" ,;.")
    if after:
        if not text[match.end():].lstrip().startswith(",") or "," in before:
            return None
        parts = _place_parts(after)
    else:
        parts = _place_parts(before) if "," in before else None
    if not parts:
        return None
    country = None
    if parts[-1] in COUNTRIES and len(parts) >= 2:
        country = parts.pop()
    city = parts.pop()
    return match, city, country, ", ".join(parts) or None


def _title_before(lines: list[NumberedLine]) -> tuple[str, int] | None:
    """The session title on the nearest line above a place-and-date line, without its
    'Thematic session one:' lead; a sentence (ending in a full stop) is not a title."""
    for line in reversed(lines):
        text = squash_spaces(line.text.replace("*", ""))
        if not text:
            continue
        title = _SESSION_LEAD_RE.sub("", text)
        if len(title.split()) >= 6 and not title.endswith("."):
            return title, line.number
        return None
    return None


def _one_line_header(lines: list[NumberedLine], session_number: int) -> SessionInfo | None:
    for index, line in enumerate(lines):
        found = _one_line_place(squash_spaces(line.text.replace("*", "")))
        if not found:
            continue
        match, city, country, venue = found
        start_date, end_date = parse_date_range(match)
        title = _title_before(lines[:index])
        return SessionInfo(session_number=session_number, title=title[0] if title else None,
                           city=city, country=country, venue=venue, start_date=start_date,
                           end_date=end_date, line_start=title[1] if title else line.number,
                           line_end=line.number)
    return None


def session_header(lines: list[NumberedLine], session_number: int) -> SessionInfo | None:
    """Theme, place and dates from a title block: '“Theme”' then 'Geneva, 19-20 June 2017' and
    the venue on the next line ('Palais des Nations, Room XIX'), or the venue, city and dates
    on one line in either order."""
    for index, line in enumerate(lines):
        text = squash_spaces(line.text.replace("*", ""))
        match = _PLACE_DATE_RE.match(text) or _QUOTE_PLACE_DATE_RE.search(text)
        if not match or text[match.end():].lstrip().startswith(","):
            continue
        before = [NumberedLine(line.number, text[: match.start() + 1])] if match.start() else []
        start_date, end_date = parse_date_range(match)
        venue, venue_line = None, line.number
        after = text[match.end():].strip(" ,;")
        following = [NumberedLine(line.number, after)] if after else []
        for position, candidate_line in enumerate(following + lines[index + 1 : index + 4]):
            candidate = squash_spaces(candidate_line.text.replace("*", ""))
            if candidate:
                if not _SECTION_START_RE.match(candidate):
                    venue, venue_line = _wrapped_venue(candidate, candidate_line.number,
                                                       lines[index + 1 + position - len(following):])
                    venue = _RUN_ON_HEADING_RE.sub("", venue)
                break
        title_block = JoinedText([NumberedLine(l.number, l.text.replace("*", "")) for l in lines[:index]]
                                 + before)
        title = quoted_title(title_block)
        return SessionInfo(
            session_number=session_number,
            title=title[0] if title else None,
            city=squash_spaces(match["city"]),
            country=None,
            venue=venue,
            start_date=start_date,
            end_date=end_date,
            line_start=title[1] if title else line.number,
            line_end=venue_line,
        )
    return _wrapped_session_header(lines, session_number) or _one_line_header(lines, session_number)


def _wrapped_session_header(lines: list[NumberedLine], session_number: int) -> SessionInfo | None:
    """The same title block when a narrow layout wrapped the place and dates over two lines
    ('… reintegration” Geneva, 19-20' / 'June 2017'): read in the block's running text."""
    joined = JoinedText([NumberedLine(l.number, l.text.replace("*", "")) for l in lines])
    match = _QUOTE_PLACE_DATE_RE.search(joined.text)
    if not match:
        return None
    start_date, end_date = parse_date_range(match)
    date_line = joined.line_at(match.end() - 1)
    after = [l for l in lines if l.number > date_line and l.text.strip()]
    venue, venue_line = None, date_line
    if after and not _SECTION_START_RE.match(squash_spaces(after[0].text.replace("*", ""))):
        venue, venue_line = _wrapped_venue(squash_spaces(after[0].text.replace("*", "")),
                                           after[0].number, after)
    title = quoted_title(joined)
    return SessionInfo(
        session_number=session_number, title=title[0] if title else None,
        city=squash_spaces(match["city"]), country=None, venue=venue, start_date=start_date,
        end_date=end_date, line_start=title[1] if title else joined.line_at(match.start()),
        line_end=venue_line)


def session_days(session: SessionInfo | None) -> int | None:
    """How many days the session lasted (its last day's number), when its dates are known."""
    if session is None or session.start_date is None or session.end_date is None:
        return None
    return (session.end_date - session.start_date).days + 1
