"""Every source opens (views/documents.py, the Document and Person pages), word-form search
and the DOCX brief (views/profiles.py, views/exports.py)."""
from __future__ import annotations

import io
import re

import docx
import pytest
from streamlit.testing.v1 import AppTest

from gcmdash import config
from gcmdash.views import documents, exports, profiles, queries

SUMMARY = "003_caee5c70cc5473e9.txt"
PAGES = config.APP_PAGES_DIR
TIMEOUT = 60


def _page(name: str, **query) -> AppTest:
    at = AppTest.from_file(str(PAGES / f"{name}.py"), default_timeout=TIMEOUT)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_documents_are_named_by_kind_and_session_not_by_hash(con):
    names = documents.names(con)
    assert names[SUMMARY] == "Co-facilitators' summary, session 3"
    assert names["001_bab7ddbf46844fd5.txt"] == "Programme of work, session 3"
    assert len(set(names.values())) == len(names)  # distinct
    assert not any(re.search(r"[0-9a-f]{16}", n) for n in names.values())
    label = documents.readable(f"{SUMMARY}, lines 380–381; https://example.org/x", names)
    assert label == "Co-facilitators' summary, session 3, lines 380–381; https://example.org/x"



def test_a_figure_names_documents_by_display_name_in_2d_text_too():
    import numpy as np
    import plotly.graph_objects as go

    known = {SUMMARY: "Co-facilitators' summary, session 3"}
    cited = f"{SUMMARY}, line 11"
    fig = go.Figure(go.Heatmap(z=[[1, 2]], text=[[cited, "x"]],
                               hovertext=np.array([[cited, "y"]]),
                               customdata=np.array([[cited, 3]], dtype=object)))
    trace = documents.readable_figure(fig, known).data[0]
    for value in (trace.text, trace.hovertext, trace.customdata):
        assert SUMMARY not in repr(value)
        assert "Co-facilitators' summary, session 3, line 11" in repr(value)
    assert trace.customdata[0][1] == 3  # what names no document is kept

def test_display_names_tell_apart_same_kind_and_keep_the_original_name():
    import pandas as pd
    rows = pd.DataFrame({
        "document_id": ["a.txt", "b.pdf", "c.txt"], "file_name": ["a.txt", "b.pdf", "c.txt"],
        "original_name": [None, "Summary S5 final.pdf", None], "format": ["txt", "pdf", "txt"],
        "document_type": ["summary", "summary", None], "session_number": [5, 5, None]})
    assert documents.display_names(rows) == [
        "Co-facilitators' summary, session 5 (1)",
        "Co-facilitators' summary, session 5 (2) (Summary S5 final.pdf)",
        "Document: c.txt"]


def test_citations_link_to_the_document_view_or_the_public_page(con):
    names = documents.names(con)
    assert documents.first_citation(f"{SUMMARY}, line 11", names) == \
        f"document?doc={SUMMARY}&lines=11"
    assert documents.first_citation(f"{SUMMARY}, lines 12–13", names) == \
        f"document?doc={SUMMARY}&lines=12-13"
    assert documents.first_citation("https://www.un.org/press/x.htm", names) == \
        "https://www.un.org/press/x.htm"
    assert documents.first_citation("not reported", names) is None
    assert documents.parse_lines("11-12") == (11, 12)
    assert documents.parse_lines("11–12") == (11, 12)
    assert documents.parse_lines("7") == (7, 7)
    for bad in ("", "0", "12-11", "x", "1;2", None):
        assert documents.parse_lines(bad) is None


def test_document_text_has_the_build_line_numbers_and_marks_the_cited_lines(con):
    row = documents.find(documents.catalogue(con), SUMMARY)
    text = documents.read_text(row["file_name"], row["sha256"])
    assert not text.problem
    # the record's own claim: participation in session 3 is read from line 11
    evidence = queries.participation(con)
    attended = evidence[(evidence["document_id"] == SUMMARY)
                        & (evidence["measure"] == "member_states_attended")]
    line = int(attended["line_start"].iloc[0])
    assert "110 Member States" in text.lines[line - 1]
    window = documents.excerpt_window(len(text.lines), (11, 12))
    assert window == (5, 18)
    frame = documents.numbered(text.lines, (11, 12), *window)
    assert frame["Line"].tolist() == list(range(5, 19))
    assert frame.loc[frame["Cited"], "Line"].tolist() == [11, 12]
    block = documents.as_code(frame).splitlines()
    assert [b[:4] for b in block if b.startswith("▶")] == ["▶ 11", "▶ 12"]
    assert documents.excerpt_window(len(text.lines), (10_000, 10_000)) is None


