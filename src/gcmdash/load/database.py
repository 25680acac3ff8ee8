"""Records -> DuckDB. Only writes; the schema comes from schema.sql, never from a DataFrame.

Loading is one bulk insert per table. When the bulk insert breaks a constraint, each document is
loaded in its own transaction instead, so one bad document is marked failed and the rest load.

Every row built here belongs to one document (or to the curated reference), so an incremental
build starts from a copy of the previous database and keeps the rows of the documents it reuses
(`keep_only`) instead of building them again. What depends on several documents at once
(people, resolved sessions, coverage, checks) is derived afterwards, in SQL (gcmdash/derive/resolve.py).
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import duckdb
import pyarrow as pa

from gcmdash.config import SCHEMA_PATH
from gcmdash.derive.organisations import classify_organisation
from gcmdash.extract.formats import ExtractedDocument
from gcmdash.load.reference import ReferenceData
from gcmdash.parse.completeness import assess
from gcmdash.parse.people import gender_as_listed, person_id
from gcmdash.provenance import SOURCE_PRECEDENCE  # documents load in this order
from gcmdash.records import Flag, ParsedDocument, ParseFinding

# Insert order respects foreign keys.
FACT_TABLES = ("documents", "document_pages", "session_facts", "agenda_items", "format_rules", "roles",
               "participation", "discussion_areas", "recommendations", "panels", "quality_flags")
# Tables whose parsed rows each belong to one document (document_id); their curated rows have none.
# (panels' parsed rows are copied from their document's agenda in gcmdash/derive/resolve.py.)
DOCUMENT_TABLES = ("documents", "document_pages", "session_facts", "agenda_items", "format_rules",
                   "roles", "participation", "discussion_areas", "recommendations", "panels")


@dataclass(frozen=True)
class NotLoaded:
    """An extracted document that is not loaded (failed, encrypted, no text or a duplicate), and why."""

    document: ExtractedDocument
    status: str  # failed / encrypted / no_text / duplicate
    reason: str
    duplicate_of: str | None = None


@dataclass(frozen=True)
class LoadableDocument:
    """A document ready to load: its extraction and what the parser read from it."""

    extracted: ExtractedDocument
    parsed: ParsedDocument


def create_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create the database tables from the schema file, in one transaction."""
    con.execute("BEGIN TRANSACTION;\n" + SCHEMA_PATH.read_text(encoding="utf-8") + "\nCOMMIT;")


def load_order(documents: list[LoadableDocument]) -> list[LoadableDocument]:
    """The documents in loading order: by document kind (SOURCE_PRECEDENCE), then document id."""
    return sorted(documents, key=lambda d: (SOURCE_PRECEDENCE[d.parsed.document_type],
                                            d.extracted.document_id))


