"""Tables derived from the loaded facts, in SQL: people and the person directory, resolved
sessions, parsed panels, record coverage. They depend on several documents at once, so they
are derived here, after every document's rows are in, rather than while one document's rows
are built.

Runs after load and before the checks. Nothing here chooses silently: every source stays in
session_facts / panels / participation, and the checks flag where sources disagree.
"""
from __future__ import annotations

import duckdb

from gcmdash import vocab
from gcmdash.derive.names import match_names
from gcmdash.provenance import (
    SOURCE_LABEL,
    agreed_gender,
    curated_last,
    document_kind_rank,
)

# Which source a session's resolved row takes each fact from: the session's own documents
# (procedural note, programme, summary), then the curated public record, then announcements in
# other sessions' documents (the session-3 summary announced the stocktaking in Guadalajara;
# the record says it was held in Puerto Vallarta).
SOURCE_RANK_SQL = f"""
    CASE WHEN f.document_id IS NULL THEN 10
         WHEN d.session_number = f.session_number THEN {document_kind_rank('d.document_type')}
         ELSE 20 END
"""

# One person per person_id; shown with the spelling that keeps most accents ('Iván Martín' over
# 'Ivan Martin'), on a tie the first in load order (documents by kind then id, lines in order;
# curated rows last, in file order); a name matched approximately (derive/names.py) is never
# the display form. name_key is person_id with spaces: both come from
# gcmdash.parse.people.name_key.
RESOLVE_PEOPLE = rf"""
    INSERT INTO people
    SELECT r.person_id,
           first(r.listed_name ORDER BY
                 (m.role_id IS NOT NULL),
                 length(regexp_replace(r.listed_name, '[\x00-\x7F]', '', 'g')) DESC,
                 {curated_last('r')},
                 {document_kind_rank('d.document_type')},
                 r.document_id, r.line_start,
                 TRY_CAST(split_part(r.reference_row, ':', -1) AS INTEGER), r.reference_row),
           replace(r.person_id, '-', ' ')
    FROM roles r LEFT JOIN documents d USING (document_id)
    LEFT JOIN name_matches m ON m.role_id = r.role_id AND m.status = 'approximate'
    GROUP BY r.person_id
"""

# The person directory: each person's roles, affiliations, kinds of organisation and sources,
# aggregated once here instead of on every dashboard view (at 10,000 documents the people view
# spent 110-140 ms doing this). Aggregates over each person's distinct role facts, far fewer
# rows than roles when the same person is listed in many documents.
RESOLVE_PERSON_DIRECTORY = f"""
    INSERT INTO person_directory
    WITH facets AS (
        SELECT DISTINCT person_id, session_number, role, panel_number, affiliation, honorific,
                        gender_as_listed, organisation_type
        FROM roles
    ), sources AS (
        SELECT person_id, list(DISTINCT label ORDER BY label) AS sources
        FROM (SELECT r.person_id, {SOURCE_LABEL.format(t='r')} AS label FROM roles AS r)
        GROUP BY person_id
    ), per_person AS (
        SELECT
            person_id,
            list_sort(list(DISTINCT {{'session_number': session_number, 'role': role,
                                     'panel_number': panel_number}})) AS roles,
            coalesce(list(DISTINCT affiliation ORDER BY affiliation)
                         FILTER (WHERE affiliation IS NOT NULL), []) AS affiliations,
            coalesce(list(DISTINCT honorific ORDER BY honorific)
                         FILTER (WHERE honorific IS NOT NULL), []) AS honorifics,
            {agreed_gender()} AS gender_as_listed,
            list(DISTINCT organisation_type ORDER BY organisation_type) AS organisation_types,
            list(DISTINCT session_number ORDER BY session_number) AS session_numbers
        FROM facets
        GROUP BY person_id
    )
    SELECT p.person_id, p.full_name, p.name_key, pp.roles, pp.affiliations, pp.honorifics,
           pp.gender_as_listed, pp.organisation_types, pp.session_numbers, s.sources
    FROM people AS p JOIN per_person AS pp USING (person_id) JOIN sources AS s USING (person_id)
"""

