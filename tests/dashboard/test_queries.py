"""gcmdash.views.queries against the database built from the repository's inputs.

Values asserted exactly are those the seed documents state; the rest is asserted as
invariants, so curated reference rows can grow without breaking these tests.
"""
from __future__ import annotations

import shutil

import duckdb
import pandas as pd
import pytest

from gcmdash.views import queries

SESSION_3 = {
    "member_states_attended": 110,
    "member_state_interventions": 105,
    "un_agencies": 6,
    "non_governmental_stakeholders": 17,
    "informal_dialogue_stakeholders": 18,
}
SUMMARY = "003_caee5c70cc5473e9.txt"


def _scalar(con, sql: str, params=()):
    return con.execute(sql, list(params)).fetchone()[0]


def test_participation_session_3_values_and_sources(con):
    df = queries.participation(con)
    s3 = df[(df["session_number"] == 3) & (df["document_id"] == SUMMARY)].set_index("measure")
    assert s3["value"].to_dict() == SESSION_3
    assert set(s3["qualifier"]) == {"exact"}
    assert s3.loc["member_states_attended", "source_label"] == f"{SUMMARY}, line 11"
    assert s3.loc["member_state_interventions", "source_label"] == f"{SUMMARY}, line 11"
    assert s3.loc["un_agencies", "source_label"] == f"{SUMMARY}, line 12"
    assert s3.loc["informal_dialogue_stakeholders", "source_label"] == f"{SUMMARY}, lines 12–13"
    assert "110 Member States attended" in s3.loc["member_states_attended", "evidence"]


def test_participation_every_row_has_a_source_label(con):
    df = queries.participation(con)
    assert len(df) == _scalar(con, "SELECT count(*) FROM participation")
    assert df["source_label"].notna().all()
    curated = df[df["document_id"].isna()]
    assert (curated["source_label"] == curated["source_url"]).all()


def test_participation_matrix_is_every_session_by_every_measure(con):
    m = queries.participation_matrix(con)
    measures = list(dict.fromkeys(m["measure"]))
    assert measures[:len(queries.CORE_MEASURES)] == list(queries.CORE_MEASURES)
    stored = {r[0] for r in con.execute("SELECT DISTINCT measure FROM participation").fetchall()}
    assert set(measures) == set(queries.CORE_MEASURES) | stored
    assert sorted(m["session_number"].unique()) == list(queries.SESSION_NUMBERS)
    assert len(m) == len(queries.SESSION_NUMBERS) * len(measures)
    assert not m.duplicated(["session_number", "measure"]).any()

    s3 = m[m["session_number"] == 3].set_index("measure")
    assert s3.loc[list(SESSION_3), "value"].astype(int).to_dict() == SESSION_3
    assert s3.loc["member_states_attended", "source_label"] == f"{SUMMARY}, line 11"
    assert s3.loc["member_states_attended", "qualifier"] == "exact"


def test_participation_matrix_missing_is_null_never_zero(con):
    m = queries.participation_matrix(con)
    s1 = m[m["session_number"] == 1]
    assert len(s1) == m["measure"].nunique()
    assert s1["value"].isna().all()  # session 1 has no count in the record
    assert s1["qualifier"].isna().all() and s1["source_label"].isna().all()
    assert (s1["source_count"] == 0).all()
    # A NULL is exactly a (session, measure) no source states; nothing is filled with 0.
    stated = {tuple(r) for r in con.execute(
        "SELECT DISTINCT session_number, measure FROM participation").fetchall()}
    has_value = {(int(n), mm) for n, mm in
                 zip(m.loc[m["value"].notna(), "session_number"],
                     m.loc[m["value"].notna(), "measure"])}
    assert has_value == stated
    zeros_stored = _scalar(con, "SELECT count(*) FROM participation WHERE value = 0")
    assert (m["value"] == 0).sum() <= zeros_stored
    in_record = {r[0] for r in con.execute("SELECT session_number FROM sessions").fetchall()}
    for n, flag in m.groupby("session_number")["session_in_record"].first().items():
        assert bool(flag) == (n in in_record)


def test_participation_matrix_counts_sources(con):
    m = queries.participation_matrix(con)
    per_cell = con.execute("SELECT session_number, measure, count(*) FROM participation "
                           "GROUP BY ALL").fetchall()
    counts = {(int(n), mm): int(c) for n, mm, c in
              zip(m["session_number"], m["measure"], m["source_count"])}
    for n, measure, expected in per_cell:
        assert counts[(n, measure)] == expected
    for row in m[m["source_count"] > 1].itertuples():
        assert sum(o["source_count"] for o in row.other_sources) == row.source_count - 1


