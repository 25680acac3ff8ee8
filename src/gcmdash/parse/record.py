"""Documents of the record that hold no agenda: letters of the President of the General
Assembly, news items, press releases, Web TV panel pages, chairs' summaries. Each may still
state the session's title, place and dates, participation counts and people in their roles
(moderators per panel in a letter, the panel's people on a panel page)."""
from __future__ import annotations

import datetime as dt
import re

from gcmdash.extract.text import squash_spaces
from gcmdash.parse.common import (
    COUNTRIES,
    DATE_RANGE_RE,
    MONTHS,
    NUMBER_WORDS,
    ORDINALS,
    JoinedText,
    NumberedLine,
    parse_date_range,
    quoted_title,
    session_header,
    to_number,
)
from gcmdash.parse.participation import extract_counts
from gcmdash.parse.people import NamedPerson, parse_people
from gcmdash.records import (
    PanelTitle,
    ParsedDocument,
    ParseError,
    RoleMention,
    SessionInfo,
)

_PLACE = r"[A-Z][\w'-]+(?: [A-Z][\w'-]+){0,2}"
_MONTH = "|".join(m.capitalize() for m in MONTHS)
# 'held in Vienna, Austria, on 4-5 September 2017 at the Vienna International Centre, Plenary
# Room', 'took place in Puerto Vallarta, Mexico, from 4-6 December 2017', 'held in Geneva on
# 19-20 June' (the year from the dateline).
_HELD_IN_RE = re.compile(
    rf"\b(?:held|take place|took place|takes place|taking place|meets|met|convened)\s+in\s+"
    rf"(?P<city>{_PLACE})(?:,\s*(?P<country>{_PLACE}))?,?\s+(?:on|from)\s+"
    rf"(?P<d1>\d{{1,2}})(?:\s+(?P<m1>{_MONTH}))?\s*(?:-|–|and|to)\s*(?P<d2>\d{{1,2}})\s+"
    rf"(?P<m2>{_MONTH})(?:,?\s+(?P<year>\d{{4}}))?"
    r"(?:\s+at\s+(?:the\s+)?(?P<venue>[A-Z][^.;]*?))?(?=[.;]|\s+under\b|$)")
# ... and the dates before the place: 'took place from 22-23 May 2017, in New York, under ...'
_HELD_FROM_RE = re.compile(
    rf"\b(?:held|take place|took place|takes place|taking place|met|convened)\s+(?:on|from)\s+"
    rf"(?P<d1>\d{{1,2}})(?:\s+(?P<m1>{_MONTH}))?\s*(?:-|–|and|to)\s*(?P<d2>\d{{1,2}})\s+"
    rf"(?P<m2>{_MONTH})(?:,?\s+(?P<year>\d{{4}}))?,?\s+in\s+(?P<city>{_PLACE})"
    rf"(?:,\s*(?P<country>{_PLACE}))?(?=[,.;]|\s+under\b|$)")
_YEAR_RE = re.compile(r"\b(20\d\d)\b")
_PANEL_BULLET_RE = re.compile(r"^\W*Panel\s+(\d{1,2})\s*:\s*(.+)$", re.IGNORECASE)
_PANEL_HEADING_RE = re.compile(r"\bPANEL\s+(\d{1,2}|[IVX]{1,4})\b\s*[:.\-–]?", re.IGNORECASE)
_MODERATOR_RE = re.compile(r"^\W*(?:Moderators?\s*:|Moderated by)\s*(?P<people>.+)$",
                           re.IGNORECASE)
_SG_RE = re.compile(r"Secretary-General of the intergovernmental conference", re.IGNORECASE)
_SRSG_RE = re.compile(
    r"(?:(?P<honorific>Mr\.|Ms\.|Mrs\.)\s+)?(?P<name>[A-Z][\w'-]+(?: [A-Z][\w'-]+){1,3}),\s+"
    r"(?:the\s+)?Special Representative of the Secretary-General", re.UNICODE)
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5, "vi": 6}


