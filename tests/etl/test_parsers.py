"""The facts the issue names, asserted by hand from reading the seed documents."""
from __future__ import annotations

import datetime as dt

import pytest

from gcmdash.parse import parse_document
from gcmdash.parse.agenda import parse_agenda
from gcmdash.parse.common import match_time_range, numbered_lines
from gcmdash.parse.people import (
    gender_as_listed,
    name_key,
    parse_person,
    split_honorific,
)
from gcmdash.records import ParseError

PN3, POW3, PN1, SUM3, PN4 = (
    "000_f70e12f896b5f4b9.txt", "001_bab7ddbf46844fd5.txt", "002_11a64b559e8c10d2.txt",
    "003_caee5c70cc5473e9.txt", "004_c622c7e6c4042f6b.txt",
)


@pytest.fixture(scope="module")
def parsed(seed_texts, seed_lexicon):
    return {name: parse_document(text, seed_lexicon) for name, text in seed_texts.items()}


def t(value: str) -> dt.time:
    return dt.time.fromisoformat(value)


def test_classification_and_session_from_content(parsed):
    kinds = {name: (doc.document_type, doc.session_number) for name, doc in parsed.items()}
    assert kinds == {
        PN3: ("procedural_note", 3), POW3: ("programme_of_work", 3), PN1: ("procedural_note", 1),
        SUM3: ("summary", 3), PN4: ("procedural_note", 4),
    }
    assert "Organization of work" in parsed[POW3].classified_by


@pytest.mark.parametrize("text, expected", [
    ("10:00 – 10:15\tOpening", ("10:00", "10:15", "Opening")),
    ("10.00-10.15\t<b>Opening segment</b>", ("10:00", "10:15", "<b>Opening segment</b>")),
    ("10.0010.15", ("10:00", "10:15", "")),
    ("17:50- 18:00\tClosing", ("17:50", "18:00", "Closing")),
    (" 13.00-15.00                      Lunch", ("13:00", "15:00", "Lunch")),
])
def test_time_range_formats(text, expected):
    start, end, rest = match_time_range(text)
    assert (start, end, rest) == (t(expected[0]), t(expected[1]), expected[2])


def test_no_time_range_in_ordinary_text():
    assert match_time_range("2030 Agenda for Sustainable Development") is None
    assert match_time_range("10.7 of the SDGs") is None


def test_sessions(parsed):
    s1 = parsed[PN1].sessions[0]
    assert (s1.session_number, s1.city, s1.venue, s1.start_date, s1.end_date) == (
        1, "Geneva", "Palais des Nations, Room XIX", dt.date(2017, 5, 8), dt.date(2017, 5, 9))
    assert s1.title.startswith("Human rights of all migrants, social inclusion")
    s4 = parsed[PN4].sessions[0]
    assert (s4.city, s4.venue, s4.start_date) == (
        "New York", "United Nations Headquarters, Trusteeship Council Chamber", dt.date(2017, 7, 24))
    s3 = parsed[PN3].sessions[0]
    assert s3.title == ("International cooperation and governance of migration in all its "
                        "dimensions, including at borders, on transit, entry, return, readmission, "
                        "integration and reintegration")


def test_stocktaking_from_reflowed_two_column_intro(parsed):
    stocktaking = [s for s in parsed[SUM3].sessions if s.session_number == 7]
    assert len(stocktaking) == 1
    s7 = stocktaking[0]
    assert (s7.city, s7.country, s7.start_date, s7.end_date) == (
        "Guadalajara", "Mexico", dt.date(2017, 12, 4), dt.date(2017, 12, 6))
    assert (s7.line_start, s7.line_end) == (19, 26)  # 'Guadalajara' line 19, '...meeting in' line 26


