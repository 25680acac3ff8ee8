"""Document: one document's extracted text, numbered, with the cited lines marked and shown
first; opened from any citation (`?doc=<id or file>&lines=11-12`)."""
import streamlit as st

from gcmdash.app import ui
from gcmdash.app.connection import connection_or_stop
from gcmdash.views import documents, tables

con = connection_or_stop()
catalogue = ui.document_catalogue(con)
names = dict(zip(catalogue["document_id"], catalogue["display_name"]))
ref = st.query_params.get("doc")
row = documents.find(catalogue, ref)


def choose_document() -> None:
    """The document chooser, its choice in the URL (?doc=<id>): Back and Forward step
    through the documents opened."""
    ui.url_choice("Document", list(names), param="doc",
                  default=None if row is None else row["document_id"], format_func=names.get,
                  url_value=str, placeholder="Choose a document")


if row is None:
    st.title("Documents")
    if ref:
        st.warning("The record holds no document by that name; choose one below.")
    choose_document()
    st.stop()

st.title(tables.plain(row["display_name"]))  # a file name the user gave, never Markdown
choose_document()
st.caption(" · ".join(f"{k}: {tables.plain(v)}" for k, v in documents.describe(row)))
cited = documents.parse_lines(st.query_params.get("lines"))
text = ui.document_text(row["file_name"], row["sha256"])
if text.problem:
    st.warning(text.problem)
    st.stop()

window = documents.excerpt_window(len(text.lines), cited)
if cited is not None and window is None:
    st.warning(f"The citation names line {cited[0]}, but the text has {len(text.lines)} lines.")
if window is not None:
    span = f"line {cited[0]}" if cited[0] == cited[1] else f"lines {cited[0]}–{cited[1]}"
    st.header(f"The cited {span}, in context")
    ui.numbered_lines(documents.numbered(text.lines, cited, *window))
    st.caption(f"Cited lines marked ▶ and highlighted; lines {window[0]}–{window[1]} of "
               f"{len(text.lines)}.")

st.header(f"The whole text ({len(text.lines):,} lines)")
whole = documents.numbered(text.lines, cited)
# no fixed height: a scrolling box of its own would hold text the keyboard cannot reach
st.code(documents.as_code(whole), language=None, wrap_lines=True)
st.download_button("Download the extracted text", "\n".join(text.lines).encode("utf-8"),
                   file_name=f"{row['document_id']}.txt", mime="text/plain",
                   on_click="ignore", key="download_text")
