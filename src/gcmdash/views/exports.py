"""Downloads: pure functions from query DataFrames to file contents (CSV, Markdown brief).

Deterministic: the same rows and filters give the same bytes (no dates, no randomness), so a
brief can be regenerated and compared.
"""
from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import pandas as pd

from gcmdash.views import documents, tables

# Characters that would become emphasis, code, links, HTML, entities (&amp;), strikethrough
# or table cells; '_' only where it could open or close emphasis (not inside a word, as in a
# file name).
# '$' would open math; words a renderer links by itself go in code spans (tables.literal_words).
_MARKDOWN_INLINE = re.compile(r"([\\`*\[\]<>&~|$]|(?<!\w)_|_(?!\w))")
# A cell a spreadsheet would read as a formula (OWASP's CSV-injection rule), unless it is a
# plain number such as -3 or +1.5.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?%?")


def spreadsheet_safe(value: object) -> object:
    """A CSV cell that a spreadsheet shows as text and never runs: text beginning with =, +,
    -, @, tab or carriage return gets a leading single quote (a plain number is left as it
    is), and a carriage return inside becomes a line feed, which the CSV writers quote (a
    bare CR would end the row there). Anything that is not text is returned unchanged. Every
    CSV gcmdash writes, in the app and the published site, goes through this."""
    if not isinstance(value, str):
        return value
    text = value.replace("\r\n", "\n").replace("\r", "\n") if "\r" in value else value
    if value.startswith(_FORMULA_START) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + text
    return text


def _md(text: object) -> str:
    """Record text for a Markdown file: one line, and the characters that would turn into
    emphasis, links, math or HTML escaped, and URLs and addresses in code spans (text stays
    text)."""
    line = " ".join(str(text).split())
    line = tables.literal_words(line, lambda part: _MARKDOWN_INLINE.sub(lambda m: "\\" + m[0],
                                                                         part))
    line = re.sub(r"^(\d+)([.)])", r"\1\\\2", line)  # not an ordered list item
    return "\\" + line if line[:1] and line[:1] in "#+-" else line  # nor a heading or bullet


def recommendations_csv(df: pd.DataFrame) -> bytes:
    """queries.recommendations -> CSV (UTF-8 with a byte-order mark, so spreadsheet programs
    read accents right): the display table's columns plus line numbers."""
    out = tables.recommendations_table(df)
    out["Document"] = [str(d) for d in df["document_id"]]
    out["First line"] = [int(n) for n in df["line_start"]]
    out["Last line"] = [int(n) for n in df["line_end"]]
    out = out.map(spreadsheet_safe).rename(columns=spreadsheet_safe)
    return out.to_csv(index=False, lineterminator="\n").encode("utf-8-sig")


def filters_description(search: str | None = None, session_numbers: Sequence[int] = (),
                        areas: Sequence[str] = (), topics: Sequence[str] = (),
                        objectives: Sequence[str] = ()) -> list[str]:
    """The filters a result was drawn with, in words (labels already formatted)."""
    parts = []
    if search and search.strip():
        parts.append(f"search “{' '.join(search.split())}”")
    if session_numbers:
        parts.append("sessions: " + ", ".join(tables.session_label(n)
                                              for n in sorted(session_numbers)))
    if areas:
        parts.append("areas: " + "; ".join(areas))
    if topics:
        parts.append("topics: " + "; ".join(topics))
    if objectives:
        parts.append("GCM objectives: " + "; ".join(objectives))
    return parts


def markdown_brief(df: pd.DataFrame, filters: Sequence[str] = (),
                   model_id: str | None = None,
                   names: Mapping[str, str] | None = None) -> str:
    """queries.recommendations -> a Markdown brief for the stocktaking: grouped by topic (the
    strongest topic of each recommendation; 'Without a topic' last), or by area of discussion
    when the database holds no topic model. Each recommendation with its id, session, area and
    source line."""
    by_topic = df["topic_id"].notna().any() if len(df) else False
    lines = ["# Recommendations for the stocktaking", "",
             "From the co-facilitators' summaries of the 2017 consultations on the Global "
             "Compact for Migration, as recorded by gcmdash; every recommendation is quoted "
             "whole with the document and line it comes from.", ""]
    lines.append("Filters: " + ("; ".join(filters) if filters else "none (all recommendations)")
                 + ".")
    grouping = ("topic (the topic model's strongest topic for each recommendation"
                + (f", model {model_id}" if model_id else "") + ")") if by_topic \
        else "area of discussion"
    lines += ["", f"{len(df)} recommendation(s), grouped by {grouping}.", ""]
    if df.empty:
        lines += ["No recommendation matches these filters.", ""]
        return "\n".join(lines)

    by_topic, groups = _brief_groups(df)
    for title, group in groups:
        lines += [f"## {_md(title)} ({len(group)})", ""]
        for r in group.itertuples(index=False):
            where = tables.session_label(r.session_number)
            if by_topic:  # grouped by area, the heading already names it
                where += f", {r.area_letter}. {r.area_heading}"
            lines.append(f"- **{r.recommendation_id}** ({_md(where)}): {_md(r.text)}  ")
            lines.append(f"  Source: {_md(_source(r.source_label, names))}")
        lines.append("")
    return "\n".join(lines)


