"""Data & method: the documents and their status, quality flags, the data dictionary, the
topic model's provenance and evaluation, and the sources."""
import streamlit as st

from gcmdash.app import ui
from gcmdash.app.connection import connection_or_stop
from gcmdash.views import queries, sections

st.title("Data & method")
st.markdown(
    "How the dashboard knows what it shows. `gcmdash build` reads the documents in "
    "`data/raw` and the curated public-record files in `data/reference` into one checked "
    "DuckDB database; every fact in it points back at a document line or a public page. The "
    "dashboard only reads that database.")

con = connection_or_stop()

ui.section(sections.documents(queries.documents(con)))
ui.section(sections.quality_flags(queries.quality_flags(con)))

st.header("Data dictionary")
dictionary = queries.data_dictionary(con)
ui.section(sections.tables_overview(dictionary), heading=None)
table_names = list(dict.fromkeys(dictionary["table_name"]))
chosen = st.selectbox("Columns of", table_names, index=None, placeholder="All tables",
                      key="dictionary_table", bind="query-params")
ui.section(sections.data_dictionary(dictionary, chosen), heading=None)

st.header("Topic model")
if not queries.themes_available(con):
    st.info(sections.NO_TOPIC_MODEL)
else:
    model = queries.topic_model(con)
    ui.section(sections.topic_model(model), heading=None)
    with st.expander("Pipeline parameters (JSON)"):
        for parameters in model["parameters"]:
            st.code(parameters, language="json", wrap_lines=True)
    ui.section(sections.model_selection(queries.topic_model_selection(con)), heading=None)

st.header("Sources")
ui.section(sections.sources(queries.curated_sources(con)), heading=None)
