"""Issue 15: the kinds of the public record by structure, the session from its evidence,
participation sentences and people lists in every form, place and date on one line."""
from __future__ import annotations

import datetime as dt

import pytest

from gcmdash.config import reference_dir
from gcmdash.load.reference import read_reference
from gcmdash.parse import parse_document
from gcmdash.parse.common import JoinedText, numbered_lines, session_header
from gcmdash.parse.participation import extract_counts
from gcmdash.parse.people import parse_people
from gcmdash.parse.sessions import IDENTITIES, identify_session
from gcmdash.records import STOCKTAKING_SESSION, ParseError


def test_session_identities_agree_with_the_curated_sessions():
    curated = {s.session_number: s for s in read_reference(reference_dir()).sessions}
    for identity in IDENTITIES:
        row = dict(curated[identity.session_number].facts)
        if "title" in row:  # session 3's curated row holds its short name only
            assert row["title"].startswith(identity.title.replace("(stocktaking) ", "(stocktaking) ")), \
                identity.session_number
        if "start_date" in row:
            assert (row["start_date"], row["end_date"]) == (
                identity.start_date.isoformat(), identity.end_date.isoformat())
        if "city" in row:
            assert row["city"] == identity.city
        short = row["short_name"].casefold()
        assert any(n.casefold() in short or short in n.casefold() for n in identity.short_names), \
            identity.session_number


@pytest.mark.parametrize("text, number", [
    ("Thematic session three: International cooperation", 3),
    ("Panel I - 3rd Informal Thematic Session of the Global Compact", 3),
    ("the Fifth Informal Thematic Session, to be held in Vienna", 5),
    ("The third of six thematic sessions has turned to governance.", 3),
    ("Informal thematic session 6 on labour mobility", 6),
    ("According to the summary, the stocktaking meeting gathered 136 delegations.", 7),
    ("Preparatory meeting, 4-6 December 2017, Puerto Vallarta, Mexico", 7),
])
def test_the_session_is_read_from_numbers_in_every_form(text, number):
    assert identify_session(text).session_number == number


def test_without_a_number_the_title_or_the_dates_identify_the_session():
    by_title = identify_session("Labour mobility\n\nIrregular migration and regular pathways, "
                                "including decent work, labour mobility, recognition of skills")
    assert by_title.session_number == 6 and "title" in by_title.evidence
    by_dates = identify_session("A meeting\n\nVienna, 4-5 September 2017")
    assert by_dates.session_number == 5 and "dates '4-5 September 2017'" in by_dates.evidence


def test_conflicting_evidence_is_a_flag_and_no_evidence_a_failure_quoting_the_text():
    parsed = parse_document("Thematic session two: Human rights of all migrants, social "
                            "inclusion, cohesion and all forms of discrimination\n\n"
                            "Organization of work\n\n10:00 - 10:15 Opening segment\n")
    assert parsed.session_number == 2
    assert [f.check for f in parsed.findings][:1] == ["session_evidence_conflict"]
    assert "points to session 1" in parsed.findings[0].message
    with pytest.raises(ParseError, match="it opens 'A note on migration in general"):
        identify_session("A note on migration in general, with no session named.")


LETTER = """THE PRESIDENT OF THE GENERAL ASSEMBLY

27 July 2017

Excellency,

Their letter invites all States to the Fifth Informal Thematic Session, "Smuggling of migrants, trafficking in persons and contemporary forms of slavery, including appropriate identification", to be held in Vienna, Austria, on 4-5 September 2017 at the Vienna International Centre, Plenary Room. A Procedural Note for the session is attached to it.

I can now inform you of the moderators selected for the panels:

• Panel 1: H.E. Ambassador Rafael Mariano Grossi of Argentina.
• Panel 3: H.E. Ms. Susan Coppedge, Ambassador for Trafficking in Persons issues - USA, and H.E. Leigh Turner, UK Permanent Representative to the UN, Vienna.

With my highest consideration,
"""


def test_a_letter_that_encloses_a_procedural_note_is_a_letter_with_its_facts():
    parsed = parse_document(LETTER)
    assert parsed.document_type == "letter"
    assert "procedural_note 'Procedural Note for' (line 7)" in parsed.classified_by
    assert parsed.classified_by.startswith("letter: 'Excellency,' (line 5)")
    assert "(refers to: " in parsed.classified_by
    (session,) = parsed.sessions
    assert (session.city, session.country, session.venue) == (
        "Vienna", "Austria", "Vienna International Centre, Plenary Room")
    assert (session.start_date, session.end_date) == (dt.date(2017, 9, 4), dt.date(2017, 9, 5))
    assert session.title.startswith("Smuggling of migrants")
    assert [(r.full_name, r.honorific, r.role, r.panel_number) for r in parsed.roles] == [
        ("Rafael Mariano Grossi", "H.E. Ambassador", "moderator", 1),
        ("Susan Coppedge", "H.E. Ms.", "moderator", 3),
        ("Leigh Turner", "H.E.", "moderator", 3)]


def _counts(text: str) -> set[tuple[str, int, str]]:
    counts, _ = extract_counts(JoinedText(numbered_lines(text)))
    return {(c.measure, c.value, c.qualifier) for c in counts}


