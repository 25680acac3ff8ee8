"""Curated reference CSVs (public-record facts, each row with its source URL) -> typed records.

Every value is validated; a malformed one stops the build with the file, row and column named,
because a silently skipped curated fact is a gap nobody would see.
"""
from __future__ import annotations

import csv
import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from gcmdash import vocab
from gcmdash.vocab import PANEL_ROLES, STOCKTAKING_SESSION

_URL_RE = re.compile(r"^https?://\S+$")
_TIME_RANGE_RE = re.compile(r"^(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})$")
_MEASURE_RE = re.compile(r"^[a-z][a-z_]*$")

FILES = {
    "sessions.csv": ("session", "title", "short_name", "city", "venue", "start_date", "end_date",
                     "source_url"),
    "panels.csv": ("session", "panel_number", "title", "time", "source_url"),
    "people.csv": ("session", "panel_number", "role", "honorific", "name", "affiliation",
                   "source_url"),
    "participation.csv": ("session", "measure", "value", "qualifier", "source_url", "note"),
}


class ReferenceDataError(ValueError):
    """A curated row that cannot be trusted; names the file, row and column."""


@dataclass(frozen=True)
class CuratedSession:
    """One row of sessions.csv: the session's curated facts and where the record states them."""

    session_number: int
    facts: tuple[tuple[str, str], ...]  # (fact, value) for the non-blank cells
    source_url: str | None
    reference_row: str


@dataclass(frozen=True)
class CuratedPanel:
    """One row of panels.csv: a panel's title and times from the public record."""

    session_number: int
    panel_number: int
    title: str
    start_time: dt.time | None
    end_time: dt.time | None
    source_url: str
    reference_row: str


@dataclass(frozen=True)
class CuratedRole:
    """One row of people.csv: who held which role in a session, from the public record."""

    session_number: int
    panel_number: int | None
    role: str
    honorific: str | None
    full_name: str | None  # None: the record lists the seat but not who held it
    affiliation: str | None
    source_url: str
    reference_row: str


@dataclass(frozen=True)
class CuratedCount:
    """One row of participation.csv: a participation count with its qualifier and source."""

    session_number: int
    measure: str
    value: int
    qualifier: str
    source_url: str
    note: str | None
    reference_row: str


@dataclass(frozen=True)
class ReferenceData:
    """Every curated row the build reads, validated."""

    sessions: tuple[CuratedSession, ...] = ()
    panels: tuple[CuratedPanel, ...] = ()
    roles: tuple[CuratedRole, ...] = ()
    participation: tuple[CuratedCount, ...] = ()


class _Row:
    """One CSV row with validating getters whose errors name file, row and column."""

    def __init__(self, file_name: str, line: int, cells: dict[str, str]) -> None:
        self.file_name, self.line, self.cells = file_name, line, cells

    @property
    def where(self) -> str:
        return f"{self.file_name}:{self.line}"

    def fail(self, column: str, problem: str) -> ReferenceDataError:
        return ReferenceDataError(f"data/reference/{self.file_name}, row {self.line}, column "
                                  f"'{column}': {problem} (got {self.cells.get(column)!r})")

    def text(self, column: str, required: bool = False) -> str | None:
        value = (self.cells.get(column) or "").strip()
        if required and not value:
            raise self.fail(column, "a value is required")
        return value or None

    def session(self) -> int:
        value = self.text("session", required=True)
        if value.lower() == "stocktaking":
            return STOCKTAKING_SESSION
        if not value.isdigit() or not 1 <= int(value) < STOCKTAKING_SESSION:
            raise self.fail("session", f"must be 1-{STOCKTAKING_SESSION - 1} or 'stocktaking'")
        return int(value)

    def whole_number(self, column: str, minimum: int, required: bool = True) -> int | None:
        value = self.text(column, required=required)
        if value is None:
            return None
        if not re.fullmatch(r"\d+", value) or int(value) < minimum:
            raise self.fail(column, f"must be a whole number >= {minimum}")
        return int(value)

    def date(self, column: str) -> str | None:
        value = self.text(column)
        if value is None:
            return None
        try:
            return dt.date.fromisoformat(value).isoformat()
        except ValueError:
            raise self.fail(column, "must be a date written YYYY-MM-DD") from None

    def url(self) -> str:
        value = self.text("source_url", required=True)
        if not _URL_RE.match(value):
            raise self.fail("source_url", "must be an http(s) address")
        return value

    def choice(self, column: str, allowed: tuple[str, ...]) -> str:
        value = self.text(column, required=True)
        if value not in allowed:
            raise self.fail(column, f"must be one of {', '.join(allowed)}")
        return value


