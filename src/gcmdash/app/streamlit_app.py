"""The dashboard's entrypoint: page config and navigation; the pages are in app_pages/.

Not pages/: Streamlit also serves a folder of that name beside the entrypoint as pages of its
own, so a deep link (/document?doc=...) ran the page without this entrypoint."""
import streamlit as st

from gcmdash.app import ui

st.set_page_config(page_title="GCM consultations 2017", layout="wide")
# Readers, not developers: no Deploy, Rerun or Clear cache in the menu (`gcmdash serve` also
# starts Streamlit so, for the first page drawn).
st.set_option("client.toolbarMode", "viewer")

ui.page_style()

page = st.navigation([
    st.Page("app_pages/overview.py", title="Overview", default=True),
    st.Page("app_pages/participation.py", title="Participation"),
    st.Page("app_pages/session.py", title="Session"),
    st.Page("app_pages/themes.py", title="Themes"),
    st.Page("app_pages/recommendations.py", title="Recommendations"),
    st.Page("app_pages/data_method.py", title="Data & method"),
    st.Page("app_pages/document.py", title="Documents", url_path="document"),
    st.Page("app_pages/person.py", title="Person", url_path="person", visibility="hidden"),
], position="top")  # no sidebar: one arriving after the first paint shifted the whole page
page.run()
ui.cite_this(page.title)
