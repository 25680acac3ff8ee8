"""Overview: the consultations on a time line, headline figures, what the record holds and
lacks, and what the checks found."""
import streamlit as st

from gcmdash.views import charts, queries, tables
from gcmdash.app import ui
from gcmdash.app.connection import connection_or_stop

st.title("The record of the 2017 GCM consultations")
st.markdown(
    "Six informal thematic sessions and a stocktaking meeting prepared the Global Compact "
    "for Safe, Orderly and Regular Migration. This page lists what the record (the documents "
    "and the curated public sources) says about each of them, and where it is missing or "
    "doubtful.")

con = connection_or_stop()
sessions = queries.sessions(con)

figures = tables.headline_figures(queries.headline(con), sessions)
for column, (label, value, explanation) in zip(st.columns(4) + st.columns(4), figures):
    column.metric(label, value, help=explanation, border=True)

st.header("Sessions")
ui.chart(charts.sessions_timeline(sessions),
         "The six informal thematic sessions and the stocktaking meeting on a time line, with "
         "city and dates; hover for the theme, venue and source.")
st.dataframe(tables.sessions_table(sessions), hide_index=True,
             column_config={"City": st.column_config.TextColumn(width="medium"),
                            "Title": st.column_config.TextColumn(width="large")})
st.caption("One row per session as its documents and curated sources state it; “not in the "
           "record” means no source gives that fact, “not reported” that none gives that count.")

st.header("What the record holds")
coverage = queries.record_coverage(con)
st.dataframe(tables.missing_table(coverage), hide_index=True)
st.dataframe(tables.record_coverage_table(coverage), hide_index=True)
st.caption("For each session, which documents the corpus holds and which key facts any source "
           "gives; “missing” is a gap in the record, shown as such everywhere, never as zero.")

st.header("Quality flags")
flag_session = st.selectbox(
    "Session", queries.SESSION_NUMBERS, index=None, placeholder="All sessions",
    format_func=tables.session_label, key="flags_session", bind="query-params")
flags = queries.quality_flags(con, session_number=flag_session)
if flags.empty:
    st.info("The checks found nothing to flag here.")
else:
    st.dataframe(tables.quality_flags_table(flags), hide_index=True,
                 column_config={"Where": st.column_config.TextColumn(width="medium"),
                                "Message": st.column_config.TextColumn(width="large")})
st.caption("What the build's checks found: errors mean facts were lost, warnings that they "
           "are doubtful or incomplete, info that they are worth knowing.")

st.header("Documents")
st.dataframe(tables.documents_table(queries.documents(con)), hide_index=True)
st.caption("The files the record is built from, with the kind and session read from their "
           "content.")
