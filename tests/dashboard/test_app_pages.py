"""Each page under streamlit.testing's AppTest, against the database built from the inputs."""
from __future__ import annotations

import json
import re
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from gcmdash import config
from gcmdash.app import ui
from gcmdash.views import queries

DASHBOARD = config.APP_DIR
APP = config.APP_ENTRYPOINT
PAGES = {"overview": "app_pages/overview.py", "participation": "app_pages/participation.py",
         "session": "app_pages/session.py", "themes": "app_pages/themes.py",
         "recommendations": "app_pages/recommendations.py",
         "data_method": "app_pages/data_method.py"}
TIMEOUT = 60


def _run(script: Path) -> AppTest:
    at = AppTest.from_file(str(script), default_timeout=TIMEOUT).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _frame(at: AppTest, first_column: str, containing: str):
    """The page's dataframe whose columns include `containing`."""
    for df in at.dataframe:
        frame = df.value
        if containing in frame.columns and frame.columns[0] == first_column:
            return frame
    raise AssertionError(f"no table with a {containing!r} column")


def _figures(at: AppTest) -> list[dict]:
    return [json.loads(el.proto.spec) for el in at.get("plotly_chart")]


def _assert_overview(at: AppTest) -> None:
    assert not at.error
    assert [t.value for t in at.title] == ["The record of the 2017 GCM consultations"]
    sessions = _frame(at, "Session", "Member States attended").set_index("Session")
    assert list(sessions.index) == ["Session 1", "Session 2", "Session 3", "Session 4",
                                    "Session 5", "Session 6", "Stocktaking"]
    assert sessions.loc["Session 3", "Member States attended"] == "110"
    assert sessions.loc["Session 3", "Dates"] == "19–20 June 2017"
    assert sessions.loc["Session 1", "Member States attended"] == "not reported"
    flags = _frame(at, "Severity", "Message")
    assert "agenda truncated" in set(flags["Check"])
    documents = _frame(at, "Document", "Status")
    assert len(documents) == 5 and set(documents["Status"]) == {"loaded"}
    coverage = _frame(at, "Session", "Participation counts").set_index("Session")
    assert coverage.loc["Session 3", "Co-facilitators' summary"] == "held"
    assert [s for s in coverage.index if coverage.loc[s, "Participation counts"] == "missing"] == [
        "Session 1", "Session 2", "Session 4", "Session 6"]
    missing = _frame(at, "Missing from the record", "Sessions").set_index(
        "Missing from the record")
    assert missing.loc["Participation counts", "Sessions"] == (
        "Session 1, Session 2, Session 4, Session 6")
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Meetings in the record"] == "7 of 7"
    assert metrics["Recommendations"] == "73"
    assert metrics["Most Member States"] == "136"
    assert metrics["Sessions without counts"] == "4 of 7"
    (timeline,) = _figures(at)
    assert timeline["layout"]["title"]["text"] == "The consultations, 2017"
    assert len(timeline["data"]) == 7
    assert "Session 3 19–20 June 2017 in Geneva" in timeline["layout"]["meta"]["alt"]
    # the chart's text alternative sits beside it
    assert any("Session 3 19–20 June 2017 in Geneva" in m.value.replace("\\", "")
               for m in at.markdown)
    # the page's own captions; the app adds its "cite this" line (tested apart)
    assert len([c for c in at.caption if not c.value.startswith("Cite this page")]) == 5


