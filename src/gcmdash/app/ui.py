"""Streamlit pieces the pages share: a page section (gcmdash.views.sections) drawn with st.*,
a chart with its caption, text alternative and table.

The only module besides the pages that calls st.*; it takes the sections, figures and display
tables the pure modules (sections, charts, tables) made, and never queries.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from gcmdash.views import charts, tables
from gcmdash.views.sections import Section

# Most rows a results table shows (the download holds them all).
MAX_ROWS = 500

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


def section(s: Section, *, heading: str | None = "header", key: str | None = None,
            on_select: str | Callable = "ignore", placeholder: str | None = None):
    """Draw a section: its title (st.header, st.subheader or none), then its figure with
    caption and text alternative, or its table (its empty-state message when the table has no
    row) and caption. Returns the chart's selection event, if any."""
    if heading:
        getattr(st, heading)(s.title)
    findings(s.findings)
    if s.figure is not None:
        event = chart(s.figure, s.caption, None if s.table_open else s.table,
                      key=key, on_select=on_select, source=s.source)
        if s.table_open and s.table is not None:
            st.dataframe(s.table, hide_index=True, placeholder=placeholder)
        return event
    if s.is_empty and s.empty:
        st.info(s.empty)
    elif s.table is not None:
        if s.wrap:
            text_table(s.table)
        else:
            st.dataframe(s.table, hide_index=True, column_config=_column_config(s) or None,
                         key=key)
    if s.caption:
        st.caption(s.caption)
    return None


def chart(fig: go.Figure, caption: str, table: pd.DataFrame | None = None, *,
          key: str | None = None, on_select: str | Callable = "ignore",
          selection_mode: Iterable[str] = ("points",), source: str = ""):
    """A plotly chart, its caption, and under it an expander with the chart as text (the
    figure's alt text), where its numbers come from and, when given, the table the chart
    draws. Returns the chart's selection event (on_select != 'ignore')."""
    event = st.plotly_chart(charts.themed(fig, dark_theme()), key=key, on_select=on_select,
                            selection_mode=tuple(selection_mode), width="stretch", theme=None,
                            config=PLOTLY_CONFIG, alt=charts.short_alt(fig) or None)
    st.caption(caption)
    with st.expander("The chart as text" + (" and as a table" if table is not None else "")):
        st.markdown(tables.plain(charts.alt_text(fig)))
        if source:
            st.markdown(tables.plain("Source: " + source))
        if table is not None:
            st.dataframe(table, hide_index=True)
    return event


def table(df: pd.DataFrame, total: int | None = None, *, noun: str = "rows",
          column_config: dict | None = None, key: str | None = None,
          selectable: bool = False):
    """A display table; when it shows fewer rows than `total`, says so. With `selectable`,
    rows can be selected and the selection event is returned."""
    if total is not None and total > len(df):
        st.caption(f"Showing the first {len(df):,} of {total:,} {noun}.")
    if selectable:
        return st.dataframe(df, hide_index=True, column_config=column_config, key=key,
                            on_select="rerun", selection_mode="multi-row")
    return st.dataframe(df, hide_index=True, column_config=column_config, key=key)


def text_table(df: pd.DataFrame) -> None:
    """A small table whose long texts wrap (st.table), every cell escaped: st.table renders
    Markdown, and record text must show as text."""
    st.table(tables.escape_cells(df), hide_index=True)


def quotes(items: list[tuple[str, str, str]]) -> None:
    """(heading, text, source) triples from tables.*_quotes, shown as text, never markup."""
    for heading, text, source in items:
        st.markdown(f"**{tables.plain(heading)}**")
        st.markdown("> " + tables.plain(text))
        st.caption("Source: " + tables.plain(source))
