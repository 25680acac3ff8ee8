"""Person: one person's profile, every role and the affiliation as each source gives it
(`?id=<person_id>`)."""
import streamlit as st

from gcmdash.app import ui
from gcmdash.app.connection import connection_or_stop
from gcmdash.views import profiles, queries, tables

con = connection_or_stop()
person_id = st.query_params.get("id")
rows = profiles.person(con, person_id) if person_id else None
directory = queries.people(con)
names = dict(zip(directory["person_id"], directory["full_name"]))


def choose_person() -> None:
    """The person chooser, its choice in the URL (?id=<person_id>): Back and Forward step
    through the profiles opened."""
    ui.url_choice("Person", list(names), param="id",
                  default=person_id if person_id in names else None, format_func=names.get,
                  url_value=str, placeholder="Choose a person")


if rows is None or rows.empty:
    st.title("Person")
    choose_person()
    st.info("No person by that identifier in the record. Find people on the Participation "
            "page (search by name or affiliation) and open their profile from there.")
    st.markdown("[Participation: people](participation)")
    st.stop()

st.title(tables.plain(rows["full_name"].iloc[0]))
choose_person()
sessions_ = sorted({int(n) for n in rows["session_number"]})
st.markdown(tables.plain(
    f"{len(rows)} mention(s) in the record, in {len(sessions_)} session(s): "
    + ", ".join(tables.session_label(n) for n in sessions_) + "."))
st.header("Every role, as each source gives it")
ui.table(profiles.person_table(rows), noun="mentions", key="person_roles",
         column_config={"Affiliation": st.column_config.TextColumn(width="large")})
ui.csv_download(profiles.person_table(rows), f"person-{person_id}")
st.caption("One row per source naming the person: the affiliation and honorific are as that "
           "source gives them, so differences between sources show here.")
