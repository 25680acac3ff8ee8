"""A synthetic corpus shaped like the real documents, of any size, deterministic from a seed.

For benchmarks (`gcmdash bench`) and scale tests only; never mixed into data/raw. Each document
is one of the three kinds, written with the seeds' quirks: procedural notes with markdown tab
agendas and time ranges as '10:00 – 10:15' or '10.00-10.15'; programmes with PDF-style wrapped
lines, blank lines between them and lost bullet glyphs; summaries with a two-column intro, area
headings split from their letters, bullets wrapped without glyphs, glued lines that lost their
hyphen, and annex times written '10.0010.15'. Recommendation and description sentences are
recombined from the seed summary, so the vocabulary is the real one.
"""
from __future__ import annotations

import random
import textwrap
from dataclasses import dataclass
from pathlib import Path

ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth")
MONTHS = ("May", "June", "July", "September", "October", "November")
CITIES = (("Geneva", "Palais des Nations, Room XIX"), ("New York", "United Nations Headquarters, "
          "Trusteeship Council Chamber"), ("Vienna", "Vienna International Centre, Plenary Room"))
FIRST_NAMES = ("Ana", "Jorge", "Mei", "Amina", "Lars", "Priya", "Kofi", "Elena", "Omar", "Sofia",
               "Tomás", "Ingrid", "Yusuf", "Chiara", "Dmitri", "Nadia")
LAST_NAMES = ("García", "Okafor", "Lindqvist", "Haddad", "Moreau", "Tanaka", "Novak", "Silva",
              "Mensah", "Rossi", "Kowalski", "Abebe", "Fischer", "Nguyen", "Petrov", "Costa")
AFFILIATIONS = ("Permanent Representative of Norway to the United Nations",
                "Director, Centre for Migration Studies, University of Lagos",
                "Advocacy Coordinator, Migrant Rights Network",
                "Head of Unit, Ministry of Foreign Affairs of Chile",
                "Senior Fellow, Institute for Research on Mobility",
                "Coordinator, Global Coalition on Labour Migration")
HEADINGS = ("Overarching frameworks and principles", "Coherence of migration policies",
            "Role of existing mechanisms", "Financing and capacity building", "Human rights",
            "Border management", "Detention", "Consular protection", "Return and readmission",
            "Integration and reintegration", "Specific needs and vulnerabilities", "Data")
VERBS = ("Ensure", "Promote", "Strengthen", "Establish", "Encourage", "Consider", "Provide",
         "Develop", "Support", "Enhance", "Review", "Include")
OBJECTS = ("national and regional cooperation on migration governance",
           "alternatives to detention, in particular for children and families",
           "consular assistance to migrants in countries of transit and destination",
           "whole-of-government approaches among and between national and local authorities",
           "the collection and analysis of disaggregated data on migration",
           "safe and dignified return and sustainable reintegration of returning migrants",
           "integrated border management systems that respect human rights",
           "capacity-building of national governments, including on document fraud",
           "access to basic services for all migrants regardless of their status",
           "the contributions of the Global Migration Group and of Regional Consultative Processes")
QUALIFIERS_ = ("in line with international law", "through enhanced and regular dialogue",
               "in cooperation with civil society and the private sector",
               "as proposed in the Sutherland Report", "taking into account the 2030 Agenda for "
               "Sustainable Development", "with the support of the International Organization for "
               "Migration")


@dataclass(frozen=True)
class SyntheticDocument:
    file_name: str
    kind: str
    session_number: int
    recommendation_count: int
    text: str


def _sentence(rng: random.Random) -> str:
    return f"{rng.choice(VERBS)} {rng.choice(OBJECTS)} {rng.choice(QUALIFIERS_)}"


def _wrap(text: str, width: int) -> list[str]:
    return textwrap.wrap(text, width=width, break_on_hyphens=False)


def _session(rng: random.Random, number: int) -> dict:
    city, venue = CITIES[number % len(CITIES)]
    day = rng.randint(1, 26)
    return dict(number=number, ordinal=ORDINALS[number - 1], city=city, venue=venue,
                month=MONTHS[number - 1], d1=day, d2=day + 1,
                title=f"{rng.choice(OBJECTS).capitalize()}, including {rng.choice(OBJECTS)}")


def _person(rng: random.Random) -> str:
    honorific = rng.choice(("Ms.", "Mr.", "Dr.", "H.E. Mr.", "H.E. Ms.", "Prof."))
    return f"{honorific} {rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}, {rng.choice(AFFILIATIONS)}"


