"""Which session a text is about, from every kind of evidence it gives: an ordinal or cardinal
('third', '3rd', 'Thematic session three', 'session 3'), the session's title or short name, its
dates and city, or the stocktaking meeting's names and places.

The identities below are facts of the curated record (data/reference/sessions.csv; session 3's
dates and city from its seed documents); tests/parse/test_sessions.py holds them to it. Parsers
are pure, so the table is here rather than read from the file.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from gcmdash.parse.common import DATE_RANGE_RE, NUMBER_WORDS, ORDINALS, parse_date_range
from gcmdash.records import STOCKTAKING_SESSION, ParseError


@dataclass(frozen=True)
class SessionIdentity:
    """What identifies one session in a text: title, short names, city and dates."""

    session_number: int
    title: str
    short_names: tuple[str, ...]
    city: str
    start_date: dt.date
    end_date: dt.date


IDENTITIES: tuple[SessionIdentity, ...] = (
    SessionIdentity(1, "Human rights of all migrants, social inclusion, cohesion and all forms of "
                       "discrimination", ("Human rights of all migrants",), "Geneva",
                    dt.date(2017, 5, 8), dt.date(2017, 5, 9)),
    SessionIdentity(2, "Addressing drivers of migration, including adverse effects of climate "
                       "change", ("Drivers of migration",), "New York",
                    dt.date(2017, 5, 22), dt.date(2017, 5, 23)),
    SessionIdentity(3, "International cooperation and governance of migration in all its "
                       "dimensions", ("International cooperation and governance of migration",),
                    "Geneva", dt.date(2017, 6, 19), dt.date(2017, 6, 20)),
    SessionIdentity(4, "Contributions of migrants and diaspora to all dimensions of sustainable "
                       "development", ("Contributions of migrants and diasporas",
                                      "Contributions of migrants and diaspora"), "New York",
                    dt.date(2017, 7, 24), dt.date(2017, 7, 25)),
    SessionIdentity(5, "Smuggling of migrants, trafficking in persons and contemporary forms of "
                       "slavery", ("Smuggling and trafficking of migrants",), "Vienna",
                    dt.date(2017, 9, 4), dt.date(2017, 9, 5)),
    SessionIdentity(6, "Irregular migration and regular pathways, including decent work, labour "
                       "mobility", ("Labour mobility",), "Geneva",
                    dt.date(2017, 10, 12), dt.date(2017, 10, 13)),
    SessionIdentity(STOCKTAKING_SESSION, "Preparatory (stocktaking) meeting",
                    ("Stocktaking phase", "Stocktaking meeting"), "Puerto Vallarta",
                    dt.date(2017, 12, 4), dt.date(2017, 12, 6)),
)

_ORDINAL_WORDS = "|".join(ORDINALS)
_CARDINALS = {w: n for w, n in NUMBER_WORDS.items() if n <= 6}
# (pattern, group holding the number): explicit numbers, strongest first.
_NUMBERED = tuple(re.compile(p, re.IGNORECASE) for p in (
    rf"\b({_ORDINAL_WORDS})\s+informal\s+thematic\s+session",
    rf"\bthematic\s+session\s+({'|'.join(_CARDINALS)}|[1-6])\b",
    rf"\b({_ORDINAL_WORDS})\s+of\s+(?:the\s+)?six\s+(?:informal\s+)?thematic\s+sessions",
    rf"\b({_ORDINAL_WORDS})\s+thematic\s+session",
    r"\binformal\s+thematic\s+session\s+([1-6])\b",
))
_STOCKTAKING_RE = re.compile(
    r"\b(preparatory \(?stocktaking\)? meeting|stocktaking meeting|stocktaking phase|"
    r"preparatory stocktaking|Puerto Vallarta)", re.IGNORECASE)


@dataclass(frozen=True)
class SessionEvidence:
    """The session a text is about, the evidence for it, and evidence that points elsewhere."""

    session_number: int
    evidence: str
    conflicts: tuple[str, ...] = ()


def _line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def _number(word: str) -> int:
    word = word.lower()
    return ORDINALS.get(word) or _CARDINALS.get(word) or int(word)


def _fold(text: str) -> str:
    return " ".join(re.sub(r"[\"“”'’*]", "", text).casefold().split())


def numbered_session(text: str) -> tuple[int, int, str] | None:
    """(session, offset, words) of the first explicit session number, by the strongest form."""
    for pattern in _NUMBERED:
        match = pattern.search(text)
        if match:
            return _number(match.group(1)), match.start(), match.group(0)
    return None


def _by_title(text: str) -> list[tuple[int, int, str]]:
    folded = _fold(text)
    found = []
    for identity in IDENTITIES[:-1]:
        for phrase in (identity.title, *identity.short_names):
            at = folded.find(_fold(phrase))
            if at >= 0:
                found.append((identity.session_number, at, f"title '{phrase[:40]}'"))
                break
    return found


def _by_dates(text: str) -> list[tuple[int, int, str]]:
    found = []
    for match in DATE_RANGE_RE.finditer(text):
        try:
            start, end = parse_date_range(match)
        except ParseError:
            continue
        for identity in IDENTITIES:
            if (start, end) == (identity.start_date, identity.end_date):
                found.append((identity.session_number, match.start(),
                              f"dates '{match.group(0)}'"))
    return found


def identify_session(text: str) -> SessionEvidence:
    """The session of `text`: an explicit number first (the first in the text), else the
    stocktaking meeting's names, else the title, else the dates. Other evidence that names
    another session in the opening lines is returned as conflicts. ParseError, quoting the
    text's opening words, when nothing identifies a session."""
    head = "\n".join(text.split("\n")[:12])
    numbered = numbered_session(text)
    titles, dates = _by_title(head), _by_dates(head)
    if numbered:
        number, offset, _ = numbered
        evidence = f"session {number} from line {_line_of(text, offset)}"
    else:
        stocktaking = _STOCKTAKING_RE.search(text)
        candidates = ([(STOCKTAKING_SESSION, stocktaking.start(),
                        f"'{stocktaking.group(0)}'")] if stocktaking else []) + titles + dates
        if not candidates:
            opening = " ".join(text.split())[:80]
            raise ParseError("no session found: the text names no informal thematic session by "
                             "number, title or dates and no stocktaking meeting; it opens "
                             f"'{opening}'")
        number, offset, what = candidates[0]
        if number == STOCKTAKING_SESSION and stocktaking and offset == stocktaking.start():
            evidence = f"stocktaking meeting from line {_line_of(text, offset)}"
        else:
            evidence = f"session {number} by {what} (line {_line_of(text, offset)})"
    # Evidence against: another session's title in the opening lines, or the text's first dates
    # being another session's. Later dates are often announcements (a session's summary names
    # the stocktaking meeting's dates), not the document's own.
    first_dates = [d for d in dates if d[1] == min(o for _, o, _ in dates)] if dates else []
    conflicts = tuple(dict.fromkeys(
        f"{what} (line {_line_of(head, offset)}) points to session {n}"
        for n, offset, what in titles + first_dates if n != number))
    return SessionEvidence(number, evidence, conflicts)
