"""Every source opens: documents named by what they are (kind, session, original file name)
instead of their stored hashed names, citations turned into links to a document view, and the
document view itself (the extracted text, numbered, with the cited lines marked).

The text is extracted again from the stored file in data/raw (gcmdash.extract), the same
function the build ran, so the line numbers are the ones the records cite; the file's SHA-256
must equal the one the build recorded, else the view says the file changed instead of showing
lines that may no longer match. Nothing here renders HTML: lines are returned as text.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlencode

import duckdb
import numpy as np
import pandas as pd
import plotly.graph_objects as go

from gcmdash import config, vocab
from gcmdash.extract.formats import extract, sha256_file
from gcmdash.provenance import reference_name
from gcmdash.views import queries, tables

# The app's document page (st.Page url_path) and how many lines around a citation it shows first.
PAGE = "document"
CONTEXT_LINES = 6
KIND_LABELS: dict[str, str] = vocab.labels(vocab.DOCUMENT_KINDS)
_LINES = re.compile(r"^\s*(\d{1,7})\s*(?:[-–]\s*(\d{1,7}))?\s*$")
_CITED_LINES = re.compile(r", lines? (\d+)(?:–(\d+))?")


def catalogue(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every document of the record with the name it is shown by.

    Columns: document_id, file_name, original_name, format, document_type, session_number,
    status, sha256, display_name ("Co-facilitators' summary, session 3"; the original file
    name in brackets when `gcmdash add` renamed it; "(2)" and on when kind and session repeat).
    """
    df = queries._frame(con, """
        SELECT document_id, file_name, original_name, format, document_type, session_number,
               status, sha256
        FROM documents ORDER BY session_number NULLS LAST, document_type, document_id
    """)
    df["display_name"] = display_names(df)
    return df


def _kind_and_session(row) -> str:
    kind = KIND_LABELS.get(row.document_type) if isinstance(row.document_type, str) else None
    kind = (kind or "document").capitalize()
    if tables._missing(row.session_number):
        return kind
    return f"{kind}, {tables.session_label(row.session_number).lower()}" \
        if int(row.session_number) != 7 else f"{kind}, stocktaking"


def display_names(df: pd.DataFrame) -> list[str]:
    """documents rows -> the names they are shown by, distinct and free of stored hashes."""
    bases = [_kind_and_session(r) for r in df.itertuples(index=False)]
    seen: dict[str, int] = {}
    total = pd.Series(bases).value_counts().to_dict() if bases else {}
    names = []
    for base, row in zip(bases, df.itertuples(index=False)):
        seen[base] = seen.get(base, 0) + 1
        name = base if total[base] == 1 else f"{base} ({seen[base]})"
        if isinstance(row.original_name, str) and row.original_name:
            name += f" ({row.original_name})"
        elif tables._missing(row.document_type):
            name = f"{name}: {row.file_name}"  # unclassified: the file is all that names it
        names.append(name)
    return names


