"""Profiles with permalinks: a person (every role, the affiliation each source gives, the
sources), a session's recommendations and objectives, one recommendation; and the word-form
search the recommendations page uses (a Snowball stemmer: "detentions" finds "detention").

Queries here follow views/queries.py's rules (bound parameters, one cursor per call, the
columns listed in the docstring); the stemming is done in Python on the matched rows' text,
never formatted into SQL.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache
from urllib.parse import quote, urlencode

import duckdb
import pandas as pd
import snowballstemmer

from gcmdash.provenance import SOURCE_LABEL
from gcmdash.views import queries, tables

_WORD = re.compile(r"\w+", re.UNICODE)
_STOP = frozenset("a an and are as at be by for from in into is it of on or that the their to "
                  "with".split())


def person_link(person_id: str) -> str:
    """The app's address of a person's profile."""
    return f"person?{urlencode({'id': str(person_id)}, quote_via=quote)}"


def recommendation_link(recommendation_id: str) -> str:
    """The app's address of one recommendation (the recommendations page showing it alone)."""
    return f"recommendations?{urlencode({'rec': str(recommendation_id)}, quote_via=quote)}"


def person(con: duckdb.DuckDBPyConnection, person_id: str) -> pd.DataFrame:
    """Every role row of one person as each source gives it, by session and role.

    Columns: person_id, full_name, listed_name, session_number, role, panel_number,
    honorific, affiliation, gender_as_listed, organisation_type, source_label.
    """
    return queries._frame(con, f"""
        SELECT r.person_id, p.full_name, r.listed_name, r.session_number, r.role,
               r.panel_number, r.honorific, r.affiliation, r.gender_as_listed,
               r.organisation_type, {SOURCE_LABEL.format(t='r')} AS source_label
        FROM roles AS r JOIN people AS p USING (person_id)
        WHERE r.person_id = ?
        ORDER BY r.session_number, coalesce(list_position(?::VARCHAR[], r.role), 1000),
                 r.panel_number NULLS FIRST, (r.document_id IS NULL), r.role_id
    """, [str(person_id), list(queries.ROLES)])


def person_table(rows: pd.DataFrame) -> pd.DataFrame:
    """profiles.person -> one row per role and source, the affiliation as that source gives it."""
    return pd.DataFrame({
        "Session": [tables.session_label(n) for n in rows["session_number"]],
        "Role": [tables.role_label(r) + ("" if tables._missing(p) else f", panel {int(p)}")
                 for r, p in zip(rows["role"], rows["panel_number"])],
        "Listed as": [" ".join(x for x in (h, n) if isinstance(x, str))
                      for h, n in zip(rows["honorific"], rows["listed_name"])],
        "Affiliation": [tables._text(a, "not given") for a in rows["affiliation"]],
        "Kind of organisation": [tables.organisation_label(k) for k in rows["organisation_type"]],
        "Source": [str(s) for s in rows["source_label"]],
    }, columns=["Session", "Role", "Listed as", "Affiliation", "Kind of organisation", "Source"])


def session_recommendations(con: duckdb.DuckDBPyConnection, session_number: int) -> pd.DataFrame:
    """A session's recommendations by area of discussion.

    Columns: area_letter, heading, recommendation_id, position, text, source_label.
    """
    return queries._frame(con, f"""
        SELECT a.area_letter, a.heading, r.recommendation_id, r.position, r.text,
               {SOURCE_LABEL.replace("ELSE {t}.source_url", "").format(t='r')} AS source_label
        FROM discussion_areas AS a
        LEFT JOIN recommendations AS r USING (session_number, area_letter)
        WHERE a.session_number = ?
        ORDER BY a.area_letter, r.position
    """, [session_number])


def has_summary(con: duckdb.DuckDBPyConnection, session_number: int) -> bool:
    """TRUE when the record holds a co-facilitators' summary of the session."""
    found = queries._frame(con, """
        SELECT count(*) AS n FROM documents
        WHERE session_number = ? AND document_type = 'summary' AND status IN ('loaded', 'partial')
    """, [session_number])
    return int(found["n"].iloc[0]) > 0


def session_objectives(coverage: pd.DataFrame, session_number: int) -> dict[str, list[str]]:
    """queries.objective_coverage -> the session's objectives by state: 'covered' and 'gap'
    (text, none of it maps) and 'no_text', each as 'Objective 7: short title' labels."""
    rows = coverage[coverage["session_number"] == session_number]
    out: dict[str, list[str]] = {"covered": [], "gap": [], "no_text": []}
    for r in rows.itertuples(index=False):
        out.setdefault(str(r.status), []).append(f"Objective {int(r.objective)}: {r.short_title}")
    return out


# --------------------------------------------------------------------------- word forms

@lru_cache(maxsize=1)
def _stemmer():
    return snowballstemmer.stemmer("english")


def stems(text: object) -> list[str]:
    """The words of a text as Snowball (English) stems, accents and case folded."""
    folded = unicodedata.normalize("NFKD", str(text or ""))
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    words = [w.lower() for w in _WORD.findall(folded)]
    return _stemmer().stemWords(words)


