"""gcmdash.views.charts and gcmdash.views.tables: assertions on the figure's data, not pixels."""
from __future__ import annotations

import pandas as pd
import pytest

from gcmdash import vocab
from gcmdash.views import charts, queries, tables


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
    df["source_count"] = [0 if pd.isna(v) else 1 + sum(x["source_count"] for x in o)
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
    # The stocktaking's count of Member States: two sources state 136 (query rows, not lists).
    s7 = {name: p for (name, x), p in _points(fig).items() if x > 5.5}
    assert s7["Member States attended"]["hovertext"].count("Also stated: 136") == 1
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
         [{"value": 118, "qualifier": "exact", "source_labels": ["x.txt, line 4"],
           "source_count": 1},
          {"value": 119, "qualifier": "exact", "source_count": 40,
           "source_labels": ["a.txt, line 2", "b.txt, line 2", "c.txt, line 2"]}]),
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
    assert ("Also stated: 119 (a.txt, line 2; b.txt, line 2; c.txt, line 2 and 37 more)"
            in attended["hovertext"][0])
    crowded = _matrix([(3, True, "member_states_attended", 120, "exact", url,
                        [{"value": v, "qualifier": "exact", "source_labels": [f"{v}.txt, line 1"],
                          "source_count": 2} for v in range(100, 108)])])
    hover = _bars(charts.participation_chart(crowded))[0]["hovertext"][0]
    assert hover.count("Also stated") == 5 and "Also stated: 104 (104.txt, line 1 and 1 more)" in hover
    assert hover.endswith("and 3 other counts, from 6 sources")
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
    by_gender = {name: {h.split("<br>")[0]: x for h, x in zip(b["hovertext"], b["x"])}
                 for name, b in bars.items()}  # bars lie along x: one row per role
    s3 = {g: {k.removeprefix("Session 3 · "): v for k, v in counts.items()
              if k.startswith("Session 3 · ")} for g, counts in by_gender.items()}
    assert s3["Female (Ms.)"] == {"Secretary-General": 1, "Panelist": 5}
    assert s3["Male (Mr.)"] == {"Co-facilitator": 2, "Moderator": 2, "Panelist": 2,
                                "Thematic expert": 1}
    assert s3["Not stated (Dr., Prof., H.E. ...)"] == {"Moderator": 1, "Panelist": 1}
    assert 0 not in [x for b in bars.values() for x in b["x"]]
    # One row per session and role ("S3 · Panelist"), so no label shares its line with
    # another at any width; each bar sits on its session's and role's row.
    assert all(b["orientation"] == "h" for b in bars.values())
    rows = d["layout"]["yaxis"]["categoryarray"]
    assert len(rows) == len(set(rows)) == len(df)
    for b in bars.values():
        for y, h in zip(b["y"], b["hovertext"]):
            session, role = h.split("<br>")[0].split(" · ")
            number = 7 if session == "Stocktaking" else int(session.split()[1])
            assert y == f"{charts.short_session_label(number)} · {role}"
    sessions = sorted(df["session_number"].unique())
    firsts = list(dict.fromkeys(r.split(" · ")[0] for r in rows))
    assert firsts == [charts.short_session_label(n) for n in sessions]  # in time order
    texts = [a["text"] for a in d["layout"]["annotations"]]
    no_list = df["role"].isna().sum()
    assert no_list >= 1
    assert sum(t == "no list of speakers in the record" for t in texts) == no_list
    assert {a["y"] for a in d["layout"]["annotations"]} == {"S4", "Stocktaking"}


def test_panel_composition_chart_empty():
    empty = pd.DataFrame(columns=["session_number", "role", "female_count", "male_count",
                                  "unknown_count", "person_count"])
    fig = charts.panel_composition_chart(empty)
    assert all(b["x"] == [] and b["y"] == [] for b in _bars(fig))
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
    from gcmdash.views import charts, queries, tables

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
    from gcmdash.views import queries, tables

    table = tables.record_coverage_table(queries.record_coverage(con))
    assert table.loc[table.Session == "Session 3", "Co-facilitators' summary"].item() == "held"
    assert table.loc[table.Session == "Session 1", "Participation counts"].item() == "missing"


