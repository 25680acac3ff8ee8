"""Participation: counts per session and measure as stated, who had a role in each session,
and everyone named in the record."""
import streamlit as st

from gcmdash.views import charts, queries, tables
from gcmdash.app import ui
from gcmdash.app.connection import connection_or_stop

st.title("Participation")

con = connection_or_stop()

st.header("Counts per session")
matrix = queries.participation_matrix(con)
ui.chart(charts.participation_chart(matrix),
         "Member States, interventions, UN agencies and stakeholders per session as the "
         "record states them; “not reported” marks a count no source gives, never a zero.")
st.dataframe(tables.participation_table(matrix), hide_index=True)

st.subheader("Where each number comes from")
st.dataframe(tables.participation_sources_table(queries.participation(con)), hide_index=True)

st.header("Who had a role in each session")
panels = queries.panel_composition(con)
ui.chart(charts.panel_composition_chart(panels),
         "Persons per role in each session, each counted once however many sources name "
         "them, by gender as the honorific lists it (Ms. or Mr.; anything else is not stated).")
st.dataframe(tables.panel_composition_table(panels), hide_index=True, placeholder="")

st.header("Kinds of organisation on the panels")
organisations = queries.organisation_composition(con)
ui.chart(charts.organisation_chart(organisations),
         "Persons with a role in each session by the kind of organisation their affiliation "
         "names (government, UN system, academia, civil society, ...), each counted once; the "
         "rule that typed each affiliation is in the data dictionary (roles.organisation_rule).")
st.dataframe(tables.organisation_table(organisations), hide_index=True)

st.header("People")
search = st.text_input("Search people by name or affiliation", key="people_q",
                       bind="query-params", max_chars=queries.SEARCH_MAX_CHARS,
                       placeholder="e.g. Martin, University, Red Cross")
people = queries.people(con, search, limit=ui.MAX_ROWS)
total = tables.match_count(people)
st.caption(f"{total:,} person(s) match: one row per person with every role they had, "
           "affiliations as the sources give them.")
ui.table(tables.people_table(people), total, noun="persons")