def _held_in(joined: JoinedText, session_number: int) -> SessionInfo | None:
    match = _HELD_IN_RE.search(joined.text) or _HELD_FROM_RE.search(joined.text)
    if not match:
        return None
    year = match["year"] or next(iter(_YEAR_RE.findall(joined.text)), None)
    if year is None:
        return None
    span = f"{match['d1']}{' ' + match['m1'] if match['m1'] else ''}-{match['d2']} {match['m2']} {year}"
    start, end = parse_date_range(DATE_RANGE_RE.search(span))
    title = quoted_title(joined)
    line_start, line_end = joined.span_lines(match.start(), match.end())
    venue = squash_spaces(match["venue"]) if match.groupdict().get("venue") else None
    return SessionInfo(session_number, title[0] if title and len(title[0]) >= 40 else None,
                       match["city"], match["country"], venue, start, end,
                       min(line_start, title[1]) if title and len(title[0]) >= 40 else line_start,
                       line_end)


# 'PUERTO VALLARTA, Mexico, 6 December - Today saw the close of the three-day … meeting'
_DATELINE_RE = re.compile(
    rf"(?m)^(?P<city>[A-Z][A-Z .'-]+[A-Z]),\s+(?:(?P<country>[A-Z][a-z]+(?: [A-Z][a-z]+)*),\s+)?"
    rf"(?P<day>\d{{1,2}}) (?P<month>{_MONTH})(?: (?P<year>\d{{4}}))?\s+[-–—]\s+(?P<rest>[^\n]*)")
_CLOSING_TODAY_RE = re.compile(
    rf"^Today\b[^.]*?\b(?:close|conclu\w+|end)\w*\b[^.]*?\b(?P<days>{'|'.join(NUMBER_WORDS)}|\d)"
    r"-day\b[^.]*\b(?:meeting|session)\b", re.IGNORECASE)


def _dateline_session(joined: JoinedText, lines: list[NumberedLine], session_number: int
                      ) -> SessionInfo | None:
    """A dateline that reports the meeting closing today: the meeting's place, its last day
    the dateline's, its first as many days before as the text says it lasted."""
    text = "\n".join(l.text for l in lines)
    match = _DATELINE_RE.search(text)
    closing = _CLOSING_TODAY_RE.match(match["rest"]) if match else None
    year = (match["year"] or next(iter(_YEAR_RE.findall(text)), None)) if closing else None
    if not (closing and year):
        return None
    end = dt.date(int(year), MONTHS[match["month"].lower()], int(match["day"]))
    start = end - dt.timedelta(days=to_number(closing["days"]) - 1)
    line = text.count("\n", 0, match.start()) + 1
    return SessionInfo(session_number, None, match["city"].title(), match["country"], None,
                       start, end, line, line)


# An event listing's labelled lines: 'Time: 22-23 May 2017', 'Location: United Nations
# Headquarters, New York' (the venue, then the city, as a place line lists them).
_DATE_LABEL_RE = re.compile(r"^\W*(?:Time|Date|Dates|When)\s*:\s*(?P<dates>.+)$", re.IGNORECASE)
_PLACE_LABEL_RE = re.compile(r"^\W*(?:Location|Venue|Place|Where)\s*:\s*(?P<place>.+)$",
                             re.IGNORECASE)


def _labelled_session(lines: list[NumberedLine], session_number: int) -> SessionInfo | None:
    dates = place = None
    for line in lines[:40]:
        text = squash_spaces(line.text)
        date_label, place_label = _DATE_LABEL_RE.match(text), _PLACE_LABEL_RE.match(text)
        if date_label and dates is None:
            found = DATE_RANGE_RE.search(date_label["dates"])
            dates = (parse_date_range(found), line.number) if found else None
        elif place_label and place is None:
            parts = [squash_spaces(p) for p in place_label["place"].rstrip(" .").split(",")]
            if all(p[:1].isupper() and len(p.split()) <= 6 for p in parts):
                place = (parts, line.number)
    if dates is None or place is None:
        return None
    (start, end), date_line = dates
    parts, place_line = place
    country = parts.pop() if len(parts) >= 2 and parts[-1] in COUNTRIES else None
    city = parts.pop()
    return SessionInfo(session_number, None, city, country, ", ".join(parts) or None, start, end,
                       min(date_line, place_line), max(date_line, place_line))


def _session(lines: list[NumberedLine], joined: JoinedText, session_number: int
             ) -> SessionInfo | None:
    return (_held_in(joined, session_number) or session_header(lines[:40], session_number)
            or _dateline_session(joined, lines, session_number)
            or _labelled_session(lines, session_number))


