"""Checks that run after every build (and in the tests).

Quality checks find what users should know about the record (overlapping agenda rows, short
panels, differing affiliations) and become rows of quality_flags. Invariants are promises the
database itself makes (every person has a role, recommendation positions have no gaps); a broken
invariant fails the build, so a bad database is never swapped in.
"""
from __future__ import annotations

import re

import duckdb

from gcmdash import vocab
from gcmdash.derive import names
from gcmdash.provenance import fold_text
from gcmdash.records import Flag


# Tokens in the check SQL: @SOURCE_LABEL@ names a fact row's source ('document, line N' or
# 'curated row (URL)'), @SOURCE_LABEL(p)@ the same for alias p, @FOLD(col)@ compares text
# without case, accents or punctuation, @SOME(list)@ names the first few sources of a list;
# @VALUE_RANK(cols)@, @VALUES_NAMED@ and @OTHER_VALUES@ keep a flag to the most given values;
# @QUALIFIER_PREFIX(col)@ is what a count of that qualifier is written after ('over ').
def _source_label(alias: str = "") -> str:
    a = f"{alias}." if alias else ""
    return (f"coalesce({a}document_id || ', line ' || {a}line_start, "
            f"{a}reference_row || ' (' || {a}source_url || ')', {a}reference_row, {a}source_url)")


# A flag names at most this many sources for one value, then how many more: at 10,000 documents
# one session title is repeated by thousands of them, and a flag is read by a person.
SOURCES_NAMED = 3


def _some(sources: str) -> str:
    """SQL: the first SOURCES_NAMED of the VARCHAR[] `sources`, '; '-separated, and how many
    more."""
    return (f"(array_to_string(list_slice({sources}, 1, {SOURCES_NAMED}), '; ') || "
            f"CASE WHEN len({sources}) > {SOURCES_NAMED} "
            f"THEN format('; and {{}} more', len({sources}) - {SOURCES_NAMED}) ELSE '' END)")


# ... and at most this many of the values the sources give for one fact, the most often given
# first, then how many other values there are.
VALUES_NAMED = 5


def _value_rank(partition: str) -> str:
    """SQL columns ranking a CTE's rows (one per value, with `sources` and `first_source`)
    within `partition`: value_rank (most sources first) and value_count."""
    return (f"row_number() OVER (PARTITION BY {partition} ORDER BY len(sources) DESC, "
            f"first_source) AS value_rank, count(*) OVER (PARTITION BY {partition}) AS value_count")


_OTHER_VALUES = (f"CASE WHEN max(value_count) > {VALUES_NAMED} THEN format(' and {{}} other values', "
                 f"max(value_count) - {VALUES_NAMED}) ELSE '' END")


def _qualifier_prefix(column: str) -> str:
    whens = " ".join(f"WHEN '{q}' THEN '{p}'" for q, p in vocab.QUALIFIER_PREFIXES.items() if p)
    return f"CASE {column} {whens} ELSE '' END"


def _expand(sql: str) -> str:
    sql = re.sub(r"@SOME\(([\w.]+)\)@", lambda m: _some(m.group(1)), sql)
    sql = re.sub(r"@VALUE_RANK\(([\w, ]+)\)@", lambda m: _value_rank(m.group(1)), sql)
    sql = sql.replace("@OTHER_VALUES@", _OTHER_VALUES).replace("@VALUES_NAMED@", str(VALUES_NAMED))
    sql = sql.replace("@SOURCE_LABEL@", _source_label())
    sql = re.sub(r"@SOURCE_LABEL\((\w+)\)@", lambda m: _source_label(m.group(1)), sql)
    sql = re.sub(r"@QUALIFIER_PREFIX\((\w+)\)@", lambda m: _qualifier_prefix(m.group(1)), sql)
    return re.sub(r"@FOLD\((\w+)\)@", lambda m: fold_text(m.group(1)), sql)


