"""Recommendations: search (by word form, as you type) and filter every recommendation, read
each whole with its source line; download the result as CSV, or as a brief grouped by theme
in Markdown or Word (DOCX). `?rec=s3-g-07` opens one recommendation."""
import streamlit as st

from gcmdash.app import ui
from gcmdash.app.connection import connection_or_stop
from gcmdash.views import exports, profiles, queries, tables

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

counts = profiles.filter_counts(con)
one = st.query_params.get("rec")
if one:
    single = queries.recommendations(con, search=one)
    single = single[single["recommendation_id"] == one]
    if single.empty:
        st.warning("The record holds no recommendation with that id.")
    else:
        st.header(f"Recommendation {tables.plain(one)}")
        ui.quotes(tables.recommendation_quotes(single, [0]))
        st.caption("This page's address links to this recommendation alone.")
    st.markdown("[All recommendations](recommendations)")
    st.stop()

search = st.text_input(
    "Search the text, id or area (every word must occur in some form: “detentions” finds "
    "“detention”; \"quote\" a phrase)", key="q", bind="query-params", live=True,
    max_chars=queries.SEARCH_MAX_CHARS, type="search",
    placeholder='e.g. detention, "alternatives to detention", s3-g')
left, right = st.columns(2)
# Session labels stay plain: links made before ("?rec_session=Session 3") keep working.
session_numbers = left.multiselect(
    "Sessions", queries.SESSION_NUMBERS, format_func=tables.session_label,
    key="rec_session", bind="query-params", placeholder="All sessions",
    help="Recommendations per session: " + "; ".join(
        profiles.with_count(tables.session_label(n), counts["session"].get(n))
        for n in queries.SESSION_NUMBERS))
area_keys = right.multiselect(
    "Areas of discussion", list(areas),
    format_func=lambda a: profiles.with_count(areas[a], counts["area"].get(a)), key="rec_area",
    bind="query-params", placeholder="All areas")
if themes:
    topic_ids = left.multiselect(
        "Topics", list(topics),
        format_func=lambda t: profiles.with_count(topics[t], counts["topic"].get(t)),
        key="rec_topic", bind="query-params", placeholder="All topics")
    objective_numbers = right.multiselect(
        "GCM objectives (any of them)", list(objectives),
        format_func=lambda o: profiles.with_count(objectives[o], counts["objective"].get(o)),
        key="rec_objective", bind="query-params", placeholder="All objectives")
else:
    topic_ids, objective_numbers = [], []
    st.info("This database has no topic model yet, so there are no topic or objective "
            "filters; rebuild with `gcmdash build` to add them.")

filters = dict(search=search, session_numbers=session_numbers, area_keys=area_keys,
               topic_ids=topic_ids, objectives=objective_numbers)
results = profiles.stemmed_recommendations(con, **filters, limit=ui.MAX_ROWS)
total = tables.match_count(results)
st.header(f"{total:,} recommendation(s)")

described = exports.filters_description(
    search, session_numbers, [areas[a] for a in area_keys], [topics[t] for t in topic_ids],
    [objectives[o] for o in objective_numbers])
model_id = tables.model_id(topic_rows) if themes else None
left, middle, right = st.columns(3)
left.download_button(
    "Download as CSV", lambda: exports.recommendations_csv(
        profiles.stemmed_recommendations(con, **filters)),
    file_name="gcm-recommendations.csv", mime="text/csv", on_click="ignore",
    disabled=not total, key="download_csv")
middle.download_button(
    "Download the Markdown brief", lambda: exports.markdown_brief(
        profiles.stemmed_recommendations(con, **filters), described, model_id,
        names=ui.document_names()),
    file_name="gcm-recommendations-brief.md", mime="text/markdown", on_click="ignore",
    disabled=not total, key="download_brief")
right.download_button(
    "Download the brief for Word (DOCX)", lambda: exports.docx_brief(
        profiles.stemmed_recommendations(con, **filters), described, model_id,
        names=ui.document_names()),
    file_name="gcm-recommendations-brief.docx", on_click="ignore", disabled=not total,
    mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    key="download_docx")

no_summary = [n for n in session_numbers if n not in counts["session"]]
if no_summary:
    st.info("The record holds no co-facilitators' summary, so no recommendations, for: "
            + ", ".join(tables.session_label(n) for n in no_summary) + ".")
if total:
    view = st.segmented_control("Show the results", ["Read", "Table"], default="Read",
                                key="rec_view", bind="query-params")
    if view == "Table":
        picked = ui.table(tables.recommendations_table(results), total,
                          noun="recommendations", key="rec_rows", selectable=True,
                          column_config={
                              "Id": st.column_config.TextColumn(width="small"),
                              "Recommendation": st.column_config.TextColumn(width="large"),
                              "Source": st.column_config.TextColumn(width="medium")})
        if picked.selection.rows:
            st.subheader("Selected, to quote")
            ui.quotes(tables.recommendation_quotes(results, picked.selection.rows))
    else:
        shown = st.session_state.get("rec_shown", ui.PAGE_ROWS)
        if total > min(shown, len(results)):
            st.caption(f"Showing {min(shown, len(results)):,} of {total:,}.")
        ui.recommendation_cards(tables.recommendations_table(results.head(shown)),
                                [profiles.recommendation_link(i)
                                 for i in results.head(shown)["recommendation_id"]])
        if len(results) > shown:
            st.button("Show more", key="rec_more", on_click=lambda: st.session_state.update(
                rec_shown=shown + ui.PAGE_ROWS))
else:
    st.info("No recommendation matches these filters.")
st.caption("Topic: the topic model's strongest topic for the recommendation; GCM objectives: "
           "those its words map to (Data & method explains both). Source: the summary and the "
           "lines the recommendation was read from.")
