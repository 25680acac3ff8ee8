"""The published site: the dashboard's charts as a static, offline folder for the public.

`publish(db_path, out_dir)` reads the built database (read-only, through gcmdash.views.queries),
renders the same page sections as the app (gcmdash.views.sections: titles, captions, figures,
tables, empty-state messages, sources) through the Jinja2 templates in templates/, and writes
plain HTML pages, one CSV per chart and plotly.js once, so that any static host or a file opened
from disk serves it. No request leaves the page: no CDN, no web font. The templates escape every
value they write (autoescape, with html.escape's spelling), so record text stays text.

The output is a function of the database only: no dates, no random ids, sorted JSON keys, so
re-publishing an unchanged database rewrites identical bytes.
"""
from __future__ import annotations

import contextlib
import csv
import dataclasses
import html
import importlib.util
import io
import json
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import jinja2
import pandas as pd
import plotly.graph_objects as go
from markupsafe import Markup
from plotly.offline import get_plotlyjs

from gcmdash import vocab
from gcmdash.site import documents as document_pages
from gcmdash.views import charts, documents, exports, queries, sections, tables
from gcmdash.views.sections import Section

SITE_TITLE = "The 2017 consultations on the Global Compact for Migration"
SOURCE_COLUMNS = frozenset({"Source", "Sources", "Where"})
CHROMIUM_PATHS = ("/usr/bin/chromium", "/usr/bin/chromium-browser")

STYLE = """\
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;
 margin:0;color:#1a1a1a;background:#fff;line-height:1.45;overflow-wrap:anywhere}
header,main,footer{max-width:1150px;margin:0 auto;padding:0 1rem;box-sizing:border-box}
header{border-bottom:1px solid #ddd;padding-top:.6rem;padding-bottom:.6rem}
nav{display:flex;flex-wrap:wrap;gap:.35rem .9rem}nav a{white-space:nowrap}
a{color:#0b57a4}nav a[aria-current=page]{font-weight:700;color:#1a1a1a}
.findings li{margin:.3rem 0}.recs li{margin:.5rem 0}
.rec-filter{display:grid;grid-template-columns:minmax(0,1fr);gap:.3rem;max-width:40rem;
 margin:1rem 0}
.rec-filter input,.rec-filter select{font:inherit;padding:.3rem;width:100%;min-width:0;
 box-sizing:border-box}
.rec-filter .recs{padding-left:1.2rem}
.src{color:#444;font-size:.8rem}
h1{font-size:1.7rem;margin:1.2rem 0 .4rem}h2{font-size:1.3rem;margin-top:2rem}
figure{margin:1.5rem 0 2.5rem;padding:0;border-top:1px solid #eee}
figcaption{margin:.6rem 0}figcaption strong{display:block;font-size:1.1rem}
.chart{width:100%;min-height:120px}
@media (scripting:enabled){.chart{height:var(--chart-height)}}
.table-wrap{overflow-x:auto;margin:.5rem 0}
table{border-collapse:collapse;font-size:.85rem}
caption{text-align:left;font-weight:600;padding:.3rem 0}
th,td{border:1px solid #ccc;padding:.25rem .45rem;text-align:left;vertical-align:top}
.table-wrap th,.table-wrap td{overflow-wrap:break-word;min-width:4.5rem}
thead th{background:#f3f3f3}
td.num{text-align:right;white-space:nowrap}td.src{color:#444;font-size:.8rem}
.note,.source,.downloads{font-size:.9rem;color:#333}
.noscript{background:#fff6d5;padding:.5rem;border:1px solid #e5c100}
table.lines td{white-space:pre-wrap;overflow-wrap:anywhere}
table.lines th a{color:inherit}tr.cited td,tr.cited th{background:#fff3c4}
tr:target td,tr:target th{background:#ffd54f;outline:2px solid #8a6d00}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.1rem .8rem}dl.facts dd{margin:0}
details{margin:.4rem 0}footer{border-top:1px solid #ddd;margin-top:3rem;padding:1rem;
 font-size:.85rem;color:#444}
button.download{font:inherit;color:#0b57a4;background:none;border:0;padding:0;
 text-decoration:underline;cursor:pointer}
@media (max-width:640px){
table.stack,table.stack tbody,table.stack tr,table.stack th,table.stack td{display:block}
table.stack thead{position:absolute;width:1px;height:1px;overflow:hidden;clip-path:inset(50%);
 white-space:nowrap}
table.stack tr{border:1px solid #ccc;margin:0 0 .6rem;padding:.35rem .55rem}
table.stack caption{display:block}
table.stack th,table.stack td{border:0;padding:.1rem 0;min-width:0;text-align:left;
 white-space:normal}
table.stack th[scope=row]{font-size:.95rem;padding-bottom:.2rem}
table.stack td{display:flow-root;padding-left:8.2rem}
table.stack td::before{content:attr(data-label);float:left;width:7.7rem;margin-left:-8.2rem;
 font-weight:600;color:#1a1a1a;font-size:.8rem}
}
"""

