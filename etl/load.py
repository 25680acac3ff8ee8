"""Records -> DuckDB. Only writes; the schema comes from schema.sql, never from a DataFrame.

Loading is one bulk insert per table. When the bulk insert breaks a constraint, each document is
loaded in its own transaction instead, so one bad document is marked failed and the rest load.
"""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

import duckdb
import pyarrow as pa

from etl.config import SCHEMA_PATH
from etl.extract import ExtractedDocument
from etl.parse.people import gender_as_listed, name_key, person_id
from etl.records import ParsedDocument, ParseFinding

# Insert order respects foreign keys.
FACT_TABLES = ("documents", "sessions", "people", "agenda_items", "format_rules", "roles",
               "participation", "discussion_areas", "recommendations", "quality_flags")
# When several documents describe one session, the session row comes from the first of these.
SOURCE_PRECEDENCE = {"procedural_note": 0, "programme_of_work": 1, "summary": 2, "other": 3}


@dataclass(frozen=True)
class Flag:
    check_name: str
    severity: str
    message: str
    session_number: int | None = None
    document_id: str | None = None
    line_start: int | None = None


@dataclass(frozen=True)
class LoadableDocument:
    extracted: ExtractedDocument
    parsed: ParsedDocument


def create_schema(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(SCHEMA_PATH.read_text(encoding="utf-8"))


def load_order(documents: list[LoadableDocument]) -> list[LoadableDocument]:
    return sorted(documents, key=lambda d: (SOURCE_PRECEDENCE[d.parsed.document_type],
                                            d.extracted.document_id))


def _fold(value: str | None) -> str:
    return re.sub(r"[^a-z0-9]+", " ", name_key(value or "")).strip()


class RowBuilder:
    """Turns parsed documents into table rows, remembering what earlier documents supplied
    (session rows, people) so later documents only add what is new."""

    def __init__(self, display_names: dict[str, str]) -> None:
        self.display_names = display_names  # person_id -> the spelling to show
        self.sessions: dict[int, dict] = {}
        self.people: dict[str, dict] = {}
        self.flags: list[Flag] = []

    def rows(self, documents: list[LoadableDocument]) -> tuple[dict[str, list[dict]], "RowBuilder"]:
        """Rows for these documents; returns the rows and the builder state after them."""
        state = RowBuilder(self.display_names)
        state.sessions, state.people = dict(self.sessions), dict(self.people)
        state.flags = list(self.flags)
        tables: dict[str, list[dict]] = defaultdict(list)
        for doc in load_order(documents):
            state._add(doc, tables)
        return tables, state

    def _add(self, doc: LoadableDocument, tables: dict[str, list[dict]]) -> None:
        e, p = doc.extracted, doc.parsed
        doc_id = e.document_id
        tables["documents"].append(dict(
            document_id=doc_id, file_name=e.file_name, sha256=e.sha256, size_bytes=e.size_bytes,
            format=e.format, document_type=p.document_type, session_number=p.session_number,
            classified_by=p.classified_by, status="loaded", error=None))
        for s in p.sessions:
            row = dict(session_number=s.session_number, title=s.title, short_name=None,
                       city=s.city, country=s.country, venue=s.venue, start_date=s.start_date,
                       end_date=s.end_date, document_id=doc_id, line_start=s.line_start,
                       line_end=s.line_end, source_url=None)
            kept = self.sessions.get(s.session_number)
            if kept is None:
                self.sessions[s.session_number] = row
                tables["sessions"].append(row)
            else:
                self._compare_session(kept, row)
        session = p.session_number
        for a in p.agenda_items:
            tables["agenda_items"].append(dict(
                document_id=doc_id, session_number=session, day_number=a.day_number,
                start_time=a.start_time, end_time=a.end_time, item_type=a.item_type,
                panel_number=a.panel_number, title=a.title, description=a.description,
                day_inferred=a.day_inferred, line_start=a.line_start, line_end=a.line_end))
        for r in p.format_rules:
            tables["format_rules"].append(dict(
                document_id=doc_id, session_number=session, rule=r.rule, min_value=r.min_value,
                max_value=r.max_value, unit=r.unit, evidence=r.evidence,
                line_start=r.line_start, line_end=r.line_end))
        seen_roles: set[tuple] = set()
        for r in p.roles:
            key = name_key(r.full_name)
            pid = person_id(r.full_name)
            if (pid, r.role, r.panel_number) in seen_roles:
                continue  # co-facilitators are named again on day 2: one role per document
            seen_roles.add((pid, r.role, r.panel_number))
            person = self.people.get(pid)
            if person is None:
                person = dict(person_id=pid, full_name=self.display_names.get(pid, r.full_name),
                              name_key=key)
                self.people[pid] = person
                tables["people"].append(person)
            tables["roles"].append(dict(
                role_id=f"{doc_id}:{r.line_start}", person_id=pid, session_number=session,
                role=r.role, panel_number=r.panel_number, honorific=r.honorific,
                affiliation=r.affiliation, gender_as_listed=gender_as_listed(r.honorific),
                document_id=doc_id, line_start=r.line_start, line_end=r.line_end))
        for c in p.participation:
            tables["participation"].append(dict(
                session_number=session, measure=c.measure, source=doc_id, value=c.value,
                qualifier=c.qualifier, evidence=c.evidence, document_id=doc_id,
                line_start=c.line_start, line_end=c.line_end, source_url=None))
        for a in p.discussion_areas:
            tables["discussion_areas"].append(dict(
                session_number=session, area_letter=a.area_letter, heading=a.heading,
                narrative=a.narrative, document_id=doc_id, line_start=a.line_start,
                line_end=a.line_end))
        for r in p.recommendations:
            tables["recommendations"].append(dict(
                recommendation_id=f"s{session}-{r.area_letter}-{r.position:02d}",
                session_number=session, area_letter=r.area_letter, position=r.position,
                text=r.text, document_id=doc_id, line_start=r.line_start, line_end=r.line_end))
        for f in p.findings:
            self.flags.append(_flag_from_finding(f, session, doc_id))

    def _compare_session(self, kept: dict, row: dict) -> None:
        for column in ("title", "city", "start_date", "end_date"):
            ours, theirs = kept[column], row[column]
            if ours is None or theirs is None:
                continue
            same = _fold(ours) == _fold(theirs) if isinstance(ours, str) else ours == theirs
            if not same:
                self.flags.append(Flag(
                    "session_facts_differ", "warning",
                    f"Session {row['session_number']} {column}: {kept['document_id']} (line "
                    f"{kept['line_start']}) says '{ours}', {row['document_id']} (line "
                    f"{row['line_start']}) says '{theirs}'; the first is shown",
                    row["session_number"], row["document_id"], row["line_start"]))


def display_names(documents: list[LoadableDocument]) -> dict[str, str]:
    """person_id -> the spelling to display: the one with most accents ('Iván Martín' over
    'Ivan Martin'), then the first in load order."""
    names: dict[str, str] = {}
    for doc in load_order(documents):
        for role in doc.parsed.roles:
            pid = person_id(role.full_name)
            if pid not in names or _accents(role.full_name) > _accents(names[pid]):
                names[pid] = role.full_name
    return names


def _accents(name: str) -> int:
    return sum(1 for ch in name if ord(ch) > 127)


def _flag_from_finding(finding: ParseFinding, session: int, document_id: str) -> Flag:
    return Flag(finding.check, finding.severity, finding.message, session, document_id,
                finding.line_start)


def insert_tables(con: duckdb.DuckDBPyConnection, tables: dict[str, list[dict]]) -> None:
    for table in FACT_TABLES:
        rows = tables.get(table)
        if not rows:
            continue
        batch = pa.Table.from_pylist(rows)  # noqa: F841 - read by DuckDB's replacement scan
        columns = ", ".join(rows[0])
        con.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM batch")


def load_documents(con: duckdb.DuckDBPyConnection, documents: list[LoadableDocument]
                   ) -> tuple[dict[str, str], list[Flag]]:
    """Insert every document's rows. Returns {document_id: error} for documents whose rows
    broke a constraint (they are left out whole), and the flags raised while building rows."""
    builder = RowBuilder(display_names(documents))
    tables, after = builder.rows(documents)
    try:
        con.begin()
        insert_tables(con, tables)
        con.commit()
        return {}, after.flags
    except duckdb.Error:
        con.rollback()
    failures: dict[str, str] = {}
    for doc in load_order(documents):
        tables, candidate = builder.rows([doc])
        try:
            con.begin()
            insert_tables(con, tables)
            con.commit()
            builder = candidate
        except duckdb.Error as exc:
            con.rollback()
            failures[doc.extracted.document_id] = f"rejected by the database: {exc}"
    return failures, builder.flags


def insert_failed_documents(con: duckdb.DuckDBPyConnection,
                            failed: list[tuple[ExtractedDocument, str]]) -> None:
    rows = [dict(document_id=e.document_id, file_name=e.file_name, sha256=e.sha256,
                 size_bytes=e.size_bytes, format=e.format, document_type=None,
                 session_number=None, classified_by=None, status="failed", error=error)
            for e, error in failed]
    insert_tables(con, {"documents": rows})


def insert_flags(con: duckdb.DuckDBPyConnection, flags: list[Flag]) -> None:
    ordered = sorted(set(flags), key=lambda f: (f.check_name, f.session_number or 0,
                                                f.document_id or "", f.line_start or 0, f.message))
    rows = [dict(flag_id=i, check_name=f.check_name, severity=f.severity,
                 session_number=f.session_number, document_id=f.document_id,
                 line_start=f.line_start, message=f.message) for i, f in enumerate(ordered, 1)]
    insert_tables(con, {"quality_flags": rows})


def insert_build_info(con: duckdb.DuckDBPyConnection, info: dict[str, str]) -> None:
    con.executemany("INSERT INTO build_info VALUES (?, ?)", sorted(info.items()))