class RowBuilder:
    """Turns parsed documents and curated reference rows into table rows, remembering which
    summary each session's areas and recommendations came from."""

    def __init__(self, original_names: dict[str, str]) -> None:
        self.original_names = original_names  # document_id -> name before `gcmdash add`
        self.flags: list[Flag] = []
        # session -> the summary its areas and recommendations come from (one per session:
        # recommendation ids like s3-g-03 name the session, not the document)
        self.summaries: dict[int, str] = {}

    def _copy(self) -> "RowBuilder":
        state = RowBuilder(self.original_names)
        state.flags, state.summaries = list(self.flags), dict(self.summaries)
        return state

    def rows(self, documents: list[LoadableDocument], reference: ReferenceData | None = None
             ) -> tuple[dict[str, list[dict]], "RowBuilder"]:
        """Rows for these documents (and reference); returns them and the builder state after."""
        state = self._copy()
        tables: dict[str, list[dict]] = defaultdict(list)
        if reference is not None:
            state._add_reference(reference, tables)
        for doc in load_order(documents):
            state._add(doc, tables)
        return tables, state

    def _add_reference(self, ref: ReferenceData, tables: dict[str, list[dict]]) -> None:
        for s in ref.sessions:
            for fact, value in s.facts:
                tables["session_facts"].append(dict(
                    session_number=s.session_number, fact=fact, source=s.source_url or s.reference_row,
                    value=value, document_id=None, line_start=None, line_end=None,
                    source_url=s.source_url, reference_row=s.reference_row))
            if s.source_url is None:
                self.flags.append(Flag(
                    "reference_without_source", "info",
                    f"{s.reference_row} gives session {s.session_number}'s short name "
                    f"'{dict(s.facts).get('short_name')}' without a source URL (an editorial label)",
                    s.session_number))
        for p in ref.panels:
            tables["panels"].append(dict(
                session_number=p.session_number, panel_number=p.panel_number, source=p.source_url,
                title=p.title, start_time=p.start_time, end_time=p.end_time, document_id=None,
                line_start=None, line_end=None, source_url=p.source_url,
                reference_row=p.reference_row))
        for r in ref.roles:
            if r.full_name is None:
                self.flags.append(Flag(
                    "person_not_in_record", "warning",
                    f"Session {r.session_number} panel {r.panel_number}: the public record "
                    f"({r.source_url}) lists a {r.role} whose name is missing ({r.reference_row})",
                    r.session_number))
                continue
            honorific = r.honorific
            kind, rule = classify_organisation(r.affiliation)
            tables["roles"].append(dict(
                role_id=r.reference_row, person_id=person_id(r.full_name),
                listed_name=r.full_name, session_number=r.session_number,
                role=r.role, panel_number=r.panel_number, honorific=honorific,
                affiliation=r.affiliation, gender_as_listed=gender_as_listed(honorific),
                organisation_type=kind, organisation_rule=rule, document_id=None,
                line_start=None, line_end=None, source_url=r.source_url,
                reference_row=r.reference_row))
        for c in ref.participation:
            tables["participation"].append(dict(
                session_number=c.session_number, measure=c.measure, source=c.source_url,
                value=c.value, qualifier=c.qualifier, evidence=None, document_id=None,
                line_start=None, line_end=None, source_url=c.source_url,
                reference_row=c.reference_row, note=c.note))

    def _document_row(self, doc: LoadableDocument) -> dict:
        """The documents row of a parsed document: `partial`, with what is missing and a flag
        per gap, when the completeness cross-checks find a loss."""
        e, p = doc.extracted, doc.parsed
        completeness = assess(p, e.text or "")
        self.flags += [Flag("document_partial", "warning",
                            f"{e.document_id} is partial: {gap.message}", p.session_number,
                            e.document_id, gap.line_start) for gap in completeness.gaps]
        return dict(
            document_id=e.document_id, file_name=e.file_name, sha256=e.sha256,
            size_bytes=e.size_bytes, format=e.format, document_type=p.document_type,
            session_number=p.session_number, classified_by=p.classified_by,
            status=completeness.status, error=completeness.reason, duplicate_of=None,
            original_name=self.original_names.get(e.document_id),
            page_count=len(e.page_starts) if e.page_starts else None,
            facts_yielded=dict(completeness.facts_yielded))

    def _add(self, doc: LoadableDocument, tables: dict[str, list[dict]]) -> None:
        e, p = doc.extracted, doc.parsed
        doc_id = e.document_id
        tables["documents"].append(self._document_row(doc))
        for number, line_start in enumerate(e.page_starts, 1):
            tables["document_pages"].append(dict(document_id=doc_id, page_number=number,
                                                 line_start=line_start))
        for s in p.sessions:
            for fact in ("title", "city", "country", "venue", "start_date", "end_date"):
                value = getattr(s, fact)
                if value is None:
                    continue
                tables["session_facts"].append(dict(
                    session_number=s.session_number, fact=fact, source=doc_id,
                    value=value.isoformat() if hasattr(value, "isoformat") else value,
                    document_id=doc_id, line_start=s.line_start, line_end=s.line_end,
                    source_url=None, reference_row=None))
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
        self._add_roles(doc, tables)
        for c in p.participation:
            tables["participation"].append(dict(
                session_number=session, measure=c.measure, source=doc_id, value=c.value,
                qualifier=c.qualifier, evidence=c.evidence, document_id=doc_id,
                line_start=c.line_start, line_end=c.line_end, source_url=None,
                reference_row=None, note=None))
        for f in p.findings:
            self.flags.append(_flag_from_finding(f, session, doc_id))
        self._add_summary(doc, tables)

    def _add_roles(self, doc: LoadableDocument, tables: dict[str, list[dict]]) -> None:
        p, doc_id, session = doc.parsed, doc.extracted.document_id, doc.parsed.session_number
        seen_roles: set[tuple] = set()
        on_line: dict[int, int] = {}  # people named on one line ('Moderators: A and B')
        for r in p.roles:
            pid = person_id(r.full_name)
            if (pid, r.role, r.panel_number) in seen_roles:
                continue  # co-facilitators are named again on day 2: one role per document
            seen_roles.add((pid, r.role, r.panel_number))
            nth = on_line[r.line_start] = on_line.get(r.line_start, 0) + 1
            kind, rule = classify_organisation(r.affiliation)
            tables["roles"].append(dict(
                role_id=f"{doc_id}:{r.line_start}" + (f".{nth}" if nth > 1 else ""), person_id=pid, listed_name=r.full_name,
                session_number=session,
                role=r.role, panel_number=r.panel_number, honorific=r.honorific,
                affiliation=r.affiliation, gender_as_listed=gender_as_listed(r.honorific),
                organisation_type=kind, organisation_rule=rule, document_id=doc_id,
                line_start=r.line_start, line_end=r.line_end, source_url=None,
                reference_row=None))

    def _add_summary(self, doc: LoadableDocument, tables: dict[str, list[dict]]) -> None:
        """A summary's areas and recommendations, unless its session has them from another."""
        p, doc_id, session = doc.parsed, doc.extracted.document_id, doc.parsed.session_number
        if p.discussion_areas and session in self.summaries:
            self.flags.append(Flag(
                "second_summary", "warning",
                f"Session {session} already has its areas and recommendations from "
                f"{self.summaries[session]}; the {len(p.recommendations)} recommendations of "
                f"{doc_id} were not loaded (remove the version that is out of date)",
                session, doc_id))
            return
        if p.discussion_areas:
            self.summaries[session] = doc_id
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