# The site's colours in each scheme, every text at WCAG AA (4.5:1) or better on the background
# it sits on (tests/dashboard/test_site_look.py measures them): the light ones are STYLE's,
# the dark ones apply when the reader's system prefers dark (the charts then draw on
# charts.DARK, whose background is the same).
SITE_LIGHT = {"background": "#ffffff", "text": "#1a1a1a", "link": "#0b57a4", "muted": "#444444",
              "note": "#333333", "head": "#f3f3f3", "cited": "#fff3c4", "target": "#ffd54f",
              "warning": "#fff6d5"}
SITE_DARK = {"background": charts.DARK.background, "text": "#e8e8e8", "link": "#8ab4f8",
             "muted": "#b8b8b8", "note": "#cccccc", "head": "#1d2230", "cited": "#3a3316",
             "target": "#5c4a00", "warning": "#332b00", "rule": "#3a3f4b"}

DARK_STYLE = """\
@media (prefers-color-scheme:dark){{:root{{color-scheme:dark}}
body{{color:{text};background:{background}}}a{{color:{link}}}
nav a[aria-current=page]{{color:{text}}}
header,footer,figure,th,td{{border-color:{rule}}}thead th{{background:{head}}}
.src,td.src,footer{{color:{muted}}}.note,.source,.downloads{{color:{note}}}
.noscript{{background:{warning};border-color:#8a6d00}}
tr.cited td,tr.cited th{{background:{cited}}}
tr:target td,tr:target th{{background:{target};outline-color:#ffd54f}}
button.download{{color:{link}}}
table.stack tr{{border-color:{rule}}}table.stack td::before{{color:{text}}}}}
""".format(**SITE_DARK)

