"""dashboard.charts and dashboard.tables: assertions on the figure's data, not pixels."""
from __future__ import annotations

import pandas as pd
import pytest

from dashboard import charts, queries, tables


def _bars(fig) -> list[dict]:
    return [t for t in fig.to_dict()["data"] if t["type"] == "bar"]


def _annotation_texts(fig) -> list[str]:
    return [a["text"] for a in fig.to_dict()["layout"].get("annotations", [])]


def _matrix(rows: list[tuple]) -> pd.DataFrame:
    """A participation_matrix-shaped frame: (session, in_record, measure, value, qualifier,
    source_label, other_sources)."""
    df = pd.DataFrame(rows, columns=["session_number", "session_in_record", "measure", "value",
                                     "qualifier", "source_label", "other_sources"])
    df["value"] = df["value"].astype("Int32")
    df["evidence"] = None
    df["source_count"] = [0 if pd.isna(v) else 1 + len(o)
                          for v, o in zip(df["value"], df["other_sources"])]
    return df


@pytest.fixture(scope="module")
def matrix(con) -> pd.DataFrame:
    return queries.participation_matrix(con)


def _points(fig) -> dict[tuple[str, float], dict]:
    """(trace name, x) -> {y, text, hovertext} for every drawn bar."""
    out = {}
    for b in _bars(fig):
        for i, x in enumerate(b["x"]):
            out[(b["name"], x)] = {"y": b["y"][i], "text": b["text"][i],
                                   "hovertext": b["hovertext"][i]}
    return out


def test_participation_chart_draws_stated_counts(matrix):
    fig = charts.participation_chart(matrix)
    bars = _bars(fig)
    names = [b["name"] for b in bars]
    assert names[:5] == [tables.measure_label(m) for m in queries.CORE_MEASURES]
    # Session 3 sits in slot 2 (sessions 1..7): its five stated counts, labelled as stated.
    s3 = {name: p for (name, x), p in _points(fig).items() if 1.5 < x < 2.5}
    assert {n: p["y"] for n, p in s3.items()} == {
        "Member States attended": 110, "Member State interventions": 105, "UN agencies": 6,
        "Non-governmental stakeholders": 17, "Stakeholders in the informal dialogue": 18}
    assert s3["Member States attended"]["text"] == "110"
    # One bar per stated (session, measure), nothing else.
    assert len(_points(fig)) == int(matrix["value"].notna().sum())
    assert fig.to_dict()["layout"]["title"]["text"]


def test_participation_chart_no_zero_bar_for_missing_session(matrix):
    fig = charts.participation_chart(matrix)
    ys = [y for b in _bars(fig) for y in b["y"]]
    assert 0 not in ys and None not in ys
    # Session 1 (slot 0) states no count: no bar there, one "not reported" across its slot.
    assert not [x for (_, x) in _points(fig) if -0.5 < x < 0.5]
    layout = fig.to_dict()["layout"]
    missing = [a for a in layout["annotations"] if a["text"] == "not reported"]
    across = [a for a in missing if a.get("textangle") is None]
    assert 0 in [a["x"] for a in across]
    assert all(a["y"] == 0 and a["yanchor"] == "bottom" for a in missing)
    # Every (session, measure) without a count is accounted for: one upright note per missing
    # bar in sessions that report something, one note across each session reporting nothing.
    reported = matrix.groupby("session_number")["value"].apply(lambda v: v.notna().any())
    silent = int((~reported).sum())
    partial_missing = int(matrix[matrix["session_number"].map(reported)]["value"].isna().sum())
    assert len(across) == silent
    assert len(missing) - len(across) == partial_missing
    ticks = dict(zip(layout["xaxis"]["tickvals"], layout["xaxis"]["ticktext"]))
    assert ticks[0] == "Session 1" and ticks[6] == "Stocktaking"


def test_participation_chart_hover_names_the_source_line(matrix):
    s3 = {name: p for (name, x), p in _points(charts.participation_chart(matrix)).items()
          if 1.5 < x < 2.5}
    hover = s3["Member States attended"]["hovertext"]
    assert "Session 3 · Member States attended: 110" in hover
    assert "Source: 003_caee5c70cc5473e9.txt, line 11" in hover
    assert "003_caee5c70cc5473e9.txt, lines 12–13" in (
        s3["Stakeholders in the informal dialogue"]["hovertext"])


