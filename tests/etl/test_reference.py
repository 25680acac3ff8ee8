"""Curated reference data: loaded with its source URL, merged with parsed facts, conflicts and
gaps visible, malformed rows stop the build with file, row and column named."""
from __future__ import annotations

import shutil

import duckdb
import pytest

from gcmdash.config import ROOT
from gcmdash.derive.organisations import classify_organisation
from gcmdash.load.reference import ReferenceDataError, read_reference
from gcmdash.parse.people import gender_as_listed
from gcmdash.runner.build import build
from tests.conftest import SEED_DIR

REFERENCE_DIR = ROOT / "data" / "reference"
S5_URL = ("https://docslib.org/doc/3843759/smuggling-of-migrants-trafficking-in-persons-and-"
          "contemporary-forms-of")


def query(db, sql, params=()):
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql, params).fetchall()


def test_every_reference_row_is_loaded_with_its_source(seed_db):
    counts = dict(query(seed_db, """
        SELECT split_part(reference_row, ':', 1), count(DISTINCT reference_row) FROM (
            SELECT reference_row FROM session_facts UNION ALL SELECT reference_row FROM panels
            UNION ALL SELECT reference_row FROM roles UNION ALL SELECT reference_row FROM participation)
        WHERE reference_row IS NOT NULL GROUP BY ALL"""))
    # people.csv has 33 rows: one lists a panelist seat without a name (flagged, not a role)
    assert counts == {"sessions.csv": 7, "panels.csv": 12, "people.csv": 32, "participation.csv": 11}
    unsourced = query(seed_db, """
        SELECT reference_row FROM roles WHERE reference_row IS NOT NULL AND source_url IS NULL
        UNION ALL SELECT reference_row FROM participation WHERE reference_row IS NOT NULL AND source_url IS NULL
        UNION ALL SELECT reference_row FROM panels WHERE reference_row IS NOT NULL AND source_url IS NULL
        UNION ALL SELECT reference_row FROM session_facts WHERE reference_row IS NOT NULL
                  AND source_url IS NULL AND fact <> 'short_name'""")
    assert unsourced == []


def test_session_5_participation_with_source_url(seed_db):
    rows = query(seed_db, "SELECT measure, value, qualifier, source_url FROM participation "
                          "WHERE session_number = 5 ORDER BY measure")
    assert rows == [
        ("informal_dialogue_stakeholders", 18, "exact", S5_URL),
        ("member_state_interventions", 120, "more_than", S5_URL),
        ("member_states_attended", 110, "exact", S5_URL),
        ("non_governmental_stakeholders", 11, "exact", S5_URL),
        ("un_agencies", 8, "exact", S5_URL),
    ]


def test_all_seven_meetings_resolved(seed_db):
    rows = query(seed_db, "SELECT session_number, short_name, city, planned_city, "
                          "start_date::VARCHAR FROM sessions ORDER BY 1")
    assert rows == [
        (1, "Human rights of all migrants", "Geneva", None, "2017-05-08"),
        (2, "Drivers of migration", "New York", None, "2017-05-22"),
        (3, "International cooperation and governance of migration", "Geneva", None, "2017-06-19"),
        (4, "Contributions of migrants and diasporas to development", "New York", None, "2017-07-24"),
        (5, "Smuggling and trafficking of migrants", "Vienna", None, "2017-09-04"),
        (6, "Labour mobility", "Geneva", None, "2017-10-12"),
        (7, "Stocktaking meeting", "Puerto Vallarta", "Guadalajara", "2017-12-04"),
    ]
    # the session-3 title comes from its procedural note, not from elsewhere
    assert query(seed_db, "SELECT document_id FROM sessions WHERE session_number = 3") == [
        ("000_f70e12f896b5f4b9.txt",)]


def flag(db, check, session):
    return [m for (m,) in query(db, "SELECT message FROM quality_flags WHERE check_name = ? AND "
                                    "session_number = ? ORDER BY flag_id", [check, session])]