# Draws every chart of the page from the JSON beside it; without JavaScript, the tables stand.
# One chart per frame, those in view first, then the rest down the page: the first chart is
# painted before the others are drawn. Each box already has its chart's height (site.css), so
# no drawing moves the page.
SCRIPT = """\
(function () {
  var blocks = [].slice.call(
    document.querySelectorAll('script[type="application/json"][data-chart]'));
  if (typeof Plotly === "undefined") {  // no chart will come: the boxes give their room back
    document.querySelectorAll(".chart").forEach(function (el) {
      el.style.removeProperty("--chart-height");
    });
    return;
  }
  var PLOTLY_CONFIG = {displaylogo: false, responsive: true, showSendToCloud: false,
                       modeBarButtonsToRemove: ["sendDataToCloud", "select2d", "lasso2d"]};
  var scheme = window.matchMedia ? window.matchMedia("(prefers-color-scheme: dark)") : null;
  var charts = [];
  function variant(figure) {
    return scheme && scheme.matches && figure.dark ? figure.dark : figure;
  }
  function button(label, target, options) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = "download";
    b.textContent = label;
    b.setAttribute("aria-label", "Download the chart as " + label);
    b.addEventListener("click", function () { Plotly.downloadImage(target, options); });
    return b;
  }
  function chartOf(block) {
    return document.getElementById(block.getAttribute("data-chart"));
  }
  // what the reader will see: from the top, or from the element the address names (the
  // browser scrolls to it only once the page has loaded)
  function named() {
    try {
      return location.hash && document.getElementById(decodeURIComponent(location.hash.slice(1)));
    } catch (malformed) { return null; }  // an address with a stray '%'
  }
  var start = named(), top = start ? start.getBoundingClientRect().top : 0;
  function inView(block) {
    var box = chartOf(block).getBoundingClientRect();
    return box.bottom > top && box.top < top + window.innerHeight;
  }
  function draw(block) {
    var figure = JSON.parse(block.textContent);
    var target = chartOf(block);
    var config = Object.assign({toImageButtonOptions: {filename: figure.image.filename}},
                               PLOTLY_CONFIG);
    var drawn = variant(figure);
    Plotly.newPlot(target, drawn.data, drawn.layout, config);
    charts.push([target, figure, config]);
    // the chart as a picture, drawn here by plotly.js: nothing is sent anywhere
    var downloads = target.closest("figure").querySelector(".downloads");
    if (downloads) {
      var name = figure.image.filename;
      downloads.appendChild(document.createTextNode(" · "));
      downloads.appendChild(button("PNG", target, {format: "png", filename: name, scale: 2}));
      downloads.appendChild(document.createTextNode(" · "));
      downloads.appendChild(button("SVG", target, {format: "svg", filename: name}));
    }
  }
  var queue = blocks.filter(inView).concat(blocks.filter(function (b) { return !inView(b); }));
  function drawNext() {
    draw(queue.shift());
    if (queue.length) {  // the next one after this frame is painted
      requestAnimationFrame(function () { setTimeout(drawNext, 0); });
    }
  }
  if (queue.length) { drawNext(); }
  if (scheme && scheme.addEventListener) {  // the reader switches theme: the charts follow
    scheme.addEventListener("change", function () {
      charts.forEach(function (c) {
        var drawn = variant(c[1]);
        Plotly.react(c[0], drawn.data, drawn.layout, c[2]);
      });
    });
  }
})();
"""

# The recommendations page's filter: reads the JSON beside it, lists what matches every word
# (accents and case folded, word endings trimmed so "detentions" finds "detention"), session
# and objective; every text goes in with textContent, never as markup.
RECOMMENDATIONS_SCRIPT = """\
(function () {
  var block = document.getElementById("recommendations-data");
  var form = document.getElementById("rec-filter");
  if (!block || !form) { return; }
  var items = JSON.parse(block.textContent);
  var q = document.getElementById("rec-q"), session = document.getElementById("rec-session");
  var objective = document.getElementById("rec-objective");
  var results = document.getElementById("rec-results");
  var count = document.getElementById("rec-count");
  var ENDINGS = ["ations", "ation", "ions", "ion", "ings", "ing", "ies", "es", "ed", "s"];
  function fold(text) {
    return text.normalize("NFD").replace(/[\\u0300-\\u036f]/g, "").toLowerCase();
  }
  function stem(word) {
    for (var i = 0; i < ENDINGS.length; i++) {
      var e = ENDINGS[i];
      if (word.length - e.length >= 4 && word.slice(-e.length) === e) {
        return word.slice(0, -e.length);
      }
    }
    return word;
  }
  function words(text) {
    return fold(text).split(/[^a-z0-9]+/).filter(Boolean).map(stem);
  }
  for (var i = 0; i < items.length; i++) {
    items[i].stems = words(items[i].text + " " + items[i].id + " " + items[i].area);
  }
  function matches(item, wanted) {
    return wanted.every(function (w) {
      return item.stems.some(function (s) { return s.indexOf(w) === 0; });
    });
  }
  function line(tag, text, cls) {
    var node = document.createElement(tag);
    node.textContent = text;
    if (cls) { node.className = cls; }
    return node;
  }
  function update() {
    var wanted = words(q.value), s = session.value, o = objective.value, shown = 0;
    results.replaceChildren();
    if (!wanted.length && !s && !o) {  // nothing asked: the lists below hold them all
      count.textContent = items.length + " recommendation(s), listed below by session and " +
        "by objective; type or choose to narrow them.";
      return;
    }
    for (var i = 0; i < items.length; i++) {
      var item = items[i];
      if (s && String(item.session) !== s) { continue; }
      if (o && item.objectives.indexOf(Number(o)) < 0) { continue; }
      if (!matches(item, wanted)) { continue; }
      shown += 1;
      var li = document.createElement("li");
      li.appendChild(line("strong", item.id + " "));
      li.appendChild(document.createTextNode(item.text));
      li.appendChild(document.createElement("br"));
      li.appendChild(line("span", item.meta, "src"));
      results.appendChild(li);
    }
    count.textContent = shown + " of " + items.length + " recommendation(s) match.";
  }
  form.hidden = false;
  q.addEventListener("input", update);
  session.addEventListener("change", update);
  objective.addEventListener("change", update);
  update();
})();
"""