def _assert_participation(at: AppTest) -> None:
    assert not at.error
    assert [t.value for t in at.title] == ["Participation"]
    wide = _frame(at, "Session", "UN agencies").set_index("Session")
    assert wide.loc["Session 3", "Member States attended"] == "110"
    assert wide.loc["Session 3", "Member State interventions"] == "105"
    assert wide.loc["Session 1", "Member States attended"] == "not reported"
    sources = _frame(at, "Session", "Evidence")
    row = sources[(sources["Session"] == "Session 3")
                  & (sources["Measure"] == "Member States attended")
                  & (sources["Source"] == "Co-facilitators' summary, session 3, line 11")]
    assert row["Open source"].tolist() == ["document?doc=003_caee5c70cc5473e9.txt&lines=11"]
    assert row["Count"].tolist() == ["110"]
    panels = _frame(at, "Session", "Persons")
    assert panels.loc[(panels["Session"] == "Session 3") & (panels["Role"] == "Panelist"),
                      "Persons"].tolist() == [8]

    participation, women, composition, organisations = _figures(at)
    shares = {y: x for t in women["data"] if t["name"] == "Female (Ms.)"
              for y, x in zip(t["y"], t["x"])}
    assert shares["Session 1"] == pytest.approx(4 / 6)
    share_table = _frame(at, "Session", "Share of women").set_index("Session")
    assert share_table.loc["Session 3", "Share of women"] == "45%"
    assert share_table.loc["Session 3", "On the panels"] == "11"
    assert share_table.loc["Session 4", "Share of women"] == "not in the record"
    assert participation["layout"]["title"]["text"].startswith("Participation")
    attended = next(t for t in participation["data"] if t["name"] == "Member States attended")
    assert 110 in attended["y"] and 0 not in attended["y"]
    # the source by its display name, never the stored (hashed) file name (issue 16)
    assert any("Co-facilitators' summary, session 3, line 11" in h for h in attended["hovertext"])
    assert not any("003_caee5c70cc5473e9.txt" in h for h in attended["hovertext"])
    assert "not reported" in [a["text"].replace("<br>", " ")
                              for a in participation["layout"]["annotations"]]
    assert composition["layout"]["barmode"] == "stack"
    assert organisations["layout"]["title"]["text"].endswith("by kind of organisation")
    kinds = _frame(at, "Session", "Civil society and NGOs").set_index("Session")
    assert kinds.loc["Session 3", "Persons"] == "15"
    assert kinds.loc["Session 4", "Persons"] == "not in the record"
    # A caption under each chart, saying what it shows.
    # (run through the entrypoint, the page also ends with its cite line: not a chart's caption)
    captions = [c.value for c in at.caption if not c.value.startswith("Cite this page")]
    assert len(captions) == 5
    assert "not reported" in captions[0] and "honorific" in captions[1]
    assert "gender" in captions[2]
    assert "kind of organisation" in captions[3]
    assert captions[4].startswith("44 person(s) match")
    # "over 120" is shown as such, in the table and on the bar
    assert wide.loc["Session 5", "Member State interventions"] == "over 120"
    interventions = next(t for t in participation["data"]
                         if t["name"] == "Member State interventions")
    assert "over 120" in interventions["text"]
    people = _frame(at, "Name", "Roles").set_index("Name")
    assert len(people) == 44
    assert people.loc["Iván Martín", "Roles"] == "Session 3 · Panelist, panel 3"


@pytest.mark.usefixtures("db_env")
def test_overview_page():
    _assert_overview(_run(DASHBOARD / PAGES["overview"]))


@pytest.mark.usefixtures("db_env")
def test_participation_page():
    _assert_participation(_run(DASHBOARD / PAGES["participation"]))


@pytest.mark.usefixtures("db_env")
def test_app_navigation_reaches_every_page():
    at = _run(APP)
    _assert_overview(at)  # the default page
    (cite,) = [c.value.replace("\\", "") for c in at.caption
               if c.value.startswith("Cite this page")]
    assert "“Overview”, record built on " in cite
    at.switch_page(PAGES["participation"]).run()
    assert not at.exception
    _assert_participation(at)
    titles = {"session": "Session", "themes": "Themes", "recommendations": "Recommendations",
              "data_method": "Data & method"}
    for name, title in titles.items():
        at.switch_page(PAGES[name]).run()
        assert not at.exception and not at.error, name
        assert [t.value for t in at.title] == [title]
    at.switch_page(PAGES["overview"]).run()
    assert not at.exception
    _assert_overview(at)


@pytest.mark.usefixtures("db_env")
def test_overview_flag_filter_is_bound_to_the_url():
    at = _run(DASHBOARD / PAGES["overview"])
    all_flags = _frame(at, "Severity", "Message")
    at.selectbox(key="flags_session").select(4).run()
    assert not at.exception
    s4 = _frame(at, "Severity", "Message")
    assert set(s4["Session"]) == {"Session 4"} and len(s4) < len(all_flags)
    assert "agenda truncated" in set(s4["Check"])

    linked = AppTest.from_file(str(DASHBOARD / PAGES["overview"]), default_timeout=TIMEOUT)
    linked.query_params["flags_session"] = "Session 4"  # the URL holds the label shown
    linked.run()
    assert not linked.exception
    assert set(_frame(linked, "Severity", "Message")["Session"]) == {"Session 4"}