def test_conflict_flags_name_both_sources_and_values(seed_db):
    (panel,) = flag(seed_db, "panel_facts_differ", 1)
    assert panel == ('Session 1 panel 2: 15:00-17:55 "Social inclusion and cohesion" '
                     '(002_11a64b559e8c10d2.txt, line 68) vs 15:00-17:50 "Social inclusion and '
                     'cohesion" (panels.csv:3 (https://refugeesmigrants.un.org/human-rights-all-migrants))')
    (counts,) = flag(seed_db, "participation_sources_differ", 7)
    assert "https://www.un.org/press/en/2017/dev3304.doc.htm says delegates over 400, " \
           "member_states_attended 136, ngos_and_un_agencies 16" in counts
    assert "preparatory-stocktaking-meeting.html says member_states_attended 136, " \
           "non_governmental_stakeholders 115, participants 897" in counts
    (city,) = flag(seed_db, "session_facts_differ", 7)
    assert city.startswith('Session 7 city: "Guadalajara" (003_caee5c70cc5473e9.txt, line 19) '
                           'vs "Puerto Vallarta" (sessions.csv:8')
    assert city.endswith('shown: "Puerto Vallarta"')
    # both stocktaking counts are kept, never averaged or picked
    assert query(seed_db, "SELECT count(DISTINCT source) FROM participation WHERE session_number = 7") == [(2,)]


def test_gaps_are_flagged(seed_db):
    (uncertain,) = flag(seed_db, "participation_uncertain", 5)
    assert "informal_dialogue_stakeholders = 18" in uncertain and "excerpt cut" in uncertain
    (nameless,) = flag(seed_db, "person_not_in_record", 1)
    assert "people.csv:8" in nameless


def test_record_coverage(seed_db):
    coverage = {(s, item): status for s, item, status in
                query(seed_db, "SELECT session_number, item, status FROM record_coverage")}
    assert coverage[(3, "summary")] == "present"
    assert [s for s in range(1, 8) if coverage[(s, "summary")] == "present"] == [3]
    assert [s for s in range(1, 8) if coverage[(s, "participation_counts")] == "missing"] == [1, 2, 4, 6]
    assert [s for s in range(1, 8) if coverage[(s, "procedural_note")] == "present"] == [1, 3, 4]
    assert coverage[(4, "panel_people")] == "missing"
    assert len(coverage) == 7 * 14  # 8 document kinds (issue 15 added 5) and 6 facts
    sources = query(seed_db, "SELECT sources FROM record_coverage WHERE session_number = 3 AND item = 'summary'")
    assert sources == [("003_caee5c70cc5473e9.txt",)]