# --------------------------------------------------------------------------- rendering

def _escaped(value: object) -> Markup:
    """Jinja2's finalize: every value written into a template as html.escape writes it (quotes
    too, so it is safe in attributes); markup the templates made passes as it is."""
    if isinstance(value, Markup):
        return value
    return Markup(html.escape("" if value is None else str(value), quote=True))


def _prose(text: object) -> str:
    """A section's own sentence as site text: the app's `code spans` lose their backticks."""
    return str(text).replace("`", "")


_ENV = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).resolve().parent / "templates"),
    autoescape=True, finalize=_escaped, keep_trailing_newline=True, trim_blocks=True,
    lstrip_blocks=True, undefined=jinja2.StrictUndefined)
_ENV.filters["prose"] = _prose
_MACROS = _ENV.get_template("macros.html").module


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


# document_id -> display name while a site is written (publish sets it): source cells name
# documents by it and link to their pages.
_DOCUMENT_NAMES: dict[str, str] = {}
_LINKED_COLUMNS = SOURCE_COLUMNS | {"Document"}


_REFERENCE_PAGES: dict[str, str] = {}  # curated row -> its public page, set with the names


def _cell(column: str, value: str) -> object:
    if column in _LINKED_COLUMNS and _DOCUMENT_NAMES:
        return document_pages.linked_cell(value, _DOCUMENT_NAMES)
    if column == "Message":  # a quality flag in plain words
        return documents.readable_message(value, _DOCUMENT_NAMES, _REFERENCE_PAGES)
    return value


def _cells(df: pd.DataFrame) -> dict:
    """The table for the template: its head, and each row as (tag, class, text) cells; source
    cells name documents by their display names and link to the document's page."""
    rows = table_rows(df)
    head = rows[0]
    body = [[("th", "", _cell(column, value)) if i == 0 else
             ("td", "src" if column in SOURCE_COLUMNS else "num" if _is_number(value) else "",
              _cell(column, value))
             for i, (column, value) in enumerate(zip(head, row))] for row in rows[1:]]
    return {"head": head, "body": body}


def table_html(df: pd.DataFrame, caption: str | None = None, table_id: str | None = None,
               label: str | None = None, stack: bool = False) -> str:
    """A plain HTML table: the first column heads its row, source columns are marked
    class="src" and counts class="num". Every cell escaped. Its scrolling region is named by
    the caption, else by `label` (a table without a caption of its own, under a heading).
    With `stack`, a narrow screen shows each row as a block of "column: value" lines."""
    return _MACROS.table(_cells(df), caption, table_id, label, stack)