def test_participation_matrix_names_each_other_count_once(built_db, tmp_path):
    """Sources stating the same other count are one entry: its count and the first few."""
    db = tmp_path / "more_sources.duckdb"
    shutil.copy(built_db, db)
    with duckdb.connect(str(db)) as con:
        con.execute("""
            INSERT INTO participation (session_number, measure, source, value, qualifier, source_url)
            SELECT 3, 'un_agencies', 'https://zz.org/' || i, CASE WHEN i <= 5 THEN 7 ELSE 9 END,
                   'exact', 'https://zz.org/' || i
            FROM range(1, 7) AS r(i)""")
        m = queries.participation_matrix(con)
    row = m[(m["session_number"] == 3) & (m["measure"] == "un_agencies")].iloc[0]
    assert (row["value"], row["source_count"]) == (6, 7)
    assert [dict(o) for o in row["other_sources"]] == [
        {"value": 7, "qualifier": "exact", "source_count": 5,
         "source_labels": ["https://zz.org/1", "https://zz.org/2", "https://zz.org/3"]},
        {"value": 9, "qualifier": "exact", "source_count": 1, "source_labels": ["https://zz.org/6"]}]


def test_sessions_lists_all_seven_with_provenance(con):
    df = queries.sessions(con).set_index("session_number")
    assert list(df.index) == [1, 2, 3, 4, 5, 6, 7]
    in_record = {r[0] for r in con.execute("SELECT session_number FROM sessions").fetchall()}
    assert {n for n, flag in df["in_record"].items() if flag} == in_record
    assert {1, 3, 4, 7} <= in_record
    s3 = df.loc[3]
    assert s3["city"] == "Geneva"
    assert s3["venue"] == "Palais des Nations, Room XIX"
    assert s3["start_date"] == pd.Timestamp("2017-06-19")
    assert s3["end_date"] == pd.Timestamp("2017-06-20")
    assert s3["source_label"].startswith("000_f70e12f896b5f4b9.txt, lines 6–10")
    assert s3["member_states_attended"] == 110
    assert s3["member_states_attended_qualifier"] == "exact"
    assert s3["document_count"] == 3
    assert df.loc[1, "start_date"] == pd.Timestamp("2017-05-08")
    assert df.loc[4, "city"] == "New York"
    assert pd.isna(df.loc[1, "member_states_attended"])
    assert df.loc[sorted(in_record), "source_label"].notna().all()


def test_panel_composition_counts_each_person_once_per_session(con):
    df = queries.panel_composition(con)
    s3 = df[df["session_number"] == 3].set_index("role")
    assert list(s3.index) == ["co_facilitator", "secretary_general", "moderator", "panelist",
                              "thematic_expert"]
    counts = s3[["female_count", "male_count", "unknown_count", "person_count"]].astype(int)
    # The programme and the summary both name every one of them: counted once, not twice.
    assert counts.loc["panelist"].tolist() == [5, 2, 1, 8]
    # Khalid Koser: "Dr." in the programme, "Mr." in the summary -> male as listed.
    assert counts.loc["thematic_expert"].tolist() == [0, 1, 0, 1]
    assert counts.loc["moderator"].tolist() == [0, 2, 1, 3]
    assert counts.loc["co_facilitator"].tolist() == [0, 2, 0, 2]
    assert counts.loc["secretary_general"].tolist() == [1, 0, 0, 1]
    rows = _scalar(con, "SELECT count(*) FROM roles WHERE session_number = 3")
    distinct = _scalar(con, "SELECT count(DISTINCT (person_id, role)) FROM roles "
                            "WHERE session_number = 3")
    assert counts["person_count"].sum() == distinct == 15 < rows
    listed = df[df["role"].notna()]
    assert (listed["female_count"] + listed["male_count"] + listed["unknown_count"]
            == listed["person_count"]).all()
    assert listed["person_count"].sum() == _scalar(
        con, "SELECT count(DISTINCT (session_number, role, person_id)) FROM roles")


def test_panel_composition_sessions_without_list_are_null(con):
    df = queries.panel_composition(con)
    empty = df[df["role"].isna()]
    assert 4 in set(empty["session_number"])  # session 4: a procedural note only
    with_roles = {r[0] for r in con.execute("SELECT DISTINCT session_number FROM roles").fetchall()}
    assert not set(empty["session_number"]) & with_roles
    assert empty[["female_count", "male_count", "unknown_count", "person_count"]].isna().all().all()


