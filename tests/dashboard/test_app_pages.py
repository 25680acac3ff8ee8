"""Each page under streamlit.testing's AppTest, against the database built from the inputs."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from etl import config

DASHBOARD = config.ROOT / "dashboard"
APP = DASHBOARD / "streamlit_app.py"
PAGES = {"overview": "app_pages/overview.py", "participation": "app_pages/participation.py"}
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
    assert len(at.caption) == 4


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
                  & (sources["Source"] == "003_caee5c70cc5473e9.txt, line 11")]
    assert row["Count"].tolist() == ["110"]
    panels = _frame(at, "Session", "Persons")
    assert panels.loc[(panels["Session"] == "Session 3") & (panels["Role"] == "Panelist"),
                      "Persons"].tolist() == [8]

    participation, composition, organisations = _figures(at)
    assert participation["layout"]["title"]["text"].startswith("Participation")
    attended = next(t for t in participation["data"] if t["name"] == "Member States attended")
    assert 110 in attended["y"] and 0 not in attended["y"]
    assert any("003_caee5c70cc5473e9.txt, line 11" in h for h in attended["hovertext"])
    assert "not reported" in [a["text"] for a in participation["layout"]["annotations"]]
    assert composition["layout"]["barmode"] == "stack"
    assert organisations["layout"]["title"]["text"].endswith("by kind of organisation")
    kinds = _frame(at, "Session", "Civil society and NGOs").set_index("Session")
    assert kinds.loc["Session 3", "Persons"] == "15"
    assert kinds.loc["Session 4", "Persons"] == "not in the record"
    # A caption under each chart, saying what it shows.
    captions = [c.value for c in at.caption]
    assert len(captions) == 3
    assert "not reported" in captions[0] and "gender" in captions[1]
    assert "kind of organisation" in captions[2]


@pytest.mark.usefixtures("db_env")
def test_overview_page():
    _assert_overview(_run(DASHBOARD / PAGES["overview"]))


@pytest.mark.usefixtures("db_env")
def test_participation_page():
    _assert_participation(_run(DASHBOARD / PAGES["participation"]))


@pytest.mark.usefixtures("db_env")
def test_app_navigation_reaches_both_pages():
    at = _run(APP)
    _assert_overview(at)  # the default page
    at.switch_page(PAGES["participation"]).run()
    assert not at.exception
    _assert_participation(at)
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


@pytest.mark.parametrize("path", sorted((DASHBOARD / "app_pages").glob("*.py")),
                         ids=lambda p: p.name)
def test_pages_stay_thin(path):
    """Pages call queries and charts; no SQL, no duckdb, no raw HTML."""
    source = path.read_text(encoding="utf-8")
    assert "import duckdb" not in source and "duckdb." not in source
    assert "unsafe_allow_html" not in source and "st.html" not in source
    assert ".execute(" not in source and "SELECT" not in source.upper().replace(
        "SELECTBOX", "")
