"""Session: one session's whole profile: participation, agenda by day, panels and people,
recommendations by area, GCM objectives covered and missed, format rules, documents and
quality flags. `?session=3` opens it."""
import streamlit as st

from gcmdash.app import ui
from gcmdash.app.connection import connection_or_stop
from gcmdash.views import profiles, queries, sections, tables

st.title("Session")

con = connection_or_stop()
sessions = queries.sessions(con)
session_number = ui.url_choice("Session", list(queries.SESSION_NUMBERS), param="session",
                               default=tables.default_session(sessions),
                               format_func=tables.session_label)

facts = tables.session_header(sessions, session_number)
st.header(f"{tables.session_label(session_number)} · {tables.plain(facts['City'])}, "
          f"{tables.plain(facts['Dates'])}")
st.markdown(f"**{tables.plain(facts['Title'])}**  \n{tables.plain(facts['Venue'])}")
ui.cite(facts["Source"])

st.subheader("Participation")
matrix = queries.participation_matrix(con)
counts = tables.participation_table(matrix[matrix["session_number"] == session_number])
ui.table(counts.drop(columns=["Session"], errors="ignore"), key="session_participation")
st.caption("As the record states them; “not reported” marks a count no source gives, never "
           "a zero. The Participation page compares the sessions and gives each count's "
           "evidence.")

st.subheader("Agenda")
agenda_sources = queries.agenda_documents(con, session_number)
if agenda_sources.empty:
    st.info("No document of the record holds this session's agenda; the panels below come "
            "from the curated public programme where there is one.")
else:
    # each document by its display name ('Programme of work, session 3'), never its stored hash
    source_labels = {**tables.agenda_source_labels(agenda_sources),
                     **{d: n for d, n in ui.document_names().items()
                        if d in set(agenda_sources["document_id"].astype(str))}}
    agenda_document = st.selectbox("Agenda as given in", list(source_labels),
                                   format_func=source_labels.get, key="agenda_source",
                                   bind="query-params")
    agenda = queries.agenda_items(con, session_number, agenda_document)
    if tables.has_inferred_days(agenda):
        st.warning("This document's agenda is truncated: the rows that survive are placed on "
                   "an inferred day (hatched); the quality flags below say what was lost.")
    ui.section(sections.agenda(agenda), heading=None)

roles = queries.session_roles(con, session_number)
shown_roles = roles.head(ui.MAX_ROWS)
ui.section(sections.session_panels(queries.session_panels(con, session_number), shown_roles),
           heading="subheader")
if len(roles) > len(shown_roles):
    st.caption(f"The panels list the first {len(shown_roles):,} of {len(roles):,} people; "
               "everyone is in the table below and its download.")
st.subheader("Everyone with a role")
if roles.empty:
    st.info(tables.NO_SPEAKER_LIST.capitalize() + ".")
else:
    people = tables.session_roles_table(roles)
    ui.table(profiles.with_profile_links(people.head(ui.MAX_ROWS), shown_roles), len(people),
             noun="people", key="session_people", column_config={
                 "Profile": st.column_config.LinkColumn(display_text="Profile", width="small")})
    ui.csv_download(people, f"session-{session_number}-people")

st.subheader("Recommendations by area of discussion")
if not profiles.has_summary(con, session_number):
    st.info(f"The record holds no co-facilitators' summary of {tables.session_label(session_number)}, "
            "so it has no recommendations for this session (not that none were made).")
else:
    for heading, recs in profiles.recommendations_by_area(
            profiles.session_recommendations(con, session_number)):
        with st.expander(heading):
            ui.text_table(ui.cited(recs))
    st.markdown(f"[Search and download these recommendations](recommendations?rec_session="
                f"{tables.session_label(session_number).replace(' ', '+')})")

if queries.themes_available(con):
    st.subheader("GCM objectives covered and missed")
    states = profiles.session_objectives(queries.objective_coverage(con), session_number)
    if states.get("covered") or states.get("gap"):
        st.markdown(f"**Covered ({len(states['covered'])}):** "
                    + tables.plain("; ".join(states["covered"]) or "none"))
        st.markdown(f"**Not touched ({len(states['gap'])}):** "
                    + tables.plain("; ".join(states["gap"]) or "none"))
    else:
        st.info("The record holds no text of this session to map to the objectives.")
ui.section(sections.format_rules(queries.format_rules(con, session_number)),
           heading="subheader")
ui.section(sections.session_documents(queries.documents(con, session_number=session_number)),
           heading="subheader")
ui.section(sections.record_coverage(queries.record_coverage(con, session_number),
                                    session_number), heading=None)
ui.section(sections.quality_flags(queries.quality_flags(con, session_number=session_number),
                                  session_number), heading="subheader")