@pytest.mark.parametrize("session_number", [None, 1, 3, 4, 6])
def test_quality_flags_filter(con, session_number):
    df = queries.quality_flags(con, session_number=session_number)
    expected = _scalar(con, "SELECT count(*) FROM quality_flags WHERE ?::INTEGER IS NULL "
                            "OR session_number = ?", [session_number, session_number])
    assert len(df) == expected
    if session_number is not None:
        assert set(df["session_number"]) <= {session_number}


def test_quality_flags_known_findings(con):
    df = queries.quality_flags(con)
    ranks = [{"error": 0, "warning": 1, "info": 2}[s] for s in df["severity"]]
    assert ranks == sorted(ranks)
    s4 = queries.quality_flags(con, session_number=4)
    truncated = s4[s4["check_name"] == "agenda_truncated"]
    assert truncated["document_id"].tolist() == ["004_c622c7e6c4042f6b.txt"]
    assert truncated["severity"].tolist() == ["warning"]


def test_documents(con):
    df = queries.documents(con).set_index("document_id")
    assert len(df) == 5
    assert set(df["status"]) == {"loaded"}
    assert df.loc[SUMMARY, "document_type"] == "summary"
    assert df.loc[SUMMARY, "session_number"] == 3
    assert df.loc["001_bab7ddbf46844fd5.txt", "document_type"] == "programme_of_work"


def test_organisation_composition_counts_each_person_once(con):
    from gcmdash.views import queries

    df = queries.organisation_composition(con)
    session3 = dict(zip(df[df.session_number == 3].organisation_type, df[df.session_number == 3].person_count))
    # 15 people in session 3: parsed (001, 003) and curated (people.csv) name the same persons
    assert session3 == {"government": 5, "un_system": 1, "academia_research": 2,
                        "civil_society_ngo": 4, "private_sector": 1, "other": 2}
    unlisted = df[df.organisation_type.isna()].session_number.tolist()
    assert unlisted == [4, 7]


def test_record_coverage_query(con):
    from gcmdash.views import queries

    df = queries.record_coverage(con)
    assert len(df) == 7 * 14  # 8 document kinds (issue 15 added 5) and 6 facts
    missing = df[(df.item == "participation_counts") & (df.status == "missing")].session_number
    assert missing.tolist() == [1, 2, 4, 6]


# --------------------------------------------------------------------------- search, people

HOSTILE = ["'; DROP TABLE recommendations; --", "<script>alert(1)</script>", "%_\\", "%", "_",
           "\\", "' OR 1=1 --", '"', '""', "x" * 5000, "\x00", "$1 ?", "ré%sumé"]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_search_is_literal_and_harmless(con, text):
    df = queries.recommendations(con, search=text)
    assert df.empty  # no recommendation contains these strings literally
    people = queries.people(con, text)
    assert people.empty
    assert _scalar(con, "SELECT count(*) FROM recommendations") == 73  # nothing dropped


def test_search_patterns_escape_wildcards():
    assert queries.search_patterns("%_\\") == ["%\\%\\_\\\\%"]
    assert queries.search_patterns(' detention  "alternatives to" ') == [
        "%detention%", "%alternatives to%"]
    assert queries.search_patterns(None) == queries.search_patterns("   ") == []
    assert len(queries.search_patterns(" ".join("w" * 3 for _ in range(50)))) \
        == queries.SEARCH_MAX_TERMS


def test_search_matches_words_phrases_ids_and_ignores_case_and_accents(con):
    def ids(**kw):
        return queries.recommendations(con, **kw)["recommendation_id"].tolist()

    detention = ids(search="detention")
    assert len(detention) == 8 and ids(search="DETENTION") == detention
    assert ids(search='"alternatives to detention"') == ["s3-g-02"]
    assert ids(search="child detention") == ["s3-g-03"]  # every word must occur
    assert ids(search="s3-g-07") == ["s3-g-07"]
    assert ids(search="vis-a-vis") == ids(search="vis-à-vis") != []  # accents ignored
    # the area heading is searched too
    assert set(ids(search="Consular")) >= set(ids(area_keys=["s3-h"]))