# --------------------------------------------------------------------------- new views

def test_every_chart_carries_alt_text(con, matrix):
    figures = {
        "participation": charts.participation_chart(matrix),
        "panels": charts.panel_composition_chart(queries.panel_composition(con)),
        "organisations": charts.organisation_chart(queries.organisation_composition(con)),
        "timeline": charts.sessions_timeline(queries.sessions(con)),
        "agenda": charts.agenda_timeline(queries.agenda_items(con, 3, "001_bab7ddbf46844fd5.txt")),
        "topics": charts.topic_session_heatmap(queries.topic_sessions(con)),
        "coverage": charts.objective_coverage_matrix(queries.objective_coverage(con)),
        "selection": charts.model_selection_chart(queries.topic_model_selection(con)),
    }
    for name, fig in figures.items():
        alt = charts.alt_text(fig)
        assert fig.to_dict()["layout"]["meta"]["alt"] == alt and len(alt) > 40, name
        assert charts.short_alt(fig) and len(charts.short_alt(fig)) <= len(alt), name
    assert ("Session 3: Member States attended 110" in charts.alt_text(figures["participation"]))
    assert "Member State interventions over 120" in charts.alt_text(figures["participation"])
    assert "Not reported: Session 1, Session 2, Session 4, Session 6." in charts.alt_text(
        figures["participation"])
    assert charts.short_alt(figures["participation"]) == (
        "Grouped bar chart of participation counts as stated.")


def test_sessions_timeline(con):
    fig = charts.sessions_timeline(queries.sessions(con)).to_dict()
    traces = {t["name"]: t for t in fig["data"]}
    assert list(traces) == ["Session 1", "Session 2", "Session 3", "Session 4", "Session 5",
                            "Session 6", "Stocktaking"]
    s3 = traces["Session 3"]
    assert str(s3["x"][0])[:10] == "2017-06-19" and str(s3["x"][1])[:10] == "2017-06-20"
    assert "Source: 000_f70e12f896b5f4b9.txt, lines 6–10" in s3["hovertext"][0]
    labels = [a["text"] for a in fig["layout"]["annotations"]]
    assert "Geneva<br>19–20 June 2017" in labels
    assert "Puerto Vallarta (announced: Guadalajara)<br>4–6 December 2017" in labels
    # each label under its mark, growing towards the year's middle: a late one anchored at
    # its mark's end, never beside the mark where it ran over the session names on a phone
    late = next(a for a in fig["layout"]["annotations"] if a["y"] == "Stocktaking")
    assert late["xanchor"] == "right" and late["yanchor"] == "top" and late["yshift"] < 0
    assert str(late["x"])[:10] == str(traces["Stocktaking"]["x"][1])[:10]
    early = next(a for a in fig["layout"]["annotations"] if a["y"] == "Session 1")
    assert early["xanchor"] == "left" and str(early["x"])[:10] == "2017-05-08"
    assert fig["layout"]["yaxis"]["categoryarray"][0] == "Stocktaking"  # Session 1 on top


def test_sessions_timeline_marks_a_session_without_dates(con):
    df = queries.sessions(con)
    df.loc[df["session_number"] == 2, ["start_date", "end_date"]] = None
    fig = charts.sessions_timeline(df)
    assert "Session 2" not in [t["name"] for t in fig.to_dict()["data"]]
    assert {"y": "Session 2", "text": "not in the record"}.items() <= next(
        a for a in fig.to_dict()["layout"]["annotations"] if a["y"] == "Session 2").items()
    assert "Dates not in the record: Session 2." in charts.alt_text(fig)


