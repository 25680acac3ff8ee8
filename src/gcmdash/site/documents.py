"""The published site's document pages: each document's extracted text with numbered lines,
every line some record cites marked, and an anchor per line (`document-<id>.html#L11`), so a
citation opens at its line (CSS :target highlights it; no script needed).

HTML here is escaped by construction: every piece of document text goes through html.escape.
"""
from __future__ import annotations

import html
from pathlib import Path

import duckdb
import pandas as pd
from markupsafe import Markup

from gcmdash.views import documents


def _cell(value: object) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _facts(row: pd.Series) -> str:
    items = "".join(f"<dt>{_cell(k)}</dt><dd>{_cell(v)}</dd>"
                    for k, v in documents.describe(row))
    return f'<dl class="facts">{items}</dl>'


def _lines(lines: tuple[str, ...], cited: set[int]) -> str:
    rows = []
    for number, text in enumerate(lines, 1):
        mark = ' class="cited"' if number in cited else ""
        rows.append(f'<tr id="L{number}"{mark}><th scope="row"><a href="#L{number}">{number}'
                    f"</a></th><td>{_cell(text)}</td></tr>")
    return ('<div class="table-wrap"><table class="lines"><caption>The extracted text, '
            "line by line (lines a record cites are marked)</caption><thead><tr>"
            '<th scope="col">Line</th><th scope="col">Text</th></tr></thead><tbody>'
            + "".join(rows) + "</tbody></table></div>")


def page_body(con: duckdb.DuckDBPyConnection, row: pd.Series, raw_dir: Path | None = None) -> Markup:
    """One document's page body: its facts, then its numbered text (or why there is none)."""
    text = documents.read_text(row["file_name"], row["sha256"], raw_dir)
    parts = [_facts(row)]
    if text.problem:
        parts.append(f'<p class="note">{_cell(text.problem)}</p>')
    else:
        cited = documents.cited_lines(con, row["document_id"])
        parts.append(f'<p class="note">{len(text.lines):,} lines; {len(cited):,} of them cited '
                     "by the record. A citation elsewhere on the site opens this page at its "
                     "line.</p>")
        parts.append(_lines(text.lines, cited))
    return Markup("".join(parts))


def pages(con: duckdb.DuckDBPyConnection, raw_dir: Path | None = None
          ) -> list[tuple[str, str, Markup]]:
    """(file name, title, body) of every loaded document's page."""
    catalogue = documents.catalogue(con)
    out = []
    for _, row in catalogue.iterrows():
        if row["status"] not in ("loaded", "partial"):
            continue
        out.append((documents.site_page(row["document_id"]), str(row["display_name"]),
                    page_body(con, row, raw_dir)))
    return out


def linked_cell(value: object, known: dict[str, str]) -> object:
    """A Source (or Document) cell for the site: documents by their display names, the cell a
    link to the first source it cites (the document page at its line, or the public page)."""
    text = documents.readable(value, known)
    address = documents.first_citation(value, known, site=True)
    if not address or address.startswith(("http:", "https:")):
        return text  # the site links only to its own pages: nothing loads from elsewhere
    return Markup(f'<a href="{_cell(address)}">{_cell(text)}</a>')


def readable_sources(df: pd.DataFrame, known: dict[str, str], columns) -> pd.DataFrame:
    """A table (for its CSV) with the documents in its source columns named as on the page."""
    out = df.copy()
    for column in out.columns:
        if column in columns:
            out[column] = [v if v is None or (not isinstance(v, str) and pd.isna(v))
                           else documents.readable(v, known) for v in out[column]]
    return out