def test_session_1_agenda_keeps_the_overlap_as_written(parsed):
    rows = [(a.day_number, a.start_time, a.end_time, a.item_type, a.panel_number)
            for a in parsed[PN1].agenda_items]
    assert rows == [
        (1, t("10:00"), t("10:15"), "opening", None),
        (1, t("10:15"), t("13:00"), "panel", 1),
        (1, t("13:00"), t("15:00"), "lunch", None),
        (1, t("15:00"), t("17:55"), "panel", 2),
        (1, t("17:50"), t("18:00"), "closing", None),
        (2, t("10:00"), t("10:05"), "welcome", None),
        (2, t("10:05"), t("13:00"), "panel", 3),
        (2, t("13:00"), t("15:00"), "lunch", None),
        (2, t("15:00"), t("17:30"), "summary_panel", None),
        (2, t("17:30"), t("17:50"), "conclusions", None),
        (2, t("17:50"), t("18:00"), "closing", None),
    ]
    panel1 = parsed[PN1].agenda_items[1]
    assert panel1.title == "Human rights of all migrants"
    assert panel1.description.startswith("This panel would address issues")


@pytest.mark.parametrize("name", [PN3, POW3, SUM3])
def test_session_3_agenda_is_the_same_in_all_three_layouts(parsed, name):
    rows = [(a.day_number, a.start_time, a.end_time, a.item_type, a.panel_number)
            for a in parsed[name].agenda_items]
    assert rows == [
        (1, t("10:00"), t("10:15"), "opening", None),
        (1, t("10:15"), t("13:00"), "panel", 1),
        (1, t("13:00"), t("15:00"), "lunch", None),
        (1, t("15:00"), t("17:50"), "panel", 2),
        (1, t("17:50"), t("18:00"), "closing", None),
        (2, t("10:00"), t("10:05"), "welcome", None),
        (2, t("10:05"), t("13:00"), "panel", 3),
        (2, t("13:00"), t("15:00"), "lunch", None),
        (2, t("15:00"), t("17:50"), "summary_panel", None),
        (2, t("17:50"), t("18:00"), "closing", None),
    ]
    titles = {a.panel_number: a.title for a in parsed[name].agenda_items if a.panel_number}
    assert titles[1] == "International cooperation and governance of migration in all its dimensions"
    assert titles[2] == ("International cooperation and governance of migration in transit, "
                         "on entry and at borders")


def test_page_footer_links_are_not_part_of_the_programme(parsed):
    panel1 = next(a for a in parsed[POW3].agenda_items if a.panel_number == 1)
    assert "http" not in panel1.description and "further information" not in panel1.description
    assert panel1.description.endswith("and explore potential solutions.")


def test_truncated_agenda_session_4(parsed):
    doc = parsed[PN4]
    assert [(a.day_number, a.start_time, a.end_time, a.item_type, a.day_inferred)
            for a in doc.agenda_items] == [(2, t("17:50"), t("18:00"), "closing", True)]
    (finding,) = doc.findings
    assert finding.check == "agenda_truncated" and finding.line_start == 56
    assert "Thematic expert, having followed both days" in finding.message


def roles_of(doc):
    return [(r.full_name, r.honorific, r.role, r.panel_number) for r in doc.roles]


def test_programme_people_and_roles(parsed):
    assert roles_of(parsed[POW3]) == [
        ("Juan José Gómez Camacho", "H.E. Mr.", "co_facilitator", None),
        ("Jürg Lauber", "H.E. Mr.", "co_facilitator", None),
        ("Louise Arbour", "Ms.", "secretary_general", None),
        ("Gregory Maniatis", None, "panelist", 1),
        ("Margareta Wahlström", "Ms.", "panelist", 1),
        ("Ola Henrikson", "H.E. Mr.", "moderator", 1),
        ("Guilhem Ravier", "Mr.", "panelist", 2),
        ("Raquel Ayora", "Ms.", "panelist", 2),
        ("Marla Conrad", "Ms.", "panelist", 2),
        ("Mehmet Samsar", "H.E. Ambassador", "moderator", 2),
        ("Jürg Lauber", "H.E. Mr.", "co_facilitator", None),
        ("Juan José Gómez Camacho", "H.E. Mr.", "co_facilitator", None),
        ("Iván Martín", "Prof.", "panelist", 3),
        ("Genevieve Gencianos", "Ms.", "panelist", 3),
        ("Nancy Fonseca Caldera", "Ms.", "panelist", 3),
        ("Omar Abdulrahman Salem Alnuaimi", "Dr.", "moderator", 3),
        ("Khalid Koser", "Dr.", "thematic_expert", None),
    ]
    by_name = {r.full_name: r for r in parsed[POW3].roles}
    assert by_name["Iván Martín"].affiliation == (
        "Interdiciplinary Research Group on Immigration (GRITIM), University Pompeu Fabra, Barcelona")
    assert by_name["Omar Abdulrahman Salem Alnuaimi"].affiliation.startswith(
        "Assistant Under-Secretary for Communication")  # 'Under-' ended a line
    assert by_name["Ola Henrikson"].affiliation == "Director General, Ministry of Justice of Sweden"
    assert by_name["Khalid Koser"].affiliation == (
        "Executive Director of the Global Community Engagement and Resilience Fund and Co-Chair "
        "of the WEF Global Future Council on Migration")