def procedural_note(rng: random.Random, s: dict) -> str:
    dash = rng.choice(("{a} – {b}", "{a}-{b}"))

    def t(a: str, b: str) -> str:
        if "–" in dash:
            return dash.format(a=a, b=b)
        return dash.format(a=a.replace(":", "."), b=b.replace(":", "."))

    panels = [f"PANEL {i}: {rng.choice(OBJECTS).capitalize()} This panel will explore "
              f"{rng.choice(OBJECTS)} {rng.choice(QUALIFIERS_)}." for i in (1, 2, 3)]
    return "\n".join([
        "", "", "Global compact for safe, orderly and regular migration", "",
        f"Procedural Note for the {s['ordinal'].capitalize()} Informal Thematic Session: "
        f"“{s['title']}”", "",
        f"**{s['city']}, {s['d1']}-{s['d2']} {s['month']} 2017", f"{s['venue']}**", "",
        "I. Introduction", "", f"The {s['ordinal']} informal thematic session will address "
        f"{s['title'].lower()}.", "", "II. Format", "",
        "There will be three experts on each panel. Each expert will make a brief introductory "
        "presentation on the theme (five to seven minutes each).", "",
        "The limit for interventions from the floor is three minutes.", "",
        "ANNEX I: Agenda", "", "Day 1", "", "Time\tConcept",
        f"{t('10:00', '10:15')}\tOpening Segment: Welcoming remarks by the co-facilitators",
        f"{t('10:15', '13:00')}\t{panels[0]}",
        f"{t('13:00', '15:00')}\tLunch\tSpace for Side-Events",
        f"{t('15:00', '17:50')}\t{panels[1]}",
        f"{t('17:50', '18:00')}\tClosing remarks by the co-facilitators", "", "Day 2", "",
        "Time\tConcept",
        f"{t('10:00', '10:05')}\tWelcoming remarks by the co-facilitators",
        f"{t('10:05', '13:00')}\t{panels[2]}",
        f"{t('13:00', '15:00')}\tLunch\tSpace for Side-Events",
        f"{t('15:00', '17:50')}\tSUMMARY PANEL: Synopsis of the main conclusions and outcomes",
        f"{t('17:50', '18:00')}\tClosing remarks by the co-facilitators", ""])


def programme(rng: random.Random, s: dict) -> str:
    def pdf(lines: list[str]) -> list[str]:  # PDF extraction: a blank line after every line
        return [x for line in lines for x in (line, "")]

    out = ["  OFFICE OF THE PRESIDENT OF THE GENERAL ASSEMBLY", "",
           f"Procedural Note for the {s['ordinal'].capitalize()} Informal Thematic Session:", "",
           f"“{s['title']}”", f" {s['city']}, {s['d1']}-{s['d2']} {s['month']} 2017 ", "",
           s["venue"], "", "Organization of work", "", f"Day 1: Monday {s['d1']} {s['month']} 2017",
           "", "Time Concept", "", "10.00-10.15 ", "", "Opening segment", "",
           "Welcome remarks by the co-facilitators", ""]
    out += pdf([f" {_person(rng)}" for _ in range(2)])
    for number, (start, end) in enumerate((("10.15", "13.00"), ("15.00", "17.50")), 1):
        out += pdf([f"{start}-{end} PANEL {number}: {rng.choice(OBJECTS).capitalize()}"]
                   + _wrap(f"This panel will examine {rng.choice(OBJECTS)} "
                           f"{rng.choice(QUALIFIERS_)}.", 78)
                   + [f" {_person(rng)}" for _ in range(rng.randint(2, 3))]
                   + [f"Moderated by {_person(rng)}"])
        if number == 1:
            out += pdf([" 13.00-15.00                      Lunch  Space for Side Events "])
    out += pdf(["17.50-18.00 Closing remarks by the co-facilitators"])
    return "\n".join(out) + "\n"


