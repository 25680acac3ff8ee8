"""Procedural notes: theme, place and dates, format rules, and the agenda annex."""
from __future__ import annotations

import re

from gcmdash.parse.agenda import find_agenda_start, parse_agenda
from gcmdash.parse.common import (
    NUMBER_PATTERN,
    JoinedText,
    NumberedLine,
    sentences,
    session_days,
    session_header,
    to_number,
)
from gcmdash.records import FormatRule, ParsedDocument

# (rule, what the sentence says): the duration or count that follows in the same sentence.
_RULES = (
    ("welcome_remarks_minutes", r"welcom\w* remarks"),
    ("moderator_opening_minutes", r"opening remarks from the moderator"),
    ("panelist_presentation_minutes", r"introductory presentation"),
    ("moderator_concluding_minutes", r"concluding remarks"),
    ("summary_moderator_minutes", r"moderators of each panel"),
    ("thematic_expert_minutes", r"thematic expert will"),
    ("floor_intervention_minutes", r"interventions from the floor"),
)
_DURATION_RE = re.compile(
    rf"\b(?P<low>{NUMBER_PATTERN})(?:\s*(?:to|-|–)\s*(?P<high>{NUMBER_PATTERN}))?\s+minutes?\b",
    re.IGNORECASE,
)
_EXPERTS_RE = re.compile(
    rf"\b(?P<count>{NUMBER_PATTERN})\s+(?:experts|panel+ists|speakers)\s+(?:on|per)\s+(?:each\s+)?panel",
    re.IGNORECASE,
)


def extract_format_rules(lines: list[NumberedLine]) -> tuple[FormatRule, ...]:
    """The session format rules (experts per panel, speaking times) stated in the lines, one per
    rule (its first statement), in line order."""
    joined = JoinedText([NumberedLine(l.number, l.text.replace("*", "").lstrip("#")) for l in lines])
    found: dict[str, FormatRule] = {}
    for start, end, sentence in sentences(joined):
        line_start, line_end = joined.span_lines(start, end)
        experts = _EXPERTS_RE.search(sentence)
        if experts and "experts_per_panel" not in found:
            count = to_number(experts["count"])
            found["experts_per_panel"] = FormatRule(
                "experts_per_panel", count, count, "experts", sentence, line_start, line_end)
        for rule, keyword in _RULES:
            if rule in found:
                continue
            key = re.search(keyword, sentence, re.IGNORECASE)
            if not key:
                continue
            duration = _DURATION_RE.search(sentence, key.start()) or _DURATION_RE.search(sentence)
            if not duration:
                continue
            low = to_number(duration["low"])
            high = to_number(duration["high"]) if duration["high"] else low
            found[rule] = FormatRule(rule, low, high, "minutes", sentence, line_start, line_end)
            break
    return tuple(sorted(found.values(), key=lambda r: (r.line_start, r.rule)))


def parse_procedural_note(lines: list[NumberedLine], session_number: int, classified_by: str
                          ) -> ParsedDocument:
    """A procedural note: its session header, its agenda if it has one, and its format rules."""
    agenda_start = find_agenda_start(lines)
    body = lines[:agenda_start] if agenda_start is not None else lines
    session = session_header(body[:40], session_number)
    last_day = session_days(session)
    agenda = parse_agenda(lines[agenda_start:], last_day) if agenda_start is not None else None
    return ParsedDocument(
        document_type="procedural_note",
        session_number=session_number,
        classified_by=classified_by,
        sessions=(session,) if session else (),
        agenda_items=agenda.items if agenda else (),
        format_rules=extract_format_rules(body),
        findings=agenda.findings if agenda else (),
    )
