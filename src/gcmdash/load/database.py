"""Records -> DuckDB. Only writes; the schema comes from schema.sql, never from a DataFrame.

Loading is one bulk insert per table, of rows built as tuples and handed to DuckDB as Arrow
columns; what a row derives from a value alone is computed once per distinct value. When the
bulk insert breaks a constraint, each document is loaded in its own transaction instead, so one
bad document is marked failed and the rest load.

Every row built here belongs to one document (or to the curated reference), so an incremental
build starts from a copy of the previous database and keeps the rows of the documents it reuses
(`keep_only`) instead of building them again. What depends on several documents at once
(people, resolved sessions, coverage, checks) is derived afterwards, in SQL (gcmdash/derive/resolve.py).
"""
from __future__ import annotations

import dataclasses
import functools
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from operator import itemgetter

import duckdb
import pyarrow as pa

from gcmdash.config import SCHEMA_PATH
from gcmdash.derive.organisations import classify_organisation
from gcmdash.extract.formats import ExtractedDocument
from gcmdash.load.reference import ReferenceData
from gcmdash.parse.completeness import assess
from gcmdash.parse.people import gender_as_listed, person_id
from gcmdash.provenance import SOURCE_PRECEDENCE  # documents load in this order
from gcmdash.records import Completeness, Flag, PanelTitle, ParsedDocument, ParseFinding

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

    def __post_init__(self) -> None:
        # Only the document's facts are written (insert_unloaded_documents), never its text:
        # a duplicate's or a failed parse's text is let go here, not carried to the load.
        if self.document.text is not None:
            object.__setattr__(self, "document", dataclasses.replace(self.document, text=None))


@dataclass(frozen=True)
class LoadableDocument:
    """A document ready to load: its extraction and what the parser read from it. No table
    holds the text: `without_text` keeps what the load needs of it (the completeness checks)
    and lets the text go, which a corpus of 100,000 documents cannot keep in memory."""

    extracted: ExtractedDocument
    parsed: ParsedDocument
    completeness: Completeness | None = None  # None: assessed from extracted.text when loaded

    @classmethod
    def without_text(cls, extracted: ExtractedDocument, parsed: ParsedDocument
                     ) -> "LoadableDocument":
        """The document assessed now (parse/completeness.py), its extraction kept without text."""
        return cls(dataclasses.replace(extracted, text=None), parsed,
                   assess(parsed, extracted.text or ""))