def summary(rng: random.Random, s: dict, areas: int, bullets_per_area: tuple[int, int]
            ) -> tuple[str, int]:
    width = 100
    over = rng.choice(("", "over "))
    lines = [" I.", "", "Introduction", ""]
    lines += _wrap(f"The {s['ordinal']} informal thematic session in phase I (consultations) of the "
                   f"preparatory process entitled “{s['title']}”, was held at the United Nations "
                   f"Office at {s['city']} on {s['d1']} and {s['d2']} {s['month']} 2017. The session "
                   "consisted of opening remarks by the co-facilitators, three expert panels and a "
                   "summary panel.", width)
    lines += _wrap(f"In total, {rng.randint(80, 140)} Member States attended the session and made "
                   f"{over}{rng.randint(60, 130)} interventions. Additional interventions were made "
                   f"by {rng.randint(2, 12)} UN agencies and {rng.randint(5, 30)} non-governmental "
                   "stakeholders.", width)
    lines += ["The purpose of this summary is to highlight", "interventions delivered in the room "
              "and inputs", "recommendations made for consideration in this",
              "contents of this summary will serve as one of", "Guadalajara, Mexico on 4-6 "
              "December 2017.", "", "II.", "", "the main aspects of the discussion on the basis of",
              "received. It also summarizes the ideas presented and", "and subsequent phases of "
              "the preparatory process. The", "the inputs for discussion at the stocktaking "
              "meeting in", "", "Panels", ""]
    lines += _wrap("The panelists shared the view that migration governance is, at its core, an "
                   "issue of national jurisdiction.", width)
    lines += ["", "III.", "", "Areas of discussion"]
    total = 0
    for index in range(areas):
        letter = chr(ord("a") + index)
        heading = HEADINGS[index % len(HEADINGS)]
        lines += [f"{letter}.", "", heading, ""] if rng.random() < 0.3 else [f"{letter}. {heading}"]
        lines += _wrap(f"Many delegations pointed to {rng.choice(OBJECTS)}. Participants stressed "
                       f"{rng.choice(OBJECTS)} {rng.choice(QUALIFIERS_)}.", width)
        lines += ["Concrete issues and recommendations presented for consideration included:"]
        lines += [""] * rng.randint(0, 6)  # where the bullet glyphs were
        count = rng.randint(*bullets_per_area)
        for _ in range(count):
            wrapped = _wrap(_sentence(rng), 95)
            if rng.random() < 0.2:
                wrapped[0] = " " + wrapped[0]  # a glyph left a space
            lines += wrapped
        total += count
        lines += [""]
    lines += ["IV.", "", "Conclusions", ""]
    lines += _wrap("It was widely recognized that safe, orderly and regular migration requires "
                   "greater international cooperation.", width)
    lines += [" ANNEX – Programme of work", "Day 1 – Monday", "Time", "10.0010.15", "", "Concept",
              "Opening segment", "Welcome remarks by the co-facilitators", f" {_person(rng)}", "",
              "10.1513.00", "", f"PANEL 1: {rng.choice(OBJECTS).capitalize()}",
              f" {_person(rng)}", f"Moderated by {_person(rng)}", "13.0015.00", "15.0017.50", "",
              "Lunch", "", "Space for side-events", "", f"PANEL 2: {rng.choice(OBJECTS).capitalize()}",
              f" {_person(rng)}", "17.5018.00", "", "Closing remarks by the co-facilitators", ""]
    return "\n".join(lines), total


def large_summary(scale: int) -> str:
    """A summary in the seed summary's layout whose every part grows with `scale`: intro
    sentences each holding counts, one long sentence of counts, a long narrative, many bullets."""
    lines = ["I.", "", "Introduction", ""]
    lines += ["The third informal thematic session was held at the United Nations Office at "
              "Geneva on 19 and 20 June 2017."]
    lines += [f"In total, {i % 90 + 10} Member States attended the meeting and made "
              f"{i % 70 + 5} interventions." for i in range(scale)]
    lines += [", ".join(f"{i % 9 + 2} UN agencies and {i % 30 + 3} non-governmental stakeholders"
                        for i in range(scale)) + "."]
    lines += ["", "II.", "", "Areas of discussion", "", "a. International cooperation", ""]
    lines += ["Participants stressed the need for cooperation across borders and regions"
              for _ in range(scale)]
    lines += ["Concrete issues and recommendations presented for consideration included:"]
    lines += [f"Strengthen cooperation on route {i} between countries of origin and destination."
              for i in range(scale)]
    lines += ["", "III.", "", "Conclusions", "", "It was widely recognized that cooperation matters."]
    return "\n".join(lines)


def generate(count: int, seed: int = 2017, bullets_per_area: tuple[int, int] = (3, 9)
             ) -> list[SyntheticDocument]:
    """`count` documents: one procedural note, programme and summary per synthetic session
    cycle (sessions 1-6 repeating), deterministic from `seed`. Only the first summary of a
    session loads (the later ones are second summaries), so those six carry `count` // 300
    times as many bullets (about one recommendation per document in all): the text units,
    and the topic stage, grow with the corpus."""
    rng = random.Random(seed)
    scale = max(1, count // 300)
    first_bullets = (bullets_per_area[0] * scale, bullets_per_area[1] * scale)
    documents: list[SyntheticDocument] = []
    for index in range(count):
        session = _session(rng, index // 3 % 6 + 1)
        kind = ("procedural_note", "programme_of_work", "summary")[index % 3]
        name = f"syn{index:06d}_{kind}.txt"
        if kind == "procedural_note":
            text, recommendations = procedural_note(rng, session), 0
        elif kind == "programme_of_work":
            text, recommendations = programme(rng, session), 0
        else:
            first = index < 18  # the first cycle: each session's first summary
            text, recommendations = summary(rng, session, rng.randint(4, 12),
                                            first_bullets if first else bullets_per_area)
        documents.append(SyntheticDocument(name, kind, session["number"], recommendations, text))
    return documents


def write_corpus(folder: Path, count: int, seed: int = 2017) -> list[SyntheticDocument]:
    folder.mkdir(parents=True, exist_ok=True)
    documents = generate(count, seed)
    for document in documents:
        (folder / document.file_name).write_text(document.text, encoding="utf-8")
    return documents