def test_a_changed_or_missing_file_is_said_not_shown(tmp_path):
    (tmp_path / "a.txt").write_text("one\ntwo\n", encoding="utf-8")
    changed = documents.read_text("a.txt", "0" * 64, raw_dir=tmp_path)
    assert changed.problem.startswith("The stored file has changed") and not changed.lines
    missing = documents.read_text("gone.txt", "0" * 64, raw_dir=tmp_path)
    assert missing.problem.startswith("The stored file is no longer")
    assert documents.read_text("../a.txt", "0" * 64, raw_dir=tmp_path).problem


@pytest.mark.usefixtures("db_env")
def test_document_page_highlights_the_cited_lines():
    at = _page("document", doc=SUMMARY, lines="11-12")
    assert not at.error and not at.warning
    # the Markdown source of the title: every special character escaped, shown as written
    assert at.title[0].value == "Co\\-facilitators' summary, session 3"
    assert at.header[0].value == "The cited lines 11–12, in context"
    (excerpt,) = at.table
    shown = excerpt.value
    cited = shown[shown.iloc[:, 0] == "▶"]
    assert cited["Line"].tolist() == [11, 12]
    assert "110 Member States attended" in re.sub(r"\\(.)", r"\1", cited["Text"].iloc[0])
    whole = at.code[0].value
    assert whole.count("▶") == 2 and len(whole.splitlines()) == 724


@pytest.mark.usefixtures("db_env")
def test_document_page_without_a_known_document_offers_the_list():
    at = _page("document", doc="nope.txt")
    assert at.warning[0].value.startswith("The record holds no document by that name")
    assert "Co-facilitators' summary, session 3" in at.selectbox[0].options


@pytest.mark.usefixtures("db_env")
def test_person_page_lists_every_role_as_each_source_gives_it(con):
    people = queries.people(con, "ivan martin")
    at = _page("person", id=people["person_id"].iloc[0])
    assert at.title[0].value == "Iván Martín"
    rows = at.dataframe[0].value
    assert {"Session", "Role", "Affiliation", "Source", "Open source"} <= set(rows.columns)
    assert len(rows) == len(profiles.person(con, people["person_id"].iloc[0]))
    affiliations = " ".join(rows["Affiliation"])
    assert "Pompeu Fabra" in affiliations and "European University Institute" in affiliations
    assert _page("person", id="nobody").info[0].value.startswith("No person by that")


@pytest.mark.usefixtures("db_env")
def test_a_recommendation_has_its_own_link():
    at = _page("recommendations", rec="s3-g-07")
    assert at.header[0].value.replace("\\", "") == "Recommendation s3-g-07"
    assert any("Co-facilitators' summary, session 3, line 390" in c.value.replace("\\", "")
               for c in at.caption)
    assert _page("recommendations", rec="s9-z-99").warning


@pytest.mark.usefixtures("db_env")
def test_session_page_says_when_there_is_no_summary():
    at = _page("session", session="Session 1")
    infos = [i.value for i in at.info]
    assert any(i.startswith("The record holds no co-facilitators' summary of Session 1")
               for i in infos)
    three = _page("session", session="Session 3")
    assert len(three.expander) >= 7  # the summary's areas of discussion, a to g and on


@pytest.mark.usefixtures("db_env")
def test_session_page_names_the_agenda_documents_not_their_hashes():
    at = _page("session", session="Session 3")
    agenda = next(s for s in at.selectbox if s.label == "Agenda as given in")
    assert agenda.options[0] == "Programme of work, session 3"
    assert set(agenda.options) == {"Programme of work, session 3", "Procedural note, session 3",
                                   "Co-facilitators' summary, session 3"}


def test_search_matches_word_forms(con):
    literal = queries.recommendations(con, search="detentions")
    assert literal.empty  # the literal search finds nothing
    stemmed = profiles.stemmed_recommendations(con, search="detentions")
    assert len(stemmed) >= 1 and stemmed["match_count"].iloc[0] == len(stemmed)
    # every match holds the word in some form, in its text or its area's heading
    assert (stemmed["text"] + " " + stemmed["area_heading"]).str.contains(
        "detention", case=False).all()
    plain = queries.recommendations(con, search="detention")
    assert set(plain["recommendation_id"]) <= set(stemmed["recommendation_id"])
    phrase = profiles.stemmed_recommendations(con, search='"alternative to detention"')
    assert "s3-g-02" in set(phrase["recommendation_id"])
    assert profiles.matches(["Children in detention"], "child detained") == [False]
    assert profiles.matches(["Children in detention"], "children detentions") == [True]
    assert len(profiles.stemmed_recommendations(con, search="")) == 73
    assert profiles.stemmed_recommendations(con, search="s3-g-07")["recommendation_id"] \
        .tolist() == ["s3-g-07"]


