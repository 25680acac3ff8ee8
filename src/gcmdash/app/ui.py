"""Streamlit pieces the pages share: a page section (gcmdash.views.sections) drawn with st.*,
a chart with its caption, text alternative and table.

The only module besides the pages that calls st.*; it takes the sections, figures and display
tables the pure modules (sections, charts, tables) made, and never queries.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

import duckdb
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from gcmdash import config
from gcmdash.views import charts, documents, exports, tables
from gcmdash.views.sections import Section

# Most rows a results table shows (the download holds them all).
MAX_ROWS = 500
PAGE_ROWS = 100  # rows a wrapped, readable list shows before "Show more"
LINK_COLUMN = "Open source"
CITED_BACKGROUND = "rgba(255, 191, 0, 0.35)"  # legible under dark and light text alike


def _db_key() -> tuple[str, int]:
    path = config.db_path()
    try:
        return str(path), path.stat().st_mtime_ns
    except OSError:
        return str(path), 0


@st.cache_data(show_spinner=False, max_entries=4)
def _catalogue(_con: duckdb.DuckDBPyConnection, key: tuple[str, int]) -> pd.DataFrame:  # noqa: ARG001
    return documents.catalogue(_con)


def document_catalogue(con: duckdb.DuckDBPyConnection | None = None) -> pd.DataFrame:
    """Every document with its display name (views.documents.catalogue), cached per database
    file. The one read ui.py makes: every citation is named and linked with it."""
    if con is None:
        from gcmdash.app.connection import get_connection
        con = get_connection()
    return _catalogue(con, _db_key())


@st.cache_resource(show_spinner=False, max_entries=4)
def _names(key: tuple[str, int]) -> dict[str, str]:  # noqa: ARG001 - the cache key
    df = document_catalogue()
    return dict(zip(df["document_id"], df["display_name"]))


def document_names() -> dict[str, str]:
    """document_id -> display name, or {} when there is no database to read them from; one
    shared dict per database file (a page asks for it once per citation: read it, never
    change it)."""
    try:
        return _names(_db_key())
    except (FileNotFoundError, duckdb.Error):
        return {}


@st.cache_data(show_spinner=False, max_entries=16)
def document_text(file_name: str, sha256: str) -> documents.DocumentText:
    """views.documents.read_text, cached per file and content."""
    return documents.read_text(file_name, sha256)


@st.cache_data(show_spinner=False, max_entries=4)
def _references(_con: duckdb.DuckDBPyConnection, key: tuple[str, int]) -> dict[str, str]:  # noqa: ARG001
    return documents.references(_con)


def reference_pages() -> dict[str, str]:
    """Curated row -> its public page (views.documents.references), cached per database file;
    {} when there is no database."""
    from gcmdash.app.connection import get_connection
    try:
        return _references(get_connection(), _db_key())
    except (FileNotFoundError, duckdb.Error):
        return {}


def cited(df: pd.DataFrame | None) -> pd.DataFrame | None:
    """A display table's Source (or Sources / Where) column named by display names, with an
    'Open source' link column beside it; a Message column (quality flags) in plain words
    (views.documents.readable_message)."""
    if df is None:
        return None
    known = document_names()
    if "Message" in df.columns:
        pages = reference_pages()
        df = df.assign(Message=[documents.readable_message(m, known, pages)
                                for m in df["Message"]])
    for column in ("Source", "Sources", "Where", "Sources (documents)", "Document"):
        if column in df.columns:
            return documents.with_links(df, known, column, link_column=LINK_COLUMN)
    return df


def _link_config(df: pd.DataFrame, config_: dict | None = None) -> dict | None:
    if LINK_COLUMN not in df.columns:
        return config_
    out = dict(config_ or {})
    out[LINK_COLUMN] = st.column_config.LinkColumn(LINK_COLUMN, display_text="Open",
                                                   width="small")
    return out


def csv_download(df: pd.DataFrame, name: str, key: str | None = None) -> None:
    """A button that downloads the table as CSV (exports.table_csv: never a live formula)."""
    # built when clicked, not on every run of the page
    st.download_button("Download this table (CSV)", lambda: exports.table_csv(df),
                       file_name=f"gcm-{name}.csv", mime="text/csv", on_click="ignore",
                       key=key or f"csv-{name}", type="tertiary", icon=":material/download:")


def numbered_lines(frame: pd.DataFrame) -> None:
    """Numbered document lines (views.documents.numbered), cited ones marked and highlighted;
    every cell escaped (st.table renders Markdown), so the text shows as text."""
    # the marker column is named: a header cell without text is announced as nothing
    shown = pd.DataFrame({"Cited": ["▶" if c else "" for c in frame["Cited"]],
                          "Line": frame["Line"], "Text": frame["Text"]})
    marks = list(frame["Cited"])
    styled = tables.escape_cells(shown).style.apply(
        lambda row: [f"background-color: {CITED_BACKGROUND}; font-weight: 600"
                     if marks[row.name] else "" for _ in row], axis=1)
    st.table(styled, hide_index=True)


def built_on(path=None) -> dt.date | None:
    """The date the database file was written (the build swaps it in whole)."""
    try:
        return dt.datetime.fromtimestamp((path or config.db_path()).stat().st_mtime,
                                         tz=dt.timezone.utc).date()
    except OSError:
        return None


# Streamlit's page titles are sized for a desktop: at 390 px "Recommendations" no longer fits
# a line and broke as "Recommendation / s". On narrow screens headings are smaller, so every
# word of a title fits whole.
NARROW_SCREEN_CSS = """<style>
@media (max-width: 640px) {
  [data-testid="stMain"] h1 { font-size: 2rem; line-height: 1.2; }
  [data-testid="stMain"] h2 { font-size: 1.5rem; }
  [data-testid="stMain"] h3 { font-size: 1.25rem; }
}
</style>"""


def page_style() -> None:
    """The app's own CSS (NARROW_SCREEN_CSS): style only, so Streamlit puts it in its event
    container and it takes no room on the page. Called before the page draws (no shift)."""
    st.html(NARROW_SCREEN_CSS)


IMAGE_FORMAT_KEY = "chart_image_format"


def chart_config(fig: go.Figure) -> dict:
    """plotly's modebar config for a chart: PLOTLY_CONFIG, and its camera button downloading
    the chart in the format chosen at the page's foot (PNG or SVG, drawn by the browser: offline,
    no kaleido), under a file name from the chart's title."""
    chosen = st.session_state.get(IMAGE_FORMAT_KEY) or "png"
    return {**PLOTLY_CONFIG, "toImageButtonOptions": charts.image_options(fig, chosen)}


