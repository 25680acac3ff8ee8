"""The page sections (gcmdash.views.sections): one description per section, drawn the same by
the app and the site; each empty state; one spelling of a source citation."""
from __future__ import annotations

import html
import inspect
import re
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from gcmdash import config, provenance
from gcmdash.site import publish
from gcmdash.views import queries, sections, tables

TIMEOUT = 60


@pytest.fixture(scope="module")
def site(built_db: Path, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("sections-site") / "site"
    publish.publish(built_db, out, images=False, notice=lambda _: None)
    return out


def _none(df: pd.DataFrame) -> pd.DataFrame:
    """The query's columns without a row: what a session the record is silent on returns."""
    return df.iloc[0:0].reset_index(drop=True)


def test_each_table_section_has_its_empty_state(con):
    roles = queries.session_roles(con, 3)
    empties = {
        sections.session_panels(_none(queries.session_panels(con, 3)), _none(roles)):
            "The record names no panels for this session.",
        sections.session_roles(_none(roles)): "No list of speakers in the record.",
        sections.format_rules(_none(queries.format_rules(con, 3))):
            "The record holds no procedural note stating this session's format rules.",
        sections.session_documents(_none(queries.documents(con, session_number=3))):
            "The corpus holds no document of this session; its facts come from curated "
            "public sources.",
        sections.quality_flags(_none(queries.quality_flags(con)), 3):
            "The checks found nothing to flag for this session.",
        sections.quality_flags(_none(queries.quality_flags(con))):
            "The checks found nothing to flag here.",
    }
    for section, message in empties.items():
        assert section.is_empty and section.empty == message, section.name
    # with rows, the same sections are not empty
    assert not sections.session_roles(roles).is_empty
    assert not sections.quality_flags(queries.quality_flags(con), 3).is_empty
    # a chart section is never "empty": its figure says what is missing itself
    chart = sections.panel_composition(_none(queries.panel_composition(con)))
    assert not chart.is_empty


def test_chart_sections_carry_figure_table_alt_text_and_source(con):
    matrix = queries.participation_matrix(con)
    whole = sections.participation(matrix)
    one = sections.participation(matrix[matrix["session_number"] == 3].reset_index(drop=True),
                                 3)
    assert (whole.name, whole.title) == ("participation", "Participation across sessions")
    assert (one.name, one.title) == ("session-3-participation", "Participation in Session 3")
    assert one.figure.layout.title.text == "Participation in Session 3"
    assert list(one.table["Session"]) == ["Session 3"]
    assert whole.caption == one.caption and whole.source == one.source
    assert whole.alt_text.startswith(whole.short_alt) and whole.alt_text != whole.caption
    panels = queries.panel_composition(con)
    roles = {3: queries.session_roles(con, 3)}
    with_sources = sections.panel_composition(panels, roles)
    assert "Source" in with_sources.table.columns
    assert "Source" not in sections.panel_composition(panels).table.columns
    s3 = with_sources.table[with_sources.table["Session"] == "Session 3"]["Source"]
    assert s3.str.contains("003_caee5c70cc5473e9.txt").all()
    assert not s3.str.contains(", line").any()  # documents only, not every line


@pytest.mark.usefixtures("db_env")
def test_the_app_and_the_site_say_the_same_sentences(con, site: Path):
    at = AppTest.from_file(str(config.APP_DIR / "app_pages" / "participation.py"),
                           default_timeout=TIMEOUT).run()
    assert not at.exception
    captions = [c.value for c in at.caption]
    participation = sections.participation(queries.participation_matrix(con))
    women = sections.women_on_panels(queries.panel_gender(con))
    composition = sections.panel_composition(queries.panel_composition(con))
    assert captions[:3] == [participation.caption, women.caption, composition.caption]
    assert [h.value for h in at.header][:3] == [participation.title, women.title,
                                                composition.title]
    index = (site / "index.html").read_text()
    for section in (participation, women, composition):
        assert (f"<strong>{html.escape(section.title)}</strong>"
                f"{html.escape(section.caption)}</figcaption>") in index
        assert f'<p class="source">Source: {html.escape(section.source)}</p>' in index

    # an empty state: the same sentence in the app's info box and on the site's page
    silent = [n for n in queries.SESSION_NUMBERS if queries.session_roles(con, n).empty]
    assert silent, "the seed record names everyone in every session"
    n = silent[0]
    message = sections.session_roles(queries.session_roles(con, n)).empty
    page = AppTest.from_file(str(config.APP_DIR / "app_pages" / "session.py"),
                             default_timeout=TIMEOUT)
    page.query_params["session"] = tables.session_label(n)
    page.run()
    assert not page.exception
    assert message in [i.value for i in page.info]
    assert f"<h2>Everyone with a role</h2><p>{html.escape(message)}</p>" in (
        site / f"session-{n}.html").read_text()


def test_no_section_sentence_is_written_in_the_app_or_the_site():
    """Each caption and empty-state sentence lives in views/sections.py only."""
    sentences = [s for s in (inspect.getsource(sections).replace("\n", " ").split('"'))
                 if len(s) > 40 and " " in s]
    assert len(sentences) > 20
    renderers = [*sorted((config.APP_DIR / "app_pages").glob("*.py")), config.APP_DIR / "ui.py",
                 Path(publish.__file__)]
    for path in renderers:
        text = path.read_text()
        assert [s for s in sentences if s in text] == [], path.name


def test_the_site_templates_escape_every_value():
    page = publish.page_html("<b>A & B's</b>", "<p>body</p>", current="index.html",
                             fingerprint='"x"<y>', has_charts=False)
    assert "<title>&lt;b&gt;A &amp; B&#x27;s&lt;/b&gt; · gcmdash</title>" in page
    assert '<meta name="gcmdash-input-fingerprint" content="&quot;x&quot;&lt;y&gt;">' in page
    assert "data version &quot;x&quot;&lt;y&gt; (see Sources and method)" in page
    assert "“&lt;b&gt;A &amp; B&#x27;s&lt;/b&gt;”, data version" in page  # the cite-this line
    assert "<p>body</p>" in page  # the body is the site's own markup
    assert "<script" not in page and "<noscript>" not in page
    section = sections.Section("t", "T", "a `code` & <i>caption</i>",
                               table=pd.DataFrame({"A": ["<i>x</i>"]}))
    fragment = publish._part(section)
    assert "<p>a code &amp; &lt;i&gt;caption&lt;/i&gt;</p>" in fragment
    assert '<th scope="row">&lt;i&gt;x&lt;/i&gt;</th>' in fragment


@pytest.mark.parametrize(("row", "label"), [
    (("d.txt", 3, 5, None), "d.txt, lines 3–5"),
    (("d.txt", 3, 3, None), "d.txt, line 3"),
    (("d.txt", 3, None, None), "d.txt, line 3"),
    (("d.txt", None, None, "https://x"), "d.txt"),
    ((None, None, None, "https://x"), "https://x"),
])
def test_one_spelling_of_a_source_citation_in_python_and_sql(row, label):
    assert provenance.source_label(*row) == label
    sql = provenance.SOURCE_LABEL.format(t="t")
    with duckdb.connect() as con:
        got = con.execute(
            f"SELECT {sql} FROM (SELECT ?::VARCHAR AS document_id, ?::INTEGER AS line_start, "
            "?::INTEGER AS line_end, ?::VARCHAR AS source_url) t", list(row)).fetchone()[0]
    assert got == label
    assert provenance.cited_document(label) == (row[0] or row[3])


def test_a_null_line_in_a_nullable_column_is_no_line():
    """A flag without a line, read into pandas' nullable Int32, holds pd.NA (the synthetic
    corpus's flags did, and the Overview page raised 'boolean value of NA is ambiguous')."""
    lines = pd.array([7, None], dtype="Int32")
    assert provenance.source_label("d.txt", lines[0]) == "d.txt, line 7"
    assert provenance.source_label("d.txt", lines[1]) == "d.txt"
    assert provenance.source_label(pd.NA, pd.NA, pd.NA, "https://x") == "https://x"


def test_quality_flags_cite_with_the_same_spelling(con):
    flags = queries.quality_flags(con)
    table = tables.quality_flags_table(flags)
    for where, (document_id, line) in zip(table["Where"],
                                          zip(flags["document_id"], flags["line_start"])):
        assert where == provenance.source_label(document_id, line)
    assert any(re.search(r"\.txt, line \d+$", w) for w in table["Where"])