def test_filter_counts_match_the_filters(con):
    counts = profiles.filter_counts(con)
    assert counts["session"] == {3: 73}
    for area, n in counts["area"].items():
        assert len(queries.recommendations(con, area_keys=[area])) == n
    for topic, n in counts["topic"].items():
        assert len(queries.recommendations(con, topic_ids=[topic])) == n
    assert profiles.with_count("Session 3", 73) == "Session 3 (73)"


def test_docx_brief_reopens_with_the_markdown_briefs_facts(con):
    rows = queries.recommendations(con, session_numbers=[3])
    filters = exports.filters_description(None, [3])
    markdown = exports.markdown_brief(rows, filters, "m1")
    data = exports.docx_brief(rows, filters, "m1")
    assert data[:2] == b"PK"  # a zip container, as Word expects
    document = docx.Document(io.BytesIO(data))
    text = "\n".join(p.text for p in document.paragraphs)
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 2"]
    md_headings = [re.sub(r"\\(.)", r"\1", line[3:]) for line in markdown.splitlines()
                   if line.startswith("## ")]
    assert headings == md_headings
    for r in rows.itertuples(index=False):
        assert f"{r.recommendation_id} (" in text
        assert " ".join(r.text.split()) in text
        assert f"Source: {r.source_label}" in text
    assert "73 recommendation(s), grouped by topic" in text
    assert "Filters: sessions: Session 3." in text
    assert exports.docx_brief(rows, filters, "m1") == data  # deterministic
    empty = docx.Document(io.BytesIO(exports.docx_brief(rows.head(0))))
    assert "No recommendation matches these filters." in [p.text for p in empty.paragraphs]


def test_table_csv_never_carries_a_formula():
    import pandas as pd
    data = exports.table_csv(pd.DataFrame({"=cmd": ["=1+1", "-3", "@SUM(A1)", "plain"]}))
    text = data.decode("utf-8-sig").splitlines()
    assert text == ["'=cmd", "'=1+1", "-3", "'@SUM(A1)", "plain"]


def test_citation_line():
    import datetime as dt
    line = exports.citation("Session", dt.date(2026, 12, 1), "http://x/session?session=3")
    assert line == ("Cite this page: " + exports.CITATION_NAME + ", “Session”, record built on "
                    "01 December 2026. http://x/session?session=3")
    assert "build date unknown" in exports.citation("Overview")


def test_the_site_publishes_a_page_per_document_and_links_citations_to_it(built_db, tmp_path):
    from gcmdash.site import publish

    out = tmp_path / "site"
    publish.publish(built_db, out, images=False, notice=lambda _: None)
    page = (out / documents.site_page(SUMMARY)).read_text(encoding="utf-8")
    assert "<title>Co-facilitators&#x27; summary, session 3 · gcmdash</title>" in page
    row = re.search(r'<tr id="L11"( class="cited")?>.*?</tr>', page)
    assert row and row[1] and "110 Member States attended" in row[0]
    assert len(re.findall(r'<tr id="L\d+"', page)) == 724
    assert "<script" not in page.split("</header>")[-1].split("<footer")[0]
    index = (out / "index.html").read_text(encoding="utf-8")
    assert f'<a href="document-{SUMMARY}.html#L11">Co-facilitators&#x27; summary, session 3, ' \
        "line 11" in index
    # no hashed name in the page's text (the charts' hover texts are charts.py's, left as they are)
    text_only = re.sub(r"<script\b.*?</script>", "", index, flags=re.S)
    assert "003_caee5c70cc5473e9.txt, line" not in text_only
    csv_text = (out / "data" / "participation.csv").read_text(encoding="utf-8-sig")
    assert "Co-facilitators' summary, session 3, line 11" in csv_text


def test_site_document_text_is_escaped(tmp_path, con):
    from gcmdash.site import documents as site_documents

    (tmp_path / "x.txt").write_text("<script>alert(1)</script> & <b>bold</b>\n", "utf-8")
    import pandas as pd

    from gcmdash.extract.formats import sha256_file
    row = pd.Series({"document_id": "x.txt", "file_name": "x.txt", "original_name": None,
                     "format": "txt", "document_type": "summary", "session_number": 3,
                     "status": "loaded", "sha256": sha256_file(tmp_path / "x.txt")})
    body = str(site_documents.page_body(con, row, tmp_path))
    assert "<script>" not in body and "<b>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in body