@pytest.mark.parametrize("page", [APP, *(DASHBOARD / p for p in PAGES.values())],
                         ids=["app", *PAGES])
def test_missing_database_shows_an_error_not_a_traceback(page, tmp_path, monkeypatch):
    missing = tmp_path / "nowhere" / "gcmdash.duckdb"
    monkeypatch.setenv("GCMDASH_DB", str(missing))
    at = _run(page)
    assert len(at.error) == 1
    assert "gcmdash build" in at.error[0].value
    assert [c.value for c in at.code] == [str(missing)]
    assert not at.dataframe and not at.get("plotly_chart")


def test_unreadable_database_shows_an_error(tmp_path, monkeypatch):
    broken = tmp_path / "broken.duckdb"
    broken.write_bytes(b"this is not a DuckDB database" * 100)
    monkeypatch.setenv("GCMDASH_DB", str(broken))
    at = _run(DASHBOARD / PAGES["participation"])
    assert len(at.error) == 1 and "gcmdash build" in at.error[0].value
    assert not at.dataframe


@pytest.mark.parametrize("path", sorted((config.APP_PAGES_DIR).glob("*.py")),
                         ids=lambda p: p.name)
def test_pages_stay_thin(path):
    """Pages call queries and charts; no SQL, no duckdb, no raw HTML."""
    source = path.read_text(encoding="utf-8")
    assert "import duckdb" not in source and "duckdb." not in source
    assert "unsafe_allow_html" not in source and "st.html" not in source
    assert "st.table(" not in source  # st.table renders Markdown: ui.text_table escapes it
    assert "import pandas" not in source and "pd." not in source
    assert ".execute(" not in source
    assert not re.search(r"\bSELECT\b[^\n]*\bFROM\b", source, re.IGNORECASE)
    assert not re.search(r"\b(INSERT|UPDATE|DELETE|CREATE|DROP)\s+(INTO|TABLE|FROM)\b", source,
                         re.IGNORECASE)


def _page(name: str, **query) -> AppTest:
    """The page `name` opened from a link with these query parameters."""
    at = AppTest.from_file(str(DASHBOARD / PAGES[name]), default_timeout=TIMEOUT)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    return at


def _table(at: AppTest, first_column: str):
    """The page's st.table whose first column is `first_column` (cells as escaped text)."""
    for table in at.table:
        if table.value.columns[0] == first_column:  # what the reader sees: escapes removed
            return table.value.apply(lambda column: column.map(
                lambda v: re.sub(r"\\(.)", r"\1", v) if isinstance(v, str) else v))
    raise AssertionError(f"no st.table starting with {first_column!r}")


def _cards(at: AppTest) -> dict[str, dict]:
    """The recommendations page's read view: id -> its card's link, where, text, source and
    topic line (escapes removed)."""
    def plain(text: str) -> str:
        return re.sub(r"\\(.)", r"\1", text)

    cards = {}
    for box in at.main.children.values():
        markdown = [plain(m.value) for m in box.markdown] if hasattr(box, "markdown") else []
        heading = re.match(r"^\*\*\[(.+?)\]\((.+?)\)\*\* · (.*)$", markdown[0]) \
            if markdown else None
        if heading is None:
            continue
        captions = [plain(c.value) for c in box.caption]
        cards[heading[1]] = {"link": heading[2], "where": heading[3], "text": markdown[1],
                             "source": captions[0],
                             "about": captions[1] if len(captions) > 1 else ""}
    return cards


@pytest.mark.usefixtures("db_env")
def test_participation_people_search_is_bound_to_the_url():
    at = _page("participation")
    at.text_input(key="people_q").input("ivan martin").run()
    assert not at.exception
    people = _frame(at, "Name", "Roles")
    assert people["Name"].tolist() == ["Iván Martín"]
    assert "Pompeu Fabra" in people["Affiliation"].iloc[0]
    assert "European University Institute" in people["Affiliation"].iloc[0]
    linked = _page("participation", people_q="Red Cross")
    names = set(_frame(linked, "Name", "Roles")["Name"])
    assert {"Guilhem Ravier", "Margareta Wahlström"} <= names
    assert any(c.value.startswith(f"{len(names)} person(s) match") for c in linked.caption)