def test_agenda_timeline(con):
    agenda = queries.agenda_items(con, 3, "001_bab7ddbf46844fd5.txt")
    fig = charts.agenda_timeline(agenda).to_dict()
    bars = {b["name"]: b for b in _bars_of(fig)}
    assert sum(len(b["x"]) for b in bars.values()) == len(agenda) == 10
    panels = bars["Expert panel"]
    assert panels["base"] == [10.25, 15.0, 10 + 5 / 60]
    assert [round(x, 3) for x in panels["x"]] == [2.75, round(50 / 60 + 2, 3), round(175 / 60, 3)]
    assert panels["y"] == ["Day 1<br>19 Jun", "Day 1<br>19 Jun", "Day 2<br>20 Jun"]
    assert panels["text"][0].startswith("Panel 1: International cooperation")
    assert "Source: 001_bab7ddbf46844fd5.txt, lines 50–86" in panels["hovertext"][0]
    assert fig["layout"]["xaxis"]["ticktext"][0] == "10:00"
    assert fig["layout"]["xaxis"]["ticktext"][-1] == "18:00"


def test_agenda_timeline_hatches_inferred_days(con):
    fig = charts.agenda_timeline(queries.agenda_items(con, 4, "004_c622c7e6c4042f6b.txt"))
    (closing,) = _bars_of(fig.to_dict())
    assert closing["marker"]["pattern"]["shape"] == ["/"]
    assert closing["y"] == ["Day 2<br>25 Jul<br>(inferred)"]
    assert "Day inferred" in closing["hovertext"][0]
    assert "Some days are inferred" in charts.alt_text(fig)


def _bars_of(fig: dict) -> list[dict]:
    return [t for t in fig["data"] if t["type"] == "bar"]


def _cells(fig: dict) -> dict[tuple, dict]:
    """(kind, number, session) -> the selectable point's x, y and hover."""
    (points,) = [t for t in fig["data"] if t["type"] == "scatter"]
    return {tuple(c): {"x": x, "y": y, "hover": h} for c, x, y, h in
            zip(points["customdata"], points["x"], points["y"], points["hovertext"])}


def test_topic_session_heatmap(con):
    shares = queries.topic_sessions(con)
    fig = charts.topic_session_heatmap(shares).to_dict()
    heat = next(t for t in fig["data"] if t["type"] == "heatmap")
    topics = shares["topic_id"].nunique()
    assert len(heat["z"]) == len(heat["y"]) == topics and len(heat["x"]) == 7
    assert heat["x"][2] == "S3<br>92"  # short enough for seven columns at 390 px
    assert all(len(line) <= 22 for y in heat["y"] for line in y.split("<br>"))
    cells = _cells(fig)
    assert len(cells) == len(shares)
    row = shares.sort_values("unit_count", ascending=False).iloc[0]
    cell = cells[("t", int(row.topic_id), int(row.session_number))]
    assert f"{int(row.unit_count)} of {int(row.session_unit_count)} text units" in cell["hover"]
    # z holds the share; every non-zero cell is labelled with its percentage
    i, j = heat["y"].index(cell["y"]), heat["x"].index(cell["x"])
    assert heat["z"][i][j] == pytest.approx(row.share)
    labels = {(a["x"], a["y"]): a["text"] for a in fig["layout"]["annotations"]}
    assert labels[(cell["x"], cell["y"])] == f"{row.share:.0%}"
    assert len(labels) == int((shares["unit_count"] > 0).sum())
    assert fig["layout"]["clickmode"] == "event+select" and not fig["layout"].get("shapes")


