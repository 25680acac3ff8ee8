"""Session: one session at a time: agenda by day, panels and people, format rules, documents
and quality flags."""
import streamlit as st

from gcmdash.app import ui
from gcmdash.app.connection import connection_or_stop
from gcmdash.views import queries, sections, tables

st.title("Session")

con = connection_or_stop()
sessions = queries.sessions(con)
session_number = st.selectbox(
    "Session", queries.SESSION_NUMBERS,
    index=queries.SESSION_NUMBERS.index(tables.default_session(sessions)),
    format_func=tables.session_label, key="session", bind="query-params")

facts = tables.session_header(sessions, session_number)
st.header(f"{tables.session_label(session_number)} · {tables.plain(facts['City'])}, "
          f"{tables.plain(facts['Dates'])}")
st.markdown(f"**{tables.plain(facts['Title'])}**  \n{tables.plain(facts['Venue'])}")
st.caption(f"Source: {tables.plain(facts['Source'])}")

st.subheader("Agenda")
agenda_sources = queries.agenda_documents(con, session_number)
if agenda_sources.empty:
    st.info("No document of the record holds this session's agenda; the panels below come "
            "from the curated public programme where there is one.")
else:
    source_labels = tables.agenda_source_labels(agenda_sources)
    agenda_document = st.selectbox("Agenda as given in", list(source_labels),
                                   format_func=source_labels.get, key="agenda_source",
                                   bind="query-params")
    agenda = queries.agenda_items(con, session_number, agenda_document)
    if tables.has_inferred_days(agenda):
        st.warning("This document's agenda is truncated: the rows that survive are placed on "
                   "an inferred day (hatched); the quality flags below say what was lost.")
    ui.section(sections.agenda(agenda), heading=None)

roles = queries.session_roles(con, session_number)
ui.section(sections.session_panels(queries.session_panels(con, session_number), roles),
           heading="subheader")
ui.section(sections.session_roles(roles), heading="subheader")
ui.section(sections.format_rules(queries.format_rules(con, session_number)),
           heading="subheader")
ui.section(sections.session_documents(queries.documents(con, session_number=session_number)),
           heading="subheader")
ui.section(sections.record_coverage(queries.record_coverage(con, session_number),
                                    session_number), heading=None)
ui.section(sections.quality_flags(queries.quality_flags(con, session_number=session_number),
                                  session_number), heading="subheader")