# Every affiliation in the data (seed documents and the curated record) with its expected type.
ORGANISATION_TYPES = {
    "Permanent Representative of Mexico to the United Nations": "government",
    "Permanent Representative of Switzerland to the United Nations": "government",
    "Secretary-General of the intergovernmental conference": "un_system",
    "Columbia University, MPI, Soros, former senior advisor to SRSG Sutherland": "academia_research",
    "Columbia University, MPI, Soros; former senior advisor to SRSG Sutherland": "academia_research",
    "Chairperson of the Board, Dag Hammarskjöld Foundation and President of the Swedish Red Cross": "civil_society_ngo",
    "Chairperson of the Board, Dag Hammarskjöld Foundation; President, Swedish Red Cross": "civil_society_ngo",
    "Director General, Ministry of Justice of Sweden": "government",
    "Head of the Protection of the Civilian Population Unit, International Committee of the Red Cross (ICRC)": "other",
    "Director of Operations, Médecins Sans Frontières (MSF) Barcelona": "civil_society_ngo",
    "Advocacy Coordinator, Kino Border Initiative, México": "civil_society_ngo",
    "Advocacy Coordinator, Kino Border Initiative, Mexico": "civil_society_ngo",
    "Director-General for Consular Affairs, Ministry of Foreign Affairs of the Republic of Turkey": "government",
    "Interdiciplinary Research Group on Immigration (GRITIM), University Pompeu Fabra, Barcelona": "academia_research",
    "Part-time Professor at the Migration Policy Centre (MPC) of the European University Institute": "academia_research",
    "Migration Programme Coordinator, Public Services International (PSI)": "civil_society_ngo",
    "International Affairs Director of the Employer’ confederation of Mexico (COPARMEX NACIONAL)": "private_sector",
    "Assistant Under-Secretary for Communication and International Relations, Ministry of Human Resources and Emiratisation the United Arab Emirates": "government",
    "Executive Director of the Global Community Engagement and Resilience Fund and Co-Chair of the WEF Global Future Council on Migration": "other",
    "Advocacy Coordinator, Global Coalition on Migration": "civil_society_ngo",
    "Advocacy Coordinator, International Detention Coalition": "civil_society_ngo",
    "Project Officer, Comisión de Apoyo a Refugiados y Migrantes (CAREF)": "civil_society_ngo",
    "Permanent Representative of the Kingdom of Morocco to the United Nations": "government",
    "Senior Vice President, New Initiatives, International Center for Journalists": "civil_society_ngo",
    "Director, Platform for International Cooperation on Undocumented Migrants (PICUM)": "civil_society_ngo",
    "Head, Centre for Migration Studies; Senior Lecturer, University of Ghana": "academia_research",
    "East and Southeast Asia Coordinator, Migrant Forum in Asia (MFA)": "civil_society_ngo",
    "Professor Emerita of International Migration, Georgetown University": "academia_research",
    "Permanent Representative of Algeria to the United Nations": "government",
    "Deputy Permanent Representative of Brazil to the United Nations": "government",
    "INSAN (member organisation of the Destination Unknown campaign)": "civil_society_ngo",
    "FNRS Senior Research Associate; Director, University of Liège": "academia_research",
    "Research Scientist, Center for International Earth Science Information Network (Earth Institute, Columbia University)": "academia_research",
    "Envoy of the Chairmanship of the Nansen Initiative": "other_intergovernmental",
    "Permanent Representative of Tuvalu (to the UN; text truncated)": "government",
    "Senior Research Fellow, Migration Policy Centre, European University Institute": "academia_research",
    "Director, Global Initiative against Transnational Organized Crime": "civil_society_ngo",
    "Research Professor, Peace Research Institute Oslo (PRIO)": "academia_research",
    "Ambassador of Argentina to Austria; Permanent Representative to International Organisations in Vienna": "government",
    "Director General for Legal and Consular Affairs, Federal Ministry for Europe, Integration and Foreign Affairs of Austria": "government",
    "Australia's Ambassador for People Smuggling and Human Trafficking": "government",
    "Ambassador for Trafficking in Persons issues, USA": "government",
    "UK Permanent Representative to the UN, Vienna": "government",
    "Senior Fellow, Center for Global Development": "academia_research",
    "Senior Birmingham Fellow and Senior Lecturer, Institute for Research into Superdiversity": "academia_research",
    "Secretary of Labour and Employment Promotion, Mexico City Government": "government",
    "Permanent Representative of Germany to the UN in Geneva": "government",
    "Permanent Representative of Tunisia to the UN in Geneva": "government",
}


def test_organisation_type_of_every_affiliation_in_the_data(seed_db):
    in_data = {a for (a,) in query(seed_db, "SELECT DISTINCT affiliation FROM roles WHERE affiliation IS NOT NULL")}
    assert in_data == set(ORGANISATION_TYPES)
    wrong = {a: (classify_organisation(a)[0], expected) for a, expected in ORGANISATION_TYPES.items()
             if classify_organisation(a)[0] != expected}
    assert wrong == {}
    stored = query(seed_db, "SELECT DISTINCT affiliation, organisation_type FROM roles WHERE affiliation IS NOT NULL")
    assert {a: t for a, t in stored} == ORGANISATION_TYPES