def test_objective_coverage_matrix_highlights_gaps(con):
    coverage = queries.objective_cells(con)
    key = tables.cell_key("o", 13, 3)
    fig = charts.objective_coverage_matrix(coverage, selected=key).to_dict()
    layers = {t["name"]: t for t in fig["data"] if t["type"] == "heatmap"}
    assert list(layers) == ["covered", "gap", "too little text"]
    labels = {(a["x"], a["y"]): a["text"] for a in fig["layout"]["annotations"]}
    assert len(labels) == 7 * 23
    gaps = coverage[coverage["cell_state"] == "gap"]
    assert sum(t == "gap" for t in labels.values()) == len(gaps)
    cells = _cells(fig)
    detention = cells[("o", 13, 3)]
    n = int(coverage.loc[(coverage["objective"] == 13) & (coverage["session_number"] == 3),
                         "unit_count"].iloc[0])
    assert n >= 1  # detention is a clear case in session 3 (s3-g-*)
    assert labels[(detention["x"], detention["y"])] == str(n)
    assert detention["y"].startswith("13 · ")
    few = coverage[coverage["cell_state"] == "too_little_text"].iloc[0]
    assert "too little text to judge" in cells[("o", int(few.objective),
                                                int(few.session_number))]["hover"]
    assert sum(t == "few" for t in labels.values()) == len(
        coverage[coverage["cell_state"] == "too_little_text"])
    assert f"covered: {n} text unit(s)" in detention["hover"]
    gap = gaps.iloc[0]
    assert "gap: none of the session's" in cells[("o", int(gap.objective),
                                                  int(gap.session_number))]["hover"]
    covered = layers["covered"]
    i, j = covered["y"].index(detention["y"]), covered["x"].index(detention["x"])
    assert covered["z"][i][j] == n and layers["gap"]["z"][i][j] is None
    (box,) = fig["layout"]["shapes"]  # the selected cell is outlined
    assert (box["x0"], box["x1"]) == (1.5, 2.5)  # Session 3 is the third column
    assert (box["y0"] + box["y1"]) / 2 == 23 - 13  # objective 13, rows top-down
    alt = charts.alt_text(charts.objective_coverage_matrix(coverage))
    assert f"{len(gaps)} gaps" in alt


def test_selected_cell_reads_plotly_selection_points():
    assert charts.selected_cell([{"x": "Session 3", "customdata": ["o", 13, 3]}]) == "o13-s3"
    assert charts.selected_cell([{"customdata": ["t", "8", "3"]}]) == "t8-s3"
    assert charts.selected_cell([]) is None and charts.selected_cell(None) is None
    assert charts.selected_cell([{"customdata": ["x", 1, 2]}, {"customdata": "nope"}]) is None
    assert charts.selected_cell([{"customdata": ["t", "a", 3]}, {"customdata": ["t", 2, 5]}]) \
        == "t2-s5"


def test_cells_round_trip():
    assert tables.parse_cell("t8-s3") == ("topic", 8, 3)
    assert tables.parse_cell("o13-s7") == ("objective", 13, 7)
    assert tables.parse_cell("'; DROP TABLE x") is None and tables.parse_cell(None) is None
    assert tables.cell_label("o13-s7") == "Objective 13 × Stocktaking"


def test_model_selection_chart(con):
    selection = queries.topic_model_selection(con)
    fig = charts.model_selection_chart(selection).to_dict()
    (bar,) = fig["data"]
    assert bar["x"] == [int(k) for k in selection["n_topics"]]
    chosen = int(selection.loc[selection["chosen"], "n_topics"].iloc[0])
    colours = dict(zip(bar["x"], bar["marker"]["color"]))
    assert colours[chosen] == "#D55E00"
    assert sum(c == "#D55E00" for c in colours.values()) == 1
    assert f"chosen: k = {chosen}" in fig["layout"]["meta"]["alt"]
    # legible on a phone: no value over every 10 px bar, the axis names every fifth k and
    # the chosen one (every k overprinted its neighbours at 390 px), the chosen value once
    assert not any(bar.get("text") or [])
    ticks = fig["layout"]["xaxis"]["tickvals"]
    assert chosen in ticks and all(k % 5 == 0 for k in ticks if k != chosen)
    (said,) = fig["layout"]["annotations"]
    assert said["x"] == chosen and said["text"].startswith(f"chosen: k = {chosen}, ")