def search_terms(search: str | None) -> list[list[str]]:
    """A search -> its terms (words, or "quoted phrases"), each as the stems of its words;
    common short words are dropped unless they are all the term holds."""
    text = (search or "")[:queries.SEARCH_MAX_CHARS]
    terms = [phrase or word for phrase, word in re.findall(r'"([^"]+)"|(\S+)', text)]
    out = []
    for term in terms[:queries.SEARCH_MAX_TERMS]:
        stemmed = stems(term)
        if len(stemmed) == 1 and stemmed[0] in _STOP and len(terms) > 1:
            continue
        if stemmed:
            out.append(stemmed)
    return out


def _contains(haystack: list[str], needle: list[str]) -> bool:
    n = len(needle)
    return any(haystack[i:i + n] == needle for i in range(len(haystack) - n + 1))


def matches(texts: Sequence[object], search: str | None) -> list[bool]:
    """For each text: does every term of the search occur in it as a word form (a phrase as
    consecutive words)? 'detentions' matches 'detention' (one Snowball stem, 'detent');
    'detained' stems to 'detain', another word form, and does not."""
    terms = search_terms(search)
    if not terms:
        return [True] * len(texts)
    out = []
    for text in texts:
        words = stems(text)
        out.append(all(_contains(words, t) for t in terms))
    return out


def stemmed_recommendations(con: duckdb.DuckDBPyConnection, search: str | None = None,
                            limit: int | None = None, **filters) -> pd.DataFrame:
    """queries.recommendations with the search matched on word forms instead of literally:
    the other filters run in SQL, the search on the stems of each row's text, id and area
    heading. Same columns as queries.recommendations; match_count counts the stemmed matches."""
    rows = queries.recommendations(con, None, **filters)
    if search and search.strip():
        keep = matches([f"{t} {i} {h}" for t, i, h in zip(
            rows["text"], rows["recommendation_id"], rows["area_heading"])], search)
        literal = rows["recommendation_id"].str.lower().isin(
            [w.lower() for w in search.split()])
        rows = rows[[k or lit for k, lit in zip(keep, literal)]]
    rows = rows.reset_index(drop=True)
    rows["match_count"] = len(rows)
    return rows.head(limit) if limit is not None else rows


def filter_counts(con: duckdb.DuckDBPyConnection) -> dict[str, dict]:
    """How many recommendations each filter option holds: {'session': {3: 73, ...},
    'area': {'s3-g': 12, ...}, 'topic': {...}, 'objective': {...}}."""
    out: dict[str, dict] = {}
    df = queries._frame(con, """
        SELECT session_number, count(*) AS n FROM recommendations GROUP BY 1""")
    out["session"] = {int(k): int(v) for k, v in zip(df["session_number"], df["n"])}
    df = queries.discussion_areas(con)
    out["area"] = dict(zip(df["area_key"], (int(n) for n in df["recommendation_count"])))
    if queries.themes_available(con):
        df = queries._frame(con, """
            SELECT ut.topic_id, count(*) AS n FROM unit_topics AS ut
            JOIN recommendations AS r ON r.recommendation_id = ut.unit_id
            WHERE ut.is_primary GROUP BY 1""")
        out["topic"] = {int(k): int(v) for k, v in zip(df["topic_id"], df["n"])}
        df = queries._frame(con, """
            SELECT uo.objective, count(DISTINCT uo.unit_id) AS n FROM unit_objectives AS uo
            JOIN recommendations AS r ON r.recommendation_id = uo.unit_id GROUP BY 1""")
        out["objective"] = {int(k): int(v) for k, v in zip(df["objective"], df["n"])}
    return out


def with_count(label: object, count: int | None) -> str:
    """'Session 3 (73)'; '(0)' when the option holds none."""
    return f"{label} ({int(count or 0)})"


def with_profile_links(display: pd.DataFrame, rows: pd.DataFrame,
                       column: str = "Profile") -> pd.DataFrame:
    """A people or roles display table with a column of links to each person's profile
    (rows: the query rows it was made from, holding person_id in the same order)."""
    out = display.copy()
    out.insert(1, column, [person_link(p) for p in rows["person_id"]])
    return out


def recommendations_by_area(rows: pd.DataFrame) -> list[tuple[str, pd.DataFrame]]:
    """profiles.session_recommendations -> (area heading, its recommendations as a display
    table: Id, Recommendation, Source, Link) per area, in the summary's order."""
    out = []
    for (letter, heading), group in rows.groupby(["area_letter", "heading"], sort=True):
        group = group[group["recommendation_id"].notna()]
        out.append((f"{letter}. {heading} ({len(group)})", pd.DataFrame({
            "Id": [str(i) for i in group["recommendation_id"]],
            "Recommendation": [str(t) for t in group["text"]],
            "Source": [str(s) for s in group["source_label"]],
        }, columns=["Id", "Recommendation", "Source"])))
    return out