def _flag_from_finding(finding: ParseFinding, session: int, document_id: str) -> Flag:
    return Flag(finding.check, finding.severity, finding.message, session, document_id,
                finding.line_start)


def insert_tables(con: duckdb.DuckDBPyConnection, tables: dict[str, list[dict]]) -> None:
    """Insert each table's rows (dicts of column -> value) into the fact tables, in FACT_TABLES order."""
    for table in FACT_TABLES:
        rows = tables.get(table)
        if not rows:
            continue
        batch = pa.Table.from_pylist(rows)  # noqa: F841 - read by DuckDB's replacement scan
        columns = ", ".join(rows[0])
        con.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM batch")


def load_documents(con: duckdb.DuckDBPyConnection, documents: list[LoadableDocument],
                   reference: ReferenceData, original_names: dict[str, str] | None = None,
                   kept_summaries: dict[int, str] | None = None
                   ) -> tuple[dict[str, str], list[Flag]]:
    """Insert the curated reference, then every parsed document's rows. Returns {document_id:
    error} for documents whose rows broke a constraint (they are left out whole), and the flags
    raised while building rows. `kept_summaries` names, per session, the summary (kept from
    the previous build) its areas still come from, so a parsed summary of that session is
    flagged as a second one. Reference rows are validated before; if they still break a
    constraint the build stops."""
    builder = RowBuilder(original_names or {})
    builder.summaries.update(kept_summaries or {})
    tables, builder = builder.rows([], reference)
    con.begin()
    insert_tables(con, tables)
    con.commit()
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


