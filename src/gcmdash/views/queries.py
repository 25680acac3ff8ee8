"""Every read of a built database: one function per table or chart, for the app, the site, the
notebooks and `gcmdash topics` alike. The SQL rules they share (source labels, curated rows
last, text folding) come from `gcmdash.provenance`.

Each function takes a DuckDB connection (or cursor) first, runs on its own cursor with bound
parameters only, and returns a pandas DataFrame whose columns are listed in its docstring.
Nothing here formats values for display: that is `gcmdash.views.tables` and `gcmdash.views.charts`.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from gcmdash import vocab
from gcmdash.provenance import (
    DOCUMENT_LABEL,
    SOURCE_LABEL,
    agreed_gender,
    curated_last,
    fold_accents,
)

# The consultation process: six informal thematic sessions (1-6) and the stocktaking meeting (7).
# Every session-by-session view lists all seven, so a session the record lacks shows as missing.
SESSION_NUMBERS: tuple[int, ...] = vocab.values(vocab.SESSIONS)

# The measures every participation view shows, in display order, whether or not any session
# reports them. Other measures found in the data follow these, alphabetically.
CORE_MEASURES: tuple[str, ...] = vocab.CORE_MEASURES

# Kinds of organisation in display order (the CHECK on roles.organisation_type).
ORGANISATION_TYPES: tuple[str, ...] = vocab.values(vocab.in_order(vocab.ORGANISATION_TYPES))

# What record_coverage says each session holds or lacks, in display order.
COVERAGE_ITEMS: tuple[str, ...] = vocab.values(vocab.in_order(vocab.COVERAGE_ITEMS))

# Roles in display order (the CHECK on roles.role).
ROLES: tuple[str, ...] = vocab.values(vocab.in_order(vocab.ROLES))

# How many of the sources stating another count participation_matrix names (it counts them all).
OTHER_SOURCES_NAMED = 3

# One participation row per (session, measure): parsed documents before curated pages, then by
# source, so a chart shows one bar and can name the sources that disagree with it.
_RANKED_PARTICIPATION = f"""
    SELECT
        p.*,
        {SOURCE_LABEL.format(t='p')} AS source_label,
        row_number() OVER (
            PARTITION BY p.session_number, p.measure
            ORDER BY {curated_last('p')}, p.source
        ) AS source_rank,
        count(*) OVER (PARTITION BY p.session_number, p.measure) AS source_count
    FROM participation AS p"""


def open_database(db_path: Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection to a built database (FileNotFoundError, saying how to make one,
    when there is none). For the CLI and the notebooks; the app keeps its own cached one."""
    if not Path(db_path).exists():
        raise FileNotFoundError(f"no database at {db_path}: run `gcmdash build` first")
    return duckdb.connect(str(db_path), read_only=True)


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
            FROM documents WHERE status IN ('loaded', 'partial') GROUP BY session_number
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
            nullif(concat_ws('; ', {SOURCE_LABEL.format(t='s')},
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
            {SOURCE_LABEL.format(t='p')} AS source_label
        FROM participation AS p
        ORDER BY session_number,
                 coalesce(list_position(?::VARCHAR[], measure), 1000), measure, source
    """, [list(CORE_MEASURES)])


def participation_matrix(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every session (1-7) x every measure, so that a count the record lacks is an explicit
    NULL, never 0. Measures: CORE_MEASURES, then any other measure in the data.

    Where several sources give a count, the row holds the first (parsed document before
    curated page) and other_sources what the rest state: each count once, with how many
    sources state it and the first few of them.

    Columns: session_number, session_in_record (FALSE when the sessions table lacks it),
    measure, value (NULL = not reported), qualifier, evidence, source_label,
    source_count (0 when not reported), other_sources (list of {value, qualifier,
    source_labels (the first OTHER_SOURCES_NAMED, in source order), source_count}, in source
    order; empty when one source or none).
    """
    return _frame(con, f"""
        WITH numbers AS (SELECT unnest(?::INTEGER[]) AS session_number),
        measure_names AS (
            SELECT unnest(?::VARCHAR[]) AS measure
            UNION
            SELECT DISTINCT measure FROM participation
        ),
        ranked AS ({_RANKED_PARTICIPATION}),
        other_counts AS (  -- each other count once: thousands of summaries may repeat it
            SELECT session_number, measure, value, qualifier, min(source_rank) AS first_rank,
                   list(source_label ORDER BY source_rank)[1:{OTHER_SOURCES_NAMED}] AS source_labels,
                   count(*) AS source_count
            FROM ranked WHERE source_rank > 1
            GROUP BY session_number, measure, value, qualifier
        ),
        others AS (
            SELECT session_number, measure,
                   list({{'value': value, 'qualifier': qualifier, 'source_labels': source_labels,
                          'source_count': source_count}} ORDER BY first_rank) AS other_sources
            FROM other_counts
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
    return _frame(con, f"""
        WITH per_person AS (
            SELECT
                session_number, role, person_id,
                {agreed_gender()} AS gender_as_listed
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


def reference_rows(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every curated row the record holds and the public page it cites.

    Columns: reference_row ('people.csv:8'), source_url (NULL for an editorial row).
    """
    parts = " UNION ".join(f"SELECT reference_row, source_url FROM {t} WHERE reference_row IS NOT NULL"
                           for t in ("session_facts", "roles", "participation", "panels"))
    return _frame(con, f"SELECT reference_row, any_value(source_url) AS source_url FROM ({parts}) "
                       "GROUP BY reference_row ORDER BY reference_row")


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
        ORDER BY list_position(?::VARCHAR[], severity), flag_id
    """, [session_number, session_number, list(vocab.values(vocab.in_order(vocab.SEVERITIES)))])


def documents(con: duckdb.DuckDBPyConnection,
              session_number: int | None = None) -> pd.DataFrame:
    """Every file found in data/raw, loaded or failed; only one session's when session_number
    is given.

    Columns: document_id, file_name, format, document_type, session_number, status, error,
    size_bytes, sha256, classified_by.
    """
    return _frame(con, """
        SELECT document_id, file_name, format, document_type, session_number, status, error,
               size_bytes, sha256, classified_by
        FROM documents
        WHERE ?::INTEGER IS NULL OR session_number = ?::INTEGER
        ORDER BY session_number NULLS LAST, document_type, document_id
    """, [session_number, session_number])


def organisation_composition(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Persons with a role in each session by the kind of organisation of their affiliation.

    Each person counts once per session; when sources type their affiliation differently, the
    session's own documents win over the curated record (the first by source order).
    A session with nobody listed appears once with organisation_type NULL.

    Columns: session_number, organisation_type (NULL = no list of speakers in the record),
    person_count.
    """
    return _frame(con, f"""
        WITH per_person AS (
            SELECT session_number, person_id,
                   first(organisation_type ORDER BY {curated_last()}, role_id) AS organisation_type
            FROM roles GROUP BY session_number, person_id
        ), counted AS (
            SELECT session_number, organisation_type, count(*) AS person_count
            FROM per_person GROUP BY ALL
        )
        SELECT s.session_number, c.organisation_type, c.person_count
        FROM sessions AS s LEFT JOIN counted AS c USING (session_number)
        ORDER BY s.session_number, coalesce(list_position(?::VARCHAR[], c.organisation_type), 1000)
    """, [list(ORGANISATION_TYPES)])


def record_coverage(con: duckdb.DuckDBPyConnection,
                    session_number: int | None = None) -> pd.DataFrame:
    """What the record holds for each session and what it lacks; only one session's when
    session_number is given.

    Columns: session_number, item (procedural_note, programme_of_work, summary, dates, venue,
    agenda, panel_titles, panel_people, participation_counts), status (present / missing),
    sources (documents or URLs; NULL when missing).
    """
    return _frame(con, """
        SELECT session_number, item, status, sources FROM record_coverage
        WHERE ?::INTEGER IS NULL OR session_number = ?::INTEGER
        ORDER BY session_number, list_position(?::VARCHAR[], item)
    """, [session_number, session_number, list(COVERAGE_ITEMS)])


# --------------------------------------------------------------------------- search

# A search is at most this many words (or "quoted phrases"), each at most SEARCH_MAX_CHARS.
SEARCH_MAX_TERMS = 12
SEARCH_MAX_CHARS = 200

# Kinds of document in the order their agenda is preferred (the programme is the fullest).
AGENDA_DOCUMENT_TYPES: tuple[str, ...] = ("programme_of_work", *(
    k for k in vocab.values(vocab.in_order(vocab.DOCUMENT_KINDS)) if k != "programme_of_work"))

# Tables the Themes views read (gcmdash/topics/ writes them in the `topics` build stage).
THEME_TABLES: tuple[str, ...] = ("text_units", "topics", "unit_topics", "topic_models",
                                 "topic_model_selection", "unit_objectives", "coverage",
                                 "gcm_objectives", "topic_sessions")


def search_patterns(search: str | None) -> list[str]:
    """A free-text search -> ILIKE patterns that match each word (or "quoted phrase")
    literally: %, _ and the escape character \\ in the input are escaped, so no input is a
    wildcard and every input is only ever a bound parameter."""
    text = (search or "")[:SEARCH_MAX_CHARS]
    terms = [phrase or word for phrase, word in re.findall(r'"([^"]+)"|(\S+)', text)]
    terms = [t.strip() for t in terms if t.strip()][:SEARCH_MAX_TERMS]
    return ["%" + t.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            for t in terms]


def _matches_all(haystack: str) -> str:
    """SQL: every pattern of the bound VARCHAR[] parameter matches `haystack` (an SQL
    expression written here, never input), accent- and case-insensitively; TRUE for none."""
    return (f"coalesce(list_bool_and(list_transform(?::VARCHAR[], lambda p: "
            f"{fold_accents(haystack)} ILIKE {fold_accents('p')} ESCAPE '\\')), TRUE)")


# --------------------------------------------------------------------------- overview

def headline(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """One row of headline figures.

    Columns: session_count (sessions in the record), documents_loaded, documents_failed,
    recommendation_count, person_count, role_count, participation_count (counts stated),
    missing_count (record_coverage items missing), sessions_without_counts (sessions no source
    gives a participation count for), flag_error_count, flag_warning_count, flag_info_count.
    """
    return _frame(con, """
        SELECT
            (SELECT count(*) FROM sessions) AS session_count,
            (SELECT count(*) FROM documents WHERE status IN ('loaded', 'partial')) AS documents_loaded,
            (SELECT count(*) FROM documents WHERE status = 'failed') AS documents_failed,
            (SELECT count(*) FROM recommendations) AS recommendation_count,
            (SELECT count(*) FROM people) AS person_count,
            (SELECT count(*) FROM roles) AS role_count,
            (SELECT count(*) FROM participation) AS participation_count,
            (SELECT count(*) FROM record_coverage WHERE status = 'missing') AS missing_count,
            (SELECT count(*) FROM unnest(?::INTEGER[]) AS n(session_number)
             WHERE session_number NOT IN (SELECT session_number FROM participation))
                AS sessions_without_counts,
            (SELECT count(*) FROM quality_flags WHERE severity = 'error') AS flag_error_count,
            (SELECT count(*) FROM quality_flags WHERE severity = 'warning') AS flag_warning_count,
            (SELECT count(*) FROM quality_flags WHERE severity = 'info') AS flag_info_count
    """, [list(SESSION_NUMBERS)])


# --------------------------------------------------------------------------- people

def people(con: duckdb.DuckDBPyConnection, search: str | None = None,
           limit: int | None = None) -> pd.DataFrame:
    """One row per person with all their roles; only persons whose name (accents ignored) or
    affiliation contains every word of `search`. At most `limit` rows (by name).

    Columns: person_id, full_name, roles (list of {session_number, role, panel_number},
    in session and role order), affiliations (distinct, as the sources give them),
    honorifics, gender_as_listed (female / male / unknown: the gendered honorific the sources
    give, 'unknown' when none does or they disagree), organisation_types, session_numbers,
    sources (document and lines, or URL), match_count (persons matching, before the limit).
    """
    return _frame(con, f"""
        SELECT person_id, full_name, roles, affiliations, honorifics, gender_as_listed,
               organisation_types, session_numbers, sources, count(*) OVER () AS match_count
        FROM person_directory
        WHERE {_matches_all("full_name || ' ' || name_key || ' ' || "
                            "array_to_string(affiliations, ' ')")}
        ORDER BY name_key, person_id
        LIMIT ?
    """, [search_patterns(search), limit])


# --------------------------------------------------------------------------- one session

def agenda_documents(con: duckdb.DuckDBPyConnection, session_number: int) -> pd.DataFrame:
    """Documents holding an agenda of the session, the fullest kind first (programme of work,
    procedural note, summary).

    Columns: document_id, document_type, item_count, day_count, inferred_count (rows whose day
    was inferred because the document lost it).
    """
    return _frame(con, """
        SELECT a.document_id, d.document_type, count(*) AS item_count,
               count(DISTINCT a.day_number) AS day_count,
               count(*) FILTER (WHERE a.day_inferred) AS inferred_count
        FROM agenda_items AS a JOIN documents AS d USING (document_id)
        WHERE a.session_number = ?
        GROUP BY a.document_id, d.document_type
        ORDER BY coalesce(list_position(?::VARCHAR[], d.document_type), 1000), a.document_id
    """, [session_number, list(AGENDA_DOCUMENT_TYPES)])


def agenda_items(con: duckdb.DuckDBPyConnection, session_number: int,
                 document_id: str) -> pd.DataFrame:
    """The session's agenda as one document gives it, by day and start time.

    Columns: day_number, day_date (start_date + day - 1; NULL when the dates are unknown),
    start_time, end_time, item_type, panel_number, title, description, day_inferred,
    source_label.
    """
    return _frame(con, f"""
        SELECT a.day_number,
               CAST(s.start_date + (a.day_number - 1) * INTERVAL 1 DAY AS DATE) AS day_date,
               a.start_time, a.end_time, a.item_type, a.panel_number, a.title, a.description,
               a.day_inferred, {DOCUMENT_LABEL.format(t='a')} AS source_label
        FROM agenda_items AS a
        LEFT JOIN sessions AS s USING (session_number)
        WHERE a.session_number = ? AND a.document_id = ?
        ORDER BY a.day_number, a.start_time, a.end_time
    """, [session_number, document_id])


def session_panels(con: duckdb.DuckDBPyConnection, session_number: int) -> pd.DataFrame:
    """The session's expert panels, one row per panel: title and times from the session's
    own documents before the curated programme; every source listed.

    Columns: panel_number, title, start_time, end_time, sources (list of source labels),
    titles_differ (sources give different titles).
    """
    return _frame(con, f"""
        SELECT panel_number,
               first(title ORDER BY {curated_last()}, source) AS title,
               first(start_time ORDER BY (start_time IS NULL), {curated_last()}, source)
                   AS start_time,
               first(end_time ORDER BY (end_time IS NULL), {curated_last()}, source)
                   AS end_time,
               list({SOURCE_LABEL.format(t='p')} ORDER BY {curated_last()}, source)
                   AS sources,
               count(DISTINCT title) > 1 AS titles_differ
        FROM panels AS p
        WHERE session_number = ?
        GROUP BY panel_number
        ORDER BY panel_number
    """, [session_number])


def session_roles(con: duckdb.DuckDBPyConnection, session_number: int) -> pd.DataFrame:
    """Who had which role in the session: one row per person, role and panel, however many
    sources name them; honorific and affiliation from the session's documents before the
    curated record.

    Columns: person_id, full_name, role, panel_number, honorific, affiliation,
    gender_as_listed, organisation_type, sources (list of source labels).
    """
    return _frame(con, f"""
        SELECT r.person_id, any_value(p.full_name) AS full_name, r.role, r.panel_number,
               first(r.honorific ORDER BY {curated_last('r')}, r.role_id) AS honorific,
               first(r.affiliation ORDER BY {curated_last('r')}, r.role_id) AS affiliation,
               {agreed_gender('r.gender_as_listed')} AS gender_as_listed,
               first(r.organisation_type ORDER BY {curated_last('r')}, r.role_id)
                   AS organisation_type,
               list({SOURCE_LABEL.format(t='r')} ORDER BY {curated_last('r')}, r.role_id)
                   AS sources
        FROM roles AS r JOIN people AS p USING (person_id)
        WHERE r.session_number = ?
        GROUP BY r.person_id, r.role, r.panel_number
        ORDER BY coalesce(list_position(?::VARCHAR[], r.role), 1000), r.panel_number NULLS FIRST,
                 min(coalesce(r.line_start, 0)), r.person_id
    """, [session_number, list(ROLES)])


def format_rules(con: duckdb.DuckDBPyConnection, session_number: int) -> pd.DataFrame:
    """Format rules the session's procedural note states (speaking times, panel sizes).

    Columns: rule, min_value, max_value, unit, evidence, source_label.
    """
    return _frame(con, f"""
        SELECT rule, min_value, max_value, unit, evidence,
               {DOCUMENT_LABEL.format(t='f')} AS source_label
        FROM format_rules AS f
        WHERE session_number = ?
        ORDER BY line_start, rule, document_id
    """, [session_number])


# --------------------------------------------------------------------------- recommendations

def themes_available(con: duckdb.DuckDBPyConnection) -> bool:
    """TRUE when the database holds the topic model's tables (THEME_TABLES)."""
    found = _frame(con, """
        SELECT count(DISTINCT table_name) AS n FROM duckdb_tables()
        WHERE schema_name = 'main' AND list_contains(?::VARCHAR[], table_name)
    """, [list(THEME_TABLES)])
    return int(found["n"].iloc[0]) == len(THEME_TABLES)


def discussion_areas(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The areas the summaries group recommendations under.

    Columns: session_number, area_letter, area_key ('s3-g', as in recommendation ids),
    heading, recommendation_count.
    """
    return _frame(con, """
        SELECT a.session_number, a.area_letter,
               's' || a.session_number || '-' || a.area_letter AS area_key, a.heading,
               count(r.recommendation_id) AS recommendation_count
        FROM discussion_areas AS a
        LEFT JOIN recommendations AS r USING (session_number, area_letter)
        GROUP BY ALL
        ORDER BY a.session_number, a.area_letter
    """)


_RECOMMENDATIONS = """
    WITH filtered AS (
        SELECT r.*, a.heading AS area_heading
        FROM recommendations AS r
        JOIN discussion_areas AS a USING (session_number, area_letter)
        WHERE (len(?::INTEGER[]) = 0 OR list_contains(?::INTEGER[], r.session_number))
          AND (len(?::VARCHAR[]) = 0
               OR list_contains(?::VARCHAR[], 's' || r.session_number || '-' || r.area_letter))
          AND {topic_filter}
          AND {objective_filter}
          AND {search}
    )
    SELECT f.recommendation_id, f.session_number, f.area_letter, f.area_heading, f.position,
           f.text, f.document_id, f.line_start, f.line_end,
           {source} AS source_label,
           {topic_columns},
           count(*) OVER () AS match_count
    FROM filtered AS f
    {topic_joins}
    ORDER BY f.session_number, f.area_letter, f.position
    LIMIT ?"""


def recommendations(con: duckdb.DuckDBPyConnection, search: str | None = None,
                    session_numbers: Sequence[int] = (), area_keys: Sequence[str] = (),
                    topic_ids: Sequence[int] = (), objectives: Sequence[int] = (),
                    limit: int | None = None) -> pd.DataFrame:
    """Recommendations matching every filter (an empty filter matches all): search words or
    "phrases" in the text, id or area heading (literally, accents and case ignored), sessions,
    areas ('s3-g'), primary topic, GCM objectives (any of them). Topic and objective filters
    need the topic model's tables (themes_available); without them they are ignored and the
    topic columns are NULL. At most `limit` rows, in the summaries' order.

    Columns: recommendation_id, session_number, area_letter, area_heading, position, text,
    document_id, line_start, line_end, source_label ("003_caee5c70cc5473e9.txt, lines
    380–381"), topic_id, topic_label (its strongest topic), topic_weight, objectives (list of
    {objective, short_title, score}, strongest first), match_count (rows matching, before
    the limit).
    """
    themes = themes_available(con)
    if themes:
        sql = _RECOMMENDATIONS.format(
            topic_filter="""(len(?::INTEGER[]) = 0 OR EXISTS (
                SELECT 1 FROM unit_topics AS ut WHERE ut.unit_id = r.recommendation_id
                AND ut.is_primary AND list_contains(?::INTEGER[], ut.topic_id)))""",
            objective_filter="""(len(?::INTEGER[]) = 0 OR EXISTS (
                SELECT 1 FROM unit_objectives AS uo WHERE uo.unit_id = r.recommendation_id
                AND list_contains(?::INTEGER[], uo.objective)))""",
            search=_matches_all("r.text || ' ' || r.recommendation_id || ' ' || a.heading"),
            source=DOCUMENT_LABEL.format(t="f"),
            topic_columns="""t.topic_id, t.label AS topic_label, ut.weight AS topic_weight,
                coalesce((SELECT list({'objective': uo.objective, 'short_title': o.short_title,
                                       'score': uo.score} ORDER BY uo.score DESC, uo.objective)
                          FROM unit_objectives AS uo JOIN gcm_objectives AS o USING (objective)
                          WHERE uo.unit_id = f.recommendation_id), []) AS objectives""",
            topic_joins="""LEFT JOIN unit_topics AS ut
                               ON ut.unit_id = f.recommendation_id AND ut.is_primary
                           LEFT JOIN topics AS t ON t.topic_id = ut.topic_id""")
        params = [list(topic_ids), list(topic_ids), list(objectives), list(objectives)]
    else:
        sql = _RECOMMENDATIONS.format(
            topic_filter="TRUE", objective_filter="TRUE",
            search=_matches_all("r.text || ' ' || r.recommendation_id || ' ' || a.heading"),
            source=DOCUMENT_LABEL.format(t="f"),
            topic_columns="""NULL::INTEGER AS topic_id, NULL::VARCHAR AS topic_label,
                NULL::DOUBLE AS topic_weight,
                []::STRUCT(objective INTEGER, short_title VARCHAR, score DOUBLE)[] AS objectives""",
            topic_joins="")
        params = []
    sessions_ = [int(n) for n in session_numbers]
    areas = [str(a) for a in area_keys]
    return _frame(con, sql, [sessions_, sessions_, areas, areas, *params,
                             search_patterns(search), limit])


# --------------------------------------------------------------------------- themes

def topics(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The topic model's topics, most units first.

    Columns: topic_id, label, top_terms (list), main_objective, main_objective_title,
    unit_count, recommendation_count, model_id.
    """
    return _frame(con, """
        SELECT t.topic_id, t.label, t.top_terms, t.main_objective,
               o.short_title AS main_objective_title, t.unit_count, t.recommendation_count,
               t.model_id
        FROM topics AS t LEFT JOIN gcm_objectives AS o ON o.objective = t.main_objective
        ORDER BY t.topic_id
    """)


def gcm_objectives(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The 23 GCM objectives. Columns: objective, short_title, hub_label, source_url."""
    return _frame(con, """
        SELECT objective, short_title, hub_label, source_url FROM gcm_objectives
        ORDER BY objective
    """)


def topic_sessions(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Topic x session for every session with text units: how much of the session's text falls
    in each topic.

    Columns: topic_id, label, session_number, unit_count (units whose strongest topic it is),
    session_unit_count, share (unit_count / session_unit_count), weight_share.
    """
    return _frame(con, """
        SELECT ts.topic_id, t.label, ts.session_number, ts.unit_count, ts.session_unit_count,
               ts.share, ts.weight_share
        FROM topic_sessions AS ts JOIN topics AS t USING (topic_id)
        ORDER BY ts.topic_id, ts.session_number
    """)


def objective_coverage(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every session x GCM objective: covered, gap (the session has text, none maps to the
    objective) or no_text.

    Columns: session_number, objective, short_title, status, session_unit_count, unit_count,
    recommendation_count, max_score, top_unit_ids.
    """
    return _frame(con, """
        SELECT c.session_number, c.objective, o.short_title, c.status, c.session_unit_count,
               c.unit_count, c.recommendation_count, c.max_score, c.top_unit_ids
        FROM coverage AS c JOIN gcm_objectives AS o USING (objective)
        ORDER BY c.objective, c.session_number
    """)


def topic_units(con: duckdb.DuckDBPyConnection, topic_id: int | None,
                session_number: int | None = None, limit: int | None = None,
                unit_type: str | None = None) -> pd.DataFrame:
    """Text units whose strongest topic is `topic_id` (every topic when None; in one session,
    of one unit_type, when given): by topic, recommendations first, then by weight.

    Columns: topic_id, unit_id, session_number, unit_type, text, weight, source_label,
    match_count.
    """
    return _frame(con, f"""
        SELECT ut.topic_id, u.unit_id, u.session_number, u.unit_type, u.text, ut.weight,
               {SOURCE_LABEL.format(t='u')} AS source_label, count(*) OVER () AS match_count
        FROM unit_topics AS ut JOIN text_units AS u USING (unit_id)
        WHERE ut.is_primary AND (?::INTEGER IS NULL OR ut.topic_id = ?::INTEGER)
          AND (?::INTEGER IS NULL OR u.session_number = ?::INTEGER)
          AND (?::VARCHAR IS NULL OR u.unit_type = ?::VARCHAR)
        ORDER BY ut.topic_id, (u.unit_type <> 'recommendation'), ut.weight DESC, u.unit_id
        LIMIT ?
    """, [topic_id, topic_id, session_number, session_number, unit_type, unit_type, limit])


def objective_units(con: duckdb.DuckDBPyConnection, objective: int,
                    session_number: int | None = None, limit: int | None = None) -> pd.DataFrame:
    """Text units that map to a GCM objective (in one session when given), strongest first,
    with the terms that matched.

    Columns: unit_id, session_number, unit_type, text, score, reason, source_label,
    match_count.
    """
    return _frame(con, f"""
        SELECT u.unit_id, u.session_number, u.unit_type, u.text, uo.score, uo.reason,
               {SOURCE_LABEL.format(t='u')} AS source_label, count(*) OVER () AS match_count
        FROM unit_objectives AS uo JOIN text_units AS u USING (unit_id)
        WHERE uo.objective = ? AND (?::INTEGER IS NULL OR u.session_number = ?::INTEGER)
        ORDER BY uo.score DESC, u.unit_id
        LIMIT ?
    """, [objective, session_number, session_number, limit])


def text_units(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every text unit the topic model read, by unit_id (what the evaluation refits on).

    Columns: unit_id, session_number, unit_type, text, document_id, line_start, line_end,
    source_url.
    """
    return _frame(con, """
        SELECT unit_id, session_number, unit_type, text, document_id, line_start, line_end,
               source_url
        FROM text_units ORDER BY unit_id
    """)


def recommendation_areas(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The recommendations of the summaries with the area each summary puts them under: the
    one human grouping the topics are evaluated against.

    Columns: unit_id (the recommendation_id), area_letter, document_id, session_number.
    """
    return _frame(con, """
        SELECT r.recommendation_id AS unit_id, r.area_letter, r.document_id, r.session_number
        FROM recommendations AS r JOIN documents AS d USING (document_id)
        WHERE d.document_type = 'summary' ORDER BY r.recommendation_id
    """)


# --------------------------------------------------------------------------- data & method

def topic_model(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The model that drew the topics (one row per build).

    Columns: model_id, method, sklearn_version, numpy_version, scipy_version, parameters
    (JSON), random_state, n_topics, n_topics_criterion, corpus_sha256, unit_count,
    feature_count, iteration_count, seed_stability, subsample_stability, stability_summary.
    """
    return _frame(con, """
        SELECT model_id, method, sklearn_version, numpy_version, scipy_version, parameters,
               random_state, n_topics, n_topics_criterion, corpus_sha256, unit_count,
               feature_count, iteration_count, seed_stability, subsample_stability,
               stability_summary
        FROM topic_models ORDER BY model_id
    """)


def topic_model_selection(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Stability of each candidate number of topics. Columns: model_id, n_topics, stability,
    chosen."""
    return _frame(con, """
        SELECT model_id, n_topics, stability, chosen FROM topic_model_selection
        ORDER BY model_id, n_topics
    """)


def data_dictionary(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every table and column of the database with the description the schema gives it
    (gcmdash/schema.sql), tables by name, columns in their order.

    Columns: table_name, table_description, column_name, data_type, column_description,
    column_index.
    """
    return _frame(con, """
        SELECT t.table_name, t.comment AS table_description, c.column_name, c.data_type,
               c.comment AS column_description, c.column_index
        FROM duckdb_tables() AS t
        JOIN duckdb_columns() AS c
            ON c.database_name = t.database_name AND c.schema_name = t.schema_name
           AND c.table_name = t.table_name
        WHERE t.schema_name = 'main' AND t.database_name = current_database()
        ORDER BY t.table_name, c.column_index
    """)


def build_info(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """What the build recorded about itself (input fingerprint, versions), by key.

    Columns: key, value.
    """
    return _frame(con, "SELECT key, value FROM build_info ORDER BY key")


def curated_sources(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every public page the curated record cites, with what it supports.

    Columns: source_url, tables (list of table names), row_count, session_numbers.
    """
    parts = [f"SELECT source_url, '{table}' AS table_name, {session} AS session_number "
             f"FROM {table} WHERE source_url IS NOT NULL"
             for table, session in (("session_facts", "session_number"),
                                    ("sessions", "session_number"),
                                    ("panels", "session_number"),
                                    ("roles", "session_number"),
                                    ("participation", "session_number"))]
    if themes_available(con):
        parts += ["SELECT source_url, 'text_units', session_number FROM text_units "
                  "WHERE source_url IS NOT NULL",
                  "SELECT source_url, 'gcm_objectives', NULL FROM gcm_objectives"]
    return _frame(con, f"""
        WITH cited AS ({' UNION ALL '.join(parts)})
        SELECT source_url, list(DISTINCT table_name ORDER BY table_name) AS tables,
               count(*) AS row_count,
               list(DISTINCT session_number ORDER BY session_number)
                   FILTER (WHERE session_number IS NOT NULL) AS session_numbers
        FROM cited
        GROUP BY source_url
        ORDER BY min(session_number) NULLS LAST, source_url
    """)


def objective_cells(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every session x GCM objective as the coverage matrix shows it: queries.objective_coverage
    with cell_state (vocab.OBJECTIVE_CELL_STATES): `covered`; `gap` where the session has text
    enough to judge (vocab.JUDGEABLE_UNIT_TYPES: a summary's recommendations or narratives, a
    programme's panel descriptions) and none maps to the objective; `too_little_text` else.

    Columns: session_number, objective, short_title, status, cell_state, session_unit_count,
    judgeable_unit_count, unit_count, recommendation_count, max_score, top_unit_ids.
    """
    return _frame(con, """
        WITH judgeable AS (
            SELECT session_number, count(*) AS judgeable_unit_count
            FROM text_units WHERE list_contains(?::VARCHAR[], unit_type)
            GROUP BY session_number
        )
        SELECT c.session_number, c.objective, o.short_title, c.status,
               CASE WHEN c.status = 'covered' THEN 'covered'
                    WHEN coalesce(j.judgeable_unit_count, 0) > 0 THEN 'gap'
                    ELSE 'too_little_text' END AS cell_state,
               c.session_unit_count, coalesce(j.judgeable_unit_count, 0) AS judgeable_unit_count,
               c.unit_count, c.recommendation_count, c.max_score, c.top_unit_ids
        FROM coverage AS c JOIN gcm_objectives AS o USING (objective)
        LEFT JOIN judgeable AS j USING (session_number)
        ORDER BY c.objective, c.session_number
    """, [list(vocab.JUDGEABLE_UNIT_TYPES)])


def panel_gender(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Persons on the panels (vocab.PANEL_ROLES: panelists and moderators) of every session,
    each counted once per session whatever roles and documents name them, by gender as the
    honorific lists it (agreed across the session's documents, else unknown).

    A session with nobody on a panel in the record has counts NULL.

    Columns: session_number, female_count, male_count, unknown_count, person_count.
    """
    return _frame(con, f"""
        WITH per_person AS (
            SELECT session_number, person_id, {agreed_gender()} AS gender_as_listed
            FROM roles WHERE list_contains(?::VARCHAR[], role)
            GROUP BY session_number, person_id
        ),
        counted AS (
            SELECT session_number,
                   count(*) FILTER (WHERE gender_as_listed = 'female') AS female_count,
                   count(*) FILTER (WHERE gender_as_listed = 'male') AS male_count,
                   count(*) FILTER (WHERE gender_as_listed = 'unknown') AS unknown_count,
                   count(*) AS person_count
            FROM per_person GROUP BY session_number
        )
        SELECT n.session_number, c.female_count, c.male_count, c.unknown_count, c.person_count
        FROM (SELECT unnest(?::INTEGER[]) AS session_number) AS n
        LEFT JOIN counted AS c USING (session_number)
        ORDER BY n.session_number
    """, [list(vocab.PANEL_ROLES), list(SESSION_NUMBERS)])
