"""gcmdash.views.exports: the CSV and the Markdown brief, asserted on their exact content."""
from __future__ import annotations

import io

import pandas as pd

from gcmdash.views import exports, queries

SUMMARY = "003_caee5c70cc5473e9.txt"

BRIEF_BY_AREA = f"""# Recommendations for the stocktaking

From the co-facilitators' summaries of the 2017 consultations on the Global Compact for Migration, as recorded by gcmdash; every recommendation is quoted whole with the document and line it comes from.

Filters: search “care”; sessions: Session 3.

3 recommendation(s), grouped by area of discussion.

## Session 3 · c. Role of existing mechanisms in furthering governance of migration (1)

- **s3-c-02** (Session 3): Consider carefully, in the appropriate fora, any potential role of the GFMD in the follow-up of the global compact  
  Source: {SUMMARY}, lines 238–239

## Session 3 · g. Detention (1)

- **s3-g-07** (Session 3): Establish unconditional access to medical care to migrants in detention  
  Source: {SUMMARY}, line 390

## Session 3 · k. Specific needs and vulnerabilities (1)

- **s3-k-04** (Session 3): Consider a differentiated approach to different migrants, especially the most vulnerable, through concrete actions, such as special health care and specific protocols in migration management  
  Source: {SUMMARY}, lines 517–518
"""


def _without_topics(df: pd.DataFrame) -> pd.DataFrame:
    """What queries.recommendations returns from a database without the topic model."""
    return df.assign(topic_id=pd.NA, topic_label=None, topic_weight=None,
                     objectives=[[] for _ in range(len(df))])


def test_markdown_brief_by_area_exact(con):
    df = _without_topics(queries.recommendations(con, search="care", session_numbers=[3]))
    brief = exports.markdown_brief(df, exports.filters_description("care", [3]))
    assert brief == BRIEF_BY_AREA
    # Deterministic: the same rows give the same text, whatever their order.
    assert exports.markdown_brief(df.iloc[::-1], exports.filters_description("care", [3])) \
        == BRIEF_BY_AREA


def _row(rid, session, area, heading, position, text, lines, topic, label):
    return {"recommendation_id": rid, "session_number": session, "area_letter": area,
            "area_heading": heading, "position": position, "text": text,
            "document_id": "x.txt", "line_start": lines[0], "line_end": lines[1],
            "source_label": f"x.txt, line {lines[0]}" if lines[0] == lines[1]
            else f"x.txt, lines {lines[0]}–{lines[1]}",
            "topic_id": topic, "topic_label": label, "topic_weight": 0.5, "objectives": [],
            "match_count": 3}


def test_markdown_brief_by_topic_exact():
    df = pd.DataFrame([
        _row("s3-g-02", 3, "g", "Detention", 2, "Promote *alternatives* to detention", (381, 381),
             9, "Detention, alternatives"),
        _row("s3-a-01", 3, "a", "Frameworks", 1, "Reaffirm <b>sovereign</b> rights", (167, 168),
             2, "Rights, sovereign"),
        _row("s5-a-01", 5, "a", "Smuggling", 1, "Cooperate [across] borders", (10, 10),
             None, None),
    ])
    df["topic_id"] = df["topic_id"].astype("Int64")
    brief = exports.markdown_brief(df, ["search “x”"], model_id="abc123")
    assert brief.splitlines()[6:] == [
        "3 recommendation(s), grouped by topic (the topic model's strongest topic for each "
        "recommendation, model abc123).",
        "",
        "## Topic 2 · Rights, sovereign (1)",
        "",
        "- **s3-a-01** (Session 3, a. Frameworks): Reaffirm \\<b\\>sovereign\\</b\\> rights  ",
        "  Source: x.txt, lines 167–168",
        "",
        "## Topic 9 · Detention, alternatives (1)",
        "",
        "- **s3-g-02** (Session 3, g. Detention): Promote \\*alternatives\\* to detention  ",
        "  Source: x.txt, line 381",
        "",
        "## Without a topic (1)",
        "",
        "- **s5-a-01** (Session 5, a. Smuggling): Cooperate \\[across\\] borders  ",
        "  Source: x.txt, line 10",
    ]
    assert brief.endswith("line 10\n")
    assert brief.splitlines()[4] == "Filters: search “x”."


def test_markdown_brief_empty_and_unfiltered():
    empty = pd.DataFrame([_row("s3-a-01", 3, "a", "F", 1, "t", (1, 1), None, None)]).iloc[:0]
    brief = exports.markdown_brief(empty)
    assert "Filters: none (all recommendations)." in brief
    assert brief.rstrip().endswith("No recommendation matches these filters.")


def test_recommendations_csv_has_every_row_and_its_lines(con):
    df = queries.recommendations(con, session_numbers=[3])
    data = exports.recommendations_csv(df)
    assert data.startswith("\ufeff".encode())  # spreadsheets read the accents right
    table = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig")
    assert len(table) == 73
    assert list(table.columns) == ["Id", "Recommendation", "Source", "Session", "Area",
                                   "Topic", "GCM objectives", "Document", "First line",
                                   "Last line"]
    row = table.set_index("Id").loc["s3-g-07"]
    assert row["Recommendation"] == ("Establish unconditional access to medical care to "
                                     "migrants in detention")
    assert (row["Document"], row["First line"], row["Last line"]) == (SUMMARY, 390, 390)
    assert row["Source"] == f"{SUMMARY}, line 390"
    assert exports.recommendations_csv(df) == data  # deterministic


def test_filters_description():
    assert exports.filters_description("  a   b ", [7, 3], ["Session 3 · g. Detention"],
                                       ["Topic 1 · X"], ["Objective 13 · Y"]) == [
        "search “a b”", "sessions: Session 3, Stocktaking", "areas: Session 3 · g. Detention",
        "topics: Topic 1 · X", "GCM objectives: Objective 13 · Y"]
    assert exports.filters_description() == []


def test_recommendation_quotes(con):
    from gcmdash.views import tables

    df = queries.recommendations(con, area_keys=["s3-g"])
    assert tables.recommendation_quotes(df, [6, 99]) == [(
        "Session 3 · g. Detention · s3-g-07",
        "Establish unconditional access to medical care to migrants in detention",
        f"{SUMMARY}, line 390")]


def test_briefs_name_sources_by_display_name_when_given_the_names(con):
    """The reader's brief says which document a line is in, not the stored file name."""
    import io

    import docx

    from gcmdash.views import documents

    df = _without_topics(queries.recommendations(con, search="care", session_numbers=[3]))
    names = documents.names(con)
    shown = f"{names[SUMMARY]}, lines 238–239"
    brief = exports.markdown_brief(df, names=names)
    assert SUMMARY not in brief
    assert f"  Source: {exports._md(shown)}" in brief.splitlines()
    paragraphs = [p.text for p in docx.Document(io.BytesIO(
        exports.docx_brief(df, names=names))).paragraphs]
    assert f"Source: {shown}" in paragraphs
    assert not any(SUMMARY in p for p in paragraphs)