def _figure_data(fig: go.Figure) -> dict:
    data = json.loads(fig.to_json(remove_uids=True))
    data.pop("config", None)
    return data


def figure_json(fig: go.Figure) -> str:
    """The figure as JSON that is stable across runs (sorted keys, no uids) and safe inside a
    <script> element (no '<', '>' or '&' left literal): drawn on the light palette, with
    `dark` (the same figure on the dark palette, drawn when the reader's system prefers dark)
    and `image` (Plotly.downloadImage's file name) beside it."""
    data = _figure_data(charts.themed(fig, dark=False))
    data["dark"] = _figure_data(charts.themed(fig, dark=True))
    data["image"] = {"filename": charts.image_file_name(fig)}
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


PLOTLY_DEFAULT_HEIGHT = 450  # what plotly.js draws a figure without a height at


def chart_height(fig: go.Figure) -> int:
    """The height in px plotly.js draws the figure at, in either scheme and at any width (the
    figures fix their height; the theme keeps it): the chart's box is this tall before the
    chart is drawn, so drawing it shifts nothing on the page."""
    return int(fig.layout.height or PLOTLY_DEFAULT_HEIGHT)


def figure_html(section: Section, images: tuple[str, ...] = ()) -> str:
    """<figure>: the answer in words (if any), title and caption, the chart (alt text as its
    accessible name, the full text alternative under it, its height reserved), its table, the
    CSV and image downloads and the source line."""
    return Markup(findings_html(section)) + _MACROS.figure(
        section, Markup(figure_json(section.figure)), _cells(section.table), images,
        chart_height(section.figure))


def short_fingerprint(fingerprint: str) -> str:
    """The input fingerprint as readers see it: 64 hex digits overflow a phone's footer, and
    twelve tell editions apart (the whole one is on the Sources page and in each page's meta)."""
    return fingerprint[:12] if re.fullmatch(r"[0-9a-f]{64}", fingerprint) else fingerprint


def page_html(title: str, body: str, *, current: str, fingerprint: str,
              has_charts: bool) -> str:
    """A whole page: navigation to every page, the body, and (with charts) plotly.js."""
    links = [("index.html", "Overview")]
    links += [(f"session-{n}.html", tables.session_label(n)) for n in queries.SESSION_NUMBERS]
    links += [("recommendations.html", "Recommendations"), ("sources.html", "Sources and method")]
    version = short_fingerprint(fingerprint)
    return _ENV.get_template("page.html").render(
        title=title, body=Markup(body), links=links, current=current,
        fingerprint=fingerprint, data_version=version,
        citation=exports.citation(title, version=version), has_charts=has_charts)


def _group(heading: str, *parts: str) -> str:
    """<section> under an h2 with the given fragments."""
    return _MACROS.section(heading, [Markup(p) for p in parts])


def _para(text: str, cls: str = "") -> str:
    return _MACROS.para(text, cls)


def _part(s: Section) -> str:
    """A table section inside a group: its caption, then its table titled by its own title
    (or its empty-state message)."""
    if s.is_empty and s.empty:
        return _para(s.empty)
    return (_para(s.caption) if s.caption else "") + table_html(
        s.table, s.title, f"table-{s.name}", stack=s.stack)


def _alone(s: Section) -> str:
    """A table section as a <section> of its own: the title heads it."""
    if s.is_empty and s.empty:
        return _group(s.title, _para(s.empty))
    return _group(s.title, *([_para(s.caption)] if s.caption else []),
                  table_html(s.table, label=s.title, stack=s.stack))


# --------------------------------------------------------------------------- the pages