@pytest.mark.usefixtures("db_env")
def test_session_page_shows_session_3_by_default():
    at = _page("session")
    assert at.selectbox(key="session").value == 3
    assert not at.warning
    assert at.header[0].value == "Session 3 · Geneva, 19–20 June 2017"
    (agenda,) = _figures(at)
    assert sum(len(t["x"]) for t in agenda["data"]) == 10
    assert agenda["layout"]["title"]["text"] == "Agenda by day"
    assert at.selectbox(key="agenda_source").value == "001_bab7ddbf46844fd5.txt"
    table = _frame(at, "Day", "Time")  # the chart's table alternative
    assert table.loc[1, "Time"] == "10:15–13:00" and table.loc[1, "Item"] == "Expert panel 1"
    panels = _table(at, "Panel")
    assert len(panels) == 3
    assert panels.loc[0, "Moderator"].startswith("H.E. Mr. Ola Henrikson")
    assert "Margareta Wahlstr" in panels.loc[0, "Panelists"]
    rules = _table(at, "Rule")
    assert "3 minutes" in rules["Value"].tolist()
    roles = _frame(at, "Role", "Affiliation")
    assert len(roles) == 15
    documents = _frame(at, "Document", "Read as")
    assert len(documents) == 3
    flags = _frame(at, "Severity", "Message")
    assert set(flags["Session"]) == {"Session 3"}


@pytest.mark.usefixtures("db_env")
def test_session_page_from_a_link_shows_gaps_as_gaps():
    at = _page("session", session="Session 4")
    assert at.selectbox(key="session").value == 4
    (agenda,) = _figures(at)
    (closing,) = agenda["data"]
    assert closing["marker"]["pattern"]["shape"] == ["/"]  # the inferred day is hatched
    infos = [i.value for i in at.info]
    assert "The record names no panels for this session." in infos
    assert at.warning[0].value.startswith("This document's agenda is truncated")
    flags = _frame(at, "Severity", "Message")
    assert "agenda truncated" in set(flags["Check"])

    s2 = _page("session", session="Session 2")
    assert not _figures(s2)
    assert any(i.value.startswith("No document of the record holds this session's agenda")
               for i in s2.info)
    panels = _table(s2, "Panel")
    assert len(panels) == 3 and panels["Source"].str.startswith("http").all()


@pytest.mark.usefixtures("db_env")
def test_themes_page(con):
    at = _page("themes")
    topics = _table(at, "Topic")
    assert len(topics) == len(queries.topics(con))
    heat, coverage = _figures(at)
    assert heat["layout"]["title"]["text"] == "Topics in each session"
    assert coverage["layout"]["title"]["text"] == "GCM objectives covered by each session"
    assert "gaps" in coverage["layout"]["meta"]["alt"]
    # The topic selector lists the texts of that topic, recommendations first.
    first = int(queries.topics(con)["topic_id"].iloc[0])
    members = _frame(at, "Unit", "Topic weight")
    assert len(members) == len(queries.topic_units(con, first))
    assert not any(m.value.endswith("text unit(s)**") for m in at.markdown)  # no cell yet


@pytest.mark.usefixtures("db_env")
def test_themes_cell_from_a_link_lists_its_text_units(con):
    expected = queries.objective_units(con, 13, 3)
    at = _page("themes", objective_cell="Objective 13 × Session 3")
    assert at.selectbox(key="objective_cell").value == "o13-s3"
    assert any(m.value == f"**Objective 13 × Session 3: {len(expected)} text unit(s)**"
               for m in at.markdown)
    units = _frame(at, "Unit", "Matched").set_index("Unit")
    assert list(units.index) == expected["unit_id"].tolist()
    assert units.loc["s3-g-02", "Matched"] == 'matched "alternatives to detention"'
    assert units.loc["s3-g-02", "Source"] == "Co-facilitators' summary, session 3, line 381"
    assert units.loc["s3-g-02", "Open source"] == "document?doc=003_caee5c70cc5473e9.txt&lines=381"
    _, coverage = _figures(at)
    assert len(coverage["layout"]["shapes"]) == 1  # the chosen cell is outlined

    at.selectbox(key="topic_cell").select(at.selectbox(key="topic_cell").options[0]).run()
    assert not at.exception