def test_recommendations_filters(con):
    everything = queries.recommendations(con)
    assert len(everything) == 73 and everything["match_count"].iloc[0] == 73
    assert everything["source_label"].str.startswith("003_caee5c70cc5473e9.txt, line").all()
    s3 = queries.recommendations(con, session_numbers=[3])
    assert len(s3) == 73
    assert queries.recommendations(con, session_numbers=[1, 2]).empty
    g = queries.recommendations(con, area_keys=["s3-g"])
    assert g["recommendation_id"].tolist() == [f"s3-g-0{i}" for i in range(1, 9)]
    assert set(g["area_heading"]) == {"Detention"}
    limited = queries.recommendations(con, limit=5)
    assert len(limited) == 5 and limited["match_count"].iloc[0] == 73
    row = queries.recommendations(con, search="s3-g-07").iloc[0]
    assert row["source_label"] == f"{SUMMARY}, line 390"
    assert (row["line_start"], row["line_end"]) == (390, 390)


def test_recommendations_topic_and_objective_filters(con):
    assert queries.themes_available(con)
    primary = dict(con.execute("SELECT unit_id, topic_id FROM unit_topics WHERE is_primary "
                               "AND unit_id IN (SELECT recommendation_id FROM recommendations)"
                               ).fetchall())
    df = queries.recommendations(con)
    assert {r: int(t) for r, t in zip(df["recommendation_id"], df["topic_id"])} == primary
    topic = int(df["topic_id"].iloc[0])
    by_topic = queries.recommendations(con, topic_ids=[topic])
    assert set(by_topic["topic_id"]) == {topic}
    assert len(by_topic) == sum(1 for t in primary.values() if t == topic)
    mapped = {r for (r,) in con.execute(
        "SELECT DISTINCT unit_id FROM unit_objectives WHERE objective = 13 AND unit_id IN "
        "(SELECT recommendation_id FROM recommendations)").fetchall()}
    by_objective = queries.recommendations(con, objectives=[13])
    assert set(by_objective["recommendation_id"]) == mapped and mapped
    for objectives in by_objective["objectives"]:
        assert 13 in [o["objective"] for o in objectives]
        scores = [o["score"] for o in objectives]
        assert scores == sorted(scores, reverse=True)


def test_people_one_row_per_person_with_all_roles(con):
    df = queries.people(con)
    assert len(df) == _scalar(con, "SELECT count(*) FROM people") == df["match_count"].iloc[0]
    assert df["person_id"].is_unique
    koser = df.set_index("person_id").loc["khalid-koser"]
    assert [dict(r) for r in koser["roles"]] == [
        {"session_number": 3, "role": "thematic_expert", "panel_number": None}]
    assert koser["gender_as_listed"] == "male"  # "Dr." in one source, "Mr." in the other
    assert list(koser["honorifics"]) == ["Dr.", "Mr."]
    assert "001_bab7ddbf46844fd5.txt, lines 212–220" in list(koser["sources"])
    # accent-free search through name_key, and affiliation search
    assert queries.people(con, "ivan martin")["full_name"].tolist() == ["Iván Martín"]
    assert queries.people(con, "Iván")["full_name"].tolist() == ["Iván Martín"]
    red_cross = queries.people(con, '"Red Cross"')["full_name"].tolist()
    assert {"Guilhem Ravier", "Margareta Wahlström"} <= set(red_cross)
    assert len(queries.people(con, limit=3)) == 3


# --------------------------------------------------------------------------- one session

def test_agenda_documents_and_items(con):
    docs = queries.agenda_documents(con, 3)
    assert docs["document_id"].tolist() == ["001_bab7ddbf46844fd5.txt",
                                            "000_f70e12f896b5f4b9.txt", SUMMARY]
    assert docs["item_count"].tolist() == [10, 10, 10]
    items = queries.agenda_items(con, 3, "001_bab7ddbf46844fd5.txt")
    assert len(items) == 10 and items["day_number"].tolist() == [1] * 5 + [2] * 5
    assert pd.Timestamp(items["day_date"].iloc[0]) == pd.Timestamp("2017-06-19")
    first_panel = items[items["item_type"] == "panel"].iloc[0]
    assert str(first_panel["start_time"])[:5] == "10:15" and first_panel["panel_number"] == 1
    assert first_panel["source_label"] == "001_bab7ddbf46844fd5.txt, lines 50–86"
    s4 = queries.agenda_items(con, 4, "004_c622c7e6c4042f6b.txt")
    assert s4["day_inferred"].tolist() == [True]
    assert queries.agenda_documents(con, 2).empty