@dataclass
class _Site:
    con: duckdb.DuckDBPyConnection
    fingerprint: str
    charts: list[Section]
    images: tuple[str, ...] = ()  # image formats written beside each chart

    def figure(self, section: Section) -> str:
        """The chart section as a <figure>, documents named by their display names; its table
        is written as data/<name>.csv."""
        section = dataclasses.replace(
            section, figure=documents.readable_figure(section.figure, _DOCUMENT_NAMES))
        self.charts.append(section)
        return figure_html(section, self.images)


def _index(site: _Site) -> str:
    con = site.con
    sessions = queries.sessions(con)
    panels = queries.panel_composition(con)
    roles = {int(n): queries.session_roles(con, int(n)) for n in panels["session_number"]}
    listing = [(f"session-{int(n)}.html", tables.session_label(n), f"{r.City}, {r.Dates}")
               for n, r in zip(sessions["session_number"],
                               tables.sessions_table(sessions).itertuples(index=False))]
    parts = [
        _para("Six informal thematic sessions and a stocktaking meeting in 2017 prepared the "
              "Global Compact for Safe, Orderly and Regular Migration. These pages show what "
              "the record (the meetings' documents and curated public sources) says about "
              "them, with the numbers behind every chart and where each comes from."),
        _group("The sessions", _MACROS.sessions_list(listing),
               _part(sections.sessions_table(sessions))),
        site.figure(sections.participation(queries.participation_matrix(con))),
        _alone(sections.participation_sources(queries.participation(con))),
        site.figure(sections.women_on_panels(queries.panel_gender(con))),
        site.figure(sections.panel_composition(panels, roles)),
    ]
    if queries.themes_available(con):
        model_id = tables.model_id(queries.topics(con))
        parts += [site.figure(sections.topic_sessions(queries.topic_sessions(con), model_id)),
                  site.figure(sections.objective_coverage(queries.objective_cells(con)))]
    else:
        parts.append(_para("This database holds no topic model, so the themes charts are "
                           "left out: rebuild it with gcmdash build.", "note"))
    return "".join(parts)


def site_href(target: str) -> str:
    """A finding's link on the site: a matrix cell ('o13-s3') opens the objective's
    recommendations, a session ('s4') its page."""
    parsed = tables.parse_cell(target)
    if parsed is not None:
        return f"recommendations.html#objective-{parsed[1]}"
    if target[:1] in ("s", "o") and target[1:].isdigit():
        return (f"session-{int(target[1:])}.html" if target[0] == "s"
                else f"recommendations.html#objective-{int(target[1:])}")
    return ""


def findings_html(section: Section) -> str:
    """The section's answer in words, as a list of links (escaped)."""
    if not section.findings:
        return ""
    return _MACROS.findings([(sentence, [(label, site_href(t)) for label, t in items])
                             for sentence, items in section.findings])


def _recommendation_meta(row) -> str:
    objectives = "; ".join(f"objective {int(o['objective'])}"
                           for o in tables.as_list(row.objectives))
    return " · ".join(p for p in (tables.session_label(row.session_number),
                                  f"area {row.area_letter}. {row.area_heading}",
                                  "source: " + documents.readable(row.source_label,
                                                                  _DOCUMENT_NAMES),
                                  objectives) if p)


def recommendations_data(recs: pd.DataFrame) -> list[dict]:
    """queries.recommendations -> what the site's filter searches: one object per
    recommendation (id, session, area, text, meta line, objective numbers)."""
    return [{"id": str(r.recommendation_id), "session": int(r.session_number),
             "area": f"{r.area_letter}. {r.area_heading}", "text": str(r.text),
             "meta": _recommendation_meta(r),
             "objectives": [int(o["objective"]) for o in tables.as_list(r.objectives)]}
            for r in recs.itertuples(index=False)]