def test_summary_annex_people(parsed):
    by_name = {r.full_name: r for r in parsed[SUM3].roles}
    assert by_name["Ivan Martin"].affiliation == (
        "Part-time Professor at the Migration Policy Centre (MPC) of the European University Institute")
    assert by_name["Omar Abdulrahman Salem Alnuaimi"].honorific == "H.E. Mr."
    assert by_name["Gregory Maniatis"].honorific == "Mr."
    assert by_name["Khalid Koser"].role == "thematic_expert"
    assert by_name["Marla Conrad"].affiliation == "Advocacy Coordinator, Kino Border Initiative, Mexico"


def test_participation_session_3(parsed):
    counts = {(c.measure, c.value, c.qualifier, c.line_start) for c in parsed[SUM3].participation}
    assert counts == {
        ("member_states_attended", 110, "exact", 11),
        ("member_state_interventions", 105, "exact", 11),
        ("un_agencies", 6, "exact", 12),
        ("non_governmental_stakeholders", 17, "exact", 12),
        ("informal_dialogue_stakeholders", 18, "exact", 12),
    }


@pytest.mark.parametrize("sentence, expected", [
    # session 5's wording, from its public summary
    ("In total, 110 Member States attended the session and made over 120 interventions.",
     {("member_states_attended", 110, "exact"), ("member_state_interventions", 120, "more_than")}),
    ("Statements were delivered by 8 UN agencies and 11 non-governmental stakeholders.",
     {("un_agencies", 8, "exact"), ("non_governmental_stakeholders", 11, "exact")}),
    ("Some 40 civil society organizations took part in the informal dialogue.",
     {("informal_dialogue_stakeholders", 40, "approximately")}),
    ("More than 130 Member States participated and made 98 statements.",
     {("member_states_attended", 130, "more_than"), ("member_state_interventions", 98, "exact")}),
    ("The 2030 Agenda for Sustainable Development was adopted ten years ago.", set()),
])
def test_participation_phrasings(sentence, expected):
    from gcmdash.parse.common import JoinedText, NumberedLine
    from gcmdash.parse.summary import extract_participation

    counts, _ = extract_participation(JoinedText([NumberedLine(1, sentence)]))
    assert {(c.measure, c.value, c.qualifier) for c in counts} == expected


def test_area_and_recommendation_counts(parsed):
    doc = parsed[SUM3]
    per_area = {}
    for r in doc.recommendations:
        per_area[r.area_letter] = per_area.get(r.area_letter, 0) + 1
    assert per_area == dict(a=5, b=4, c=6, d=6, e=9, f=6, g=8, h=6, i=6, j=8, k=5, l=4)
    assert len(doc.recommendations) == 73
    assert [a.heading for a in doc.discussion_areas][5] == "Border management"  # 'f.' split
    assert [a.heading for a in doc.discussion_areas][11] == "Data"


def recommendation(doc, letter, position):
    return next(r for r in doc.recommendations if (r.area_letter, r.position) == (letter, position))