def image_format_control() -> None:
    """The choice of the format every chart's camera button downloads, at the page's foot."""
    st.radio(
        "Charts download as", list(charts.IMAGE_FORMATS), key=IMAGE_FORMAT_KEY,
        format_func=charts.IMAGE_FORMATS.get, horizontal=True,
        help="The camera button at the top right of each chart (it shows when you point at "
        "the chart) saves the chart as a PNG picture or as an SVG drawing; each chart's "
        "numbers download as CSV under it.")


def cite_this(page_title: str) -> None:
    """The page's footer: how to cite it, and the date the record was built, and the format
    the charts download as (image_format_control). In the page, not in a sidebar: the app
    has none (its navigation is at the top), as a sidebar arriving after the first paint
    pushed the whole page 300 px aside."""
    built = built_on()
    try:
        url = st.context.url or ""
    except Exception:  # noqa: BLE001 - no browser context (tests)
        url = ""
    st.divider()
    st.caption(tables.plain(exports.citation(page_title, built, url)))
    image_format_control()

def url_choice(label: str, options: list, *, param: str, default=None,
               format_func: Callable = str, url_value: Callable | None = None,
               key: str | None = None, placeholder: str | None = None):
    """A selectbox whose value lives in the URL (`?param=...`): read from st.query_params on
    every run, written there when the reader picks one, so each pick is a history entry and
    browser Back and Forward restore the view (Streamlit's bind="query-params" replaces the
    current entry instead, so Back left the page). The URL holds `url_value(option)` (default
    the label shown, as bound widgets write it); the option's label and value are read too.
    A pick replaces the other query parameters: they belong to the previous view."""
    key = key or param
    url_value = url_value or format_func
    by_url: dict[str, object] = {}
    for option in options:
        for name in (format_func(option), option, url_value(option)):
            by_url.setdefault(str(name), option)
    # the URL, not the widget's remembered state, says what is shown
    st.session_state[key] = by_url.get(st.query_params.get(param, ""), default)

    def write() -> None:
        picked = st.session_state[key]
        st.query_params.from_dict({param: str(url_value(picked))} if picked is not None
                                 else {})

    return st.selectbox(label, options, key=key, format_func=format_func, on_change=write,
                        placeholder=placeholder)