def table_csv(df: pd.DataFrame) -> bytes:
    """Any display table -> CSV (UTF-8 with a byte-order mark), every cell and header through
    spreadsheet_safe, so no cell is ever a live formula."""
    out = df.map(spreadsheet_safe).rename(columns=spreadsheet_safe)
    return out.to_csv(index=False, lineterminator="\n").encode("utf-8-sig")


CITATION_NAME = "gcmdash: the record of the 2017 consultations on the Global Compact for Migration"


def citation(page_title: str, built_on: object = None, url: str = "", version: str = "") -> str:
    """The 'cite this' line of a page: what, which page, the date the record was built (or,
    on the published site, whose files must not change with the build's clock, the data
    version), and where (when known)."""
    if version:
        built = f"data version {version}"
    else:
        built = f"record built on {built_on:%d %B %Y}" if built_on else "build date unknown"
    where = f" {url}" if url else ""
    return f"Cite this page: {CITATION_NAME}, “{page_title}”, {built}.{where}"


def _source(label: object, names: Mapping[str, str] | None) -> str:
    """A recommendation's source line for a reader: stored document names as display names
    (documents.readable) when the names are given."""
    return documents.readable(label, dict(names)) if names else str(label)


def _brief_groups(df: pd.DataFrame) -> tuple[bool, list[tuple[str, pd.DataFrame]]]:
    """The brief's grouping, as markdown_brief makes it: by topic when there is a topic model,
    else by area of discussion."""
    by_topic = bool(df["topic_id"].notna().any()) if len(df) else False
    ordered = df.sort_values(["session_number", "area_letter", "position"], kind="stable")
    if by_topic:
        keys = ordered["topic_id"].astype("Int64")
        groups = [(tables.topic_label(t, ordered.loc[keys == t, "topic_label"].iloc[0]),
                   ordered[keys == t]) for t in sorted(keys.dropna().unique())]
        if keys.isna().any():
            groups.append(("Without a topic", ordered[keys.isna()]))
    else:
        groups = [(tables.area_label(n, a, g["area_heading"].iloc[0]), g)
                  for (n, a), g in ordered.groupby(["session_number", "area_letter"], sort=True)]
    return by_topic, groups


def docx_brief(df: pd.DataFrame, filters: Sequence[str] = (),
               model_id: str | None = None,
               names: Mapping[str, str] | None = None) -> bytes:
    """queries.recommendations -> the Markdown brief's content as a Word document (DOCX):
    the same title, filters, grouping, recommendations and source lines, as plain runs (record
    text is never read as markup). Deterministic: the document's core dates are fixed."""
    import datetime as dt
    import io

    import docx

    document = docx.Document()
    props = document.core_properties
    props.title = "Recommendations for the stocktaking"
    props.author = "gcmdash"
    props.created = props.modified = dt.datetime(2017, 12, 4, tzinfo=dt.timezone.utc)
    document.add_heading("Recommendations for the stocktaking", level=1)
    document.add_paragraph(
        "From the co-facilitators' summaries of the 2017 consultations on the Global Compact "
        "for Migration, as recorded by gcmdash; every recommendation is quoted whole with the "
        "document and line it comes from.")
    document.add_paragraph("Filters: " + ("; ".join(filters) if filters
                                          else "none (all recommendations)") + ".")
    by_topic, groups = _brief_groups(df)
    grouping = ("topic (the topic model's strongest topic for each recommendation"
                + (f", model {model_id}" if model_id else "") + ")") if by_topic \
        else "area of discussion"
    document.add_paragraph(f"{len(df)} recommendation(s), grouped by {grouping}.")
    if df.empty:
        document.add_paragraph("No recommendation matches these filters.")
    for title, group in groups:
        document.add_heading(f"{title} ({len(group)})", level=2)
        for r in group.itertuples(index=False):
            where = tables.session_label(r.session_number)
            if by_topic:
                where += f", {r.area_letter}. {r.area_heading}"
            item = document.add_paragraph(style="List Bullet")
            item.add_run(str(r.recommendation_id)).bold = True
            item.add_run(f" ({where}): {' '.join(str(r.text).split())}")
            document.add_paragraph(f"Source: {_source(r.source_label, names)}")
    buffer = io.BytesIO()
    document.save(buffer)
    return _fixed_zip_dates(buffer.getvalue())


def _fixed_zip_dates(data: bytes) -> bytes:
    """The same zip with every entry dated 1980-01-01, so the same brief gives the same bytes."""
    import io
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            target.writestr(fixed, source.read(info.filename))
    return out.getvalue()