def test_recommendation_repairs(parsed):
    doc = parsed[SUM3]
    c6 = recommendation(doc, "c", 6)
    assert c6.text.endswith("of the 2030 Agenda for Sustainable Development, particularly SDG 10.7")
    assert (c6.line_start, c6.line_end) == (248, 250)
    k5 = recommendation(doc, "k", 5)
    assert k5.text == ("Implement the guidelines on protection of migrants in vulnerable situations "
                       "developed by the Global Migration Group")
    f4 = recommendation(doc, "f", 4)
    assert f4.text.startswith("Consider the OHCHR Recommended Principles and Guidelines on Human "
                              "Rights at International Borders as a tool")
    f6 = recommendation(doc, "f", 6)
    assert "support capacity-building of national governments" in f6.text
    h2 = recommendation(doc, "h", 2)
    assert "pre-departure assistance" in h2.text
    j2 = recommendation(doc, "j", 2)
    assert j2.text == ("Support and strengthen programmes, such as the IOM’s Assisted Voluntary "
                       "Return and Reintegration (AVRR) programmes")
    # the stray 'IV.' heading among the area-l bullets is not part of any recommendation
    assert all("IV." not in r.text for r in doc.recommendations)
    assert recommendation(doc, "l", 1).text == (
        "Encourage governments to consider publishing regular reports on migration data")
    assert all(r.text[0].isupper() for r in doc.recommendations)


def test_lost_hyphen_restored_in_narrative(parsed):
    narrative = " ".join(a.narrative for a in parsed[SUM3].discussion_areas)
    assert "whole-ofgovernment" not in narrative and "capacitybuilding" not in narrative


def test_format_rules(parsed):
    rules = {r.rule: (r.min_value, r.max_value) for r in parsed[PN3].format_rules}
    assert rules == {
        "welcome_remarks_minutes": (10, 10),
        "moderator_opening_minutes": (5, 7),
        "experts_per_panel": (3, 3),
        "panelist_presentation_minutes": (5, 7),
        "floor_intervention_minutes": (3, 3),
        "moderator_concluding_minutes": (5, 7),
        "summary_moderator_minutes": (10, 15),
        "thematic_expert_minutes": (15, 15),
    }
    session1 = {r.rule: (r.min_value, r.max_value) for r in parsed[PN1].format_rules}
    assert session1["moderator_opening_minutes"] == (7, 7)
    assert session1["summary_moderator_minutes"] == (15, 15)
    floor = next(r for r in parsed[PN3].format_rules if r.rule == "floor_intervention_minutes")
    assert floor.evidence == "The limit for interventions from the floor is three minutes."
    assert floor.line_start == 36


@pytest.mark.parametrize("text, honorific, rest", [
    ("H.E. Mr. Jürg Lauber, Permanent", "H.E. Mr.", "Jürg Lauber, Permanent"),
    ("Ms.Marla Conrad, Advocacy", "Ms.", "Marla Conrad, Advocacy"),
    ("H.E. Ambassador Mehmet Samsar, Director", "H.E. Ambassador", "Mehmet Samsar, Director"),
    ("Gregory Maniatis, Columbia", None, "Gregory Maniatis, Columbia"),
    ("Mrinal Sen, x", None, "Mrinal Sen, x"),
])
def test_split_honorific(text, honorific, rest):
    assert split_honorific(text) == (honorific, rest)


def test_name_matching_and_gender():
    assert name_key("Iván Martín") == name_key("Ivan Martin") == "ivan martin"
    assert parse_person("Interactive exchange between the moderators, the thematic expert") is None
    assert [gender_as_listed(h) for h in ("Ms.", "Mrs.", "H.E. Mr.", "Dr.", "Prof.", "H.E.", None)] == [
        "female", "female", "male", "unknown", "unknown", "unknown", "unknown"]


def test_agenda_row_ending_before_it_starts_is_flagged_not_loaded():
    lines = numbered_lines("ANNEX I: Agenda\nDay 1\n10:00 – 09:15\tOpening segment\n"
                           "09:15 – 10:00\tClosing remarks by the co-facilitators")
    result = parse_agenda(lines[1:], None)
    assert [a.item_type for a in result.items] == ["closing"]
    assert [f.check for f in result.findings] == ["agenda_time_invalid"]


