"""Themes: the topics the model found, topic x session and GCM objective x session; select a
cell to read the text units behind it."""
import streamlit as st

from gcmdash.views import charts, queries, tables
from gcmdash.app import ui
from gcmdash.app.connection import connection_or_stop

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
ui.text_table(tables.topics_table(topic_rows))
model_rows = queries.topic_model(con)
stability = ("" if model_rows.empty
             else f" How stable: {tables.plain(model_rows['stability_summary'].iloc[0])}.")
st.caption("Each topic with its label (its heaviest terms that are not spread over every "
           "topic), its top terms, the GCM objective whose terms weigh most in it where most "
           "of its texts match that objective (else “no clear objective”), and the text units "
           "and recommendations assigned to it "
           f"(model {tables.plain(tables.model_id(topic_rows))}; Data & method gives its "
           f"provenance).{stability}")
topic_id = st.selectbox("Recommendations and texts of topic", list(topic_names),
                        format_func=topic_names.get, key="topic", bind="query-params")
members = queries.topic_units(con, topic_id, limit=ui.MAX_ROWS)
ui.table(tables.units_table(members), tables.match_count(members), noun="text units",
         column_config={"Text": st.column_config.TextColumn(width="large")})

st.header("Topics in each session")
shares = queries.topic_sessions(con)
topic_cell = st.selectbox("Texts behind the cell", tables.topic_cells(shares), index=None,
                          format_func=tables.cell_label, key="topic_cell", bind="query-params",
                          placeholder="Click a cell of the chart, or choose one")
ui.chart(charts.topic_session_heatmap(shares, selected=topic_cell),
         "Share of each session's text units whose strongest topic is this one; a session "
         "with few texts (a theme and panel titles only) weighs each text heavily.",
         tables.topic_session_table(shares), key="topic_map",
         on_select=lambda: _select_cell("topic_map", "topic_cell"))
_units_behind(topic_cell)

st.header("GCM objectives in each session")
coverage = queries.objective_coverage(con)
objective_cell = st.selectbox(
    "Texts behind the cell", tables.objective_cells(coverage), index=None,
    format_func=tables.cell_label, key="objective_cell", bind="query-params",
    placeholder="Click a cell of the chart, or choose one")
ui.chart(charts.objective_coverage_matrix(coverage, selected=objective_cell),
         "Which of the 23 GCM objectives each session's texts touch: the number of text units "
         "that map to it, “gap” (orange) where the session has text but none maps to the "
         "objective, grey where the record holds no text of the session.",
         tables.objective_coverage_table(coverage), key="objective_map",
         on_select=lambda: _select_cell("objective_map", "objective_cell"))
_units_behind(objective_cell)
