"""dashboard.queries against the database built from the repository's inputs.

Values asserted exactly are those the seed documents state; the rest is asserted as
invariants, so curated reference rows can grow without breaking these tests.
"""
from __future__ import annotations

import pandas as pd
import pytest

from dashboard import queries

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
        assert len(row.other_sources) == row.source_count - 1


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
    from dashboard import queries

    df = queries.organisation_composition(con)
    session3 = dict(zip(df[df.session_number == 3].organisation_type, df[df.session_number == 3].person_count))
    # 15 people in session 3: parsed (001, 003) and curated (people.csv) name the same persons
    assert session3 == {"government": 5, "un_system": 1, "academia_research": 2,
                        "civil_society_ngo": 4, "private_sector": 1, "other": 2}
    unlisted = df[df.organisation_type.isna()].session_number.tolist()
    assert unlisted == [4, 7]


def test_record_coverage_query(con):
    from dashboard import queries

    df = queries.record_coverage(con)
    assert len(df) == 7 * 9
    missing = df[(df.item == "participation_counts") & (df.status == "missing")].session_number
    assert missing.tolist() == [1, 2, 4, 6]
