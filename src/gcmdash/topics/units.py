"""The text units the topic model reads, from the tables of the database being built: every
recommendation, panel description and title, discussion-area narrative and session theme, each
with its session and provenance (`read_text_units`), and the hash of that corpus."""
from __future__ import annotations

import hashlib

import duckdb
import pandas as pd

from gcmdash.provenance import curated_last

# --------------------------------------------------------------------------- text units

_AGENDA_PANELS = """
    SELECT session_number, panel_number, title, description, document_id, line_start, line_end,
           row_number() OVER (PARTITION BY session_number, panel_number
                              ORDER BY length(description) DESC NULLS LAST, document_id, line_start
                             ) AS rank_description,
           row_number() OVER (PARTITION BY session_number, panel_number
                              ORDER BY document_id, line_start) AS rank_title
    FROM agenda_items WHERE item_type = 'panel'
"""
_RECOMMENDATIONS = """
    SELECT recommendation_id AS unit_id, session_number, 'recommendation' AS unit_type, text,
           document_id, line_start, line_end, NULL AS source_url
    FROM recommendations
"""
_PANEL_DESCRIPTIONS = """
    SELECT format('s{}-panel-{}-description', session_number, panel_number), session_number,
           'panel_description', description, document_id, line_start, line_end, NULL
    FROM agenda_panels WHERE rank_description = 1 AND description IS NOT NULL
"""
_NARRATIVES = """
    SELECT format('s{}-{}-narrative', session_number, area_letter), session_number,
           'area_narrative', narrative, document_id, line_start, line_end, NULL
    FROM discussion_areas
"""
# A session's theme is its resolved title; its provenance is the source that stated that title
# (session_facts), parsed sources first.
_THEMES_FROM_FACTS = f"""
    SELECT format('s{{}}-theme', s.session_number), s.session_number, 'session_theme', s.title,
           f.document_id, f.line_start, f.line_end, f.source_url
    FROM sessions s JOIN session_facts f
      ON f.session_number = s.session_number AND f.fact = 'title' AND f.value = s.title
    WHERE s.title IS NOT NULL
    QUALIFY row_number() OVER (
        PARTITION BY s.session_number
        ORDER BY {curated_last('f')}, f.document_id, f.line_start, f.source) = 1
"""
_THEMES_FROM_SESSIONS = """
    SELECT format('s{}-theme', session_number), session_number, 'session_theme', title,
           document_id, line_start, line_end, CASE WHEN document_id IS NULL THEN source_url END
    FROM sessions WHERE title IS NOT NULL
"""
# One title per session and panel: a parsed one (first document) before a curated one.
_PANEL_TITLES_FROM_PANELS = f"""
    SELECT format('s{{}}-panel-{{}}-title', session_number, panel_number), session_number,
           'panel_title', title, document_id, line_start, line_end,
           CASE WHEN document_id IS NULL THEN source_url END
    FROM panels WHERE title IS NOT NULL
    QUALIFY row_number() OVER (PARTITION BY session_number, panel_number
                               ORDER BY {curated_last()}, document_id, line_start, source) = 1
"""
_PANEL_TITLES_FROM_AGENDAS = """
    SELECT format('s{}-panel-{}-title', session_number, panel_number), session_number,
           'panel_title', title, document_id, line_start, line_end, NULL
    FROM agenda_panels WHERE rank_title = 1
"""


def has_table(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    """TRUE when the database has a table of that name."""
    return con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = ?",
                       [name]).fetchone()[0] > 0


def read_text_units(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every text unit with its session and provenance, ordered by unit_id. Panel titles come
    from the `panels` table when the database has one, else from the agendas; units of a
    session the sessions table does not know, and empty texts, are left out."""
    themes = _THEMES_FROM_FACTS if has_table(con, "session_facts") else _THEMES_FROM_SESSIONS
    titles = _PANEL_TITLES_FROM_PANELS if has_table(con, "panels") else _PANEL_TITLES_FROM_AGENDAS
    parts = [_RECOMMENDATIONS, _PANEL_DESCRIPTIONS, _NARRATIVES, themes, titles]
    sql = (f"WITH agenda_panels AS ({_AGENDA_PANELS}) SELECT u.* FROM ("
           + " UNION ALL ".join(f"({part})" for part in parts) + """) u
        WHERE u.session_number IN (SELECT session_number FROM sessions)
          AND length(trim(u.text)) > 0
        ORDER BY u.unit_id""")
    units = con.execute(sql).fetchdf()
    units = units.drop_duplicates("unit_id", keep="first").reset_index(drop=True)
    for column in ("session_number", "line_start", "line_end"):
        units[column] = units[column].astype("Int64")
    return units


def corpus_sha256(units: pd.DataFrame) -> str:
    """SHA-256 of the text units (unit_id and text per row, in order)."""
    digest = hashlib.sha256()
    for unit_id, text in zip(units["unit_id"], units["text"]):
        digest.update(f"{unit_id}\x1f{text}\x1e".encode())
    return digest.hexdigest()