def create_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create the database tables from the schema file, in one transaction."""
    con.execute("BEGIN TRANSACTION;\n" + SCHEMA_PATH.read_text(encoding="utf-8") + "\nCOMMIT;")


def load_order(documents: list[LoadableDocument]) -> list[LoadableDocument]:
    """The documents in loading order: by document kind (SOURCE_PRECEDENCE), then document id."""
    return sorted(documents, key=lambda d: (SOURCE_PRECEDENCE[d.parsed.document_type],
                                            d.extracted.document_id))


# Each table's columns, in the order RowBuilder lays out a row's values.
COLUMNS: dict[str, tuple[str, ...]] = {
    "documents": ("document_id", "file_name", "sha256", "size_bytes", "format", "document_type",
                  "session_number", "classified_by", "status", "error", "duplicate_of",
                  "original_name", "page_count", "facts_yielded"),
    "document_pages": ("document_id", "page_number", "line_start"),
    "session_facts": ("session_number", "fact", "source", "value", "document_id", "line_start",
                      "line_end", "source_url", "reference_row"),
    "agenda_items": ("document_id", "session_number", "day_number", "start_time", "end_time",
                     "item_type", "panel_number", "title", "description", "day_inferred",
                     "line_start", "line_end"),
    "format_rules": ("document_id", "session_number", "rule", "min_value", "max_value", "unit",
                     "evidence", "line_start", "line_end"),
    "roles": ("role_id", "person_id", "listed_name", "session_number", "role", "panel_number",
              "honorific", "affiliation", "gender_as_listed", "organisation_type",
              "organisation_rule", "document_id", "line_start", "line_end", "source_url",
              "reference_row"),
    "participation": ("session_number", "measure", "source", "value", "qualifier", "evidence",
                      "document_id", "line_start", "line_end", "source_url", "reference_row",
                      "note"),
    "discussion_areas": ("session_number", "area_letter", "heading", "narrative", "document_id",
                         "line_start", "line_end"),
    "recommendations": ("recommendation_id", "session_number", "area_letter", "position", "text",
                        "document_id", "line_start", "line_end"),
    "panels": ("session_number", "panel_number", "source", "title", "start_time", "end_time",
               "document_id", "line_start", "line_end", "source_url", "reference_row"),
    "quality_flags": ("flag_id", "check_name", "severity", "session_number", "document_id",
                      "line_start", "message"),
}
SESSION_FACTS = ("title", "city", "country", "venue", "start_date", "end_date")


def arrow_table(table: str, rows: list[tuple]) -> pa.Table:
    """A table's rows (tuples in COLUMNS[table] order) as an Arrow table, one array per column
    (each column's type inferred from its values, as pyarrow infers it for any list)."""
    columns = COLUMNS[table]
    if not rows:
        return pa.table({name: pa.array([], pa.null()) for name in columns})
    return pa.Table.from_arrays([pa.array(list(map(itemgetter(i), rows)))
                                 for i in range(len(columns))], names=list(columns))


class _Lookups:
    """What a row needs from a value alone (organisation rules, person ids, gender as listed),
    computed once per distinct value: 43,000 affiliations of a corpus may have 6 values."""

    def __init__(self) -> None:
        self.organisation = functools.lru_cache(maxsize=None)(classify_organisation)
        self.person_id = functools.lru_cache(maxsize=None)(person_id)
        self.gender = functools.lru_cache(maxsize=None)(gender_as_listed)


class RowBuilder:
    """Turns parsed documents and curated reference rows into table rows, remembering which
    summary each session's areas and recommendations came from."""

    def __init__(self, original_names: dict[str, str]) -> None:
        self.original_names = original_names  # document_id -> name before `gcmdash add`
        self.flags: list[Flag] = []
        # session -> the summary its areas and recommendations come from (one per session:
        # recommendation ids like s3-g-03 name the session, not the document); an engine that
        # builds rows batch by batch sets it beforehand (gcmdash/runner/dask_engine.py)
        self.summaries: dict[int, str] = {}
        self._lookups = _Lookups()

    def _copy(self) -> "RowBuilder":
        state = RowBuilder(self.original_names)
        state.flags, state.summaries = list(self.flags), dict(self.summaries)
        state._lookups = self._lookups  # pure: shared by every copy
        return state

    def rows(self, documents: list[LoadableDocument], reference: ReferenceData | None = None
             ) -> tuple[dict[str, pa.Table], "RowBuilder"]:
        """Rows for these documents (and reference), one Arrow table per non-empty table;
        returns them and the builder state after."""
        state = self._copy()
        tables: dict[str, list[tuple]] = defaultdict(list)
        if reference is not None:
            state._add_reference(reference, tables)
        for doc in load_order(documents):
            state._add(doc, tables)
        # each table's tuples go as soon as its columns are made: at most one table is in both
        columns = {table: arrow_table(table, tables.pop(table)) for table in list(tables)
                   if tables[table]}
        return columns, state

    def _add_reference(self, ref: ReferenceData, tables: dict[str, list[tuple]]) -> None:
        for s in ref.sessions:
            for fact, value in s.facts:
                tables["session_facts"].append((
                    s.session_number, fact, s.source_url or s.reference_row, value, None, None,
                    None, s.source_url, s.reference_row))
            if s.source_url is None:
                self.flags.append(Flag(
                    "reference_without_source", "info",
                    f"{s.reference_row} gives session {s.session_number}'s short name "
                    f"'{dict(s.facts).get('short_name')}' without a source URL (an editorial label)",
                    s.session_number))
        tables["panels"] += [(p.session_number, p.panel_number, p.source_url, p.title,
                              p.start_time, p.end_time, None, None, None, p.source_url,
                              p.reference_row) for p in ref.panels]
        for r in ref.roles:
            if r.full_name is None:
                self.flags.append(Flag(
                    "person_not_in_record", "warning",
                    f"Session {r.session_number} panel {r.panel_number}: the public record "
                    f"({r.source_url}) lists a {r.role} whose name is missing ({r.reference_row})",
                    r.session_number))
                continue
            kind, rule = self._lookups.organisation(r.affiliation)
            tables["roles"].append((
                r.reference_row, self._lookups.person_id(r.full_name), r.full_name,
                r.session_number, r.role, r.panel_number, r.honorific, r.affiliation,
                self._lookups.gender(r.honorific), kind, rule, None, None, None, r.source_url,
                r.reference_row))
        tables["participation"] += [(c.session_number, c.measure, c.source_url, c.value,
                                     c.qualifier, None, None, None, None, c.source_url,
                                     c.reference_row, c.note) for c in ref.participation]

    def _document_row(self, doc: LoadableDocument) -> tuple:
        """The documents row of a parsed document: `partial`, with what is missing and a flag
        per gap, when the completeness cross-checks find a loss."""
        e, p = doc.extracted, doc.parsed
        completeness = doc.completeness or assess(p, e.text or "")
        self.flags += [Flag("document_partial", "warning",
                            f"{e.document_id} is partial: {gap.message}", p.session_number,
                            e.document_id, gap.line_start) for gap in completeness.gaps]
        return (e.document_id, e.file_name, e.sha256, e.size_bytes, e.format, p.document_type,
                p.session_number, p.classified_by, completeness.status, completeness.reason,
                None, self.original_names.get(e.document_id),
                len(e.page_starts) if e.page_starts else None, dict(completeness.facts_yielded))

    def _add(self, doc: LoadableDocument, tables: dict[str, list[tuple]]) -> None:
        e, p = doc.extracted, doc.parsed
        doc_id, session = e.document_id, p.session_number
        tables["documents"].append(self._document_row(doc))
        tables["document_pages"] += [(doc_id, number, line_start)
                                     for number, line_start in enumerate(e.page_starts, 1)]
        for s in p.sessions:
            for fact in SESSION_FACTS:
                value = getattr(s, fact)
                if value is not None:
                    tables["session_facts"].append((
                        s.session_number, fact, doc_id,
                        value.isoformat() if hasattr(value, "isoformat") else value,
                        doc_id, s.line_start, s.line_end, None, None))
        tables["agenda_items"] += [
            (doc_id, session, a.day_number, a.start_time, a.end_time, a.item_type,
             a.panel_number, a.title, a.description, a.day_inferred, a.line_start, a.line_end)
            for a in p.agenda_items]
        tables["format_rules"] += [
            (doc_id, session, r.rule, r.min_value, r.max_value, r.unit, r.evidence,
             r.line_start, r.line_end) for r in p.format_rules]
        # panels stated without times; a timed panel's row comes from its agenda item
        # a panel number listed twice is its first listing, whichever parser gave it (the
        # agenda parser flags the repeat as panel_repeated)
        first_listings: dict[int, PanelTitle] = {}
        for t in sorted(p.panels, key=lambda t: t.line_start):
            first_listings.setdefault(t.panel_number, t)
        tables["panels"] += [(session, t.panel_number, doc_id, t.title, None, None, doc_id,
                              t.line_start, t.line_end, None, None)
                             for t in first_listings.values()]
        self._add_roles(doc, tables)
        tables["participation"] += [
            (session, c.measure, doc_id, c.value, c.qualifier, c.evidence, doc_id,
             c.line_start, c.line_end, None, None, None) for c in p.participation]
        self.flags += [_flag_from_finding(f, session, doc_id) for f in p.findings]
        self._add_summary(doc, tables)

    def _add_roles(self, doc: LoadableDocument, tables: dict[str, list[tuple]]) -> None:
        p, doc_id, session = doc.parsed, doc.extracted.document_id, doc.parsed.session_number
        lookups = self._lookups
        seen_roles: set[tuple] = set()
        on_line: dict[int, int] = {}  # people named on one line ('Moderators: A and B')
        for r in p.roles:
            pid = lookups.person_id(r.full_name)
            if (pid, r.role, r.panel_number) in seen_roles:
                continue  # co-facilitators are named again on day 2: one role per document
            seen_roles.add((pid, r.role, r.panel_number))
            nth = on_line[r.line_start] = on_line.get(r.line_start, 0) + 1
            kind, rule = lookups.organisation(r.affiliation)
            tables["roles"].append((
                f"{doc_id}:{r.line_start}" + (f".{nth}" if nth > 1 else ""), pid, r.full_name,
                session, r.role, r.panel_number, r.honorific, r.affiliation,
                lookups.gender(r.honorific), kind, rule, doc_id, r.line_start, r.line_end,
                None, None))

    def _add_summary(self, doc: LoadableDocument, tables: dict[str, list[tuple]]) -> None:
        """A summary's areas and recommendations, unless its session has them from another."""
        p, doc_id, session = doc.parsed, doc.extracted.document_id, doc.parsed.session_number
        if p.discussion_areas and self.summaries.get(session, doc_id) != doc_id:
            self.flags.append(Flag(
                "second_summary", "warning",
                f"Session {session} already has its areas and recommendations from "
                f"{self.summaries[session]}; the {len(p.recommendations)} recommendations of "
                f"{doc_id} were not loaded (remove the version that is out of date)",
                session, doc_id))
            return
        if p.discussion_areas:
            self.summaries[session] = doc_id
        tables["discussion_areas"] += [
            (session, a.area_letter, a.heading, a.narrative, doc_id, a.line_start, a.line_end)
            for a in p.discussion_areas]
        tables["recommendations"] += [
            (f"s{session}-{r.area_letter}-{r.position:02d}", session, r.area_letter, r.position,
             r.text, doc_id, r.line_start, r.line_end) for r in p.recommendations]


def _flag_from_finding(finding: ParseFinding, session: int, document_id: str) -> Flag:
    return Flag(finding.check, finding.severity, finding.message, session, document_id,
                finding.line_start)


def insert_tables(con: duckdb.DuckDBPyConnection, tables: dict[str, pa.Table]) -> None:
    """Insert each table's Arrow rows into the fact tables, in FACT_TABLES order: one bulk
    INSERT ... SELECT per table, into the constrained schema."""
    for table in FACT_TABLES:
        batch = tables.get(table)  # read by DuckDB's replacement scan
        if batch is None or not batch.num_rows:
            continue
        columns = ", ".join(batch.column_names)
        con.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM batch")


def insert_parquet(con: duckdb.DuckDBPyConnection, files: dict[str, list[str]]) -> None:
    """Insert the rows that RowBuilder.rows built and were written as Parquet (table -> files,
    each file one table's rows; gcmdash/runner/dask_engine.py), in FACT_TABLES order: one bulk
    INSERT ... SELECT per table, DuckDB reading the files."""
    for table in FACT_TABLES:
        if files.get(table):
            columns = ", ".join(COLUMNS[table])
            con.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} "
                        "FROM read_parquet(?, union_by_name = true)", [sorted(files[table])])


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
    levels, referring = _deletion_order(con)
    # A table emptied whole is dropped and created again from its own definition: committing
    # the deletion of every row costs DuckDB about 4 us a row (0.45 s of a one-file rebuild at
    # 10,000 documents), a drop almost nothing. Only a table nothing kept refers to can go.
    whole = [t for level in levels for t in level if t not in DOCUMENT_TABLES]
    droppable = [t for t in whole if referring[t] <= set(whole)]
    definitions = dict(con.execute(
        "SELECT table_name, sql FROM duckdb_tables() WHERE database_name = current_database() "
        "AND schema_name = 'main' AND NOT temporary").fetchall())
    con.begin()
    for table in droppable:  # referring tables first
        con.execute(f"DROP TABLE main.{table}")
    for table in reversed(droppable):
        con.execute(definitions[table])
    con.commit()
    # DuckDB checks a foreign key against committed rows: the rows referring to a table are
    # deleted, and committed, before that table's rows.
    for level in levels:
        level = [t for t in level if t not in droppable]
        if not level:
            continue
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