def _role(person: NamedPerson, role: str, panel: int | None, line: int) -> RoleMention:
    return RoleMention(person.full_name, person.honorific, person.affiliation, role,
                       panel if role in ("panelist", "moderator") else None, line, line)


# A full stop ends a sentence unless it closes an honorific or an initial ('H.E. Mr. A').
_SENTENCE_END_RE = re.compile(r"(?<!\bH\.E)(?<!\bE)(?<!\bMrs)(?<!\bMr)(?<!\bMs)(?<!\bDr)(?<!\bProf)"
                              r"(?<!\bAmb)(?<!\b[A-Z])[.!?](?=\s+[“\"A-Z]|\s*$)")


def _sentences(joined: JoinedText) -> list[tuple[int, str]]:
    """(offset, sentence) over running text, not broken after 'H.E.', 'Mr.' or an initial."""
    out, start = [], 0
    for match in _SENTENCE_END_RE.finditer(joined.text):
        out.append((start, joined.text[start:match.end()].strip()))
        start = match.end() + 1
    if joined.text[start:].strip():
        out.append((start, joined.text[start:].strip()))
    return out


# 'Ms. Roula Hamati from INSAN, ..., will speak on the second panel, under the theme "..."'
_NTH = "|".join(ORDINALS)
_SPEAKER_RE = re.compile(
    r"(?P<honorific>(?:H\.\s?E\.\s+)?(?:Mr|Ms|Mrs|Dr|Prof)\.)\s+"
    r"(?P<name>[A-Z][\w'-]+(?: [A-Z][\w'-]+){1,3})\s+(?:from|of)\s+(?P<org>[A-Z][^,;]*?),?"
    r"(?:\s[^.]*?)?\s+will\s+(?:speak|present|be a panelist)\s+(?:on|in|at)\s+the\s+"
    rf"(?P<nth>{_NTH}|\d{{1,2}})(?:st|nd|rd|th)?\s+panel\b"
    r"(?:,?\s+(?:under|on)\s+the\s+theme\s+[\"“](?P<title>[^\"”]{5,})[\"”])?")


def _speakers(joined: JoinedText) -> tuple[list[RoleMention], list[PanelTitle]]:
    """Panelists announced in running text, with the panel's theme when it is given."""
    roles, panels = [], []
    for match in _SPEAKER_RE.finditer(joined.text):
        nth = match["nth"].lower()
        panel = int(nth) if nth.isdigit() else ORDINALS[nth]
        line_start, line_end = joined.span_lines(match.start(), match.end())
        person = NamedPerson(match["honorific"], match["name"], squash_spaces(match["org"]))
        roles.append(RoleMention(person.full_name, person.honorific, person.affiliation,
                                 "panelist", panel, line_start, line_start))
        if match["title"]:
            panels.append(PanelTitle(panel, squash_spaces(match["title"]), line_start, line_end))
    return roles, panels


def _mentioned_people(joined: JoinedText) -> list[RoleMention]:
    """Co-facilitators and the Secretary-General of the conference named in running text."""
    roles = []
    for start, sentence in _sentences(joined):
        line = joined.line_at(start)
        if re.search(r"co-facilitat", sentence, re.IGNORECASE):
            for part in re.finditer(r"(?:H\.\s?E\.\s+)?(?:Mr|Ms|Mrs)\.\s+[^,]+,[^,]+?(?=,|\.$|$)",
                                    sentence):
                people = parse_people(part.group(0))
                roles += [_role(p, "co_facilitator", None, line) for p in people
                          if p.affiliation and "Permanent Representative" in p.affiliation]
        if _SG_RE.search(sentence):
            srsg = _SRSG_RE.search(sentence)
            if srsg:
                person = NamedPerson(srsg["honorific"], srsg["name"], None)
                roles.append(_role(person, "secretary_general", None, line))
    return roles


def _panel_number(text: str) -> int | None:
    match = _PANEL_HEADING_RE.search(text)
    if not match:
        return None
    value = match.group(1).lower()
    return int(value) if value.isdigit() else _ROMAN.get(value)


_OPENING_RE = re.compile(r"\b(?:opening segment|welcom\w* remarks|co-facilitators)\b",
                         re.IGNORECASE)