# plotly's modebar without its logo and without the button that sends a chart to an online
# service; the charts keep their own colours (charts.themed) rather than Streamlit's.
PLOTLY_CONFIG = {"displaylogo": False, "showSendToCloud": False,
                 "modeBarButtonsToRemove": ["sendDataToCloud", "select2d", "lasso2d"]}


def dark_theme() -> bool:
    """True when the viewer's Streamlit theme is dark (as the browser reported it)."""
    theme = getattr(st.context, "theme", None)
    return getattr(theme, "type", None) == "dark"


def _target_url(target: str) -> str:
    """A finding's link: a matrix cell ('o13-s3') opens the texts behind it on the Themes
    page; a session ('s4') opens the session's page."""
    if target.startswith("s") and target[1:].isdigit():
        return f"/session?session={int(target[1:])}"
    if tables.parse_cell(target) is not None:
        return f"/themes?objective_cell={target}"
    return f"/themes?objective={target[1:]}" if target[1:].isdigit() else ""


def findings(answer: Iterable[tuple[str, tuple[tuple[str, str], ...]]]) -> None:
    """A section's answer in words (Section.findings), each item a link to the texts or the
    session behind it."""
    lines = []
    for sentence, items in answer:
        links = ", ".join(f"[{tables.plain(label)}]({url})" if (url := _target_url(target))
                          else tables.plain(label) for label, target in items)
        lines.append(f"- **{tables.plain(sentence)}**" + (f" {links}" if links else ""))
    if lines:
        st.markdown("\n".join(lines))


def _column_config(section: Section) -> dict:
    config = {c: st.column_config.TextColumn(width=w) for c, w in section.widths}
    for column in section.links:
        config[column] = st.column_config.LinkColumn(width=dict(section.widths).get(column))
    return config


# Streamlit's own height for a data grid of n rows (its frontend: 35 px a row and the header,
# 1 px borders, at most 400 px), given to st.dataframe so its box is reserved at that height
# while the grid's code loads, as a chart's is: a grid drawn as a 40 px placeholder first grew
# to 400 px and pushed the text under it down the screen. Empty grids keep Streamlit's own.
_GRID_ROW_PX, _GRID_MAX_PX = 35, 400


def grid_height(rows: int) -> int | str:
    """The height st.dataframe is given for a grid of `rows` rows ("auto" when empty)."""
    if rows < 1:
        return "auto"
    return min((rows + 1) * _GRID_ROW_PX + 2, _GRID_MAX_PX)


def grid(df: pd.DataFrame, **options):
    """st.dataframe without the index, its box reserved at grid_height (options passed on)."""
    return st.dataframe(df, hide_index=True, height=grid_height(len(df)), **options)


def section(s: Section, *, heading: str | None = "header", key: str | None = None,
            on_select: str | Callable = "ignore", placeholder: str | None = None):
    """Draw a section: its title (st.header, st.subheader or none), then its figure with
    caption and text alternative, or its table (its empty-state message when the table has no
    row) and caption. Returns the chart's selection event, if any."""
    if heading:
        getattr(st, heading)(s.title)
    findings(s.findings)
    table_ = cited(s.table)
    if s.figure is not None:
        event = chart(s.figure, s.caption, None if s.table_open else table_,
                      key=key, on_select=on_select, source=s.source)
        if s.table_open and table_ is not None:
            grid(table_, placeholder=placeholder, column_config=_link_config(table_))
        if s.table is not None and not s.table.empty:
            csv_download(s.table, s.name)
        return event
    if s.is_empty and s.empty:
        st.info(s.empty)
    elif table_ is not None:
        if s.wrap:
            text_table(table_)
        else:
            grid(table_, column_config=_link_config(table_, _column_config(s)) or None,
                 key=key)
        csv_download(s.table, s.name)
    if s.caption:
        st.caption(s.caption)
    return None