# (check name, severity, SQL returning session_number, document_id, line_start, message)
QUALITY_CHECKS: tuple[tuple[str, str, str], ...] = (
    ("agenda_overlap", "warning", """
        WITH ordered AS (
            SELECT *, lead(start_time) OVER w AS next_start, lead(title) OVER w AS next_title,
                   lead(line_start) OVER w AS next_line
            FROM agenda_items
            WINDOW w AS (PARTITION BY document_id, day_number ORDER BY start_time, end_time)
        )
        SELECT session_number, document_id, line_start,
               format('Session {} day {}: "{}" ends {} but "{}" starts {} (lines {} and {})',
                      session_number, day_number, title, left(CAST(end_time AS VARCHAR), 5),
                      next_title, left(CAST(next_start AS VARCHAR), 5), line_start, next_line)
        FROM ordered WHERE next_start IS NOT NULL AND end_time > next_start
    """),
    ("agenda_gap", "info", """
        WITH ordered AS (
            SELECT *, lead(start_time) OVER w AS next_start, lead(title) OVER w AS next_title
            FROM agenda_items
            WINDOW w AS (PARTITION BY document_id, day_number ORDER BY start_time, end_time)
        )
        SELECT session_number, document_id, line_start,
               format('Session {} day {}: nothing scheduled between {} ("{}") and {} ("{}")',
                      session_number, day_number, left(CAST(end_time AS VARCHAR), 5), title,
                      left(CAST(next_start AS VARCHAR), 5), next_title)
        FROM ordered WHERE next_start IS NOT NULL AND end_time < next_start
    """),
    ("agenda_differs", "warning", """
        -- only slots that some documents fill differently are compared pairwise: a session
        -- described by thousands of identical agendas costs one grouping, not n^2 pairs
        WITH differing AS (
            SELECT session_number, day_number, start_time FROM agenda_items GROUP BY ALL
            HAVING count(DISTINCT (end_time, item_type, coalesce(panel_number, 0))) > 1
        ), slots AS (
            SELECT * FROM agenda_items SEMI JOIN differing USING (session_number, day_number, start_time)
        )
        SELECT b.session_number, b.document_id, b.line_start,
               format('Session {} day {} at {}: {} (line {}) has {} "{}" until {}, {} (line {}) has {} "{}" until {}',
                      a.session_number, a.day_number, left(CAST(a.start_time AS VARCHAR), 5),
                      a.document_id, a.line_start, a.item_type, a.title, left(CAST(a.end_time AS VARCHAR), 5),
                      b.document_id, b.line_start, b.item_type, b.title, left(CAST(b.end_time AS VARCHAR), 5))
        FROM slots a JOIN slots b
          ON a.session_number = b.session_number AND a.day_number = b.day_number
         AND a.start_time = b.start_time AND a.document_id < b.document_id
        WHERE a.end_time <> b.end_time OR a.item_type <> b.item_type
           OR coalesce(a.panel_number, 0) <> coalesce(b.panel_number, 0)
    """),
    ("panel_short_of_announced", "warning", """
        WITH announced AS (
            SELECT session_number, max(max_value) AS experts, arg_max(document_id, max_value) AS note,
                   arg_max(line_start, max_value) AS note_line
            FROM format_rules WHERE rule = 'experts_per_panel' GROUP BY session_number
        ), panels AS (
            SELECT DISTINCT session_number, panel_number FROM agenda_items WHERE item_type = 'panel'
        ), listed AS (
            SELECT session_number, panel_number, count(DISTINCT person_id) AS panelists,
                   list(DISTINCT coalesce(document_id, source_url)
                        ORDER BY coalesce(document_id, source_url)) AS sources,
                   min(line_start) AS first_line
            FROM roles WHERE role = 'panelist' GROUP BY session_number, panel_number
        )
        SELECT p.session_number, NULL, l.first_line,
               format('Session {} panel {}: {} name(s) {} panelist(s); the procedural note ({}, line {}) announces {} experts per panel',
                      p.session_number, p.panel_number, @SOME(l.sources)@, l.panelists, n.note, n.note_line, n.experts)
        FROM panels p JOIN announced n USING (session_number)
        JOIN listed l USING (session_number, panel_number)
        WHERE l.panelists < n.experts
    """),
    ("affiliation_differs", "info", """
        WITH affiliations AS (
            SELECT person_id, affiliation, min(session_number) AS session_number,
                   list(DISTINCT @SOURCE_LABEL@ ORDER BY @SOURCE_LABEL@) AS sources,
                   @FOLD(affiliation)@ AS folded
            FROM roles WHERE affiliation IS NOT NULL
            GROUP BY person_id, affiliation
        ), differing AS (
            SELECT person_id FROM affiliations GROUP BY person_id HAVING count(DISTINCT folded) > 1
        )
        SELECT min(a.session_number), NULL, NULL,
               format('{} is listed with {} affiliations: {}', p.full_name, count(DISTINCT a.folded),
                      string_agg(format('"{}" ({})', a.affiliation, @SOME(a.sources)@), '; '
                                 ORDER BY a.sources, a.affiliation))
        FROM affiliations a JOIN differing USING (person_id) JOIN people p USING (person_id)
        GROUP BY p.full_name
    """),
    ("session_facts_differ", "warning", """
        WITH facts AS (  -- each distinct value folded once, however many sources repeat it
            SELECT *, CASE WHEN fact IN ('start_date', 'end_date') THEN value ELSE @FOLD(value)@ END AS folded
            FROM (SELECT DISTINCT session_number, fact, value FROM session_facts)
            -- venues are stated at different grain ('Palais des Nations, Room XIX' and 'United
            -- Nations Office at Geneva' are both right), so they are shown, not compared
            WHERE fact <> 'venue'
        ), differing AS (
            SELECT session_number, fact FROM facts GROUP BY ALL HAVING count(DISTINCT folded) > 1
        ), per_value AS (  -- each value once, with the sources that give it
            SELECT f.session_number, f.fact, f.value, min(f.source) AS first_source,
                   list(@SOURCE_LABEL(f)@ ORDER BY f.source) AS sources
            FROM session_facts f JOIN differing USING (session_number, fact)
            GROUP BY f.session_number, f.fact, f.value
        ), ranked AS (
            SELECT *, @VALUE_RANK(session_number, fact)@ FROM per_value
        )
        SELECT v.session_number, NULL, NULL,
               format('Session {} {}: {}{}; shown: "{}"', v.session_number, replace(v.fact, '_', ' '),
                      string_agg(format('"{}" ({})', v.value, @SOME(v.sources)@), ' vs '
                                 ORDER BY v.value_rank) FILTER (WHERE v.value_rank <= @VALUES_NAMED@),
                      @OTHER_VALUES@,
                      CASE v.fact WHEN 'title' THEN any_value(s.title) WHEN 'city' THEN any_value(s.city)
                                  WHEN 'venue' THEN any_value(s.venue) WHEN 'country' THEN any_value(s.country)
                                  WHEN 'short_name' THEN any_value(s.short_name)
                                  WHEN 'start_date' THEN any_value(s.start_date)::VARCHAR
                                  ELSE any_value(s.end_date)::VARCHAR END)
        FROM ranked v JOIN sessions s USING (session_number)
        GROUP BY v.session_number, v.fact
    """),
    # Venues are stated at different grain, so session_facts_differ leaves them out; a parsed
    # venue whose parts are neither all in the curated venue nor all of them ('... Chamber I.
    # Introduction' against '..., Trusteeship Council Chamber') differs, and is shown above the
    # curated one: a flag, never a silent override.
    ("venue_differs_from_curated", "warning", """
        WITH split AS (
            SELECT session_number, document_id, line_start, value, source_url, reference_row,
                   unnest(string_split(value, ',')) AS part
            FROM session_facts WHERE fact = 'venue'
        ), parts AS (
            SELECT session_number, document_id, line_start, value, source_url, reference_row,
                   list(DISTINCT @FOLD(part)@) AS folded
            FROM split GROUP BY ALL
        )
        SELECT p.session_number, p.document_id, p.line_start,
               format('Session {} venue: "{}" ({}) differs from the curated "{}" ({})',
                      p.session_number, p.value, @SOURCE_LABEL(p)@, c.value, @SOURCE_LABEL(c)@)
        FROM parts p JOIN parts c ON c.session_number = p.session_number
        WHERE p.document_id IS NOT NULL AND c.document_id IS NULL
          AND NOT list_has_all(p.folded, c.folded) AND NOT list_has_all(c.folded, p.folded)
        ORDER BY p.session_number, p.document_id, p.line_start
    """),
    ("panel_facts_differ", "warning", """
        WITH differing AS (
            SELECT session_number, panel_number
            FROM (SELECT DISTINCT session_number, panel_number, start_time, end_time, title FROM panels)
            GROUP BY ALL
            HAVING count(DISTINCT start_time) > 1 OR count(DISTINCT end_time) > 1
                OR count(DISTINCT @FOLD(title)@) > 1
        ), per_value AS (  -- each time and title once, with the sources that give it
            SELECT p.session_number, p.panel_number, p.start_time, p.end_time, p.title,
                   min(p.source) AS first_source, list(@SOURCE_LABEL(p)@ ORDER BY p.source) AS sources
            FROM panels p JOIN differing USING (session_number, panel_number)
            GROUP BY p.session_number, p.panel_number, p.start_time, p.end_time, p.title
        ), ranked AS (
            SELECT *, @VALUE_RANK(session_number, panel_number)@ FROM per_value
        )
        SELECT session_number, NULL, NULL,
               format('Session {} panel {}: {}{}', session_number, panel_number,
                      string_agg(format('{} "{}" ({})',
                                        coalesce(left(start_time::VARCHAR, 5) || '-' || left(end_time::VARCHAR, 5), 'no time'),
                                        title, @SOME(sources)@),
                                 ' vs ' ORDER BY value_rank) FILTER (WHERE value_rank <= @VALUES_NAMED@),
                      @OTHER_VALUES@)
        FROM ranked
        GROUP BY session_number, panel_number
    """),
    ("participation_sources_differ", "warning", """
        WITH per_source AS (
            SELECT session_number, source,
                   string_agg(measure || ' ' || @QUALIFIER_PREFIX(qualifier)@ || value,
                              ', ' ORDER BY measure) AS counts
            FROM participation GROUP BY session_number, source
        ), differing AS (
            SELECT session_number FROM per_source GROUP BY session_number
            HAVING count(DISTINCT counts) > 1
        ), per_counts AS (  -- each way of counting once, with the sources that count so
            SELECT session_number, counts, min(source) AS first_source,
                   list(source ORDER BY source) AS sources
            FROM per_source JOIN differing USING (session_number)
            GROUP BY session_number, counts
        ), ranked AS (
            SELECT *, @VALUE_RANK(session_number)@ FROM per_counts
        )
        SELECT session_number, NULL, NULL,
               format('Session {}: the sources count differently, all kept: {}{}', session_number,
                      string_agg(format('{} {} {}', @SOME(sources)@,
                                        CASE WHEN len(sources) = 1 THEN 'says' ELSE 'say' END, counts),
                                 '; ' ORDER BY value_rank) FILTER (WHERE value_rank <= @VALUES_NAMED@),
                      @OTHER_VALUES@)
        FROM ranked
        GROUP BY session_number
    """),
    ("participation_uncertain", "warning", """
        SELECT session_number, NULL, NULL,
               format('Session {} {} = {} ({}, {}): {}', session_number, measure, value,
                      reference_row, source_url, note)
        FROM participation WHERE regexp_matches(note, '(?i)\\b(presumed|cut|uncertain|unclear)\\b')
    """),
    # Names read in a scanned letter that are no known person's (derive/names.py): the text as
    # read, what it was recorded as, and the candidates; an unresolved name is kept as read.
    (vocab.NAME_MATCH_FLAGS["approximate"], "info", """
        SELECT m.session_number, m.document_id, m.line_start,
               format('"{}" ({}, line {}) is no known person''s name as read; recorded as {} ({}), '
                      'the one known person it is close to (similarity {}{})',
                      m.listed_name, m.document_id, m.line_start, p.full_name, m.person_id,
                      printf('%.2f', m.similarity),
                      CASE WHEN len(m.candidates) > 1
                           THEN printf('; the next nearest, %s, %.2f', m.candidates[2],
                                       m.candidate_similarities[2]) ELSE '' END)
        FROM name_matches m JOIN people p USING (person_id)
        WHERE m.status = 'approximate'
    """),
    (vocab.NAME_MATCH_FLAGS["unresolved"], "warning", f"""
        WITH named AS (  -- the candidates, zipped with their similarities
            SELECT role_id, string_agg(printf('%s %.2f', candidate, score), ', ') AS candidates
            FROM (SELECT role_id, unnest(candidates) AS candidate,
                         unnest(candidate_similarities) AS score
                  FROM name_matches WHERE status = 'unresolved')
            GROUP BY role_id
        )
        SELECT m.session_number, m.document_id, m.line_start,
               format('"{{}}" ({{}}, line {{}}) is no known person''s name as read and was not '
                      'matched, it is kept as read: {{}} ({{}})', m.listed_name, m.document_id,
                      m.line_start,
                      CASE WHEN m.similarity >= {names.ACCEPT} THEN 'several known people are as close'
                           ELSE 'no known person is close enough' END, n.candidates)
        FROM name_matches m JOIN named n USING (role_id)
    """),
    ("honorific_differs", "info", """
        WITH per_honorific AS (  -- each honorific once, with the sources that give it
            SELECT person_id, coalesce(honorific, 'no honorific') AS honorific,
                   min(session_number) AS session_number,
                   list(DISTINCT coalesce(document_id, reference_row)
                        ORDER BY coalesce(document_id, reference_row)) AS sources
            FROM roles GROUP BY person_id, coalesce(honorific, 'no honorific')
        )
        SELECT min(h.session_number), NULL, NULL,
               format('{} is listed as {}', p.full_name,
                      string_agg(format('"{}" ({})', h.honorific, @SOME(h.sources)@), ' and '
                                 ORDER BY h.honorific))
        FROM per_honorific h JOIN people p USING (person_id)
        GROUP BY p.full_name HAVING count(*) > 1
    """),
    ("summary_without_participation", "warning", """
        SELECT d.session_number, d.document_id, NULL,
               format('The summary of session {} ({}) states no participation counts that could be read',
                      d.session_number, d.document_id)
        FROM documents d
        WHERE d.document_type = 'summary' AND d.status IN ('loaded', 'partial')
          AND NOT EXISTS (SELECT 1 FROM participation p WHERE p.document_id = d.document_id)
    """),
    ("document_failed", "error", """
        SELECT NULL, document_id, NULL, format('{} was not loaded: {}', file_name, error)
        FROM documents WHERE status = 'failed'
    """),
    ("document_unreadable", "warning", """
        SELECT NULL, document_id, NULL, format('{} was not loaded ({}): {}', file_name,
                                               replace(status, '_', ' '), error)
        FROM documents WHERE status IN ('encrypted', 'no_text')
    """),
    ("document_duplicate", "info", """
        SELECT NULL, document_id, NULL, format('{} is {}; it was not loaded twice', file_name, error)
        FROM documents WHERE status = 'duplicate'
    """),
)

