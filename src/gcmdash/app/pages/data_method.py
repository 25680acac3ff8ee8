"""Data & method: the documents and their status, quality flags, the data dictionary, the
topic model's provenance and evaluation, and the sources."""
import streamlit as st

from gcmdash.views import charts, queries, tables
from gcmdash.app import ui
from gcmdash.app.connection import connection_or_stop

st.title("Data & method")
st.markdown(
    "How the dashboard knows what it shows. `gcmdash build` reads the documents in "
    "`data/raw` and the curated public-record files in `data/reference` into one checked "
    "DuckDB database; every fact in it points back at a document line or a public page. The "
    "dashboard only reads that database.")

con = connection_or_stop()

st.header("Documents")
st.dataframe(tables.documents_table(queries.documents(con)), hide_index=True)
st.caption("Every file found in data/raw, with the kind and session read from its content; a "
           "failed document is listed with its reason and never stops the others.")

st.header("Quality flags")
st.dataframe(tables.quality_flags_table(queries.quality_flags(con)), hide_index=True,
             column_config={"Message": st.column_config.TextColumn(width="large")})
st.caption("What the build's checks found: sources that disagree (both kept), gaps, "
           "truncated documents, overlaps.")

st.header("Data dictionary")
dictionary = queries.data_dictionary(con)
st.dataframe(tables.tables_overview(dictionary), hide_index=True,
             column_config={"Description": st.column_config.TextColumn(width="large")})
table_names = list(dict.fromkeys(dictionary["table_name"]))
chosen = st.selectbox("Columns of", table_names, index=None, placeholder="All tables",
                      key="dictionary_table", bind="query-params")
st.dataframe(tables.data_dictionary_table(dictionary, chosen), hide_index=True,
             column_config={"Description": st.column_config.TextColumn(width="large")})
st.caption("Read from the database itself: each description is the schema's COMMENT "
           "(gcmdash/schema.sql).")

st.header("Topic model")
if not queries.themes_available(con):
    st.info("This database has no topic model yet; rebuild it with `gcmdash build`.")
else:
    model = queries.topic_model(con)
    ui.text_table(tables.topic_model_table(model))
    with st.expander("Pipeline parameters (JSON)"):
        for parameters in model["parameters"]:
            st.code(parameters, language="json", wrap_lines=True)
    selection = queries.topic_model_selection(con)
    ui.chart(charts.model_selection_chart(selection),
             "Stability of the topics for each candidate number of topics: models fitted on "
             "different random subsamples of the text units should group the same units "
             "together (mean adjusted Rand index; 1 = identical). The largest k within 0.1 of "
             "the most stable is used; "
             "no label is looked at. Measure the topics against the summaries' own areas "
             "with `gcmdash topics --evaluate`.",
             tables.model_selection_table(selection))

st.header("Sources")
st.dataframe(tables.sources_table(queries.curated_sources(con)), hide_index=True,
             column_config={"Source": st.column_config.LinkColumn(width="large")})
st.caption("Every public page the curated record cites, with the sessions and tables it "
           "supports; the documents above are the other source.")