def names(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """document_id -> display name."""
    df = catalogue(con)
    return dict(zip(df["document_id"], df["display_name"]))


def parse_lines(value: str | None) -> tuple[int, int] | None:
    """'11' -> (11, 11), '11-12' or '11–12' -> (11, 12); None for anything else."""
    match = _LINES.match(value or "")
    if not match:
        return None
    start = int(match[1])
    end = int(match[2]) if match[2] else start
    return (start, end) if start >= 1 and end >= start else None


def link(document_id: str, line_start: object = None, line_end: object = None,
         base: str = PAGE) -> str:
    """The app's address of a document (and its cited lines): 'document?doc=...&lines=11-12'."""
    params = {"doc": str(document_id)}
    if not tables._missing(line_start):
        start = int(line_start)
        end = int(line_end) if not tables._missing(line_end) else start
        params["lines"] = f"{start}-{end}" if end > start else str(start)
    return f"{base}?{urlencode(params, quote_via=quote)}"


def site_page(document_id: str, line_start: object = None) -> str:
    """The published site's page of a document, at a cited line: 'document-<id>.html#L11'
    (a page beside the others, so its links and assets resolve the same)."""
    name = re.sub(r"[^A-Za-z0-9._-]+", "-", str(document_id))
    anchor = "" if tables._missing(line_start) else f"#L{int(line_start)}"
    return f"document-{name}.html{anchor}"


# Tables whose rows cite document lines (each has document_id, line_start, line_end).
_CITING_TABLES = ("session_facts", "sessions", "agenda_items", "format_rules", "roles",
                  "participation", "discussion_areas", "recommendations", "panels")


def cited_lines(con: duckdb.DuckDBPyConnection, document_id: str) -> set[int]:
    """Every line of the document some record cites (line_start..line_end of each row)."""
    parts = " UNION ALL ".join(
        f"SELECT line_start, coalesce(line_end, line_start) AS line_end FROM {t} "
        "WHERE document_id = ? AND line_start IS NOT NULL" for t in _CITING_TABLES)
    df = queries._frame(con, f"SELECT DISTINCT line_start, line_end FROM ({parts})",
                        [str(document_id)] * len(_CITING_TABLES))
    return {n for a, b in zip(df["line_start"], df["line_end"])
            for n in range(int(a), int(b) + 1)}


def _pattern(known: dict[str, str]) -> re.Pattern | None:
    if not known:
        return None
    ids = sorted(known, key=len, reverse=True)
    return re.compile("|".join(re.escape(i) for i in ids))


def readable(label: object, known: dict[str, str]) -> str:
    """A source label with every stored document name replaced by its display name:
    '003_caee5c70cc5473e9.txt, line 11' -> "Co-facilitators' summary, session 3, line 11"."""
    text = "" if tables._missing(label) else str(label)
    pattern = _pattern(known)
    return pattern.sub(lambda m: known[m[0]], text) if pattern else text


def _readable_markup(value: object, known: dict[str, str], pattern: re.Pattern) -> object:
    """A figure's text (plotly reads it as limited HTML) with stored document names replaced
    by display names, themselves escaped; lists, tuples and arrays walked at any depth (a heat
    map's text is 2-D), other values kept."""
    if isinstance(value, str):
        return pattern.sub(lambda m: html.escape(known[m[0]], quote=False), value)
    if isinstance(value, np.ndarray):
        names_nothing = value.dtype.kind not in "OU"  # numbers, say, name no document
        return value if names_nothing else _readable_markup(value.tolist(), known, pattern)
    if isinstance(value, (list, tuple)):
        return [_readable_markup(v, known, pattern) for v in value]
    return value


_FIGURE_TEXTS = ("hovertext", "text", "customdata", "name")


def readable_figure(fig: go.Figure, known: dict[str, str], copy: bool = True) -> go.Figure:
    """A copy of the figure (the figure itself with copy=False) whose hover texts, bar texts,
    custom data, trace names, titles and annotations name documents by their display names
    (`readable`), never their stored hashed names; what the app and the site draw goes
    through here."""
    pattern = _pattern(known)
    out = go.Figure(fig) if copy else fig
    if pattern is None:
        return out
    for trace in out.data:
        for prop in _FIGURE_TEXTS:
            value = getattr(trace, prop, None)
            if value is not None:
                setattr(trace, prop, _readable_markup(value, known, pattern))
    for annotation in out.layout.annotations:
        if annotation.text:
            annotation.text = _readable_markup(annotation.text, known, pattern)
    if out.layout.title.text:
        out.layout.title.text = _readable_markup(out.layout.title.text, known, pattern)
    meta = out.layout.meta
    if isinstance(meta, dict) and isinstance(meta.get("alt"), str):
        out.layout.meta = {**meta, "alt": readable(meta["alt"], known)}
    return out


# A curated row as the build's messages cite it: 'panels.csv:3', then perhaps its page, as
# ' (https://...)' or ', https://...'.
_REFERENCE_ROW = re.compile(
    r"\b([a-z_]+\.csv):(\d+)(?: \((https?://[^\s)]+)\)|, (https?://[^\s)]+))?")
_MEASURE_WORDS = re.compile(r"\b(" + "|".join(
    re.escape(m) for m in sorted(vocab.values(vocab.MEASURES), key=len, reverse=True)) + r")\b")
_STOCKTAKING = re.compile(rf"\b[Ss]ession {vocab.STOCKTAKING_SESSION}\b")


def _named_reference(match: re.Match, message: str, references: dict[str, str]) -> str:
    given = match[3] or match[4]
    url = given or references.get(f"{match[1]}:{match[2]}")
    name = reference_name(match[1])
    if not url or (given is None and url in message):  # its page is named already
        return name
    return f"{name}, {url}"


def readable_message(message: object, known: dict[str, str],
                     references: dict[str, str] | None = None) -> str:
    """A build message (a quality flag) in the words a reader sees: documents by their display
    names (`readable`), curated rows by the reference's name and its public page instead of a
    CSV line ('panels.csv:3 (https://…)' -> 'curated programme, https://…'; `references`
    maps a bare row to its page), measures by their labels, the stocktaking by its name, and
    quoted document text without Markdown emphasis."""
    text = tables.without_emphasis(message)
    text = _REFERENCE_ROW.sub(lambda m: _named_reference(m, text, references or {}), text)
    text = _MEASURE_WORDS.sub(lambda m: tables.measure_label(m[1]), text)
    text = _STOCKTAKING.sub(tables.session_label(vocab.STOCKTAKING_SESSION), text)
    text = readable(text, known)
    return text[:1].upper() + text[1:]


def references(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Curated row ('people.csv:8') -> the public page it cites."""
    df = queries.reference_rows(con)
    return {str(r): str(u) for r, u in zip(df["reference_row"], df["source_url"])
            if not tables._missing(u)}


def first_citation(label: object, known: dict[str, str], base: str = PAGE,
                   site: bool = False) -> str | None:
    """The address the first source a label cites opens at: the document view for a document
    (with its lines; with `site`, the published site's document page at the line), the page
    itself for a curated source's URL; None when it names neither."""
    text = "" if tables._missing(label) else str(label)
    pattern = _pattern(known)
    found = pattern.search(text) if pattern else None
    url = re.search(r"https?://\S+", text)
    if found and (url is None or found.start() < url.start()):
        lines = _CITED_LINES.match(text, found.end())
        start, end = lines.groups() if lines else (None, None)
        return site_page(found[0], start) if site else link(found[0], start, end, base=base)
    return url[0].rstrip(";,") if url else None


def with_links(df: pd.DataFrame, known: dict[str, str], column: str = "Source",
               base: str = PAGE, link_column: str = "Open source") -> pd.DataFrame:
    """A display table whose `column` names documents by their display names, with a column
    of addresses that open the first source of each row (empty when it cites none)."""
    if column not in df.columns:
        return df
    out = df.copy()
    links = [first_citation(v, known, base) for v in df[column]]
    out[column] = [readable(v, known) for v in df[column]]
    if any(links):
        out.insert(list(out.columns).index(column) + 1, link_column, links)
    return out


@dataclass(frozen=True)
class DocumentText:
    """A document's extracted text as lines, or why there is none to show."""

    lines: tuple[str, ...] = ()
    problem: str = ""  # empty when lines are shown


def read_text(file_name: str, sha256: str, raw_dir: Path | None = None) -> DocumentText:
    """The document's text as the build extracted it, from its stored file (data/raw); the
    file must still be the one the build read (same SHA-256)."""
    path = (raw_dir or config.raw_dir()) / file_name
    if Path(file_name).name != file_name or not path.is_file():
        return DocumentText(problem="The stored file is no longer in data/raw, so its text "
                            "cannot be shown; rebuild with `gcmdash build`.")
    if sha256_file(path) != sha256:
        return DocumentText(problem="The stored file has changed since the database was "
                            "built, so its line numbers may no longer match the record; "
                            "rebuild with `gcmdash build`.")
    extracted = extract(path)
    if extracted.text is None:
        return DocumentText(problem=f"No text could be extracted: {extracted.error}")
    return DocumentText(lines=tuple(extracted.text.split("\n")))


def numbered(lines: tuple[str, ...] | list[str], cited: tuple[int, int] | None = None,
             start: int = 1, end: int | None = None) -> pd.DataFrame:
    """Lines start..end (1-based, inclusive; all by default) as a table: Line, Text, Cited
    (True on the cited lines). Text stays text: a renderer shows it escaped."""
    end = len(lines) if end is None else min(end, len(lines))
    numbers = list(range(max(start, 1), end + 1))
    return pd.DataFrame({
        "Line": numbers,
        "Text": [lines[n - 1] for n in numbers],
        "Cited": [cited is not None and cited[0] <= n <= cited[1] for n in numbers],
    })


def excerpt_window(line_count: int, cited: tuple[int, int] | None,
                   context: int = CONTEXT_LINES) -> tuple[int, int] | None:
    """The lines shown around a citation (it in view, `context` lines either side), or None
    when nothing is cited or the citation lies beyond the text."""
    if cited is None or cited[0] > line_count:
        return None
    return max(1, cited[0] - context), min(line_count, cited[1] + context)


def as_code(frame: pd.DataFrame) -> str:
    """Numbered lines as one plain block (for st.code / <pre>): cited lines marked '▶'."""
    width = len(str(int(frame["Line"].max()))) if len(frame) else 1
    return "\n".join(f"{'▶' if c else ' '} {n:>{width}}  {t}"
                     for n, t, c in zip(frame["Line"], frame["Text"], frame["Cited"]))


def find(catalogue_rows: pd.DataFrame, ref: str | None) -> pd.Series | None:
    """The document a `?doc=` value names: its id, stored file name or original name."""
    if not ref:
        return None
    for column in ("document_id", "file_name", "original_name"):
        hit = catalogue_rows[catalogue_rows[column] == ref]
        if len(hit):
            return hit.iloc[0]
    return None


def describe(row: pd.Series) -> list[tuple[str, str]]:
    """(label, value) facts about a document for the top of its page."""
    kind = KIND_LABELS.get(row["document_type"], "not classified") \
        if isinstance(row["document_type"], str) else "not classified"
    facts = [("Kind", kind),
             ("Session", "" if tables._missing(row["session_number"])
              else tables.session_label(row["session_number"])),
             ("Original file name", row["original_name"]
              if isinstance(row["original_name"], str) else "as stored"),
             ("Format", str(row["format"])), ("Status", str(row["status"])),
             ("Stored as", str(row["file_name"]))]
    return [(k, v) for k, v in facts if v]