def test_a_panel_listed_twice_keeps_both_rows_and_flags_the_second():
    lines = numbered_lines(
        "ANNEX I: Agenda\nDay 1\n10:00 – 13:00\tPANEL 1: Smuggling of migrants\n"
        "13:00 – 15:00\tLunch\n15:00 – 18:00\tPANEL 1: Smuggling of migrants\n"
        "Day 2\n10:00 – 13:00\tPANEL 2: Trafficking in persons\n"
        "15:00 – 18:00\tPANEL 2: Trafficking in persons and slavery")
    result = parse_agenda(lines[1:], 2)
    assert [(a.panel_number, a.start_time.hour) for a in result.items if a.panel_number] == [
        (1, 10), (1, 15), (2, 10), (2, 15)]
    assert [(f.check, f.severity, f.line_start) for f in result.findings] == [
        ("panel_repeated", "info", 5), ("panel_repeated", "warning", 8)]
    assert result.findings[1].message == (
        "Panel 2 is listed again at line 8 as 'Trafficking in persons and slavery'; the panel's "
        "title and times are those of line 7 ('Trafficking in persons')")


def test_unclassifiable_text_is_a_clear_parse_error():
    with pytest.raises(ParseError, match="no session found"):
        parse_document("Minutes of a meeting about something else entirely.")
    with pytest.raises(ParseError, match="no text"):
        parse_document("  \n\n")


# --- structure, not line breaks (issue 14) -----------------------------------------------------
def _agenda(text):
    return parse_agenda(numbered_lines(text), 2)


def test_wrapped_line_starting_with_conclusions_does_not_start_an_entry():
    result = _agenda("Day 2\n15:00 – 17:30\tSUMMARY PANEL: Synopsis of the main\n"
                     "conclusions and outcomes\n17:30 – 17:50\tCo-facilitators draw the main conclusions")
    assert [(a.item_type, a.title) for a in result.items] == [
        ("summary_panel", "Synopsis of the main conclusions and outcomes"),
        ("conclusions", "Co-facilitators draw the main conclusions")]
    assert result.findings == ()


def test_lunch_glued_to_its_second_cell_by_a_collapsed_tab():
    (item,) = _agenda("Day 1\n13:00 – 15:00 Lunch Space for Side-Events").items
    assert (item.title, item.description) == ("Lunch", "Space for Side-Events")


def test_rows_run_together_by_a_soft_break_are_split_at_their_times():
    result = _agenda("Day 1\n10:00 – 10:15 Opening segment 10:15 – 13:00 PANEL 1: Human rights "
                     "13:00 – 15:00 Lunch")
    assert [(a.start_time, a.item_type, a.panel_number, a.title) for a in result.items] == [
        (t("10:00"), "opening", None, "Opening segment"), (t("10:15"), "panel", 1, "Human rights"),
        (t("13:00"), "lunch", None, "Lunch")]


def test_a_lost_day_heading_is_inferred_when_the_clock_starts_again():
    result = _agenda("Day 1\n10:00 – 13:00\tPANEL 1: Human rights\n17:50 – 18:00\tClosing remarks\n"
                     "10:00 – 10:05\tWelcome remarks by the co-facilitators")
    assert [(a.day_number, a.day_inferred) for a in result.items] == [(1, False), (1, False), (2, True)]
    assert [f.check for f in result.findings] == ["agenda_day_inferred"]


def test_a_bare_panel_label_takes_its_wrapped_title():
    (item,) = _agenda("Day 1\n10.15-13.00\nPANEL 1:\nInternational\ncooperation and\ngovernance\n"
                      "To implement the commitments.").items
    assert (item.panel_number, item.title, item.description) == (
        1, "International cooperation and governance", "To implement the commitments.")


def test_list_items_are_entries_without_a_leading_space_or_honorific():
    result = _agenda("Day 1\n10.15-13.00\tPANEL 1: Human rights\nThis panel will explore means.\n"
                     "• Gregory Maniatis, Columbia University\n"
                     "• Ms. Margareta Wahlström, Red Cross Moderated by H.E. Mr. Ola Henrikson, Sweden")
    (item,), roles = result.items, result.roles
    assert item.description == "This panel will explore means."
    assert [(r.full_name, r.role, r.affiliation) for r in roles] == [
        ("Gregory Maniatis", "panelist", "Columbia University"),
        ("Margareta Wahlström", "panelist", "Red Cross"), ("Ola Henrikson", "moderator", "Sweden")]