def test_display_tables_for_the_new_pages(con):
    people = tables.people_table(queries.people(con, "koser"))
    assert people.to_dict("records") == [{
        "Name": "Khalid Koser", "Roles": "Session 3 · Thematic expert",
        "Affiliation": "Executive Director of the Global Community Engagement and Resilience "
                       "Fund and Co-Chair of the WEF Global Future Council on Migration",
        "Gender as listed": "Male (Mr.)", "Kind of organisation": "Other",
        "Source": "001_bab7ddbf46844fd5.txt, lines 212–220; "
                  "003_caee5c70cc5473e9.txt, lines 717–720"}]
    panels = tables.panels_table(queries.session_panels(con, 3), queries.session_roles(con, 3))
    assert panels["Panel"].tolist() == [1, 2, 3]
    assert panels.loc[0, "Moderator"].startswith("H.E. Mr. Ola Henrikson (Director General")
    assert panels.loc[1, "Time"] == "15:00–17:50"
    rules = tables.format_rules_table(queries.format_rules(con, 3)).set_index("Rule")
    assert rules.loc["Each intervention from the floor", "Value"] == "3 minutes"
    assert rules.loc["Moderator's opening remarks", "Value"] == "5–7 minutes"
    missing = tables.missing_table(queries.record_coverage(con)).set_index(
        "Missing from the record")
    assert missing.loc["Participation counts", "Sessions"] == (
        "Session 1, Session 2, Session 4, Session 6")
    figures = {label: value for label, value, _ in
               tables.headline_figures(queries.headline(con), queries.sessions(con))}
    assert figures["Recommendations"] == "73" and figures["Most Member States"] == "136"
    assert tables.default_session(queries.sessions(con)) == 3


def test_plain_and_escaped_cells_show_text_literally():
    assert tables.plain("<script>alert(1)</script>") == "\\<script\\>alert\\(1\\)\\</script\\>"
    assert tables.plain("**II. Format**") == "\\*\\*II\\. Format\\*\\*"
    assert tables.plain(None) == ""
    df = pd.DataFrame({"a": ["[x](javascript:1)", None], "n": [1, 2]})
    out = tables.escape_cells(df)
    assert out.loc[0, "a"] == "\\[x\\]\\(javascript\\:1\\)" and out["n"].tolist() == [1, 2]


def test_theme_charts_escape_record_words_in_labels():
    shares = pd.DataFrame({"topic_id": [1], "label": ["<b>bold</b>"], "session_number": [3],
                           "unit_count": [1], "session_unit_count": [2], "share": [0.5],
                           "weight_share": [0.5]})
    fig = charts.topic_session_heatmap(shares).to_dict()
    heat = next(t for t in fig["data"] if t["type"] == "heatmap")
    assert heat["y"] == ["Topic 1 · &lt;b&gt;bold&lt;/b&gt;"]
    assert fig["data"][1]["hovertext"][0].startswith("Topic 1 · &lt;b&gt;bold&lt;/b&gt; × ")
    assert "Topic 1 · <b>bold</b>: most in Session 3" in fig["layout"]["meta"]["alt"]


# --------------------------------------------------------------------------- issue 16

def test_coverage_states_gap_only_where_the_session_can_be_judged(con):
    cells = queries.objective_cells(con)
    assert set(cells["cell_state"]) <= set(vocab.values(vocab.OBJECTIVE_CELL_STATES))
    states = pd.crosstab(cells["session_number"], cells["cell_state"])
    # session 1 has a programme with panel descriptions, session 3 a summary: judged
    assert states.loc[1, "gap"] == 19 and states.loc[3, "gap"] == 3
    # sessions 2, 4, 5, 6 and the stocktaking hold a theme and panel titles only
    for n in (2, 4, 5, 6, 7):
        assert states.loc[n, "gap"] == 0, n
        assert states.loc[n, "too_little_text"] == 23 - states.loc[n, "covered"], n
    assert states.loc[4, "covered"] == 3 and states.loc[7, "covered"] == 0
    # a covered cell is covered whatever the session's text
    build = queries.objective_coverage(con)
    assert (cells["status"] == build["status"]).all()
    assert ((cells["status"] == "covered") == (cells["cell_state"] == "covered")).all()
    assert tables.objective_coverage_table(cells).loc[0, "Stocktaking"] == "too little text"