def _deletion_order(con: duckdb.DuckDBPyConnection
                    ) -> tuple[list[list[str]], dict[str, set[str]]]:
    """The database's tables in levels, each table after every table whose foreign keys
    refer to it; and for each table, the tables that refer to it."""
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
    return levels, referring


def insert_unloaded_documents(con: duckdb.DuckDBPyConnection, unloaded: list[NotLoaded],
                              original_names: dict[str, str]) -> None:
    """Documents row for every file whose facts are not in the database, with why."""
    rows = [(n.document.document_id, n.document.file_name, n.document.sha256,
             n.document.size_bytes, n.document.format, None, None, None, n.status, n.reason,
             n.duplicate_of, original_names.get(n.document.document_id), None, None)
            for n in unloaded]
    insert_tables(con, {"documents": arrow_table("documents", rows)})


def insert_flags(con: duckdb.DuckDBPyConnection, flags: list[Flag]) -> None:
    """Insert the distinct flags into quality_flags, sorted, numbered from 1."""
    ordered = sorted(set(flags), key=lambda f: (f.check_name, f.session_number or 0,
                                                f.document_id or "", f.line_start or 0, f.message))
    rows = [(i, f.check_name, f.severity, f.session_number, f.document_id, f.line_start,
             f.message) for i, f in enumerate(ordered, 1)]
    insert_tables(con, {"quality_flags": arrow_table("quality_flags", rows)})


def insert_build_info(con: duckdb.DuckDBPyConnection, info: dict[str, str]) -> None:
    """Insert the build's (key, value) facts into build_info, sorted by key."""
    con.executemany("INSERT INTO build_info VALUES (?, ?)", sorted(info.items()))