# (invariant, SQL returning the rows that break it)
INVARIANTS: tuple[tuple[str, str], ...] = (
    ("every person has a role",
     "SELECT person_id FROM people WHERE person_id NOT IN (SELECT person_id FROM roles)"),
    ("every role's person is in people",
     "SELECT role_id FROM roles WHERE person_id NOT IN (SELECT person_id FROM people)"),
    ("every person is in the person directory",
     "SELECT person_id FROM people ANTI JOIN person_directory USING (person_id)"),
    ("recommendation positions run 1..n in every area", """
        SELECT session_number, area_letter FROM recommendations
        GROUP BY session_number, area_letter HAVING max(position) <> count(*)"""),
    ("every fact's session has a sessions row", """
        SELECT DISTINCT session_number FROM (
            SELECT session_number FROM agenda_items UNION ALL SELECT session_number FROM format_rules
            UNION ALL SELECT session_number FROM roles UNION ALL SELECT session_number FROM participation
            UNION ALL SELECT session_number FROM discussion_areas
            UNION ALL SELECT session_number FROM recommendations
            UNION ALL SELECT session_number FROM panels)
        WHERE session_number NOT IN (SELECT session_number FROM sessions)"""),
    ("every loaded document has a session row", """
        SELECT document_id FROM documents WHERE status IN ('loaded', 'partial')
          AND session_number NOT IN (SELECT session_number FROM sessions)"""),
    ("every parsed fact points at a loaded document", """
        SELECT document_id FROM (
            SELECT document_id FROM agenda_items UNION ALL SELECT document_id FROM roles
            UNION ALL SELECT document_id FROM recommendations UNION ALL SELECT document_id FROM panels
            UNION ALL SELECT document_id FROM participation UNION ALL SELECT document_id FROM session_facts)
        WHERE document_id IS NOT NULL  -- curated rows cite a source_url instead
          AND document_id NOT IN (SELECT document_id FROM documents WHERE status IN ('loaded', 'partial'))"""),
)