def test_participation_chart_more_than_partial_session_and_url_source():
    url = "https://refugeesmigrants.un.org/example"
    m = _matrix([
        (3, True, "member_states_attended", 120, "more_than", url,
         [{"value": 118, "qualifier": "exact", "source_label": "x.txt, line 4"}]),
        (3, True, "un_agencies", None, None, None, []),
        (4, True, "member_states_attended", None, None, None, []),
        (4, True, "un_agencies", None, None, None, []),
    ])
    fig = charts.participation_chart(m)
    bars = {b["name"]: b for b in _bars(fig)}
    attended = bars["Member States attended"]
    assert attended["y"] == [120] and attended["text"] == ["over 120"]
    assert url in attended["hovertext"][0] and "over 120" in attended["hovertext"][0]
    assert "Also stated: 118 (x.txt, line 4)" in attended["hovertext"][0]
    assert bars["UN agencies"]["y"] == [] and bars["UN agencies"]["x"] == []
    missing = [a for a in fig.to_dict()["layout"]["annotations"] if a["text"] == "not reported"]
    # Session 3 (slot 0): upright note where the UN agencies bar would be; session 4 (slot 1):
    # one note across the group.
    upright = [a for a in missing if a.get("textangle") == -90]
    assert [round(a["x"], 3) for a in upright] == [0.2]
    assert [a["x"] for a in missing if a.get("textangle") is None] == [1]


def test_participation_chart_escapes_source_text_in_hover():
    m = _matrix([(3, True, "un_agencies", 6, "exact", "<b>x</b>.txt, line 1", [])])
    hover = _bars(charts.participation_chart(m))[0]["hovertext"][0]
    assert "<b>x</b>" not in hover and "&lt;b&gt;x&lt;/b&gt;" in hover


def test_panel_composition_chart(con):
    df = queries.panel_composition(con)
    fig = charts.panel_composition_chart(df)
    d = fig.to_dict()
    assert d["layout"]["barmode"] == "stack" and d["layout"]["title"]["text"]
    bars = {b["name"]: b for b in _bars(fig)}
    assert list(bars) == [tables.GENDER_LABELS[g] for g in ("female", "male", "unknown")]
    # hover "Session 3 · Panelist" -> count, per gender
    by_gender = {name: {h.split("<br>")[0]: y for h, y in zip(b["hovertext"], b["y"])}
                 for name, b in bars.items()}
    s3 = {g: {k.removeprefix("Session 3 · "): v for k, v in counts.items()
              if k.startswith("Session 3 · ")} for g, counts in by_gender.items()}
    assert s3["Female (Ms.)"] == {"Secretary-General": 1, "Panelist": 5}
    assert s3["Male (Mr.)"] == {"Co-facilitator": 2, "Moderator": 2, "Panelist": 2,
                                "Thematic expert": 1}
    assert s3["Not stated (Dr., Prof., H.E. ...)"] == {"Moderator": 1, "Panelist": 1}
    assert 0 not in [y for b in bars.values() for y in b["y"]]
    # Bars sit on their role's tick.
    ticks = dict(zip(d["layout"]["xaxis"]["tickvals"], d["layout"]["xaxis"]["ticktext"]))
    for b in bars.values():
        for x, h in zip(b["x"], b["hovertext"]):
            assert h.split("<br>")[0].endswith(ticks[x])
    texts = [a["text"] for a in d["layout"]["annotations"]]
    sessions = sorted(df["session_number"].unique())
    assert [t for t in texts if t.startswith("<b>")] == [
        f"<b>{tables.session_label(n)}</b>" for n in sessions]
    no_list = df["role"].isna().sum()
    assert no_list >= 1
    assert sum(t == "no list<br>of speakers<br>in the record" for t in texts) == no_list


def test_panel_composition_chart_empty():
    empty = pd.DataFrame(columns=["session_number", "role", "female_count", "male_count",
                                  "unknown_count", "person_count"])
    fig = charts.panel_composition_chart(empty)
    assert all(b["x"] == [] for b in _bars(fig))
    assert tables.NO_SPEAKER_LIST in _annotation_texts(fig)


