"""Every enumerated value of the data model, with its label, display order and colour.

The one place these lists are written: schema.sql's CHECKs, the parsers, the build's SQL and
the dashboard's labels and colours take them from here, and tests/test_vocab.py holds the
schema and every label or colour map in views/ to them. A value is the string stored in the
database; `order` is the display order (for document kinds also the order of precedence of
sources); `colour` is set where a chart draws the value in a colour of its own.

Base layer: imports nothing from gcmdash.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Term:
    """One allowed value: as stored, as shown, where it sorts, and its colour in charts."""

    value: str | int
    label: str
    order: int
    colour: str | None = None


def _terms(*rows: tuple) -> tuple[Term, ...]:
    """(value, label[, colour]) rows -> Terms whose order is their position."""
    return tuple(Term(value, label, order, *colour) for order, (value, label, *colour)
                 in enumerate(rows))


def values(terms: Iterable[Term]) -> tuple:
    """The stored values, in the order the terms are declared (the schema's order)."""
    return tuple(t.value for t in terms)


def in_order(terms: Iterable[Term]) -> tuple[Term, ...]:
    """The terms in display order."""
    return tuple(sorted(terms, key=lambda t: t.order))


def labels(terms: Iterable[Term]) -> dict:
    """value -> label, in display order."""
    return {t.value: t.label for t in in_order(terms)}


def colours(terms: Iterable[Term]) -> dict:
    """value -> colour, in display order, for the terms that have one."""
    return {t.value: t.colour for t in in_order(terms) if t.colour is not None}


# documents.document_type; `order` is the precedence of a session's sources (procedural note
# first), the order documents load in and facts are preferred.
DOCUMENT_KINDS = _terms(
    ("procedural_note", "procedural note"),
    ("programme_of_work", "programme of work"),
    ("summary", "co-facilitators' summary"),
    ("chair_summary", "chair's summary"),
    ("letter", "letter"),
    ("panel_page", "panel page"),
    ("press_release", "press release"),
    ("news_item", "news item"),
    ("other", "other document"),
)

# documents.status
DOCUMENT_STATUSES = _terms(
    ("loaded", "loaded"),
    ("partial", "partial: loaded, with facts missing"),
    ("failed", "failed"),
    ("encrypted", "encrypted"),
    ("no_text", "no text"),
    ("duplicate", "duplicate"),
)

# Documents whose records are in the database (a partial one yielded less than its kind holds).
STATUSES_WITH_FACTS = ("loaded", "partial")

# The consultation process: six informal thematic sessions (1-6) and the stocktaking meeting.
STOCKTAKING_SESSION = 7
SESSIONS = tuple(
    Term(n, "Stocktaking" if n == STOCKTAKING_SESSION else f"Session {n}", n,
         "#D55E00" if n == STOCKTAKING_SESSION else "#0072B2")
    for n in range(1, STOCKTAKING_SESSION + 1))

# session_facts.fact
SESSION_FACTS = _terms(
    ("title", "Title"),
    ("short_name", "Short name"),
    ("city", "City"),
    ("country", "Country"),
    ("venue", "Venue"),
    ("start_date", "Start date"),
    ("end_date", "End date"),
)

# agenda_items.item_type
ITEM_TYPES = _terms(
    ("opening", "Opening", "#009E73"),
    ("welcome", "Welcome", "#7FC9A9"),
    ("panel", "Expert panel", "#0072B2"),
    ("lunch", "Lunch / side events", "#BBBBBB"),
    ("summary_panel", "Summary panel", "#56B4E9"),
    ("conclusions", "Conclusions", "#CC79A7"),
    ("closing", "Closing", "#E69F00"),
)

# roles.role, declared in the schema's order; shown with the moderator before the panelists.
ROLES = (
    Term("co_facilitator", "Co-facilitator", 0),
    Term("secretary_general", "Secretary-General", 1),
    Term("panelist", "Panelist", 3),
    Term("moderator", "Moderator", 2),
    Term("thematic_expert", "Thematic expert", 4),
)
# The roles held on a panel (roles.panel_number is set exactly for these).
PANEL_ROLES: tuple[str, ...] = ("panelist", "moderator")

# roles.gender_as_listed and person_directory.gender_as_listed: what the honorific says.
GENDERS = _terms(
    ("female", "Female (Ms.)", "#CC79A7"),
    ("male", "Male (Mr.)", "#0072B2"),
    ("unknown", "Not stated (Dr., Prof., H.E. ...)", "#999999"),
)

# roles.organisation_type (derive/organisations.py holds the rules that assign them).
ORGANISATION_TYPES = _terms(
    ("government", "Government", "#0072B2"),
    ("un_system", "UN system", "#56B4E9"),
    ("other_intergovernmental", "Other intergovernmental", "#009E73"),
    ("academia_research", "Academia and research", "#E69F00"),
    ("civil_society_ngo", "Civil society and NGOs", "#CC79A7"),
    ("private_sector", "Private sector", "#D55E00"),
    ("other", "Other", "#999999"),
)

# participation.measure: the measures the parsers and the curated files use (the column has
# no CHECK: a curated file may name another lower_case measure, shown by its name).
MEASURES = _terms(
    ("member_states_attended", "Member States attended"),
    ("member_state_interventions", "Member State interventions"),
    ("un_agencies", "UN agencies"),
    ("non_governmental_stakeholders", "Non-governmental stakeholders"),
    ("informal_dialogue_stakeholders", "Stakeholders in the informal dialogue"),
    ("ngos_and_un_agencies", "NGOs and UN agencies (together)"),
    ("participants", "Participants"),
    ("delegates", "Delegates"),
)
# The measures every participation view shows, reported or not: the first five.
CORE_MEASURES: tuple[str, ...] = values(MEASURES[:5])

# participation.qualifier: how the record states a count ("over 120", "about 50").
QUALIFIERS = _terms(
    ("exact", "exact"),
    ("more_than", "over"),
    ("approximately", "about"),
)
# What a count is written after: '' for an exact count, else the label and a space.
QUALIFIER_PREFIXES: dict[str, str] = {t.value: "" if t.value == "exact" else f"{t.label} "
                                      for t in QUALIFIERS}

# format_rules.rule (parse/procedural_note.py holds the sentences that state them).
FORMAT_RULES = _terms(
    ("welcome_remarks_minutes", "Co-facilitators' welcoming remarks"),
    ("moderator_opening_minutes", "Moderator's opening remarks"),
    ("panelist_presentation_minutes", "Each panelist's presentation"),
    ("floor_intervention_minutes", "Each intervention from the floor"),
    ("moderator_concluding_minutes", "Moderator's concluding remarks"),
    ("summary_moderator_minutes", "Each moderator in the summary panel"),
    ("thematic_expert_minutes", "Thematic expert's remarks"),
    ("experts_per_panel", "Experts on each panel"),
)

# format_rules.unit
FORMAT_UNITS = _terms(
    ("minutes", "minutes"),
    ("experts", "experts"),
)

# name_matches.status: a name read in a document prone to OCR noise (a scanned letter) that is
# no known person's, matched to the one known person it is close to (`approximate`), or close to
# several, or not close enough to any (`unresolved`: kept as read, never guessed).
NAME_MATCH_STATUSES = _terms(
    ("approximate", "matched approximately"),
    ("unresolved", "not matched"),
)
# The quality flag of each status (quality_flags.check_name; derive/checks.py raises them).
NAME_MATCH_FLAGS: dict[str, str] = {"approximate": "approximate_name_match",
                                    "unresolved": "name_unresolved"}
# The document kinds whose names are matched approximately: the record's letters are scans.
OCR_PRONE_KINDS: tuple[str, ...] = ("letter",)

# record_coverage.item: a loaded document of each kind but 'other', then the key facts.
COVERAGE_ITEMS = (
    *(Term(k.value, k.label[0].upper() + k.label[1:], k.order)
      for k in in_order(DOCUMENT_KINDS) if k.value != "other"),
    *(Term(value, label, len(DOCUMENT_KINDS) + i) for i, (value, label) in enumerate((
        ("dates", "Dates"),
        ("venue", "Venue"),
        ("agenda", "Agenda"),
        ("panel_titles", "Panel titles"),
        ("panel_people", "Panelists named"),
        ("participation_counts", "Participation counts"),
    ))),
)

# The coverage items whose lack makes a session's record thin: the meeting's own documents and
# its key facts. Letters, panel pages, press releases and news only add to those, so lacking
# them says nothing about how much the record holds.
THIN_RECORD_ITEMS: tuple[str, ...] = ("procedural_note", "programme_of_work", "summary",
                                      "dates", "venue", "agenda", "panel_titles",
                                      "panel_people", "participation_counts")

# record_coverage.status
COVERAGE_STATES = _terms(
    ("present", "held"),
    ("missing", "missing"),
)

# quality_flags.severity, most serious first.
SEVERITIES = _terms(
    ("error", "error"),
    ("warning", "warning"),
    ("info", "info"),
)

# text_units.unit_type: the kinds of text the topic model reads.
UNIT_TYPES = _terms(
    ("recommendation", "recommendation"),
    ("panel_description", "panel description"),
    ("area_narrative", "area narrative"),
    ("session_theme", "session theme"),
    ("panel_title", "panel title"),
)

# coverage.status: a GCM objective in a session's text (covered cells are shaded by count).
OBJECTIVE_COVERAGE_STATES = _terms(
    ("covered", "covered"),
    ("gap", "gap", "#FDDBC7"),
    ("no_text", "no text", "#E0E0E0"),
)


# What a cell of the objectives x sessions matrix tells a reader: `covered`; `gap` only where
# the session has enough text to judge (a summary's recommendations or narratives, or a
# programme's panel descriptions); `too_little_text` otherwise (a theme and panel titles are
# not enough to say an objective was left out).
OBJECTIVE_CELL_STATES = _terms(
    ("covered", "covered", "#08519C"),  # the top of the covered cells' blue scale
    ("gap", "gap", "#E69F00"),
    ("too_little_text", "too little text", "#D9D9D9"),
)
# The kinds of text that let a session be judged on the objectives it left out.
JUDGEABLE_UNIT_TYPES: tuple[str, ...] = ("recommendation", "area_narrative", "panel_description")


def sql_list(items: Iterable[str]) -> str:
    """Values as an SQL list body for IN (...): "'panelist', 'moderator'". For these constants
    only (never for input): a value with a quote is refused."""
    items = tuple(items)
    if any("'" in item for item in items):
        raise ValueError(f"a vocabulary value holds a quote: {items}")
    return ", ".join(f"'{item}'" for item in items)
