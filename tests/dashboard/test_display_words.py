"""What readers see names documents by what they are and speaks in plain words: no stored
(hashed) file name in any chart the app or the site draws, no CSV line, snake_case measure or
Markdown emphasis in any quality flag or evidence line, on the seed database."""
from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from gcmdash import config, vocab
from gcmdash.site import publish
from gcmdash.views import documents, queries, tables

TIMEOUT = 90
PAGES = ("overview", "participation", "themes", "data_method", "recommendations")


@pytest.fixture(scope="module")
def stored_names(con) -> list[str]:
    names = sorted(set(documents.catalogue(con)["document_id"]))
    assert len(names) == 5 and all(re.fullmatch(r"\d{3}_[0-9a-f]{16}\.txt", n) for n in names)
    return names


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def _hashed(figure: dict, names: list[str]) -> list[str]:
    return [s for s in _strings(figure) if any(n in s for n in names)]


def _app_figures(page: str, **query) -> tuple[list[dict], AppTest]:
    at = AppTest.from_file(str(config.APP_DIR / "app_pages" / f"{page}.py"),
                           default_timeout=TIMEOUT)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return [json.loads(el.proto.spec) for el in at.get("plotly_chart")], at


@pytest.mark.usefixtures("db_env")
@pytest.mark.parametrize("page", PAGES)
def test_no_app_chart_names_a_stored_file(page, stored_names):
    figures, _ = _app_figures(page)
    if page != "recommendations":
        assert figures, page
    for figure in figures:
        assert _hashed(figure, stored_names) == [], figure["layout"].get("title")


@pytest.mark.usefixtures("db_env")
@pytest.mark.parametrize("session_number", queries.SESSION_NUMBERS)
def test_no_session_chart_names_a_stored_file(session_number, stored_names):
    figures, _ = _app_figures("session", session=str(session_number))
    for figure in figures:
        assert _hashed(figure, stored_names) == []
        hovers = [h for t in figure["data"] for h in t.get("hovertext") or []]
        if hovers:  # the agenda's items cite their document by its display name
            assert any("Source: Programme of work, session" in h
                       or "Source: Procedural note, session" in h for h in hovers)


def test_the_participation_hover_names_the_summary_by_kind(con, stored_names):
    from gcmdash.views import charts

    fig = documents.readable_figure(charts.participation_panels(queries.participation_matrix(con)),
                                    documents.names(con))
    hovers = [h for t in fig.to_dict()["data"] for h in t.get("hovertext") or []]
    assert any("Source: Co-facilitators&#x27; summary, session 3, line 11" in h
               or "Source: Co-facilitators' summary, session 3, line 11" in h for h in hovers)
    assert _hashed(fig.to_dict(), stored_names) == []


@pytest.fixture(scope="module")
def site(built_db: Path, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("words") / "site"
    publish.publish(built_db, out, images=False, notice=lambda _: None)
    return out


def test_no_site_chart_or_caption_names_a_stored_file(site, stored_names):
    pages = sorted(site.glob("*.html"))
    charts_seen = 0
    for page in pages:
        text = page.read_text()
        for body in re.findall(r'<script type="application/json" data-chart[^>]*>(.*?)</script>',
                               text, re.S):
            charts_seen += 1
            assert _hashed(json.loads(body), stored_names) == [], page.name
        if page.name.startswith("document-"):
            # its facts say what the file is stored as, on purpose; nothing else names it
            text = re.sub(r"<dt>Stored as</dt><dd>[^<]*</dd>", "", text)
        shown = re.sub(r'(href|id)="[^"]*"', "", text)
        assert [n for n in stored_names if n in shown] == [], page.name
    assert charts_seen >= 13


_INTERNAL = [re.compile(r"\b\w+\.csv:\d+"), re.compile(r"\*\*|__"),
             re.compile(r"\b(" + "|".join(vocab.values(vocab.MEASURES)) + r")\b"),
             re.compile(rf"\bSession {vocab.STOCKTAKING_SESSION}\b")]


def _internals(text: str, names: list[str]) -> list[str]:
    return [p.pattern for p in _INTERNAL if p.search(text)] + [n for n in names if n in text]


def test_every_flag_message_is_in_plain_words(con, stored_names):
    flags = queries.quality_flags(con)
    raw = " ".join(flags["message"])
    # the build's record keeps its rows and ids; what readers see does not
    assert "participation.csv:6" in raw and "member_states_attended" in raw
    known, pages = documents.names(con), documents.references(con)
    shown = [documents.readable_message(m, known, pages) for m in flags["message"]]
    assert len(shown) == len(flags) >= 10
    for message in shown:
        assert _internals(message, stored_names) == [], message
    by_check = dict(zip(flags["check_name"], shown))
    assert ("Stakeholders in the informal dialogue = 18 (curated counts, https://docslib.org/"
            in by_check["participation_uncertain"])
    assert by_check["participation_uncertain"].startswith("Session 5 ")
    assert by_check["session_facts_differ"].startswith(
        'Stocktaking city: "Guadalajara" (Co-facilitators\' summary, session 3, line 19) vs '
        '"Puerto Vallarta" (curated session record, https://www.un.org/press/')
    assert by_check["person_not_in_record"].endswith(
        "lists a panelist whose name is missing (curated list of speakers)")


def test_a_bare_curated_row_gets_its_page_and_markdown_emphasis_goes():
    pages = {"people.csv:19": "https://x.org/p"}
    assert documents.readable_message('Jo is listed as "Dr." (people.csv:19)', {}, pages) == \
        'Jo is listed as "Dr." (curated list of speakers, https://x.org/p)'
    assert documents.readable_message("'**II. Format**' and *Panel 1* in a.txt, line 3",
                                      {"a.txt": "Procedural note, session 1"}) == \
        "'II. Format' and Panel 1 in Procedural note, session 1, line 3"
    assert tables.without_emphasis("2*3 and 4*5, snake_case_word") == \
        "2*3 and 4*5, snake_case_word"
    assert tables.evidence_text("procedural_note: '**II. Format**' (line 17); session 3") == \
        "Procedural note: 'II. Format' (line 17); session 3"


@pytest.mark.usefixtures("db_env")
def test_the_app_shows_flags_and_evidence_in_plain_words(stored_names):
    _, at = _app_figures("overview")
    (flags,) = [df.value for df in at.dataframe if "Message" in df.value.columns]
    assert len(flags) >= 10
    for message in flags["Message"]:
        assert _internals(message, stored_names) == [], message
    _, session = _app_figures("session", session="3")
    (read_as,) = [df.value for df in session.dataframe if "Read as" in df.value.columns]
    assert not any("**" in v or "procedural_note" in v for v in read_as["Read as"])
    assert any(v.startswith("Procedural note: 'Procedural Note for'") and "'II. Format'" in v
               for v in read_as["Read as"])


def test_the_site_shows_flags_in_plain_words(site, stored_names):
    sources = (site / "sources.html").read_text()
    table = re.search(r'<table id="table-quality-flags">(.*?)</table>', sources, re.S)
    assert table
    rows = [[html.unescape(re.sub(r"<[^>]+>", "", c))
             for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", r, re.S)]
            for r in re.findall(r"<tr>(.*?)</tr>", table[1], re.S)]
    column = rows[0].index("Message")
    messages = [r[column] for r in rows[1:]]
    assert len(messages) >= 10
    for message in messages:
        assert _internals(message, stored_names) == [], message
