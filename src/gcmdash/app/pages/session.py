"""Session: one session at a time: agenda by day, panels and people, format rules, documents
and quality flags."""
import streamlit as st

from gcmdash.views import charts, queries, tables
from gcmdash.app import ui
from gcmdash.app.connection import connection_or_stop

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
    ui.chart(charts.agenda_timeline(agenda),
             "Each day of the session from its first to its last item, as the chosen document "
             "gives it; hover for the description and the source line. Hatched items sit on an "
             "inferred day (the document lost its day headings).",
             tables.agenda_table(agenda))

st.subheader("Panels")
roles = queries.session_roles(con, session_number)
panels = tables.panels_table(queries.session_panels(con, session_number), roles)
if panels.empty:
    st.info("The record names no panels for this session.")
else:
    ui.text_table(panels)
st.caption("Each panel with its moderator and panelists; titles and times from the session's "
           "own documents before the curated programme, every source listed.")

st.subheader("Everyone with a role")
if roles.empty:
    st.info(tables.NO_SPEAKER_LIST.capitalize() + ".")
else:
    st.dataframe(tables.session_roles_table(roles), hide_index=True)

st.subheader("Format rules")
rules = queries.format_rules(con, session_number)
if rules.empty:
    st.info("The record holds no procedural note stating this session's format rules.")
else:
    ui.text_table(tables.format_rules_table(rules))

st.subheader("Documents held")
documents = queries.documents(con, session_number=session_number)
if documents.empty:
    st.info("The corpus holds no document of this session; its facts come from curated "
            "public sources.")
else:
    st.dataframe(tables.session_documents_table(documents), hide_index=True)
st.dataframe(tables.record_coverage_table(queries.record_coverage(con, session_number)),
             hide_index=True)

st.subheader("Quality flags")
flags = queries.quality_flags(con, session_number=session_number)
if flags.empty:
    st.info("The checks found nothing to flag for this session.")
else:
    st.dataframe(tables.quality_flags_table(flags), hide_index=True,
                 column_config={"Message": st.column_config.TextColumn(width="large")})
