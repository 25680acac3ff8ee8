"""Participation: counts per session and measure as stated, who had a role in each session,
and everyone named in the record."""
import streamlit as st

from gcmdash.app import ui
from gcmdash.app.connection import connection_or_stop
from gcmdash.views import profiles, queries, sections, tables

st.title("Participation")

con = connection_or_stop()

ui.section(sections.participation(queries.participation_matrix(con)))
ui.section(sections.participation_sources(queries.participation(con)), heading="subheader")
ui.section(sections.women_on_panels(queries.panel_gender(con)))
ui.section(sections.panel_composition(queries.panel_composition(con)), placeholder="")
ui.section(sections.organisations(queries.organisation_composition(con)))

st.header("People")
search = st.text_input("Search people by name or affiliation", key="people_q",
                       bind="query-params", max_chars=queries.SEARCH_MAX_CHARS,
                       placeholder="e.g. Martin, University, Red Cross")
people = queries.people(con, search, limit=ui.MAX_ROWS)
total = tables.match_count(people)
st.caption(f"{total:,} person(s) match: one row per person with every role they had, "
           "affiliations as the sources give them.")
ui.table(profiles.with_profile_links(tables.people_table(people), people), total,
         noun="persons", column_config={
             "Profile": st.column_config.LinkColumn(display_text="Profile", width="small")})
