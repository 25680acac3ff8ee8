"""Overview: the consultations on a time line, headline figures, what the record holds and
lacks, and what the checks found."""
import streamlit as st

from gcmdash.app import ui
from gcmdash.app.connection import connection_or_stop
from gcmdash.views import queries, sections, tables

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

ui.section(sections.sessions_timeline(sessions))
ui.section(sections.sessions_table(sessions), heading=None)

st.header("What the record holds")
coverage = queries.record_coverage(con)
ui.section(sections.missing(coverage), heading=None)
ui.section(sections.record_coverage(coverage), heading=None)

st.header("Quality flags")
flag_session = st.selectbox(
    "Session", queries.SESSION_NUMBERS, index=None, placeholder="All sessions",
    format_func=tables.session_label, key="flags_session", bind="query-params")
ui.section(sections.quality_flags(queries.quality_flags(con, session_number=flag_session)),
           heading=None)

ui.section(sections.documents(queries.documents(con)))