def _bullet_roles(text: str, panel: int | None, opening: bool, line: int) -> list[RoleMention]:
    roles = []
    for person in parse_people(text):
        if _SG_RE.search(person.affiliation or ""):
            roles.append(_role(person, "secretary_general", None, line))
        elif opening:
            roles.append(_role(person, "co_facilitator", None, line))
        elif panel is not None:
            roles.append(_role(person, "panelist", panel, line))
    return roles


def _listed_people(lines: list[NumberedLine], panel: int | None) -> list[RoleMention]:
    """'• Panel 2: A, ... and B, ...' (a letter's moderators per panel), a panel page's
    bullets (the co-facilitators under its opening segment, then its panelists) and its
    'Moderator(s):' / 'Moderated by' line."""
    roles = []
    opening = False
    for line in lines:
        text = squash_spaces(line.text)
        if not text:
            continue
        bullet = _PANEL_BULLET_RE.match(text)
        moderator = _MODERATOR_RE.match(text)
        if bullet and text.startswith("•"):
            roles += [_role(p, "moderator", int(bullet[1]), line.number)
                      for p in parse_people(bullet[2])]
        elif moderator and panel is not None:
            roles += [_role(p, "moderator", panel, line.number)
                      for p in parse_people(moderator["people"])]
        elif text.startswith("•"):
            roles += _bullet_roles(text, panel, opening, line.number)
        else:
            opening = bool(_OPENING_RE.search(text)) and "co-facilitat" in text.lower()
    return roles


# A panel page's own heading of its panel: 'PANEL 1: Irregular migration and regular pathways',
# after a date ('12 Oct 2017 - PANEL 1: ...'); a heading that goes on to name the session
# ('Panel 1: Irregular migration - 6th Informal Thematic Session, ...') is the page's title,
# whose panel title may be cut short, and is not read as one.
_PANEL_TITLE_RE = re.compile(
    rf"^(?:\d{{1,2}}\s+(?:{_MONTH}|[A-Z][a-z]{{2}})\.?(?:\s+\d{{4}})?\s*[-–—]\s*)?"
    r"PANEL\s+(?P<number>\d{1,2}|[IVX]{1,4})\s*[:.\-–]\s*(?P<title>[A-Z].{5,}?)\s*$", re.IGNORECASE)


def _panel_titles(lines: list[NumberedLine], panel: int | None) -> tuple[PanelTitle, ...]:
    """The panel page's heading of its own panel, at most one."""
    for line in lines:
        match = _PANEL_TITLE_RE.match(squash_spaces(line.text))
        if not match or re.search(r"\bsession\b", match["title"], re.IGNORECASE):
            continue
        number = _panel_number(f"PANEL {match['number']}")
        if number is not None and number == panel:
            return (PanelTitle(number, match["title"].rstrip(" ."), line.number, line.number),)
    return ()


def parse_record_document(document_type: str):
    """The parser for one kind of the record without an agenda (letter, news item, ...)."""

    def parse(lines: list[NumberedLine], session_number: int, classified_by: str
              ) -> ParsedDocument:
        joined = JoinedText(lines)
        session = _session(lines, joined, session_number)
        participation, findings = extract_counts(joined)
        panel = _panel_number(lines[0].text + " " + " ".join(l.text for l in lines[1:4])) \
            if document_type == "panel_page" else None
        roles: list[RoleMention] = []
        seen: set[tuple] = set()
        speakers, spoken_panels = _speakers(joined)
        for role in _listed_people(lines, panel) + _mentioned_people(joined) + speakers:
            key = (role.full_name, role.role, role.panel_number)
            if key not in seen:
                seen.add(key)
                roles.append(role)
        panels = _panel_titles(lines, panel) if panel else ()
        panels += tuple(t for t in spoken_panels if t.panel_number not in
                        {p.panel_number for p in panels})
        if session is None and not participation and not roles:
            raise ParseError(f"a {document_type.replace('_', ' ')} that states no place or "
                             "dates, no participation count and no person in a role")
        return ParsedDocument(document_type=document_type, session_number=session_number,
                              classified_by=classified_by,
                              sessions=(session,) if session else (), roles=tuple(roles),
                              participation=participation, findings=findings,
                              panels=panels)

    parse.__name__ = f"parse_{document_type}"
    return parse