def _safe_json(value: object) -> str:
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _recommendations(site: _Site) -> str:
    con = site.con
    recs = queries.recommendations(con)
    data = recommendations_data(recs)
    objectives = queries.gcm_objectives(con)
    by_session = []
    for n in queries.SESSION_NUMBERS:
        rows = [(d["id"], d["text"], d["meta"]) for d in data if d["session"] == n]
        if rows:
            by_session.append((f"session-{n}", f"{tables.session_label(n)}: {len(rows)} "
                               "recommendation(s)", rows))
    by_objective = []
    for o, title in zip(objectives["objective"], objectives["short_title"]):
        rows = [(d["id"], d["text"], d["meta"]) for d in data if int(o) in d["objectives"]]
        by_objective.append((f"objective-{int(o)}", f"{int(o)} · {title}: {len(rows)}", rows))
    sessions_with = sorted({d["session"] for d in data})
    intro = _para("Every recommendation of the co-facilitators' summaries, quoted whole with "
                  "the document and lines it comes from, by session and by the GCM objectives "
                  "its words map to. With JavaScript, the search and filters above the lists "
                  "narrow them as you type; without it, the lists stand as they are.")
    return intro + _MACROS.recommendations(
        Markup(_safe_json(data)), [(n, tables.session_label(n)) for n in sessions_with],
        [(int(o), f"{int(o)} · {t}") for o, t in zip(objectives["objective"],
                                                     objectives["short_title"])],
        by_session, by_objective)


def _thin_record_note(row: pd.Series, coverage: pd.DataFrame, label: str) -> list[str]:
    """A note when the record holds nothing, or little, about the session."""
    missing = [tables.COVERAGE_LABELS.get(i, i) for i in
               coverage.loc[coverage["status"] == "missing", "item"]
               if i in vocab.THIN_RECORD_ITEMS]
    if not bool(row["in_record"]):
        return [_para(f"The record holds nothing about {label}.", "note")]
    if int(row["document_count"]) == 0 or len(missing) >= 4:
        return [_para(
            f"The record holds little about {label}: "
            f"{int(row['document_count'])} document(s) of the meeting"
            + (f"; it lacks {', '.join(m.lower() for m in missing)}" if missing else "")
            + ". What follows comes from curated public sources where there is no document.",
            "note")]
    return []


def _session(site: _Site, session_number: int) -> str:
    con = site.con
    sessions = queries.sessions(con)
    facts = tables.session_header(sessions, session_number)
    row = sessions[sessions["session_number"] == session_number].iloc[0]
    coverage = queries.record_coverage(con, session_number)
    parts = [_MACROS.session_facts(facts),
             _MACROS.source_line(document_pages.linked_cell(facts["Source"], _DOCUMENT_NAMES)),
             *_thin_record_note(row, coverage, tables.session_label(session_number))]

    matrix = queries.participation_matrix(con)
    matrix = matrix[matrix["session_number"] == session_number].reset_index(drop=True)
    parts.append(site.figure(sections.participation(matrix, session_number)))

    roles = queries.session_roles(con, session_number)
    if not roles.empty:
        panels = queries.panel_composition(con)
        panels = panels[panels["session_number"] == session_number].reset_index(drop=True)
        parts.append(site.figure(sections.panel_composition(
            panels, {session_number: roles}, session_number)))

    parts.append(_alone(sections.session_panels(queries.session_panels(con, session_number),
                                                roles)))
    parts.append(_alone(sections.session_roles(roles)))
    rules = sections.format_rules(queries.format_rules(con, session_number))
    if not rules.is_empty:  # the site leaves out what the record does not state
        parts.append(_alone(rules))
    parts.append(_group(
        "What the record holds",
        _part(sections.session_documents(queries.documents(con, session_number=session_number))),
        _part(sections.record_coverage(coverage, session_number))))
    parts.append(_alone(sections.quality_flags(
        queries.quality_flags(con, session_number=session_number), session_number)))
    return "".join(parts)