def test_coverage_findings_say_the_answer_in_words(con):
    from gcmdash.views import sections

    never, once, thin, gaps = sections.coverage_findings(queries.objective_cells(con))
    assert never == ("Objectives no session covered: 0 (every objective was touched at least "
                     "once).", ())
    assert once[0] == "Objectives covered by one session only: 13."
    assert ("13 · Detention only as last resort; work towards alternatives (Session 3)",
            "o13-s3") in once[1]
    assert len(once[1]) == 13 and all(tables.parse_cell(t) for _, t in once[1])
    assert [label for label, _ in thin[1]] == ["Session 2", "Session 4", "Session 5",
                                              "Session 6", "Stocktaking"]
    assert thin[1][-1][1] == "s7"
    assert "Session 1 left 19 of 23 objectives out" in gaps[0]
    section = sections.objective_coverage(queries.objective_cells(con))
    assert section.findings == (never, once, thin, gaps)


def _panel(fig: dict, measure_label: str) -> list[dict]:
    return [t for t in fig["data"] if str(t.get("name", "")).startswith(measure_label)]


def test_participation_panels_one_scale_per_measure(con, matrix):
    fig = charts.participation_panels(matrix).to_dict()
    layout = fig["layout"]
    titles = [a["text"] for a in layout["annotations"] if a.get("xanchor") == "left"
              and a.get("yref") == "paper"]
    assert titles[:5] == ["Member States attended", "Member State interventions",
                          "UN agencies", "Non-governmental stakeholders",
                          "Stakeholders in the informal dialogue"]
    # each panel on its own axis: the 897 participants do not set the UN agencies' scale
    (agencies,) = [t for t in fig["data"] if t["name"] == "UN agencies"]
    (participants,) = [t for t in fig["data"] if t["name"] == "Participants"]
    assert agencies["yaxis"] != participants["yaxis"]
    agencies_axis = layout["yaxis" + agencies["yaxis"][1:]]
    assert agencies_axis["range"][1] < 20 and agencies["y"] == [6, 8]
    # sessions in time order along x
    assert layout["xaxis"]["ticktext"] == ["S1", "S2", "S3", "S4", "S5", "S6", "Stocktaking"]


def test_participation_panels_over_n_is_open_ended(matrix):
    fig = charts.participation_panels(matrix).to_dict()
    (bar,) = [t for t in fig["data"] if t["name"] == "Member State interventions"]
    i = bar["text"].index("over 120")
    assert bar["y"][i] == 120
    assert bar["marker"]["pattern"]["shape"][i] == "/"
    assert bar["marker"]["pattern"]["shape"][bar["text"].index("105")] == ""
    assert "Open-ended" in bar["hovertext"][i] and "over 120" in bar["hovertext"][i]
    (mark,) = [t for t in fig["data"] if t["name"].startswith("Member State interventions:")]
    assert mark["marker"]["symbol"] == "triangle-up" and mark["y"] == [120]
    assert mark["x"] == [bar["x"][i]]
    (delegates,) = [t for t in fig["data"] if t["name"] == "Delegates"]
    assert delegates["text"] == ["over 400"]
    assert "Member State interventions: Session 3 105, Session 5 over 120" in charts.alt_text(
        charts.participation_panels(matrix))