# (invariant, SQL returning the rows that break it) over the tables the topic stage writes,
# checked once they are written (the build fits the model while INVARIANTS run). The schema
# already holds their keys, foreign keys (every unit_id a text unit, every topic_id a topic)
# and value ranges; these hold what no constraint can say.
TOPIC_INVARIANTS: tuple[tuple[str, str], ...] = (
    ("one topic model drew the topics",
     "SELECT count(*) FROM topic_models HAVING count(*) <> 1"),
    ("topic ids run 1..n_topics of the model", """
        SELECT m.model_id, m.n_topics, count(t.topic_id), max(t.topic_id)
        FROM topic_models AS m LEFT JOIN topics AS t USING (model_id)
        GROUP BY m.model_id, m.n_topics
        HAVING count(t.topic_id) > 0
           AND (count(t.topic_id) <> m.n_topics OR max(t.topic_id) <> m.n_topics)"""),
    ("the chosen number of topics is the model's", """
        SELECT s.model_id, s.n_topics FROM topic_model_selection AS s
        JOIN topic_models AS m USING (model_id)
        WHERE s.chosen AND s.n_topics <> m.n_topics
        UNION ALL
        SELECT model_id, count(*) FROM topic_model_selection WHERE chosen
        GROUP BY model_id HAVING count(*) > 1"""),
    ("every text unit with topics has exactly one primary topic", """
        SELECT unit_id FROM unit_topics
        GROUP BY unit_id HAVING count(*) FILTER (WHERE is_primary) <> 1"""),
    ("every text unit's topic weights sum to 1", """
        SELECT unit_id, sum(weight) FROM unit_topics
        GROUP BY unit_id HAVING abs(sum(weight) - 1) > 1e-4"""),
    ("every topic counts the units whose strongest topic it is", """
        SELECT t.topic_id FROM topics AS t
        LEFT JOIN (SELECT topic_id, count(*) AS n FROM unit_topics WHERE is_primary
                   GROUP BY topic_id) AS p USING (topic_id)
        WHERE t.unit_count <> coalesce(p.n, 0)"""),
    ("every text unit of a document points at a loaded document", """
        SELECT unit_id FROM text_units WHERE document_id IS NOT NULL
          AND document_id NOT IN (SELECT document_id FROM documents WHERE status IN ('loaded', 'partial'))"""),
    ("coverage has one row per session x objective", """
        SELECT s.session_number, o.objective
        FROM sessions AS s CROSS JOIN gcm_objectives AS o
        ANTI JOIN coverage AS c USING (session_number, objective)"""),
    ("coverage counts the session's units and those that map to the objective", """
        SELECT c.session_number, c.objective FROM coverage AS c
        LEFT JOIN (SELECT u.session_number, uo.objective, count(*) AS n
                   FROM unit_objectives AS uo JOIN text_units AS u USING (unit_id)
                   GROUP BY ALL) AS m USING (session_number, objective)
        LEFT JOIN (SELECT session_number, count(*) AS n FROM text_units GROUP BY ALL) AS t
            USING (session_number)
        WHERE c.unit_count <> coalesce(m.n, 0) OR c.session_unit_count <> coalesce(t.n, 0)"""),
    ("coverage's top units map to its objective", """
        SELECT session_number, objective, unit_id
        FROM (SELECT session_number, objective, unnest(top_unit_ids) AS unit_id FROM coverage)
        ANTI JOIN unit_objectives USING (unit_id, objective)"""),
    ("topic_sessions has one row per topic x session with text units", """
        SELECT t.topic_id, u.session_number
        FROM topics AS t CROSS JOIN (SELECT DISTINCT session_number FROM text_units) AS u
        ANTI JOIN topic_sessions USING (topic_id, session_number)"""),
    ("topic_sessions counts the session's units whose strongest topic it is", """
        SELECT ts.topic_id, ts.session_number FROM topic_sessions AS ts
        LEFT JOIN (SELECT ut.topic_id, u.session_number, count(*) AS n
                   FROM unit_topics AS ut JOIN text_units AS u USING (unit_id)
                   WHERE ut.is_primary GROUP BY ALL) AS p USING (topic_id, session_number)
        LEFT JOIN (SELECT session_number, count(*) AS n FROM text_units GROUP BY ALL) AS t
            USING (session_number)
        WHERE ts.unit_count <> coalesce(p.n, 0) OR ts.session_unit_count <> t.n"""),
)


CHECK_NAMES = tuple(name for name, _, _ in QUALITY_CHECKS)


class InvariantError(RuntimeError):
    """The database broke a promise; the build stops and the old database stays in place."""


def run_quality_checks(con: duckdb.DuckDBPyConnection) -> list[Flag]:
    """Every quality check over the loaded database, as flags (nothing is written)."""
    flags: list[Flag] = []
    for name, severity, sql in QUALITY_CHECKS:
        for session_number, document_id, line_start, message in con.execute(_expand(sql)).fetchall():
            flags.append(Flag(name, severity, message, session_number, document_id, line_start))
    return flags


def check_invariants(con: duckdb.DuckDBPyConnection,
                     invariants: tuple[tuple[str, str], ...] | None = None) -> None:
    """Raise InvariantError naming every invariant the database breaks (INVARIANTS unless
    `invariants` says which, e.g. TOPIC_INVARIANTS)."""
    broken = []
    for name, sql in INVARIANTS if invariants is None else invariants:
        rows = con.execute(sql).fetchall()
        if rows:
            broken.append(f"{name}: {len(rows)} violation(s), e.g. {rows[0]}")
    if broken:
        raise InvariantError("; ".join(broken))