def test_participation_sentences_in_every_phrasing():
    assert _counts("Over 400 delegates from 136 Member States and 16 international "
                   "non-governmental organizations and United Nations specialized agencies "
                   "participated in the three days of discussion.") == {
        ("delegates", 400, "more_than"), ("member_states_attended", 136, "exact"),
        ("ngos_and_un_agencies", 16, "exact")}
    assert _counts("The meeting gathered approximately 136 delegations, with a total of 897 "
                   "participants from all regions, 115 of them non-governmental stakeholders.") == {
        ("member_states_attended", 136, "approximately"), ("participants", 897, "exact"),
        ("non_governmental_stakeholders", 115, "exact")}
    assert _counts("Nearly twenty UN agencies and some 1,200 participants took part.") == {
        ("un_agencies", 20, "approximately"), ("participants", 1200, "approximately")}
    assert _counts("Over two days the session meets; three expert panels follow.") == set()
    # a date line run into the next paragraph: the year is no count
    assert _counts("3 July 2017\n\nOver 300 participants attended.") == {
        ("participants", 300, "more_than")}


def test_people_lists_in_every_form():
    two = parse_people("H. E. Ms. Antje Leendertse, Permanent Representative of Germany and "
                       "H.E. Mr. Walid Doudech, Permanent Representative of Tunisia")
    assert [(p.honorific, p.full_name, p.affiliation) for p in two] == [
        ("H.E. Ms.", "Antje Leendertse", "Permanent Representative of Germany"),
        ("H.E. Mr.", "Walid Doudech", "Permanent Representative of Tunisia")]
    inline = parse_people("• Mr. Michael Clemens, Senior Fellow • Ms. Amalia Dolores García "
                          "Medina, Secretary of Labour")
    assert [p.full_name for p in inline] == ["Michael Clemens", "Amalia Dolores García Medina"]


@pytest.mark.parametrize("line, city, country, venue", [
    ("Palais des Nations, Room XIX, Geneva , 8-9 May 2017", "Geneva", None,
     "Palais des Nations, Room XIX"),
    ("19-20 June 2017, Palais des Nations, Room XIX, Geneva", "Geneva", None,
     "Palais des Nations, Room XIX"),
    ("Global Compact for Migration Preparatory meeting, 4-6 December 2017, Puerto Vallarta, "
     "Mexico", "Puerto Vallarta", "Mexico", None),
])
def test_place_and_date_on_one_line_in_either_order(line, city, country, venue):
    session = session_header(numbered_lines(f"Thematic session one: A title of six words or more\n\n{line}"), 1)
    assert (session.city, session.country, session.venue) == (city, country, venue)
    assert session.title == "A title of six words or more"


def test_the_venue_does_not_absorb_the_next_heading():
    text = ('Procedural Note for the Fourth Informal Thematic Session:\n"Contributions of migrants '
            'and diaspora to all dimensions"\nNew York, 24-25 July 2017\nUnited Nations '
            'Headquarters, Trusteeship Council Chamber I. Introduction\nII. Format\n')
    (session,) = parse_document(text).sessions
    assert session.venue == "United Nations Headquarters, Trusteeship Council Chamber"


def test_moderators_day_lines_and_untimed_days_of_a_session_page():
    page = """Thematic session one: Human rights of all migrants, social inclusion

Palais des Nations, Room XIX, Geneva, 8-9 May 2017

Organization of work

Monday, 8 May 2017

Time\tSession
10:00 - 10:15\tOpening Segment
Welcoming remarks by the co-facilitators
• H.E. Mr. Jürg Lauber, Permanent Representative of Switzerland to the United Nations
Remarks by Ms. Louise Arbour, Secretary-General of the intergovernmental conference
10:15 - 13:00\tPanel 1. Human rights of all migrants
• Ms. Monami Maulik, Advocacy Coordinator, Global Coalition on Migration
Moderators: H.E. Mr. Omar Hilale, Permanent Representative of Morocco and H.E. Mr. Carlos Duarte, Deputy Permanent Representative of Brazil

Tuesday, 9 May 2017

Panel 2. Social inclusion and cohesion

• Ms. Sharon Moshavi, Senior Vice President, International Center for Journalists

Office of the Special Representative of the Secretary-General
"""
    parsed = parse_document(page)
    assert [(a.day_number, a.item_type, a.panel_number) for a in parsed.agenda_items] == [
        (1, "opening", None), (1, "panel", 1)]
    assert [(r.full_name, r.role, r.panel_number, r.affiliation) for r in parsed.roles] == [
        ("Jürg Lauber", "co_facilitator", None,
         "Permanent Representative of Switzerland to the United Nations"),
        ("Louise Arbour", "secretary_general", None,
         "Secretary-General of the intergovernmental conference"),
        ("Monami Maulik", "panelist", 1, "Advocacy Coordinator, Global Coalition on Migration"),
        ("Omar Hilale", "moderator", 1, "Permanent Representative of Morocco"),
        ("Carlos Duarte", "moderator", 1, "Deputy Permanent Representative of Brazil"),
        ("Sharon Moshavi", "panelist", 2,
         "Senior Vice President, International Center for Journalists")]
    assert [(f.check, f.severity) for f in parsed.findings] == [("agenda_untimed", "warning")]
    assert parsed.findings[0].message.startswith("Day 2: 1 agenda entries without times")


def test_a_press_release_dateline_gives_the_place_and_days_of_a_meeting_closing_today():
    text = ("7 December 2017\n\nDEV/3304\n\nMeeting Concludes\n\nPUERTO VALLARTA, Mexico, "
            "6 December - Today saw the close of the three-day preparatory stocktaking meeting.\n")
    parsed = parse_document(text)
    assert (parsed.document_type, parsed.session_number) == ("press_release", STOCKTAKING_SESSION)
    (session,) = parsed.sessions
    assert (session.city, session.country, session.start_date, session.end_date) == (
        "Puerto Vallarta", "Mexico", dt.date(2017, 12, 4), dt.date(2017, 12, 6))
