"""The published site: the dashboard's charts as a static, offline folder for the public.

`publish(db_path, out_dir)` reads the built database (read-only, through gcmdash.views.queries),
draws the same figures as the app (gcmdash.views.charts) with the same display tables
(gcmdash.views.tables), and writes plain HTML pages, one CSV per chart and plotly.js once, so that
any static host or a file opened from disk serves it. No request leaves the page: no CDN, no
web font. Every piece of record text goes through html.escape.

The output is a function of the database only: no dates, no random ids, sorted JSON keys, so
re-publishing an unchanged database rewrites identical bytes.
"""
from __future__ import annotations

import csv
import html
import importlib.util
import io
import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd
import plotly.graph_objects as go
from plotly.offline import get_plotlyjs

from gcmdash.views import charts, exports, queries, tables

SITE_TITLE = "The 2017 consultations on the Global Compact for Migration"
SOURCE_COLUMNS = frozenset({"Source", "Sources", "Where"})
CHROMIUM_PATHS = ("/usr/bin/chromium", "/usr/bin/chromium-browser")

STYLE = """\
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;
 margin:0;color:#1a1a1a;background:#fff;line-height:1.45}
header,main,footer{max-width:1150px;margin:0 auto;padding:0 1rem}
header{border-bottom:1px solid #ddd;padding-top:.6rem;padding-bottom:.6rem}
nav a{margin-right:.9rem;white-space:nowrap}
h1{font-size:1.7rem;margin:1.2rem 0 .4rem}h2{font-size:1.3rem;margin-top:2rem}
figure{margin:1.5rem 0 2.5rem;padding:0;border-top:1px solid #eee}
figcaption{margin:.6rem 0}figcaption strong{display:block;font-size:1.1rem}
.chart{width:100%;min-height:120px}
.table-wrap{overflow-x:auto;margin:.5rem 0}
table{border-collapse:collapse;font-size:.85rem}
caption{text-align:left;font-weight:600;padding:.3rem 0}
th,td{border:1px solid #ccc;padding:.25rem .45rem;text-align:left;vertical-align:top}
thead th{background:#f3f3f3}
td.num{text-align:right;white-space:nowrap}td.src{color:#444;font-size:.8rem}
.note,.source,.downloads{font-size:.9rem;color:#333}
.noscript{background:#fff6d5;padding:.5rem;border:1px solid #e5c100}
details{margin:.4rem 0}footer{border-top:1px solid #ddd;margin-top:3rem;padding:1rem;
 font-size:.85rem;color:#444}
"""

# Draws every chart of the page from the JSON beside it; without JavaScript, the tables stand.
SCRIPT = """\
(function () {
  if (typeof Plotly === "undefined") { return; }
  var blocks = document.querySelectorAll('script[type="application/json"][data-chart]');
  for (var i = 0; i < blocks.length; i++) {
    var figure = JSON.parse(blocks[i].textContent);
    var target = document.getElementById(blocks[i].getAttribute("data-chart"));
    Plotly.newPlot(target, figure.data, figure.layout,
                   {displaylogo: false, responsive: true});
  }
})();
"""


@dataclass(frozen=True)
class Chart:
    """One published chart: the figure, the table with its numbers, and where they come from."""

    name: str        # file and element names: data/<name>.csv, id="chart-<name>"
    title: str
    caption: str     # one sentence: what the chart shows
    figure: go.Figure
    table: pd.DataFrame
    source: str      # where the numbers come from (beside the Source column, if any)


# --------------------------------------------------------------------------- pure pieces

def escape(value: object) -> str:
    """Any value as HTML text (quotes too, so it is safe in attributes)."""
    return html.escape(str(value), quote=True)


def cell_text(value: object) -> str:
    """A table cell as text; a missing value reads "not reported"."""
    if value is None or (not isinstance(value, (list, tuple, dict)) and pd.isna(value)):
        return tables.NOT_REPORTED
    return str(value)


def table_rows(df: pd.DataFrame) -> list[list[str]]:
    """Header then rows, every cell as text: what both the HTML table and the CSV hold."""
    return [[str(c) for c in df.columns]] + [[cell_text(v) for v in row]
                                             for row in df.itertuples(index=False)]