def test_a_panelist_without_title_glyph_or_indent_is_read_before_the_titled_ones():
    result = _agenda("Day 1\n10.15-13.00\tPANEL 1: Human rights\nThis panel will explore\n"
                     "means and solutions.\nGregory Maniatis, Columbia University, MPI, former\n"
                     "senior advisor to SRSG Sutherland\nMs. Margareta Wahlström, Red Cross")
    (item,), roles = result.items, result.roles
    assert item.description == "This panel will explore means and solutions."
    assert [(r.full_name, r.line_start, r.line_end) for r in roles] == [
        ("Gregory Maniatis", 5, 6), ("Margareta Wahlström", 7, 7)]


@pytest.mark.parametrize("sentence", [
    "Member States, civil society and experts will discuss\nthe means of cooperation.",
    "Regional Consultative Processes, for example, will be\nexamined as well.",
])
def test_a_description_sentence_before_the_panelists_is_no_person(sentence):
    result = _agenda("Day 1\n10.15-13.00\tPANEL 1: Human rights\nThis panel will explore means.\n"
                     f"{sentence}\nMs. Margareta Wahlström, Red Cross")
    assert [r.full_name for r in result.roles] == ["Margareta Wahlström"]
    assert result.items[0].description == (
        "This panel will explore means. " + sentence.replace("\n", " "))


def test_a_blank_line_ends_a_bullet_whose_glyph_was_lost_however_long_its_lines():
    from gcmdash.parse.summary import split_bullets

    long_one = ("Review the role of the IOM in the context of the UN System, highlighting its "
                "important role in supporting States to manage migration at the International")
    lines = numbered_lines(f"{long_one}\n\nUse the IOM Migration Governance Framework\n\n"
                           "Allow personalized assessments in collaboration with other\n"
                           "States and international organizations\n\n"
                           "continued after a page break\n\nEstablish entry systems")
    bullets = split_bullets(lines, 60)
    assert [[l.number for l in b] for b in bullets] == [[1], [3], [5, 6, 8], [10]]


def test_a_title_that_ran_into_its_description_is_flagged():
    result = _agenda("Day 1\n10.15-13.00\tPANEL 1: International cooperation and governance of "
                     "migration in all its dimensions To implement the commitments, Member States "
                     "have committed to contribute to governance.\n"
                     "15.00-17.50\tPANEL 2: Cooperation in transit, on entry and at borders\n"
                     "This panel will identify frameworks.")
    assert [(f.check, f.severity, f.line_start) for f in result.findings] == [
        ("agenda_title_run_on", "warning", 2)]
    assert result.findings[0].message.startswith(
        "Day 1 at 10:15: the title reads as running text (22 words: 'International cooperation")


def test_glyph_marked_bullets_split_by_glyph_not_by_width():
    from gcmdash.parse.summary import split_bullets

    lines = numbered_lines("• Review the role of the IOM in the context of the UN System\n"
                           "• Use the IOM Migration Governance Framework\n"
                           "and the Index\n• Establish entry systems")
    bullets = split_bullets(lines, 40)
    assert [[l.number for l in b] for b in bullets] == [[1], [2, 3], [4]]


def test_a_word_a_narrow_cell_broke_is_joined_only_where_the_document_writes_it_whole():
    from gcmdash.extract.text import repair_split_words

    lines = ["Remarks by the Secretary-General of the intergovernmental conference",
             "Ms. Louise Arbour, Secretary-General of the intergovernment al conference",
             "on going work and in formation stay apart: 'on' and 'in' are words here"]
    assert repair_split_words(lines) == [
        lines[0], "Ms. Louise Arbour, Secretary-General of the intergovernmental conference",
        lines[2]]
    # where the document uses the fragment as a word ('al Sabah'), nothing is joined
    assert repair_split_words([*lines[:2], "Mr. Nasser al Sabah"]) == [*lines[:2],
                                                                        "Mr. Nasser al Sabah"]