def test_participation_panels_gaps_and_sources_side_by_side(matrix):
    fig = charts.participation_panels(matrix).to_dict()
    (attended,) = [t for t in fig["data"] if t["name"] == "Member States attended"]
    assert 0 not in attended["y"] and attended["y"] == [110, 110, 136]
    (other,) = [t for t in fig["data"] if t["name"] == "Member States attended (another source)"]
    assert other["y"] == [136] and "un.org/press" in other["hovertext"][0]
    assert other["x"][0] > attended["x"][-1]  # side by side in the stocktaking's slot
    assert "fdocuments" in attended["hovertext"][-1]
    gaps = [a for a in fig["layout"]["annotations"] if a["text"] == "not<br>reported"]
    # 4 sessions without Member States, 5 without interventions, ...
    first_panel = [a for a in gaps if a["yref"] == "y"]
    assert sorted(a["x"] for a in first_panel) == [0, 1, 3, 5]


def test_participation_panels_never_print_two_labels_in_one_slot(matrix):
    """Bars side by side in a slot are too narrow for a label each (the stocktaking's two
    136s printed "136136" on a phone): the slot carries one label, each count once."""
    fig = charts.participation_panels(matrix).to_dict()
    for trace in fig["data"]:
        if trace["type"] != "bar":
            continue
        for x, text in zip(trace["x"], trace["text"]):
            others = [t for t in fig["data"] if t["type"] == "bar" and t is not trace
                      and t["yaxis"] == trace["yaxis"]]
            neighbours = [o_text for o in others for o_x, o_text in zip(o["x"], o["text"])
                          if abs(o_x - x) < 0.5 and o_text]
            assert not (text and neighbours), (trace["name"], text, neighbours)
    layout = fig["layout"]
    (attended,) = [t for t in fig["data"] if t["name"] == "Member States attended"]
    stocktaking = attended["x"][-1]
    shared = [a for a in layout["annotations"] if a.get("yref") == "y"
              and abs(a["x"] - round(stocktaking)) < 0.5 and a["text"] != "not<br>reported"]
    assert [a["text"] for a in shared] == ["136"]
    assert attended["text"][-1] == ""
    assert attended["text"][:2] == ["110", "110"]


@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
def test_participation_panels_draw_no_vertical_line(matrix, dark):
    """A thin rule stood left of "S1" in every panel on a phone: x is a session's slot, so
    x's zero line ran up through S1, and plotly.js shows an axis line whenever its colour is
    set (themed sets it). Off explicitly, in the figure as the app and the site draw it: an
    axis without `showline` would get a line again."""
    layout = charts.themed(charts.participation_panels(matrix), dark=dark).to_dict()["layout"]
    xaxes = [k for k in layout if k.startswith("xaxis")]
    yaxes = [k for k in layout if k.startswith("yaxis")]
    assert len(xaxes) == len(yaxes) == 8
    for axis in xaxes:
        assert layout[axis]["zeroline"] is False and layout[axis]["showline"] is False, axis
        assert layout[axis]["showgrid"] is False, axis
    for axis in yaxes:
        assert layout[axis]["showline"] is False, axis
    assert not layout.get("shapes")
    # one session's panels: a measure it does not report shows no ticks to print over its title
    one = charts.participation_panels(matrix[matrix["session_number"] == 3].reset_index(
        drop=True)).to_dict()["layout"]
    shown = [one[k].get("showticklabels") for k in sorted(one) if k.startswith("yaxis")]
    assert shown.count(False) == 3 and shown.count(True) == 5