RESOLVE_SESSIONS = f"""
    INSERT INTO sessions
    WITH ranked AS (
        SELECT f.*, {SOURCE_RANK_SQL} AS rank FROM session_facts f LEFT JOIN documents d USING (document_id)
    ), best AS (
        SELECT session_number, fact, first(value ORDER BY rank, source) AS value
        FROM ranked GROUP BY session_number, fact
    ), provenance AS (
        SELECT session_number,
               first(document_id ORDER BY rank, source) FILTER (WHERE document_id IS NOT NULL) AS document_id,
               first(line_start ORDER BY rank, source) FILTER (WHERE document_id IS NOT NULL) AS line_start,
               first(line_end ORDER BY rank, source) FILTER (WHERE document_id IS NOT NULL) AS line_end,
               first(source_url ORDER BY source) FILTER (WHERE source_url IS NOT NULL) AS source_url,
               first(value ORDER BY rank, source) FILTER (WHERE fact = 'city' AND rank = 20) AS announced_city
        FROM ranked GROUP BY session_number
    )
    SELECT p.session_number,
           max(value) FILTER (WHERE fact = 'title'),
           max(value) FILTER (WHERE fact = 'short_name'),
           max(value) FILTER (WHERE fact = 'city'),
           max(value) FILTER (WHERE fact = 'country'),
           max(value) FILTER (WHERE fact = 'venue'),
           CAST(max(value) FILTER (WHERE fact = 'start_date') AS DATE),
           CAST(max(value) FILTER (WHERE fact = 'end_date') AS DATE),
           p.document_id, p.line_start, p.line_end, p.source_url,
           CASE WHEN p.announced_city <> max(value) FILTER (WHERE fact = 'city') THEN p.announced_city END
    FROM provenance p JOIN best b USING (session_number)
    GROUP BY p.session_number, p.document_id, p.line_start, p.line_end, p.source_url, p.announced_city
"""

# A document's panels are its agenda's panel rows (and the panels it states without times,
# loaded with the document). An incremental build keeps the panels of the documents it keeps
# (deleting a table's rows costs more than copying a document's), so only a document's panels
# without a row yet get one.
PARSED_PANELS = """
    INSERT INTO panels
    SELECT a.session_number, a.panel_number, a.document_id, a.title, a.start_time, a.end_time,
           a.document_id, a.line_start, a.line_end, NULL, NULL
    FROM agenda_items a
    WHERE a.item_type = 'panel'
      AND NOT EXISTS (SELECT 1 FROM panels p WHERE p.source = a.document_id
                      AND p.session_number = a.session_number AND p.panel_number = a.panel_number)
    -- a panel number listed twice is the first row (parse/agenda.py flags panel_repeated)
    QUALIFY row_number() OVER (PARTITION BY a.session_number, a.panel_number, a.document_id
                               ORDER BY a.line_start) = 1
"""

# (item, SQL giving session_number and the sources holding it)
COVERAGE_ITEMS: tuple[tuple[str, str], ...] = (
    *((kind, f"SELECT session_number, document_id FROM documents WHERE status IN ({vocab.sql_list(vocab.STATUSES_WITH_FACTS)}) AND document_type = '{kind}'")
      for kind in vocab.values(vocab.COVERAGE_ITEMS) if kind in vocab.values(vocab.DOCUMENT_KINDS)),
    ("dates", "SELECT session_number, source FROM session_facts WHERE fact = 'start_date'"),
    ("venue", "SELECT session_number, source FROM session_facts WHERE fact IN ('venue', 'city')"),
    ("agenda", "SELECT session_number, document_id FROM agenda_items"),
    ("panel_titles", "SELECT session_number, source FROM panels WHERE title IS NOT NULL"),
    ("panel_people", "SELECT session_number, coalesce(document_id, source_url) FROM roles WHERE role IN (" + vocab.sql_list(vocab.PANEL_ROLES) + ")"),
    ("participation_counts", "SELECT session_number, source FROM participation"),
)


def record_coverage_sql() -> str:
    """The INSERT that fills record_coverage: for each session and item of the record, whether
    a document or curated row holds it, and which."""
    held = " UNION ALL ".join(f"SELECT '{item}', * FROM ({sql})" for item, sql in COVERAGE_ITEMS)
    return f"""
        INSERT INTO record_coverage
        WITH held(item, session_number, source) AS ({held})
        SELECT s.session_number, i.item,
               CASE WHEN count(h.source) > 0 THEN 'present' ELSE 'missing' END,
               string_agg(DISTINCT h.source, ', ' ORDER BY h.source)
        FROM sessions s
        CROSS JOIN (SELECT unnest(?::VARCHAR[]) AS item) i
        LEFT JOIN held h ON h.session_number = s.session_number AND h.item = i.item
        GROUP BY s.session_number, i.item
    """


def resolve(con: duckdb.DuckDBPyConnection) -> None:
    """Derive what depends on several documents, in SQL: people, the person directory,
    resolved sessions, parsed panels and the record coverage. Names read with OCR noise are
    matched to known people first."""
    match_names(con)
    con.execute(RESOLVE_PEOPLE)
    con.execute(RESOLVE_PERSON_DIRECTORY)
    con.execute(RESOLVE_SESSIONS)
    con.execute(PARSED_PANELS)
    con.execute(record_coverage_sql(), [[item for item, _ in COVERAGE_ITEMS]])
