"""Organization of work (programme with names): place and dates, agenda, and who spoke."""
from __future__ import annotations

from gcmdash.parse.agenda import find_agenda_start, parse_agenda
from gcmdash.parse.common import NumberedLine, session_days, session_header
from gcmdash.records import ParsedDocument, ParseError


def parse_programme(lines: list[NumberedLine], session_number: int, classified_by: str
                    ) -> ParsedDocument:
    """An organization of work: its session header, agenda and roles; ParseError without an agenda."""
    agenda_start = find_agenda_start(lines)
    if agenda_start is None:
        raise ParseError("an organization of work without an agenda: no 'Organization of work' "
                         "heading, day heading or time range found")
    session = session_header(lines[:agenda_start], session_number)
    last_day = session_days(session)
    agenda = parse_agenda(lines[agenda_start:], last_day)
    return ParsedDocument(
        document_type="programme_of_work",
        session_number=session_number,
        classified_by=classified_by,
        sessions=(session,) if session else (),
        agenda_items=agenda.items,
        roles=agenda.roles,
        findings=agenda.findings,
        panels=agenda.panels,
    )