@pytest.mark.usefixtures("db_env")
def test_recommendations_empty_search_on_session_3_gives_73():
    at = _page("recommendations", rec_session="Session 3")
    assert at.multiselect(key="rec_session").value == [3]
    assert at.header[0].value == "73 recommendation(s)"
    # read view: one card per recommendation, its whole text, its own link and its source's
    cards = _cards(at)
    assert len(cards) == 73
    card = cards["s3-g-07"]
    assert card["link"] == "recommendations?rec=s3-g-07"
    assert card["where"] == "Session 3 · g. Detention"
    assert len(card["text"]) > 55 and "…" not in card["text"]  # never cut
    assert card["source"] == ("Source: [Co-facilitators' summary, session 3, line 390]"
                              "(document?doc=003_caee5c70cc5473e9.txt&lines=390)")
    assert card["about"].startswith("Topic: Topic ")
    table = _page("recommendations", rec_session="Session 3", rec_view="Table")
    results = _frame(table, "Id", "Recommendation").set_index("Id")
    assert len(results) == 73
    assert results.loc["s3-g-07", "Source"] == "Co-facilitators' summary, session 3, line 390"
    assert results.loc["s3-g-07", "Open source"] == (
        "document?doc=003_caee5c70cc5473e9.txt&lines=390")
    assert results.loc["s3-g-07", "Area"] == "g. Detention"
    assert results.loc["s3-g-07", "Topic"].startswith("Topic ")
    labels = [b.label for b in at.download_button]
    assert labels == ["Download as CSV", "Download the Markdown brief",
                      "Download the brief for Word (DOCX)"]
    assert not any(b.proto.disabled for b in at.download_button)


@pytest.mark.usefixtures("db_env")
def test_recommendations_search_and_filters(con):
    at = _page("recommendations", rec_view="Table")
    at.text_input(key="q").input('"alternatives to detention"').run()
    assert not at.exception
    assert at.header[0].value == "1 recommendation(s)"
    assert _frame(at, "Id", "Recommendation").index.size == 1
    at.text_input(key="q").input("").run()
    at.multiselect(key="rec_area").select("s3-g").run()
    assert at.header[0].value == "8 recommendation(s)"
    detention_topic = int(queries.recommendations(con, search="s3-g-02")["topic_id"].iloc[0])
    at.multiselect(key="rec_topic").select(detention_topic).run()
    assert not at.exception
    expected = queries.recommendations(con, area_keys=["s3-g"], topic_ids=[detention_topic])
    shown = _frame(at, "Id", "Recommendation")
    assert shown["Id"].tolist() == expected["recommendation_id"].tolist()
    assert "s3-g-02" in set(shown["Id"]) and set(shown["Area"]) == {"g. Detention"}
    at.multiselect(key="rec_topic").unselect(detention_topic).run()
    at.multiselect(key="rec_objective").select(13).run()
    assert not at.exception
    shown = _frame(at, "Id", "Recommendation")
    assert shown["Id"].tolist() == queries.recommendations(
        con, area_keys=["s3-g"], objectives=[13])["recommendation_id"].tolist()
    assert shown["GCM objectives"].str.contains("13. Detention only as last resort").all()


@pytest.mark.usefixtures("db_env")
@pytest.mark.parametrize("hostile", ["'; DROP TABLE recommendations; --",
                                     "<script>alert(1)</script>", "%_\\"])
def test_recommendations_hostile_search_is_harmless(hostile):
    at = _page("recommendations", q=hostile)
    assert at.text_input(key="q").value == hostile
    assert at.header[0].value == "0 recommendation(s)"
    assert [i.value for i in at.info][-1] == "No recommendation matches these filters."
    assert all(b.proto.disabled for b in at.download_button)
    # the table is still there afterwards
    assert _page("recommendations").header[0].value == "73 recommendation(s)"


