"""Typed records the parsers return: frozen, no I/O, line numbers as provenance.

Parsers do not know which file they read; `document_id` is attached when records are loaded.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from gcmdash import vocab

STOCKTAKING_SESSION = vocab.STOCKTAKING_SESSION  # the parsers import it from here


class ParseError(ValueError):
    """A document that cannot be read as the kind it claims to be; says why and where."""

    def __init__(self, message: str, line: int | None = None) -> None:
        self.line = line
        super().__init__(f"line {line}: {message}" if line else message)


@dataclass(frozen=True)
class SessionInfo:
    """A session as a document describes it: title, place and dates, with the lines it came from."""

    session_number: int
    title: str | None
    city: str | None
    country: str | None
    venue: str | None
    start_date: dt.date | None
    end_date: dt.date | None
    line_start: int
    line_end: int


@dataclass(frozen=True)
class AgendaItem:
    """One agenda row: its day and times, kind, panel and title, with the lines it came from."""

    day_number: int
    start_time: dt.time
    end_time: dt.time
    item_type: str
    panel_number: int | None
    title: str
    description: str | None
    line_start: int
    line_end: int
    day_inferred: bool = False


@dataclass(frozen=True)
class RoleMention:
    """A person named in a document in one role."""

    full_name: str
    honorific: str | None
    affiliation: str | None
    role: str
    panel_number: int | None
    line_start: int
    line_end: int


@dataclass(frozen=True)
class ParticipationCount:
    """A participation figure a summary reports (a measure, its value and qualifier) and its evidence."""

    measure: str
    value: int
    qualifier: str
    evidence: str
    line_start: int
    line_end: int


@dataclass(frozen=True)
class DiscussionArea:
    """A lettered area of discussion in a summary: its heading and narrative."""

    area_letter: str
    heading: str
    narrative: str
    line_start: int
    line_end: int


@dataclass(frozen=True)
class Recommendation:
    """A recommendation under a discussion area, by its position in that area."""

    area_letter: str
    position: int
    text: str
    line_start: int
    line_end: int


@dataclass(frozen=True)
class FormatRule:
    """A format rule from a procedural note (e.g. minutes per speaker): its range, unit and evidence."""

    rule: str
    min_value: int
    max_value: int
    unit: str
    evidence: str
    line_start: int
    line_end: int


@dataclass(frozen=True)
class PanelTitle:
    """A panel's number and title as a document states them without times (a day of panels
    without a timed agenda, a panel page's heading); a timed panel is an AgendaItem."""

    panel_number: int
    title: str
    line_start: int
    line_end: int


@dataclass(frozen=True)
class ParseFinding:
    """Something a parser noticed about its document that users should see (a quality flag)."""

    check: str
    severity: str  # a value of vocab.SEVERITIES
    message: str
    line_start: int | None = None


@dataclass(frozen=True)
class ParsedDocument:
    """Everything a parser read from one document: its kind and session and the records it holds."""

    document_type: str
    session_number: int
    classified_by: str
    sessions: tuple[SessionInfo, ...] = ()
    agenda_items: tuple[AgendaItem, ...] = ()
    roles: tuple[RoleMention, ...] = ()
    participation: tuple[ParticipationCount, ...] = ()
    discussion_areas: tuple[DiscussionArea, ...] = ()
    recommendations: tuple[Recommendation, ...] = ()
    format_rules: tuple[FormatRule, ...] = ()
    findings: tuple[ParseFinding, ...] = field(default=())
    panels: tuple[PanelTitle, ...] = ()


@dataclass(frozen=True)
class Flag:
    """One row of quality_flags: a parser finding, a load decision or a check's result."""

    check_name: str
    severity: str
    message: str
    session_number: int | None = None
    document_id: str | None = None
    line_start: int | None = None


# documents.status: what became of each file. `partial`: loaded, but the cross-checks found facts
# the document holds that the build could not read (see gcmdash/parse/completeness.py).
LOADED, PARTIAL = vocab.STATUSES_WITH_FACTS
DOCUMENT_STATUSES = vocab.values(vocab.DOCUMENT_STATUSES)
STATUSES_WITH_FACTS = vocab.STATUSES_WITH_FACTS  # documents whose records are in the database


@dataclass(frozen=True)
class CompletenessGap:
    """One fact a document holds (or its kind promises) that the build did not get from it."""

    check: str
    message: str
    line_start: int | None = None


@dataclass(frozen=True)
class Completeness:
    """What one parsed document yielded per kind of fact, and whether that is all it holds."""

    facts_yielded: tuple[tuple[str, int], ...]
    gaps: tuple[CompletenessGap, ...] = ()

    @property
    def status(self) -> str:
        """`loaded` when nothing is missing, else `partial`."""
        return PARTIAL if self.gaps else LOADED

    @property
    def reason(self) -> str | None:
        """The gaps in one sentence each, for documents.error; None when complete."""
        return "; ".join(g.message for g in self.gaps) or None


@dataclass(frozen=True)
class Block:
    """One unit of a document's structure, read from the format itself (HTML tags, DOCX styles
    and numbering, table cells) or rebuilt from line shapes. `cells` holds a table row's cells,
    each a sequence of blocks (a cell may hold paragraphs and lists); `marker` is a list item's
    bullet or its ordered-list label ('a.', '3.'); `path` says where in the source it was."""

    kind: str  # heading / paragraph / list_item / table_row / page_break
    text: str = ""
    level: int = 0  # heading level, list nesting depth
    marker: str | None = None
    cells: tuple[tuple["Block", ...], ...] = ()
    path: str | None = None