def _rows(directory: Path, file_name: str) -> list[_Row]:
    path = directory / file_name
    if not path.exists():
        raise ReferenceDataError(f"data/reference/{file_name} is missing")
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in FILES[file_name] if c not in (reader.fieldnames or [])]
        if missing:
            raise ReferenceDataError(f"data/reference/{file_name}, row 1: missing column(s) "
                                     f"{', '.join(missing)}")
        return [_Row(file_name, reader.line_num, row) for row in reader]


def _session_row(row: _Row) -> CuratedSession:
    number = row.session()
    facts = [(f, row.text(f)) for f in ("title", "short_name", "city", "venue")]
    start, end = row.date("start_date"), row.date("end_date")
    if start and end and end < start:
        raise row.fail("end_date", f"is before start_date {start}")
    facts += [("start_date", start), ("end_date", end)]
    facts = tuple((f, v) for f, v in facts if v)
    # A row holding only an editorial short name may leave the source blank (session 3: its
    # facts come from the seed documents); every fact needs a source URL.
    editorial_only = {f for f, _ in facts} <= {"short_name"}
    url = row.url() if not editorial_only or row.text("source_url") else None
    return CuratedSession(number, facts, url, row.where)


def _panel_row(row: _Row) -> CuratedPanel:
    start = end = None
    time = row.text("time")
    if time:
        match = _TIME_RANGE_RE.match(time)
        if not match:
            raise row.fail("time", "must be HH:MM-HH:MM")
        h1, m1, h2, m2 = map(int, match.groups())
        try:
            start, end = dt.time(h1, m1), dt.time(h2, m2)
        except ValueError:
            raise row.fail("time", "is not a time of day") from None
        if end <= start:
            raise row.fail("time", "ends before it starts")
    return CuratedPanel(row.session(), row.whole_number("panel_number", 1),
                        row.text("title", required=True), start, end, row.url(), row.where)


def _role_row(row: _Row) -> CuratedRole:
    role = row.choice("role", vocab.values(vocab.ROLES))
    panel = row.whole_number("panel_number", 1, required=role in PANEL_ROLES)
    return CuratedRole(row.session(), panel if role in PANEL_ROLES else None, role,
                       row.text("honorific"), row.text("name"), row.text("affiliation"),
                       row.url(), row.where)


def _count_row(row: _Row) -> CuratedCount:
    measure = row.text("measure", required=True)
    if not _MEASURE_RE.match(measure):
        raise row.fail("measure", "must be a lower_case_name")
    return CuratedCount(row.session(), measure, row.whole_number("value", 0),
                        row.choice("qualifier", vocab.values(vocab.QUALIFIERS)), row.url(), row.text("note"),
                        row.where)


def read_reference(directory: Path) -> ReferenceData:
    """All curated files, validated. Raises ReferenceDataError naming file, row and column."""
    return ReferenceData(
        sessions=tuple(_session_row(r) for r in _rows(directory, "sessions.csv")),
        panels=tuple(_panel_row(r) for r in _rows(directory, "panels.csv")),
        roles=tuple(_role_row(r) for r in _rows(directory, "people.csv")),
        participation=tuple(_count_row(r) for r in _rows(directory, "participation.csv")),
    )


def reference_files(directory: Path) -> list[Path]:
    """The curated CSVs a build reads from `directory`, in name order."""
    return [directory / name for name in sorted(FILES)]
