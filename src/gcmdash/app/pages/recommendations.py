"""Recommendations: search and filter every recommendation, each with its source line;
download the result as CSV or as a Markdown brief grouped by theme."""
import streamlit as st

from gcmdash.app import ui
from gcmdash.app.connection import connection_or_stop
from gcmdash.views import exports, queries, tables

st.title("Recommendations")
st.markdown("Every recommendation of the co-facilitators' summaries, quoted whole with the "
            "document and line it comes from. Filters combine (all must hold); the link in "
            "the address bar reopens this view.")

con = connection_or_stop()
themes = queries.themes_available(con)
areas = tables.area_options(queries.discussion_areas(con))
topic_rows = queries.topics(con) if themes else None
topics = tables.topic_options(topic_rows) if themes else {}
objectives = tables.objective_options(queries.gcm_objectives(con)) if themes else {}

search = st.text_input(
    "Search the text, id or area (every word must occur; \"quote\" a phrase)", key="q",
    bind="query-params", max_chars=queries.SEARCH_MAX_CHARS,
    placeholder='e.g. detention, "alternatives to detention", s3-g')
left, right = st.columns(2)
session_numbers = left.multiselect(
    "Sessions", queries.SESSION_NUMBERS, format_func=tables.session_label,
    key="rec_session", bind="query-params", placeholder="All sessions")
area_keys = right.multiselect(
    "Areas of discussion", list(areas), format_func=areas.get, key="rec_area",
    bind="query-params", placeholder="All areas")
if themes:
    topic_ids = left.multiselect(
        "Topics", list(topics), format_func=topics.get, key="rec_topic",
        bind="query-params", placeholder="All topics")
    objective_numbers = right.multiselect(
        "GCM objectives (any of them)", list(objectives), format_func=objectives.get,
        key="rec_objective", bind="query-params", placeholder="All objectives")
else:
    topic_ids, objective_numbers = [], []
    st.info("This database has no topic model yet, so there are no topic or objective "
            "filters; rebuild with `gcmdash build` to add them.")

filters = dict(search=search, session_numbers=session_numbers, area_keys=area_keys,
               topic_ids=topic_ids, objectives=objective_numbers)
results = queries.recommendations(con, **filters, limit=ui.MAX_ROWS)
total = tables.match_count(results)
st.subheader(f"{total:,} recommendation(s)")

described = exports.filters_description(
    search, session_numbers, [areas[a] for a in area_keys], [topics[t] for t in topic_ids],
    [objectives[o] for o in objective_numbers])
model_id = tables.model_id(topic_rows) if themes else None
left, right = st.columns(2)
left.download_button(
    "Download as CSV", lambda: exports.recommendations_csv(
        queries.recommendations(con, **filters)),
    file_name="gcm-recommendations.csv", mime="text/csv", on_click="ignore",
    disabled=not total, key="download_csv")
right.download_button(
    "Download the Markdown brief", lambda: exports.markdown_brief(
        queries.recommendations(con, **filters), described, model_id),
    file_name="gcm-recommendations-brief.md", mime="text/markdown", on_click="ignore",
    disabled=not total, key="download_brief")

if total:
    picked = ui.table(tables.recommendations_table(results), total, noun="recommendations",
                      key="rec_rows", selectable=True, column_config={
                          "Id": st.column_config.TextColumn(width="small"),
                          "Recommendation": st.column_config.TextColumn(width="large"),
                          "Source": st.column_config.TextColumn(width="medium")})
    if picked.selection.rows:
        st.subheader("Selected, to quote")
        ui.quotes(tables.recommendation_quotes(results, picked.selection.rows))
    else:
        st.caption("Select rows (the box left of each) to read them whole, ready to quote.")
else:
    st.info("No recommendation matches these filters.")
st.caption("Topic: the topic model's strongest topic for the recommendation; GCM objectives: "
           "those its words map to (Data & method explains both). Source: the summary and the "
           "lines the recommendation was read from.")
