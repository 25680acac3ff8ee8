"""Themes: the topics the model found, topic x session and GCM objective x session; select a
cell to read the text units behind it."""
import dataclasses

import streamlit as st

from gcmdash.app import ui
from gcmdash.app.connection import connection_or_stop
from gcmdash.views import charts, queries, sections, tables

st.title("Themes")
st.markdown(
    "A topic model groups the record's texts (recommendations, panel descriptions and titles, "
    "area narratives, session themes) into topics; a term table maps the same texts to the 23 "
    "objectives of the Global Compact. Click a cell of either chart, or choose it above the "
    "chart, to read the texts behind it; the link in the address bar reopens the view.")

con = connection_or_stop()
if not queries.themes_available(con):
    st.info("This database has no topic model yet: rebuild it with `gcmdash build` (the "
            "`topics` stage writes the themes), then reload this page.")
    st.stop()


def _select_cell(chart_key: str, cell_key: str) -> None:
    """A click on a chart cell sets that chart's cell selector (bound to the URL)."""
    event = st.session_state.get(chart_key)
    points = event.selection.points if event is not None else []
    st.session_state[cell_key] = charts.selected_cell(points)


def _units_behind(cell: str | None) -> None:
    parsed = tables.parse_cell(cell)
    if parsed is None:
        return
    kind, number, session_number = parsed
    if kind == "topic":
        units = queries.topic_units(con, number, session_number, limit=ui.MAX_ROWS)
    else:
        units = queries.objective_units(con, number, session_number, limit=ui.MAX_ROWS)
    total = tables.match_count(units)
    st.markdown(f"**{tables.plain(tables.cell_label(cell))}: {total} text unit(s)**")
    if total:
        ui.table(tables.units_table(units), total, noun="text units",
                 column_config={"Text": st.column_config.TextColumn(width="large")})
    else:
        st.info("No text unit of this session falls here.")


topic_rows = queries.topics(con)
topic_names = tables.topic_options(topic_rows)
st.header("Topics")
ui.section(sections.topics(topic_rows, queries.topic_model(con)), heading=None)
topic_id = st.selectbox("Recommendations and texts of topic", list(topic_names),
                        format_func=topic_names.get, key="topic", bind="query-params")
members = queries.topic_units(con, topic_id, limit=ui.MAX_ROWS)
ui.table(tables.units_table(members), tables.match_count(members), noun="text units",
         column_config={"Text": st.column_config.TextColumn(width="large")})

shares = queries.topic_sessions(con)
st.header(sections.TOPIC_SESSIONS_TITLE)
topic_cell = st.selectbox("Texts behind the cell", tables.topic_cells(shares), index=None,
                          format_func=tables.cell_label, key="topic_cell", bind="query-params",
                          placeholder="Click a cell of the chart, or choose one")
ui.section(sections.topic_sessions(shares, tables.model_id(topic_rows), selected=topic_cell),
           heading=None, key="topic_map",
           on_select=lambda: _select_cell("topic_map", "topic_cell"))
_units_behind(topic_cell)

coverage = queries.objective_cells(con)
st.header(sections.OBJECTIVE_COVERAGE_TITLE)
ui.findings(sections.coverage_findings(coverage))
objective_cell = st.selectbox(
    "Texts behind the cell", tables.objective_cells(coverage), index=None,
    format_func=tables.cell_label, key="objective_cell", bind="query-params",
    placeholder="Click a cell of the chart, or choose one")
ui.section(dataclasses.replace(sections.objective_coverage(coverage, selected=objective_cell),
                               findings=()), heading=None,
           key="objective_map", on_select=lambda: _select_cell("objective_map", "objective_cell"))
_units_behind(objective_cell)