def _sources(site: _Site) -> tuple[str, bool]:
    con = site.con
    dictionary = queries.data_dictionary(con)
    coverage = queries.record_coverage(con)
    parts = [_para("How the numbers were made: the database's tables and columns, what the "
                   "record lacks and where its sources disagree, the documents and public "
                   "pages it is built from, and the topic model behind the themes.")]
    parts.append(_group(
        "Gaps and conflicts in the record",
        _part(sections.quality_flags(queries.quality_flags(con))),
        _part(sections.missing(coverage)),
        _part(sections.record_coverage(coverage))))
    parts.append(_group(
        "Sources",
        _part(sections.documents(queries.documents(con))),
        _part(sections.sources(queries.curated_sources(con)))))
    has_charts = queries.themes_available(con)
    if has_charts:
        parts.append(_group(
            "The topic model's provenance",
            _part(sections.topic_model(queries.topic_model(con))),
            site.figure(sections.model_selection(queries.topic_model_selection(con))),
            _part(sections.topics(queries.topics(con), queries.topic_model(con)))))
    else:
        parts.append(_group("The topic model's provenance", _para(sections.NO_TOPIC_MODEL)))
    parts.append(_group(
        "This edition",
        _para(f"Data version {short_fingerprint(site.fingerprint)}: the first twelve characters "
              f"of the database's input fingerprint, {site.fingerprint}. It changes whenever a "
              "source document, the curated record or the code that reads them changes, and "
              "only then; two sites with the same data version show the same numbers.")))
    parts.append(_group(
        "Data dictionary",
        _part(sections.tables_overview(dictionary)),
        _part(sections.data_dictionary(dictionary))))
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


@contextlib.contextmanager
def _documents_named(con: duckdb.DuckDBPyConnection):
    """While a site is written, source cells know the documents' display names (and flag
    messages the curated rows' pages)."""
    _DOCUMENT_NAMES.update(documents.names(con))
    _REFERENCE_PAGES.update(documents.references(con))
    try:
        yield dict(_DOCUMENT_NAMES)
    finally:
        _DOCUMENT_NAMES.clear()
        _REFERENCE_PAGES.clear()


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
    with duckdb.connect(str(db_path), read_only=True) as con, _documents_named(con) as names:
        info = queries.build_info(con)
        fingerprint = dict(zip(info["key"], info["value"])).get("input_fingerprint",
                                                                  tables.NOT_REPORTED)
        site = _Site(con, fingerprint, [], image_formats)
        pages = [("index.html", SITE_TITLE, _index(site), True)]
        for n in queries.SESSION_NUMBERS:
            title = ("Stocktaking meeting" if n == vocab.STOCKTAKING_SESSION
                     else f"{tables.session_label(n)}: informal thematic session")
            pages.append((f"session-{n}.html", title, _session(site, n), True))
        pages.append(("recommendations.html", "Recommendations", _recommendations(site),
                      False))
        body, has_charts = _sources(site)
        pages.append(("sources.html", "Sources and method", body, has_charts))
        pages += [(name, title, body, False) for name, title, body in document_pages.pages(con)]
    for file_name, title, body, has_charts in pages:
        _write(out_dir / file_name, page_html(title, body, current=file_name,
                                              fingerprint=fingerprint,
                                              has_charts=has_charts).encode("utf-8"), written)
    _write(out_dir / "assets" / "plotly.min.js", get_plotlyjs().encode("utf-8"), written)
    _write(out_dir / "assets" / "site.js", SCRIPT.encode("utf-8"), written)
    _write(out_dir / "assets" / "site.css", (STYLE + DARK_STYLE).encode("utf-8"), written)
    _write(out_dir / "assets" / "recommendations.js", RECOMMENDATIONS_SCRIPT.encode("utf-8"),
           written)
    for chart in site.charts:
        _write(out_dir / "data" / f"{chart.name}.csv",
               csv_bytes(document_pages.readable_sources(chart.table, names,
                                                         _LINKED_COLUMNS)), written)
        for ext in image_formats:
            _write(out_dir / "images" / f"{chart.name}.{ext}",
                   chart.figure.to_image(format=ext, width=1100), written)
    return written