def chart(fig: go.Figure, caption: str, table: pd.DataFrame | None = None, *,
          key: str | None = None, on_select: str | Callable = "ignore",
          selection_mode: Iterable[str] = ("points",), source: str = ""):
    """A plotly chart, its caption, and under it an expander with the chart as text (the
    figure's alt text), where its numbers come from and, when given, the table the chart
    draws. Returns the chart's selection event (on_select != 'ignore')."""
    # the figure's own height, given to Streamlit: its box is that tall before plotly.js has
    # drawn, so the text under it does not jump down when the chart appears (layout shift)
    height = fig.layout.height
    fig = documents.readable_figure(charts.themed(fig, dark_theme()), document_names(),
                                    copy=False)  # themed made the copy
    event = st.plotly_chart(fig, key=key, on_select=on_select,
                            selection_mode=tuple(selection_mode), width="stretch", theme=None,
                            config=chart_config(fig), alt=charts.short_alt(fig) or None,
                            height=int(height) if height else 450)  # plotly.js default
    st.caption(caption)
    with st.expander("The chart as text" + (" and as a table" if table is not None else "")):
        st.markdown(tables.plain(charts.alt_text(fig)))
        if source:
            st.markdown(tables.plain("Source: " + source))
        if table is not None:
            st.dataframe(table, hide_index=True, column_config=_link_config(table))
    return event


def table(df: pd.DataFrame, total: int | None = None, *, noun: str = "rows",
          column_config: dict | None = None, key: str | None = None,
          selectable: bool = False):
    """A display table; when it shows fewer rows than `total`, says so. With `selectable`,
    rows can be selected and the selection event is returned."""
    if total is not None and total > len(df):
        st.caption(f"Showing the first {len(df):,} of {total:,} {noun}.")
    shown = cited(df)
    column_config = _link_config(shown, column_config)
    if selectable:
        return grid(shown, column_config=column_config, key=key, on_select="rerun",
                    selection_mode="multi-row")
    return grid(shown, column_config=column_config, key=key)


def text_table(df: pd.DataFrame, links: Iterable[str] = ()) -> None:
    """A small table whose long texts wrap (st.table), every cell escaped: st.table renders
    Markdown, and record text must show as text. An 'Open source' column becomes a link (the
    address is the dashboard's own, built by views.documents, never record text)."""
    out = tables.escape_cells(df)
    for column in (LINK_COLUMN, *links):
        if column in out.columns:
            out[column] = [f"[Open]({u.replace(')', '%29').replace(' ', '%20')})" if u else ""
                           for u in df[column]]
    st.table(out, hide_index=True)


def quotes(items: list[tuple[str, str, str]]) -> None:
    """(heading, text, source) triples from tables.*_quotes, shown as text, never markup."""
    known = document_names()
    for heading, text, source in items:
        st.markdown(f"**{tables.plain(heading)}**")
        st.markdown("> " + tables.plain(text))
        cite(source, known)


def cite(label: object, known: dict[str, str] | None = None) -> None:
    """'Source: <display name, lines>' as a caption whose name opens the source."""
    known = document_names() if known is None else known
    shown = tables.plain(documents.readable(label, known))
    address = documents.first_citation(label, known)
    if address:
        address = address.replace(")", "%29").replace(" ", "%20")
        st.caption(f"Source: [{shown}]({address})")
    else:
        st.caption("Source: " + shown)


def recommendation_cards(display: pd.DataFrame, links: list[str]) -> None:
    """Recommendations to read (views.tables.recommendations_table rows, and each one's own
    address): one card each, the whole text wrapping at any width and in print, its id,
    session, area, topic and objectives, and its source linked. Every record text escaped."""
    known = document_names()
    for row, own in zip(display.to_dict("records"), links):
        with st.container(border=True):
            st.markdown(f"**[{tables.plain(row['Id'])}]({own})** · "
                        + tables.plain(f"{row['Session']} · {row['Area']}"))
            st.markdown(tables.plain(row["Recommendation"]))
            cite(row["Source"], known)
            about = "; ".join(f"{k}: {row[k]}" for k in ("Topic", "GCM objectives") if row[k])
            if about:
                st.caption(tables.plain(about))