@pytest.mark.parametrize("affiliation, kind", [
    (None, "other"), ("Senior Officer, UNHCR", "un_system"),
    ("Special Rapporteur on the Human Rights of Migrants", "un_system"),
    ("Permanent Mission of Ghana", "government"), ("Migration Desk, European Union", "other_intergovernmental"),
])
def test_organisation_rules_beyond_the_data(affiliation, kind):
    assert classify_organisation(affiliation)[0] == kind


def test_gender_as_listed_for_every_honorific_in_the_data(seed_db):
    honorifics = {h for (h,) in query(seed_db, "SELECT DISTINCT honorific FROM roles")}
    expected = {"H.E. Mr.": "male", "Mr.": "male", "Ms.": "female", "H.E. Ms.": "female",
                "Dr.": "unknown", "Prof.": "unknown", "Professor": "unknown", "H.E.": "unknown",
                "H.E. Ambassador": "unknown", None: "unknown"}
    assert honorifics == set(expected)
    assert {h: gender_as_listed(h) for h in honorifics} == expected
    stored = dict(query(seed_db, "SELECT DISTINCT coalesce(honorific, '-'), gender_as_listed FROM roles"))
    assert stored == {(h or "-"): g for h, g in expected.items()}


def test_reference_people_and_parsed_people_are_one_row(seed_db):
    rows = query(seed_db, """
        SELECT coalesce(document_id, reference_row) FROM roles WHERE person_id = 'margareta-wahlstrom'
        ORDER BY 1""")
    assert rows == [("001_bab7ddbf46844fd5.txt",), ("003_caee5c70cc5473e9.txt",), ("people.csv:20",)]
    assert query(seed_db, "SELECT count(*) FROM people WHERE name_key = 'margareta wahlstrom'") == [(1,)]


@pytest.mark.parametrize("file_name, row_text, column, problem", [
    ("sessions.csv", "5,T,S,Vienna,V,2017-09-31,2017-09-05,https://example.org/s5",
     "start_date", "must be a date written YYYY-MM-DD"),
    ("sessions.csv", "9,T,S,Vienna,V,2017-09-04,2017-09-05,https://example.org/s9",
     "session", "must be 1-6 or 'stocktaking'"),
    ("participation.csv", "5,un_agencies,-8,exact,https://example.org/p,", "value",
     "must be a whole number >= 0"),
    ("participation.csv", "5,un_agencies,8,roughly,https://example.org/p,", "qualifier",
     "must be one of exact, more_than, approximately"),
    ("panels.csv", "5,1,Smuggling,13:00-10:15,https://example.org/x", "time", "ends before it starts"),
    ("people.csv", "5,1,speaker,Ms.,A B,Org,https://example.org/x", "role", "must be one of"),
    ("people.csv", "5,1,panelist,Ms.,A B,Org,javascript:alert(1)", "source_url",
     "must be an http(s) address"),
])
def test_malformed_reference_row_fails_the_build_naming_file_row_column(
        tmp_path, file_name, row_text, column, problem):
    curated = tmp_path / "reference"
    shutil.copytree(REFERENCE_DIR, curated)
    lines = (curated / file_name).read_text(encoding="utf-8").splitlines()
    lines.append(row_text)
    (curated / file_name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    row = len(lines)
    db = tmp_path / "x.duckdb"
    with pytest.raises(ReferenceDataError) as error:
        build(SEED_DIR, db, curated_dir=curated)
    message = str(error.value)
    assert message.startswith(f"data/reference/{file_name}, row {row}, column '{column}': {problem}")
    assert not db.exists()


def test_reference_reader_counts():
    reference = read_reference(REFERENCE_DIR)
    assert (len(reference.sessions), len(reference.panels), len(reference.roles),
            len(reference.participation)) == (7, 12, 33, 11)
