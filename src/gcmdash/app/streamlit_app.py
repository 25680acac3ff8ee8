"""The dashboard's entrypoint: page config and navigation; the pages are in pages/."""
import streamlit as st

from gcmdash.app import ui

st.set_page_config(page_title="GCM consultations 2017", layout="wide")
# Readers, not developers: no Deploy, Rerun or Clear cache in the menu (`gcmdash serve` also
# starts Streamlit so, for the first page drawn).
st.set_option("client.toolbarMode", "viewer")

page = st.navigation([
    st.Page("pages/overview.py", title="Overview", default=True),
    st.Page("pages/participation.py", title="Participation"),
    st.Page("pages/session.py", title="Session"),
    st.Page("pages/themes.py", title="Themes"),
    st.Page("pages/recommendations.py", title="Recommendations"),
    st.Page("pages/data_method.py", title="Data & method"),
    st.Page("pages/document.py", title="Documents", url_path="document"),
    st.Page("pages/person.py", title="Person", url_path="person", visibility="hidden"),
])
page.run()
ui.cite_this(page.title)