def csv_bytes(df: pd.DataFrame) -> bytes:
    """The table as CSV (UTF-8 with a byte-order mark, so spreadsheets read accents right)."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(
        [exports.spreadsheet_safe(cell) for cell in row] for row in table_rows(df))
    return buffer.getvalue().encode("utf-8-sig")


def _is_number(text: str) -> bool:
    return text.replace(".", "", 1).replace("%", "").isdigit()


def table_html(df: pd.DataFrame, caption: str | None = None, table_id: str | None = None) -> str:
    """A plain HTML table: the first column heads its row, source columns are marked
    class="src" and counts class="num". Every cell escaped."""
    rows = table_rows(df)
    head, body = rows[0], rows[1:]
    out = ['<div class="table-wrap"><table' + (f' id="{escape(table_id)}"' if table_id else "")
           + ">"]
    if caption:
        out.append(f"<caption>{escape(caption)}</caption>")
    out.append("<thead><tr>" + "".join(f'<th scope="col">{escape(c)}</th>' for c in head)
               + "</tr></thead><tbody>")
    for row in body:
        cells = []
        for i, (column, value) in enumerate(zip(head, row)):
            if i == 0:
                cells.append(f'<th scope="row">{escape(value)}</th>')
                continue
            kind = "src" if column in SOURCE_COLUMNS else "num" if _is_number(value) else ""
            cells.append(f'<td class="{kind}">{escape(value)}</td>' if kind
                         else f"<td>{escape(value)}</td>")
        out.append("<tr>" + "".join(cells) + "</tr>")
    if not body:
        out.append(f'<tr><td colspan="{len(head)}">Nothing in the record.</td></tr>')
    out.append("</tbody></table></div>")
    return "".join(out)


def figure_json(fig: go.Figure) -> str:
    """The figure as JSON that is stable across runs (sorted keys, no uids) and safe inside a
    <script> element (no '<', '>' or '&' left literal)."""
    data = json.loads(fig.to_json(remove_uids=True))
    data.pop("config", None)
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def figure_html(chart: Chart, images: tuple[str, ...] = ()) -> str:
    """<figure>: title and caption, the chart (alt text as its accessible name, the full text
    alternative under it), its table, the CSV and image downloads and the source line."""
    alt = charts.alt_text(chart.figure) or chart.caption
    short = charts.short_alt(chart.figure) or chart.caption
    downloads = [f'<a href="data/{escape(chart.name)}.csv" download>CSV of these numbers</a>']
    downloads += [f'<a href="images/{escape(chart.name)}.{ext}" download>{ext.upper()}</a>'
                  for ext in images]
    return "".join([
        f'<figure id="{escape(chart.name)}">',
        f"<figcaption><strong>{escape(chart.title)}</strong>{escape(chart.caption)}</figcaption>",
        f'<div class="chart" id="chart-{escape(chart.name)}" role="img" '
        f'aria-label="{escape(short)}"></div>',
        f'<script type="application/json" data-chart="chart-{escape(chart.name)}">'
        f"{figure_json(chart.figure)}</script>",
        f"<details><summary>The chart as text</summary><p>{escape(alt)}</p></details>",
        table_html(chart.table, f"{chart.title}: the numbers", f"table-{chart.name}"),
        f'<p class="downloads">Download: {" · ".join(downloads)}</p>',
        f'<p class="source">Source: {escape(chart.source)}</p>',
        "</figure>",
    ])


def page_html(title: str, body: str, *, current: str, fingerprint: str,
              has_charts: bool) -> str:
    """A whole page: navigation to every page, the body, and (with charts) plotly.js."""
    links = [("index.html", "Overview")]
    links += [(f"session-{n}.html", tables.session_label(n)) for n in queries.SESSION_NUMBERS]
    links += [("sources.html", "Sources and method")]
    nav = "".join(f'<a href="{href}"' + (' aria-current="page"' if href == current else "")
                  + f">{escape(label)}</a>" for href, label in links)
    scripts = ('<script src="assets/plotly.min.js"></script>'
               '<script src="assets/site.js"></script>') if has_charts else ""
    noscript = ('<noscript><p class="noscript">Charts need JavaScript; every number they show '
                "is in the table under them.</p></noscript>") if has_charts else ""
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)} · gcmdash</title>"
        '<link rel="icon" href="data:,"><link rel="stylesheet" href="assets/site.css"></head>\n<body>'
        f'<header><nav aria-label="Pages">{nav}</nav></header>\n<main>'
        f"<h1>{escape(title)}</h1>{noscript}{body}</main>\n"
        f"<footer>Published with gcmdash from the database built from input fingerprint "
        f"{escape(fingerprint)}. Every count as the record states it; “not reported” marks a "
        f"count no source gives, never a zero.</footer>{scripts}</body></html>\n")


def _section(heading: str, *parts: str) -> str:
    return f"<section><h2>{escape(heading)}</h2>{''.join(parts)}</section>"


def _para(text: str, cls: str = "") -> str:
    return (f'<p class="{cls}">' if cls else "<p>") + escape(text) + "</p>"


def _documents_only(labels) -> str:
    """Source labels -> the distinct documents and pages they name, in order."""
    names = [str(label).split(", line")[0] for label in labels]
    return "; ".join(dict.fromkeys(n for n in names if n)) or tables.NOT_REPORTED


# --------------------------------------------------------------------------- the charts

def _titled(fig: go.Figure, title: str | None) -> go.Figure:
    """The figure with its own title replaced (a one-session chart says which session)."""
    if title:
        fig.update_layout(title={"text": html.escape(title, quote=False)})
    return fig


def participation_chart(matrix: pd.DataFrame, name: str = "participation",
                        title: str = "Participation across sessions") -> Chart:
    return Chart(
        name, title,
        "Member States, interventions, UN agencies and stakeholders in each session as the "
        "record states them; “not reported” marks a count no source gives, never a zero.",
        _titled(charts.participation_chart(matrix), title if name != "participation" else None),
        tables.participation_table(matrix),
        "the Source column names the document and line, or the public page, of each "
        "session's counts; “Where each number comes from” on the overview page gives each "
        "count with its own evidence and source.")


def panel_composition_chart(panels: pd.DataFrame, roles_by_session: dict[int, pd.DataFrame],
                            name: str = "panel-composition",
                            title: str = "Panel composition") -> Chart:
    table = tables.panel_composition_table(panels)
    table["Source"] = [
        _documents_only([s for sources in roles_by_session.get(int(n), pd.DataFrame(
            {"sources": []}))["sources"] for s in tables.as_list(sources)])
        for n in panels["session_number"]]
    return Chart(
        name, title,
        "Persons per role in each session, each counted once however many sources name them, "
        "by gender as the honorific lists it (Ms. or Mr.; anything else is not stated).",
        _titled(charts.panel_composition_chart(panels),
                title if name != "panel-composition" else None), table,
        "the documents and public programmes that list each session's people (the Source "
        "column); each person with the line that names them is on the session's page.")


def topic_sessions_chart(shares: pd.DataFrame, model: str | None) -> Chart:
    return Chart(
        "themes-sessions", "Themes across sessions",
        "The share of each session's texts whose strongest topic is each theme of the topic "
        "model; a session with few texts weighs each text heavily.",
        charts.topic_session_heatmap(shares), tables.topic_session_table(shares),
        f"topic model {model or tables.NOT_REPORTED} fitted on the record's text units "
        "(recommendations, panel descriptions, area narratives, session themes), each from a "
        "document line or public page; the model's provenance is on the sources page.")


def objective_coverage_chart(coverage: pd.DataFrame) -> Chart:
    return Chart(
        "gcm-objectives", "GCM objectives coverage",
        "Which of the 23 objectives of the Global Compact each session's texts touch, where "
        "a session has text but none maps to an objective (gap), and where the record holds "
        "no text of the session.",
        charts.objective_coverage_matrix(coverage), tables.objective_coverage_table(coverage),
        "the record's text units mapped to the objectives by the term table in the topic "
        "stage (gcmdash/topics/); objective titles from the GCM text (sources page).")


# --------------------------------------------------------------------------- the pages

@dataclass
class _Site:
    con: duckdb.DuckDBPyConnection
    fingerprint: str
    charts: list[Chart]
    images: tuple[str, ...] = ()  # image formats written beside each chart


def _index(site: _Site) -> str:
    con = site.con
    sessions = queries.sessions(con)
    matrix = queries.participation_matrix(con)
    panels = queries.panel_composition(con)
    roles = {int(n): queries.session_roles(con, int(n)) for n in panels["session_number"]}
    parts = [
        _para("Six informal thematic sessions and a stocktaking meeting in 2017 prepared the "
              "Global Compact for Safe, Orderly and Regular Migration. These pages show what "
              "the record (the meetings' documents and curated public sources) says about "
              "them, with the numbers behind every chart and where each comes from."),
        _para(f"Built from database input fingerprint {site.fingerprint}.", "note"),
    ]
    listing = "".join(f'<li><a href="session-{int(r.session_number)}.html">'
                      f"{escape(tables.session_label(r.session_number))}</a>: "
                      f"{escape(r.City)}, {escape(r.Dates)}</li>"
                      for r in tables.sessions_table(sessions).assign(
                          session_number=sessions["session_number"]).itertuples(index=False))
    parts.append(_section("The sessions", f"<ul>{listing}</ul>",
                          table_html(tables.sessions_table(sessions), "The sessions",
                                     "table-sessions")))
    figures = [participation_chart(matrix),
               panel_composition_chart(panels, roles)]
    if queries.themes_available(con):
        topic_rows = queries.topics(con)
        figures += [topic_sessions_chart(queries.topic_sessions(con), tables.model_id(topic_rows)),
                    objective_coverage_chart(queries.objective_coverage(con))]
    for chart in figures:
        site.charts.append(chart)
        parts.append(figure_html(chart, site.images))
        if chart.name == "participation":
            parts.append(_section(
                "Where each number comes from",
                table_html(tables.participation_sources_table(queries.participation(con)),
                           "Each participation count with its evidence and source")))
    if not queries.themes_available(con):
        parts.append(_para("This database holds no topic model, so the themes charts are "
                           "left out: rebuild it with gcmdash build.", "note"))
    return "".join(parts)


def _session(site: _Site, session_number: int) -> str:
    con = site.con
    sessions = queries.sessions(con)
    facts = tables.session_header(sessions, session_number)
    row = sessions[sessions["session_number"] == session_number].iloc[0]
    coverage = queries.record_coverage(con, session_number)
    missing = [tables.COVERAGE_LABELS.get(i, i) for i in
               coverage.loc[coverage["status"] == "missing", "item"]]
    label = tables.session_label(session_number)
    parts = [f"<p><strong>{escape(facts['Title'])}</strong><br>{escape(facts['City'])}, "
             f"{escape(facts['Dates'])}<br>{escape(facts['Venue'])}</p>",
             _para(f"Source: {facts['Source']}", "source")]
    if not bool(row["in_record"]):
        parts.append(_para(f"The record holds nothing about {label}.", "note"))
    elif int(row["document_count"]) == 0 or len(missing) >= 4:
        parts.append(_para(
            f"The record holds little about {label}: "
            f"{int(row['document_count'])} document(s) of the meeting"
            + (f"; it lacks {', '.join(m.lower() for m in missing)}" if missing else "")
            + ". What follows comes from curated public sources where there is no document.",
            "note"))

    matrix = queries.participation_matrix(con)
    matrix = matrix[matrix["session_number"] == session_number].reset_index(drop=True)
    chart = participation_chart(matrix, f"session-{session_number}-participation",
                                f"Participation in {label}")
    site.charts.append(chart)
    parts.append(figure_html(chart, site.images))

    roles = queries.session_roles(con, session_number)
    panels = queries.panel_composition(con)
    panels = panels[panels["session_number"] == session_number].reset_index(drop=True)
    if not roles.empty:
        chart = panel_composition_chart(panels, {session_number: roles},
                                        f"session-{session_number}-panels",
                                        f"Panel composition in {label}")
        site.charts.append(chart)
        parts.append(figure_html(chart, site.images))

    panel_rows = tables.panels_table(queries.session_panels(con, session_number), roles)
    parts.append(_section("Panels", table_html(panel_rows) if not panel_rows.empty
                          else _para("The record names no panels for this session.")))
    parts.append(_section("Everyone with a role",
                          table_html(tables.session_roles_table(roles)) if not roles.empty
                          else _para(tables.NO_SPEAKER_LIST.capitalize() + ".")))
    rules = queries.format_rules(con, session_number)
    if not rules.empty:
        parts.append(_section("Format rules", table_html(tables.format_rules_table(rules))))
    documents = queries.documents(con, session_number=session_number)
    parts.append(_section(
        "What the record holds",
        table_html(tables.session_documents_table(documents), "Documents of this session")
        if not documents.empty else _para("The corpus holds no document of this session; its "
                                          "facts come from curated public sources."),
        table_html(tables.record_coverage_table(coverage), "Held or missing")))
    flags = queries.quality_flags(con, session_number=session_number)
    parts.append(_section("Quality flags", table_html(tables.quality_flags_table(flags))
                          if not flags.empty
                          else _para("The checks found nothing to flag for this session.")))
    return "".join(parts)


def _sources(site: _Site) -> tuple[str, bool]:
    con = site.con
    dictionary = queries.data_dictionary(con)
    coverage = queries.record_coverage(con)
    parts = [_para("How the numbers were made: the database's tables and columns, what the "
                   "record lacks and where its sources disagree, the documents and public "
                   "pages it is built from, and the topic model behind the themes.")]
    parts.append(_section(
        "Gaps and conflicts in the record",
        _para("Every quality flag the build's checks raised: errors mean facts were lost, "
              "warnings that they are doubtful or conflicting, info that they are worth "
              "knowing."),
        table_html(tables.quality_flags_table(queries.quality_flags(con)), "Quality flags"),
        table_html(tables.missing_table(coverage), "Missing from the record"),
        table_html(tables.record_coverage_table(coverage), "Record coverage per session")))
    parts.append(_section(
        "Sources",
        table_html(tables.documents_table(queries.documents(con)), "Documents"),
        table_html(tables.sources_table(queries.curated_sources(con)),
                   "Public pages the curated record cites")))
    has_charts = False
    if queries.themes_available(con):
        selection = queries.topic_model_selection(con)
        chart = Chart("topic-model-selection", "How the number of topics was chosen",
                      "The stability of each candidate number of topics across subsamples; "
                      "the chosen number is highlighted.",
                      charts.model_selection_chart(selection),
                      tables.model_selection_table(selection),
                      "the topic model's selection run stored with the model "
                      "(topic_model_selection table).")
        site.charts.append(chart)
        has_charts = True
        parts.append(_section(
            "The topic model's provenance",
            table_html(tables.topic_model_table(queries.topic_model(con)), "The model"),
            figure_html(chart, site.images),
            table_html(tables.topics_table(queries.topics(con)), "Its topics")))
    else:
        parts.append(_section("The topic model's provenance",
                              _para("This database holds no topic model.")))
    parts.append(_section(
        "Data dictionary",
        table_html(tables.tables_overview(dictionary), "Tables"),
        table_html(tables.data_dictionary_table(dictionary), "Columns")))
    return "".join(parts), has_charts


# --------------------------------------------------------------------------- writing

def image_exporter_available() -> str | None:
    """None when kaleido and a Chromium are both found, else why not (one line)."""
    if importlib.util.find_spec("kaleido") is None:
        return "kaleido is not installed"
    if not any(Path(p).exists() for p in CHROMIUM_PATHS) and not shutil.which("chromium"):
        return "no Chromium found"
    return None


def _write(path: Path, content: bytes, written: list[Path]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_bytes() != content:  # unchanged files keep their mtime
        path.write_bytes(content)
    written.append(path)


def publish(db_path: Path, out_dir: Path, *, images: bool | None = None,
            notice: Callable[[str], None] = print) -> list[Path]:
    """Write the static site for the database at db_path into out_dir; returns the files
    written. images: True/None (when possible) or False: PNG and SVG of each chart with
    kaleido and a Chromium; skipped with a notice when either is missing."""
    db_path, out_dir = Path(db_path), Path(out_dir)
    if not db_path.exists():
        raise FileNotFoundError(f"no database at {db_path}: run gcmdash build first")
    reason = image_exporter_available() if images is not False else "not asked for"
    if images is not False and reason:
        notice(f"PNG/SVG exports skipped: {reason} (the site is complete without them)")
    image_formats = ("png", "svg") if reason is None else ()
    written: list[Path] = []
    with duckdb.connect(str(db_path), read_only=True) as con:
        info = queries.build_info(con)
        fingerprint = dict(zip(info["key"], info["value"])).get("input_fingerprint",
                                                                  tables.NOT_REPORTED)
        site = _Site(con, fingerprint, [], image_formats)
        pages = [("index.html", SITE_TITLE, _index(site), True)]
        for n in queries.SESSION_NUMBERS:
            title = ("Stocktaking meeting" if n == 7
                     else f"{tables.session_label(n)}: informal thematic session")
            pages.append((f"session-{n}.html", title, _session(site, n), True))
        body, has_charts = _sources(site)
        pages.append(("sources.html", "Sources and method", body, has_charts))
    for file_name, title, body, has_charts in pages:
        _write(out_dir / file_name, page_html(title, body, current=file_name,
                                              fingerprint=fingerprint,
                                              has_charts=has_charts).encode("utf-8"), written)
    _write(out_dir / "assets" / "plotly.min.js", get_plotlyjs().encode("utf-8"), written)
    _write(out_dir / "assets" / "site.js", SCRIPT.encode("utf-8"), written)
    _write(out_dir / "assets" / "site.css", STYLE.encode("utf-8"), written)
    for chart in site.charts:
        _write(out_dir / "data" / f"{chart.name}.csv", csv_bytes(chart.table), written)
        for ext in image_formats:
            _write(out_dir / "images" / f"{chart.name}.{ext}",
                   chart.figure.to_image(format=ext, width=1100), written)
    return written