def test_women_share_per_session(con):
    gender = queries.panel_gender(con)
    s3 = gender.set_index("session_number").loc[3]
    assert (int(s3.female_count), int(s3.male_count), int(s3.unknown_count),
            int(s3.person_count)) == (5, 4, 2, 11)
    fig = charts.women_share_chart(gender).to_dict()
    traces = {t["name"]: t for t in fig["data"]}
    women = traces["Female (Ms.)"]
    shares = dict(zip(women["y"], women["x"]))
    assert shares["Session 1"] == pytest.approx(4 / 6)
    assert shares["Session 3"] == pytest.approx(5 / 11)
    assert shares["Session 2"] == pytest.approx(3 / 10)
    unknown = traces["Not stated (Dr., Prof., H.E. ...)"]
    assert dict(zip(unknown["y"], unknown["text"]))["Session 2"] == "2"
    notes = {a["y"]: a["text"] for a in fig["layout"]["annotations"]}
    assert notes["Session 3"] == "5 of 11<br>45%"  # the denominator shown
    assert notes["Session 4"] == "no list of speakers in the record"
    assert "Session 4" not in women["y"]  # never drawn as 0%
    assert "Session 3: 5 of 11 women (45%), 2 not stated" in charts.alt_text(
        charts.women_share_chart(gender))


def _luminance(colour: str) -> float:
    channels = [int(colour.lstrip("#")[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(a: str, b: str) -> float:
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


@pytest.mark.parametrize("palette", [charts.LIGHT, charts.DARK], ids=["light", "dark"])
def test_chart_text_meets_wcag_aa_in_light_and_dark(matrix, palette):
    for colour in (palette.text, palette.ticks, palette.muted):
        assert _contrast(colour, palette.background) >= 4.5, colour
    fig = charts.themed(charts.participation_panels(matrix), dark=palette is charts.DARK)
    d = fig.to_dict()["layout"]
    assert d["paper_bgcolor"] == palette.background
    assert d["xaxis"]["tickfont"]["color"] == palette.ticks
    assert d["yaxis8"]["tickfont"]["color"] == palette.ticks
    for trace in fig.to_dict()["data"]:
        if trace["type"] == "bar":  # the values written over the bars
            assert trace["textfont"]["color"] == palette.text
    gaps = [a for a in d["annotations"] if a["text"] == "not<br>reported"]
    assert gaps and {a["font"]["color"] for a in gaps} == {palette.muted}
    # the bars themselves stand out from the background (3:1 for graphics)
    assert _contrast("#0072B2", palette.background) >= 3


def test_heat_map_cell_text_is_readable_on_its_cell(con):
    fig = charts.objective_coverage_matrix(queries.objective_cells(con))
    colours = vocab.colours(vocab.OBJECTIVE_CELL_STATES)
    for state in ("gap", "too_little_text"):
        assert _contrast("#222222", colours[state]) >= 4.5, state
    for a in fig.to_dict()["layout"]["annotations"]:
        assert a["font"]["color"] in ("#222222", "#ffffff")


@pytest.mark.parametrize("palette", [charts.LIGHT, charts.DARK], ids=["light", "dark"])
def test_the_pointer_to_the_chosen_k_is_drawn_in_the_palettes_text_colour(con, palette):
    fig = charts.themed(charts.model_selection_chart(queries.topic_model_selection(con)),
                        dark=palette is charts.DARK)
    (pointer,) = [a for a in fig.to_dict()["layout"]["annotations"] if a.get("showarrow")]
    assert pointer["arrowcolor"] == pointer["font"]["color"] == palette.text
    assert _contrast(pointer["arrowcolor"], palette.background) >= 4.5


def test_grid_titles_sit_above_their_column_labels_and_the_grid_has_no_empty_band(con):
    for fig in (charts.objective_coverage_matrix(queries.objective_cells(con)),
                charts.topic_session_heatmap(queries.topic_sessions(con))):
        layout = fig.to_dict()["layout"]
        assert (layout["title"]["yref"], layout["title"]["y"], layout["title"]["yanchor"]) == (
            "container", 1, "top")
        assert layout["margin"]["t"] >= 100  # title above, two-line column labels below it
        rows, columns = layout["yaxis"]["categoryarray"], layout["xaxis"]["categoryarray"]
        assert layout["yaxis"]["range"] == [-0.5, len(rows) - 0.5]
        assert layout["xaxis"]["range"] == [-0.5, len(columns) - 0.5]
