"""The dashboard's entrypoint: page config and navigation; the pages are in app_pages/."""
import streamlit as st

st.set_page_config(page_title="GCM consultations 2017", layout="wide")

st.navigation([
    st.Page("app_pages/overview.py", title="Overview", default=True),
    st.Page("app_pages/participation.py", title="Participation"),
]).run()