def keep_only(con: duckdb.DuckDBPyConnection, reused: list[str], original_names: dict[str, str],
              recomputed_checks: Iterable[str]) -> list[Flag]:
    """In a copy of the previous build's database: keep the rows of the `reused` documents and
    delete every other row (the curated reference, the other documents, every derived table),
    to be built again. Returns the kept documents' flags, but those of `recomputed_checks`,
    which run again over the new database. Their original names are set from today's
    manifest, which `gcmdash add` may have changed."""
    ids = pa.table({"document_id": pa.array(sorted(reused), pa.string())})  # noqa: F841 - scanned
    names = pa.table({"document_id": pa.array(list(original_names), pa.string()),  # noqa: F841
                      "original_name": pa.array(list(original_names.values()), pa.string())})
    con.execute("CREATE OR REPLACE TEMP TABLE kept_ids AS SELECT document_id FROM ids")
    # usually a handful: deleting by them is cheaper than keeping by the thousands kept
    con.execute("""CREATE OR REPLACE TEMP TABLE dropped_ids AS SELECT document_id
                   FROM main.documents ANTI JOIN kept_ids USING (document_id)""")
    flags = [Flag(*row) for row in con.execute("""
        SELECT check_name, severity, message, session_number, document_id, line_start
        FROM main.quality_flags
        WHERE document_id IN (SELECT document_id FROM kept_ids)
          AND NOT list_contains(?::VARCHAR[], check_name)""", [list(recomputed_checks)]).fetchall()]
    # DuckDB checks a foreign key against committed rows: the rows referring to a table are
    # deleted, and committed, before that table's rows.
    for level in _deletion_order(con):
        con.begin()
        for table in level:
            dropped = ("WHERE document_id IS NULL OR document_id IN "
                       "(SELECT document_id FROM dropped_ids)") if table in DOCUMENT_TABLES else ""
            con.execute(f"DELETE FROM main.{table} {dropped}")
        con.commit()
    con.execute("""
        UPDATE main.documents AS d SET original_name = n.original_name
        FROM (SELECT k.document_id, m.original_name FROM kept_ids AS k
              LEFT JOIN names AS m USING (document_id)) AS n
        WHERE d.document_id = n.document_id AND d.original_name IS DISTINCT FROM n.original_name""")
    return flags


def _deletion_order(con: duckdb.DuckDBPyConnection) -> list[list[str]]:
    """The database's tables in levels: each table after every table whose foreign keys
    refer to it."""
    tables = [r[0] for r in con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() "
        "AND schema_name = 'main' AND NOT temporary").fetchall()]
    referring: dict[str, set[str]] = {t: set() for t in tables}
    for child, parent in con.execute(
            "SELECT table_name, referenced_table FROM duckdb_constraints() "
            "WHERE constraint_type = 'FOREIGN KEY' AND database_name = current_database()"
    ).fetchall():
        if child != parent:
            referring[parent].add(child)
    levels: list[list[str]] = []
    done: set[str] = set()
    while len(done) < len(tables):
        level = sorted(t for t in tables if t not in done and referring[t] <= done)
        if not level:
            raise RuntimeError(f"foreign keys form a cycle among {sorted(set(tables) - done)}")
        levels.append(level)
        done |= set(level)
    return levels


def insert_unloaded_documents(con: duckdb.DuckDBPyConnection, unloaded: list[NotLoaded],
                              original_names: dict[str, str]) -> None:
    """Documents row for every file whose facts are not in the database, with why."""
    rows = [dict(document_id=n.document.document_id, file_name=n.document.file_name,
                 sha256=n.document.sha256, size_bytes=n.document.size_bytes,
                 format=n.document.format, document_type=None, session_number=None,
                 classified_by=None, status=n.status, error=n.reason, duplicate_of=n.duplicate_of,
                 original_name=original_names.get(n.document.document_id), page_count=None)
            for n in unloaded]
    insert_tables(con, {"documents": rows})


def insert_flags(con: duckdb.DuckDBPyConnection, flags: list[Flag]) -> None:
    """Insert the distinct flags into quality_flags, sorted, numbered from 1."""
    ordered = sorted(set(flags), key=lambda f: (f.check_name, f.session_number or 0,
                                                f.document_id or "", f.line_start or 0, f.message))
    rows = [dict(flag_id=i, check_name=f.check_name, severity=f.severity,
                 session_number=f.session_number, document_id=f.document_id,
                 line_start=f.line_start, message=f.message) for i, f in enumerate(ordered, 1)]
    insert_tables(con, {"quality_flags": rows})


def insert_build_info(con: duckdb.DuckDBPyConnection, info: dict[str, str]) -> None:
    """Insert the build's (key, value) facts into build_info, sorted by key."""
    con.executemany("INSERT INTO build_info VALUES (?, ?)", sorted(info.items()))