def test_session_panels_and_roles(con):
    panels = queries.session_panels(con, 1).set_index("panel_number")
    assert list(panels.index) == [1, 2, 3]
    # The procedural note (17:55) comes before the curated programme (17:50).
    assert str(panels.loc[2, "end_time"])[:5] == "17:55"
    assert panels.loc[2, "sources"][0] == "002_11a64b559e8c10d2.txt, line 68"
    assert len(panels.loc[2, "sources"]) == 2
    roles = queries.session_roles(con, 3)
    assert len(roles) == 15  # 15 persons x roles, however many sources name them
    assert roles["role"].iloc[0] == "co_facilitator"
    moderators = roles[roles["role"] == "moderator"].set_index("panel_number")["full_name"]
    assert moderators.to_dict() == {1: "Ola Henrikson", 2: "Mehmet Samsar",
                                    3: "Omar Abdulrahman Salem Alnuaimi"}
    assert queries.session_roles(con, 4).empty


def test_format_rules_and_filtered_documents(con):
    rules = queries.format_rules(con, 3).set_index("rule")
    assert (rules.loc["floor_intervention_minutes", ["min_value", "max_value"]].tolist()
            == [3, 3])
    assert rules.loc["floor_intervention_minutes", "source_label"] \
        == "000_f70e12f896b5f4b9.txt, line 36"
    assert queries.format_rules(con, 2).empty
    assert queries.documents(con, session_number=3)["document_id"].tolist() == [
        "000_f70e12f896b5f4b9.txt", "001_bab7ddbf46844fd5.txt", SUMMARY]
    assert queries.documents(con, session_number=6).empty
    assert len(queries.record_coverage(con, 4)) == len(queries.COVERAGE_ITEMS)


def test_headline(con):
    h = queries.headline(con).iloc[0]
    assert (h["session_count"], h["documents_loaded"], h["documents_failed"]) == (7, 5, 0)
    assert h["recommendation_count"] == 73
    assert h["person_count"] == _scalar(con, "SELECT count(*) FROM people")
    assert h["sessions_without_counts"] == 4  # sessions 1, 2, 4 and 6
    assert h["missing_count"] == _scalar(
        con, "SELECT count(*) FROM record_coverage WHERE status = 'missing'")


# --------------------------------------------------------------------------- themes, method

def test_theme_queries_agree_with_the_tables(con):
    topics = queries.topics(con)
    assert topics["topic_id"].tolist() == sorted(topics["topic_id"])
    assert len(topics) == _scalar(con, "SELECT n_topics FROM topic_models")
    shares = queries.topic_sessions(con)
    assert len(shares) == _scalar(con, "SELECT count(*) FROM topic_sessions")
    coverage = queries.objective_coverage(con)
    assert len(coverage) == 7 * 23 and coverage["short_title"].notna().all()
    for row in shares[shares["unit_count"] > 0].head(5).itertuples():
        units = queries.topic_units(con, row.topic_id, row.session_number)
        assert len(units) == row.unit_count == units["match_count"].iloc[0]
        assert set(units["session_number"]) == {row.session_number}
    for row in coverage[coverage["status"] == "covered"].head(5).itertuples():
        units = queries.objective_units(con, row.objective, row.session_number)
        assert len(units) == row.unit_count
        assert units["unit_id"].tolist()[:len(row.top_unit_ids)] == list(row.top_unit_ids)
    detention = queries.objective_units(con, 13, 3)
    assert "s3-g-02" in set(detention["unit_id"])
    assert detention.set_index("unit_id").loc["s3-g-02", "reason"] \
        == 'matched "alternatives to detention"'


def test_data_dictionary_has_every_column_with_its_description(con):
    df = queries.data_dictionary(con)
    assert len(df) == _scalar(con, "SELECT count(*) FROM duckdb_columns() WHERE schema_name = "
                                   "'main' AND database_name = current_database()")
    assert df["column_description"].notna().all() and df["table_description"].notna().all()
    row = df[(df["table_name"] == "participation") & (df["column_name"] == "qualifier")]
    assert len(row) == 1


def test_topic_model_provenance_and_sources(con):
    model = queries.topic_model(con)
    assert len(model) == 1 and len(model["corpus_sha256"].iloc[0]) == 64
    selection = queries.topic_model_selection(con)
    assert selection["chosen"].sum() == 1
    assert int(selection.loc[selection["chosen"], "n_topics"].iloc[0]) \
        == int(model["n_topics"].iloc[0])
    sources = queries.curated_sources(con)
    assert sources["source_url"].is_unique
    assert sources["source_url"].str.match(r"^https?://").all()
    press = sources.set_index("source_url").loc["https://www.un.org/press/en/2017/dev3304.doc.htm"]
    assert "participation" in list(press["tables"]) and list(press["session_numbers"]) == [7]
