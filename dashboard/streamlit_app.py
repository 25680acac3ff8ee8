"""The dashboard's entrypoint: page config and navigation; the pages are in app_pages/."""
import streamlit as st

st.set_page_config(page_title="GCM consultations 2017", layout="wide")

st.navigation([
    st.Page("app_pages/overview.py", title="Overview", default=True),
    st.Page("app_pages/participation.py", title="Participation"),
    st.Page("app_pages/session.py", title="Session"),
    st.Page("app_pages/themes.py", title="Themes"),
    st.Page("app_pages/recommendations.py", title="Recommendations"),
    st.Page("app_pages/data_method.py", title="Data & method"),
]).run()
