"""The only SQL the dashboard runs: one function per table or chart.

Each function takes a DuckDB connection (or cursor) first, runs on its own cursor with bound
parameters only, and returns a pandas DataFrame whose columns are listed in its docstring.
Nothing here formats values for display: that is `dashboard.tables` and `dashboard.charts`.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import duckdb
import pandas as pd

# The consultation process: six informal thematic sessions (1-6) and the stocktaking meeting (7).
# Every session-by-session view lists all seven, so a session the record lacks shows as missing.
SESSION_NUMBERS: tuple[int, ...] = tuple(range(1, 8))

# The measures every participation view shows, in display order, whether or not any session
# reports them. Other measures found in the data follow these, alphabetically.
CORE_MEASURES: tuple[str, ...] = (
    "member_states_attended",
    "member_state_interventions",
    "un_agencies",
    "non_governmental_stakeholders",
    "informal_dialogue_stakeholders",
)

# Kinds of organisation in display order (the CHECK on roles.organisation_type).
ORGANISATION_TYPES: tuple[str, ...] = (
    "government", "un_system", "other_intergovernmental", "academia_research",
    "civil_society_ngo", "private_sector", "other",
)

# What record_coverage says each session holds or lacks, in display order.
COVERAGE_ITEMS: tuple[str, ...] = (
    "procedural_note", "programme_of_work", "summary", "dates", "venue", "agenda",
    "panel_titles", "panel_people", "participation_counts",
)

# Roles in display order (the CHECK on roles.role).
ROLES: tuple[str, ...] = (
    "co_facilitator", "secretary_general", "moderator", "panelist", "thematic_expert",
)

# "003_caee5c70cc5473e9.txt, line 11", "..., lines 12–13", or the curated page's URL.
_SOURCE_LABEL = """
    CASE
        WHEN {t}.document_id IS NOT NULL AND {t}.line_start IS NOT NULL THEN
            {t}.document_id || CASE
                WHEN {t}.line_end IS NOT NULL AND {t}.line_end > {t}.line_start
                    THEN ', lines ' || {t}.line_start || '–' || {t}.line_end
                ELSE ', line ' || {t}.line_start
            END
        WHEN {t}.document_id IS NOT NULL THEN {t}.document_id
        ELSE {t}.source_url
    END"""

# One participation row per (session, measure): parsed documents before curated pages, then by
# source, so a chart shows one bar and can name the sources that disagree with it.
_RANKED_PARTICIPATION = f"""
    SELECT
        p.*,
        {_SOURCE_LABEL.format(t='p')} AS source_label,
        row_number() OVER (
            PARTITION BY p.session_number, p.measure
            ORDER BY (p.document_id IS NULL), p.source
        ) AS source_rank,
        count(*) OVER (PARTITION BY p.session_number, p.measure) AS source_count
    FROM participation AS p"""


def _frame(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] = ()) -> pd.DataFrame:
    """Run one statement on a fresh cursor (safe across Streamlit's threads)."""
    with con.cursor() as cur:
        return cur.execute(sql, list(params)).df()


def sessions(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """All seven sessions of the process, whether or not the record has them.

    Columns: session_number, in_record (FALSE when no document gives the session),
    title, short_name, city, planned_city (announced city, when it differs), country, venue,
    start_date, end_date, document_id, line_start, line_end, source_url, source_label (provenance of the row: the
    document and its lines, and the curated page when there is one too),
    document_count (loaded documents about the session),
    member_states_attended, member_states_attended_qualifier (the headline count, NULL when
    not reported; from a parsed document before a curated page).
    """
    return _frame(con, f"""
        WITH numbers AS (SELECT unnest(?::INTEGER[]) AS session_number),
        documents_per_session AS (
            SELECT session_number, count(*) AS document_count
            FROM documents WHERE status = 'loaded' GROUP BY session_number
        ),
        attended AS (
            SELECT session_number, value, qualifier
            FROM ({_RANKED_PARTICIPATION})
            WHERE measure = 'member_states_attended' AND source_rank = 1
        )
        SELECT
            n.session_number,
            s.session_number IS NOT NULL AS in_record,
            s.title, s.short_name, s.city, s.planned_city, s.country, s.venue,
            s.start_date, s.end_date,
            s.document_id, s.line_start, s.line_end, s.source_url,
            nullif(concat_ws('; ', {_SOURCE_LABEL.format(t='s')},
                             CASE WHEN s.document_id IS NOT NULL THEN s.source_url END), '')
                AS source_label,
            coalesce(d.document_count, 0) AS document_count,
            a.value AS member_states_attended,
            a.qualifier AS member_states_attended_qualifier
        FROM numbers AS n
        LEFT JOIN sessions AS s USING (session_number)
        LEFT JOIN documents_per_session AS d USING (session_number)
        LEFT JOIN attended AS a USING (session_number)
        ORDER BY n.session_number
    """, [list(SESSION_NUMBERS)])


def participation(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every participation count as stated, one row per session, measure and source.

    Columns: session_number, measure, source, value, qualifier (exact / more_than /
    approximately), evidence (the sentence, when parsed), note (the curator's note, when
    curated), document_id, line_start, line_end, source_url, reference_row (curated file and
    row), source_label ("003_caee5c70cc5473e9.txt, line 11", "..., lines 12–13" or the URL).
    """
    return _frame(con, f"""
        SELECT
            session_number, measure, source, value, qualifier, evidence, note,
            document_id, line_start, line_end, source_url, reference_row,
            {_SOURCE_LABEL.format(t='p')} AS source_label
        FROM participation AS p
        ORDER BY session_number,
                 coalesce(list_position(?::VARCHAR[], measure), 1000), measure, source
    """, [list(CORE_MEASURES)])


def participation_matrix(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every session (1-7) x every measure, so that a count the record lacks is an explicit
    NULL, never 0. Measures: CORE_MEASURES, then any other measure in the data.

    Where several sources give a count, the row holds the first (parsed document before
    curated page) and other_sources lists the rest.

    Columns: session_number, session_in_record (FALSE when the sessions table lacks it),
    measure, value (NULL = not reported), qualifier, evidence, source_label,
    source_count (0 when not reported), other_sources (list of {value, qualifier,
    source_label}; empty when one source or none).
    """
    return _frame(con, f"""
        WITH numbers AS (SELECT unnest(?::INTEGER[]) AS session_number),
        measure_names AS (
            SELECT unnest(?::VARCHAR[]) AS measure
            UNION
            SELECT DISTINCT measure FROM participation
        ),
        ranked AS ({_RANKED_PARTICIPATION}),
        others AS (
            SELECT session_number, measure,
                   list({{'value': value, 'qualifier': qualifier,
                          'source_label': source_label}} ORDER BY source_rank) AS other_sources
            FROM ranked WHERE source_rank > 1
            GROUP BY session_number, measure
        )
        SELECT
            n.session_number,
            s.session_number IS NOT NULL AS session_in_record,
            m.measure,
            r.value, r.qualifier, r.evidence, r.source_label,
            coalesce(r.source_count, 0) AS source_count,
            coalesce(o.other_sources, []) AS other_sources
        FROM numbers AS n
        CROSS JOIN measure_names AS m
        LEFT JOIN sessions AS s ON s.session_number = n.session_number
        LEFT JOIN ranked AS r
            ON r.session_number = n.session_number AND r.measure = m.measure
            AND r.source_rank = 1
        LEFT JOIN others AS o
            ON o.session_number = n.session_number AND o.measure = m.measure
        ORDER BY n.session_number,
                 coalesce(list_position(?::VARCHAR[], m.measure), 1000), m.measure
    """, [list(SESSION_NUMBERS), list(CORE_MEASURES), list(CORE_MEASURES)])


def panel_composition(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Who had which role in each session of the record, by gender as listed.

    Counted per distinct person per session and role, not per document: a person named in the
    programme and again in the summary counts once. A person's gender_as_listed is the
    gendered honorific (Ms./Mr.) any of the session's documents gives; 'unknown' when none
    does or when documents disagree (female in one, male in another).

    A session in the record with nobody listed appears once with role and counts NULL.

    Columns: session_number, role (NULL = no list of speakers in the record),
    female_count, male_count, unknown_count, person_count (their sum).
    """
    return _frame(con, """
        WITH per_person AS (
            SELECT
                session_number, role, person_id,
                CASE
                    WHEN count(DISTINCT gender_as_listed)
                         FILTER (WHERE gender_as_listed <> 'unknown') = 1
                    THEN any_value(gender_as_listed) FILTER (WHERE gender_as_listed <> 'unknown')
                    ELSE 'unknown'
                END AS gender_as_listed
            FROM roles
            GROUP BY session_number, role, person_id
        ),
        counted AS (
            SELECT
                session_number, role,
                count(*) FILTER (WHERE gender_as_listed = 'female') AS female_count,
                count(*) FILTER (WHERE gender_as_listed = 'male') AS male_count,
                count(*) FILTER (WHERE gender_as_listed = 'unknown') AS unknown_count,
                count(*) AS person_count
            FROM per_person
            GROUP BY session_number, role
        )
        SELECT s.session_number, c.role,
               c.female_count, c.male_count, c.unknown_count, c.person_count
        FROM sessions AS s
        LEFT JOIN counted AS c USING (session_number)
        ORDER BY s.session_number, coalesce(list_position(?::VARCHAR[], c.role), 1000), c.role
    """, [list(ROLES)])


def quality_flags(con: duckdb.DuckDBPyConnection,
                  session_number: int | None = None) -> pd.DataFrame:
    """What the build's checks found, errors first; only one session's when session_number
    is given.

    Columns: flag_id, check_name, severity (error / warning / info), session_number,
    document_id, line_start, message.
    """
    return _frame(con, """
        SELECT flag_id, check_name, severity, session_number, document_id, line_start, message
        FROM quality_flags
        WHERE ?::INTEGER IS NULL OR session_number = ?::INTEGER
        ORDER BY CASE severity WHEN 'error' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END, flag_id
    """, [session_number, session_number])


def documents(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every file found in data/raw, loaded or failed.

    Columns: document_id, file_name, format, document_type, session_number, status, error,
    size_bytes, sha256, classified_by.
    """
    return _frame(con, """
        SELECT document_id, file_name, format, document_type, session_number, status, error,
               size_bytes, sha256, classified_by
        FROM documents
        ORDER BY session_number NULLS LAST, document_type, document_id
    """)


def organisation_composition(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Persons with a role in each session by the kind of organisation of their affiliation.

    Each person counts once per session; when sources type their affiliation differently, the
    session's own documents win over the curated record (the first by source order).
    A session with nobody listed appears once with organisation_type NULL.

    Columns: session_number, organisation_type (NULL = no list of speakers in the record),
    person_count.
    """
    return _frame(con, """
        WITH per_person AS (
            SELECT session_number, person_id,
                   first(organisation_type ORDER BY (document_id IS NULL), role_id) AS organisation_type
            FROM roles GROUP BY session_number, person_id
        ), counted AS (
            SELECT session_number, organisation_type, count(*) AS person_count
            FROM per_person GROUP BY ALL
        )
        SELECT s.session_number, c.organisation_type, c.person_count
        FROM sessions AS s LEFT JOIN counted AS c USING (session_number)
        ORDER BY s.session_number, coalesce(list_position(?::VARCHAR[], c.organisation_type), 1000)
    """, [list(ORGANISATION_TYPES)])


def record_coverage(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """What the record holds for each session and what it lacks.

    Columns: session_number, item (procedural_note, programme_of_work, summary, dates, venue,
    agenda, panel_titles, panel_people, participation_counts), status (present / missing),
    sources (documents or URLs; NULL when missing).
    """
    return _frame(con, """
        SELECT session_number, item, status, sources FROM record_coverage
        ORDER BY session_number, list_position(?::VARCHAR[], item)
    """, [list(COVERAGE_ITEMS)])