@pytest.mark.usefixtures("db_env")
def test_data_method_page(con):
    at = _page("data_method")
    documents = _frame(at, "Document", "Status")
    assert len(documents) == 5
    overview = _frame(at, "Table", "Columns").set_index("Table")
    assert overview.loc["recommendations", "Description"].startswith("Recommendation bullets")
    columns = _frame(at, "Table", "Type")
    assert len(columns) == len(queries.data_dictionary(con))
    assert (columns["Description"] != "(no description)").all()
    model = _table(at, "Property").set_index("Property")
    assert model.loc["Random state", "Value"] == "0"
    assert model.loc["Topics", "Value"] == str(len(queries.topics(con)))
    (selection,) = _figures(at)
    assert "chosen: k = " in selection["layout"]["meta"]["alt"]
    sources = _frame(at, "Source", "Supports")
    assert "https://www.un.org/press/en/2017/dev3304.doc.htm" in set(sources["Source"])

    one = _page("data_method", dictionary_table="participation")
    columns = _frame(one, "Table", "Type")
    assert set(columns["Table"]) == {"participation"}
    assert "qualifier" in set(columns["Column"])


@pytest.fixture(scope="module")
def db_without_themes(built_db, tmp_path_factory):
    """The seed database as it was before the topic model existed."""
    import shutil

    import duckdb

    path = tmp_path_factory.mktemp("nothemes") / "gcmdash.duckdb"
    shutil.copy(built_db, path)
    with duckdb.connect(str(path)) as con:
        for table in ("topic_sessions", "coverage", "unit_objectives", "unit_topics", "topics",
                      "topic_model_selection", "topic_models", "text_units"):
            con.execute(f"DROP TABLE IF EXISTS {table}")
    return path


def test_pages_without_the_topic_model(db_without_themes, monkeypatch):
    monkeypatch.setenv("GCMDASH_DB", str(db_without_themes))
    themes = _page("themes")
    assert [i.value for i in themes.info][0].startswith("This database has no topic model yet")
    assert not themes.get("plotly_chart")
    recommendations = _page("recommendations", rec_session="Session 3")
    assert recommendations.header[0].value == "73 recommendation(s)"
    assert [m.label for m in recommendations.multiselect] == ["Sessions",
                                                             "Areas of discussion"]
    cards = _cards(recommendations)
    assert len(cards) == 73 and not any(c["about"] for c in cards.values())
    method = _page("data_method")
    assert any(i.value.startswith("This database has no topic model yet") for i in method.info)


def test_document_title_shows_the_users_file_name_literally(built_db, tmp_path, monkeypatch):
    """`gcmdash add` keeps the original file name in the display name; Markdown in it (a
    link, emphasis) is shown as typed, not rendered."""
    db = tmp_path / "named.duckdb"
    db.write_bytes(built_db.read_bytes())
    hostile = "**Final** [summary](https://evil.example) _v2_.pdf"
    with duckdb.connect(str(db)) as writable:
        writable.execute("UPDATE documents SET original_name = ? WHERE document_id = ?",
                         [hostile, "003_caee5c70cc5473e9.txt"])
    monkeypatch.setenv("GCMDASH_DB", str(db))
    at = AppTest.from_file(str(DASHBOARD / "app_pages/document.py"), default_timeout=TIMEOUT)
    at.query_params["doc"] = "003_caee5c70cc5473e9.txt"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    # escaped, and the linkable word in a code span (tables.plain): shown as typed
    assert at.title[0].value == ("Co\\-facilitators' summary, session 3 \\(\\*\\*Final\\*\\* "
                                 "`[summary](https://evil.example)` \\_v2\\_\\.pdf\\)")


def test_grid_height_is_streamlits_own_for_its_rows():
    """The heights the browser drew each grid at before they were given (measured on the
    seed database's pages: 1, 3, 5 and 7 rows; 10 rows and more stop at 400 px)."""
    assert [ui.grid_height(n) for n in (1, 3, 5, 7, 10, 11, 500)] == [
        72, 142, 212, 282, 387, 400, 400]
    assert ui.grid_height(0) == "auto"


def test_a_results_grid_is_given_its_height(monkeypatch):
    """ui.table hands st.dataframe the reserved height for the rows it shows."""
    import pandas as pd

    given = []
    monkeypatch.setattr(ui.st, "dataframe", lambda df, **kw: given.append((len(df), kw)))
    monkeypatch.setattr(ui, "document_names", dict)
    for rows in (0, 3, 40):
        ui.table(pd.DataFrame({"Text": ["a"] * rows}))
    assert [(n, kw["height"]) for n, kw in given] == [(0, "auto"), (3, 142), (40, 400)]