@pytest.mark.parametrize(("value", "qualifier", "expected"), [
    (110, "exact", "110"), (120, "more_than", "over 120"), (50, "approximately", "about 50"),
    (None, None, "not reported"), (pd.NA, None, "not reported"), (0, "exact", "0"),
])
def test_format_count(value, qualifier, expected):
    assert tables.format_count(value, qualifier) == expected


def test_format_dates():
    assert tables.format_dates(pd.Timestamp("2017-05-08"), pd.Timestamp("2017-05-09")) \
        == "8–9 May 2017"
    assert tables.format_dates(pd.Timestamp("2017-06-30"), pd.Timestamp("2017-07-01")) \
        == "30 June – 1 July 2017"
    assert tables.format_dates(pd.NaT, pd.NaT) == "not in the record"


def test_tables_spell_out_missing(con, matrix):
    wide = tables.participation_table(matrix).set_index("Session")
    assert wide.loc["Session 3", "Member States attended"] == "110"
    assert wide.loc["Session 3", "UN agencies"] == "6"
    assert wide.loc["Session 1", "Member States attended"] == "not reported"
    assert wide.loc["Session 1", "Source"] == "not reported"
    assert "003_caee5c70cc5473e9.txt, line 11" in wide.loc["Session 3", "Source"]
    assert len(wide) == 7

    raw = queries.sessions(con)
    sessions = tables.sessions_table(raw).set_index("Session")
    assert sessions.loc["Session 3", "Dates"] == "19–20 June 2017"
    assert sessions.loc["Session 3", "City"] == "Geneva"
    assert sessions.loc["Session 3", "Member States attended"] == "110"
    assert sessions.loc["Session 1", "Member States attended"] == "not reported"
    # A session the record lacks (as sessions 2, 5 and 6 were before curated rows existed).
    absent = raw.copy()
    absent.loc[absent["session_number"] == 2, ["title", "city", "venue", "start_date",
                                               "end_date", "source_label"]] = None
    row = tables.sessions_table(absent).set_index("Session").loc["Session 2"]
    assert {row["Title"], row["City"], row["Venue"], row["Dates"], row["Source"]} == {
        "not in the record"}
    moved = raw.copy()
    moved.loc[moved["session_number"] == 7, ["city", "planned_city"]] = [
        "Puerto Vallarta", "Guadalajara"]
    assert (tables.sessions_table(moved).set_index("Session").loc["Stocktaking", "City"]
            == "Puerto Vallarta (announced: Guadalajara)")

    sources = tables.participation_sources_table(queries.participation(con))
    assert list(sources.columns) == ["Session", "Measure", "Count", "Evidence", "Note", "Source"]
    parsed = sources[sources["Source"] == "003_caee5c70cc5473e9.txt, line 11"]
    assert parsed["Count"].tolist() == ["110", "105"]
    assert parsed["Evidence"].str.contains("110 Member States attended").all()

    panels = tables.panel_composition_table(queries.panel_composition(con))
    s4 = panels[panels["Session"] == "Session 4"].iloc[0]
    assert s4["Role"] == tables.NO_SPEAKER_LIST and pd.isna(s4["Persons"])
    s3 = panels[panels["Session"] == "Session 3"].set_index("Role")
    assert s3.loc["Panelist", "Persons"] == 8 and s3.loc["Panelist", "Female (Ms.)"] == 5


def test_organisation_chart_marks_unlisted_sessions_instead_of_zero(con):
    from dashboard import charts, queries, tables

    df = queries.organisation_composition(con)
    fig = charts.organisation_chart(df).to_dict()
    government = next(t for t in fig["data"] if t["name"] == "Government")
    assert list(government["y"]) == [1, 3, 5, 5, 3]
    assert 0 not in [v for t in fig["data"] for v in t["y"]]
    marked = [a["x"] for a in fig["layout"]["annotations"]]
    assert marked == [3, 6]  # positions of session 4 and the stocktaking
    table = tables.organisation_table(df)
    assert table.loc[table.Session == "Session 4", "Persons"].item() == "not in the record"
    assert table.loc[table.Session == "Session 3", "Persons"].item() == "15"


def test_record_coverage_table_reads_held_or_missing(con):
    from dashboard import queries, tables

    table = tables.record_coverage_table(queries.record_coverage(con))
    assert table.loc[table.Session == "Session 3", "Co-facilitators' summary"].item() == "held"
    assert table.loc[table.Session == "Session 1", "Participation counts"].item() == "missing"