def test_lost_hyphen_repaired_on_a_line_of_any_length():
    from gcmdash.extract.text import repair_own_compounds

    lines = ["pre-departure orientation and sub-regional fora", "short predeparture line",
             "Subregional cooperation; healthcare stays"]
    assert repair_own_compounds(lines) == [lines[0], "short pre-departure line",
                                           "Sub-regional cooperation; healthcare stays"]



def test_glued_phrase_repaired_where_the_document_writes_it_spaced_more_often():
    """'capacitybuilding' in a re-wrapped rendering: the document writes 'capacity building'
    twice, so the glued form lost a line-break hyphen. 'healthcare' beside one 'health care' is
    a word of its own and stays; a phrase of short words ('can not') is never evidence."""
    from gcmdash.extract.text import repair_own_compounds

    lines = ["capacity building for officials", "support capacitybuilding of governments",
             "and more capacity building; health care and healthcare", "can not, cannot, can not"]
    assert repair_own_compounds(lines) == [lines[0], "support capacity-building of governments",
                                           lines[2], lines[3]]
    assert repair_own_compounds(lines[1:3]) == lines[1:3]  # spaced once, glued once: no evidence

def test_place_and_date_after_the_theme_in_one_paragraph():
    from gcmdash.parse.common import session_header

    lines = numbered_lines("Procedural Note for the Third Informal Thematic Session:\n"
                           "“International cooperation and governance” Geneva, 19-20 June 2017 "
                           "Palais des Nations, Room XIX\nOrganization of work")
    session = session_header(lines, 3)
    assert (session.title, session.city, session.venue, session.start_date) == (
        "International cooperation and governance", "Geneva", "Palais des Nations, Room XIX",
        dt.date(2017, 6, 19))


def test_area_letters_from_an_ordered_list_reach_the_summary(tmp_path, seed_texts, seed_lexicon):
    # the summary as a web page whose areas are an <ol type="a">: the letters come from the list
    from gcmdash.extract.formats import extract

    text = seed_texts[SUM3]
    lines = text.split("\n")
    start = lines.index("Areas of discussion")
    html = ["<p>" + line + "</p>" for line in lines[:start + 1]]
    for line in lines[start + 1:]:
        letter = line[:3]
        if len(letter) == 3 and letter[0].islower() and letter[1:] == ". " and letter[0] <= "l":
            html.append(f"<ol type='a' start='{ord(letter[0]) - 96}'><li>{line[3:]}</li></ol>")
        else:
            html.append("<p>" + line + "</p>")
    path = tmp_path / "summary.html"
    path.write_text("\n".join(html), encoding="utf-8")
    parsed = parse_document(extract(path).text, seed_lexicon)
    assert [a.area_letter for a in parsed.discussion_areas] == list("abcdefghijkl")


def test_a_wrapped_sentence_ending_in_agenda_is_no_agenda_heading():
    from gcmdash.parse.agenda import find_agenda_start

    lines = numbered_lines("The precise structure of each expert panel is outlined in the attached\n"
                           "agenda.\nd. Summary panel\nANNEX 1: Agenda\nDay 1")
    assert find_agenda_start(lines) == 4


def test_an_area_heading_is_a_heading_however_it_wraps(parsed):
    from gcmdash.parse.summary import _areas

    lines = numbered_lines("a. Overarching frameworks and\nprinciples\nDiscussions revealed much.\n"
                           "Concrete issues and recommendations presented for consideration included:\n"
                           "Reaffirm the sovereign right of States")
    areas, recommendations = _areas(lines, 60)
    assert [(a.heading, a.narrative) for a in areas] == [
        ("Overarching frameworks and principles", "Discussions revealed much.")]
    assert [r.text for r in recommendations] == ["Reaffirm the sovereign right of States"]


def test_place_and_date_wrapped_over_two_lines():
    from gcmdash.parse.common import session_header

    lines = numbered_lines("“International cooperation and governance of\nmigration” Geneva, 19-20\n"
                           "June 2017\nPalais des Nations, Room XIX\nOrganization of work")
    session = session_header(lines, 3)
    assert (session.title, session.city, session.venue, session.end_date, session.line_end) == (
        "International cooperation and governance of migration", "Geneva",
        "Palais des Nations, Room XIX", dt.date(2017, 6, 20), 4)
