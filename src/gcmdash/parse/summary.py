"""Co-facilitators' summaries: the session, participation counts, the announced stocktaking
meeting, areas of discussion with their recommendations, and the programme annex."""
from __future__ import annotations

import re

from gcmdash.extract.text import (
    join_wrapped,
    squash_spaces,
    strip_bullets,
    typical_width,
)
from gcmdash.extract.text_blocks import (
    heading_goes_on,
    reflow_two_columns,
    roman_heading,
    split_bullets,
)
from gcmdash.parse.agenda import find_agenda_start, parse_agenda
from gcmdash.parse.common import (
    DATE_RANGE_RE,
    NUMBER_PATTERN,
    JoinedText,
    NumberedLine,
    nonblank,
    parse_date_range,
    quoted_title,
    sentences,
    to_number,
)
from gcmdash.parse.participation import QUALIFIERS, keep_first
from gcmdash.records import (
    STOCKTAKING_SESSION,
    DiscussionArea,
    ParsedDocument,
    ParseError,
    ParseFinding,
    ParticipationCount,
    Recommendation,
    SessionInfo,
)

_SECTION_RE = {
    "panels": re.compile(r"^\W*([IVX]+\.\s*)?Panels\s*$", re.IGNORECASE),
    "areas": re.compile(r"^\W*([IVX]+\.\s*)?Areas of discussion\s*$", re.IGNORECASE),
    "conclusions": re.compile(r"^\W*([IVX]+\.\s*)?Conclusions?\s*$", re.IGNORECASE),
}
_LEAD_IN_RE = re.compile(r"(recommendation|proposal|suggestion|included|following)[^:]*:\s*$",
                         re.IGNORECASE)
_AREA_RE = re.compile(r"^\s*(?P<letter>[a-z])\.\s*(?P<heading>.*)$")

# --- participation -----------------------------------------------------------------------------
# the qualifiers a count may carry: one table for every parser (parse/participation.py)
_QUALIFIERS = QUALIFIERS
_COUNT_RE = re.compile(
    rf"\b(?:(?P<qualifier>{'|'.join(sorted(_QUALIFIERS, key=len, reverse=True))})\s+)?"
    rf"(?P<number>{NUMBER_PATTERN})\s+(?P<noun>(?:[\w-]+\s+){{0,3}}?"
    r"(?:Member States|States|interventions|statements|agencies|entities|stakeholders|NGOs|"
    r"organizations|organisations|participants|delegates|delegations))\b",
    re.IGNORECASE,
)
_ATTEND_RE = re.compile(r"\b(attended|participated|took part|were represented|present)\b", re.I)
_INFORMAL_DIALOGUE_RE = re.compile(r"informal (?:interactive )?dialogue|multi-stakeholder hearing",
                                   re.IGNORECASE)


class _Sentence:
    """A sentence and, read once however many counts it holds, the words that decide a count's
    measure (a scan of the sentence per count was quadratic in a long sentence)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._attends: bool | None = None
        self._informal: bool | None = None

    @property
    def attends(self) -> bool:
        if self._attends is None:
            self._attends = bool(_ATTEND_RE.search(self.text))
        return self._attends

    @property
    def informal_dialogue(self) -> bool:
        if self._informal is None:
            self._informal = bool(_INFORMAL_DIALOGUE_RE.search(self.text))
        return self._informal


def _measure(noun: str, sentence: _Sentence) -> str | None:
    noun_lower = noun.lower()
    if re.search(r"\b(interventions|statements)$", noun_lower):
        return "member_state_interventions"
    if re.search(r"\b(UN|United Nations)\b.*\b(agencies|entities)$", noun, re.IGNORECASE) or \
            noun_lower.endswith("agencies"):
        return "un_agencies"
    if re.search(r"(stakeholders|ngos|civil society organi[sz]ations)$", noun_lower):
        if sentence.informal_dialogue:
            return "informal_dialogue_stakeholders"
        return "non_governmental_stakeholders"
    if re.search(r"\bmember states$", noun_lower) and sentence.attends:
        return "member_states_attended"
    if noun_lower.endswith("participants"):
        return "participants"
    if noun_lower.endswith("delegates"):
        return "delegates"
    return None


def extract_participation(joined: JoinedText) -> tuple[tuple[ParticipationCount, ...], tuple[ParseFinding, ...]]:
    """Counts as summaries phrase them: '110 Member States attended the session and made 105
    interventions', 'over 120 interventions', 'by 6 UN agencies and 17 non-governmental
    stakeholders', 'Another 18 non-governmental stakeholders … during the informal dialogue'."""
    counts: dict[str, ParticipationCount] = {}
    findings: list[ParseFinding] = []
    for start, _end, sentence in sentences(joined):
        read = _Sentence(sentence)
        for match in _COUNT_RE.finditer(sentence):
            measure = _measure(squash_spaces(match["noun"]), read)
            if measure is None:
                continue
            value = to_number(match["number"])
            qualifier = _QUALIFIERS.get((match["qualifier"] or "").lower(), "exact")
            line_start, line_end = joined.span_lines(start + match.start(), start + match.end())
            keep_first(counts, findings, ParticipationCount(
                measure, value, qualifier, sentence, line_start, line_end))
    return tuple(counts.values()), tuple(findings)


# --- the session and the stocktaking meeting ---------------------------------------------------
_HELD_RE = re.compile(
    rf"\bwas held (?:at|in) (?P<venue>[^.;]*?) (?:on|from) (?P<dates>{DATE_RANGE_RE.pattern[2:]})"
)
_STOCKTAKING_RE = re.compile(
    r"\bstocktaking meeting (?:in|at) (?P<city>[A-Z][\w .'-]*?)(?:, (?P<country>[A-Z][\w .'-]*?))?"
    rf" (?:on|from) (?P<dates>{DATE_RANGE_RE.pattern[2:]})"
)


def _session_from_intro(joined: JoinedText, session_number: int) -> SessionInfo | None:
    held = _HELD_RE.search(joined.text)
    if not held:
        return None
    dates = DATE_RANGE_RE.search(held["dates"])
    start_date, end_date = parse_date_range(dates) if dates else (None, None)
    venue = re.sub(r"^the\s+", "", squash_spaces(held["venue"]))
    city_match = re.search(r"\b(?:at|in) ([A-Z][\w .'-]+)$", venue)
    title = quoted_title(joined)
    line_start = min(title[1], joined.line_at(held.start())) if title else joined.line_at(held.start())
    return SessionInfo(
        session_number=session_number,
        title=title[0] if title else None,
        city=city_match.group(1) if city_match else venue,
        country=None,
        venue=venue,
        start_date=start_date,
        end_date=end_date,
        line_start=line_start,
        line_end=joined.line_at(held.end() - 1),
    )


def _stocktaking(intro: list[NumberedLine]) -> SessionInfo | None:
    joined = JoinedText(nonblank(reflow_two_columns(intro)))
    match = _STOCKTAKING_RE.search(joined.text)
    if not match:
        return None
    dates = DATE_RANGE_RE.search(match["dates"])
    start_date, end_date = parse_date_range(dates)
    lines = [joined.line_at(match.start()), joined.line_at(match.end() - 1)]
    return SessionInfo(
        session_number=STOCKTAKING_SESSION,
        title=None,  # an announcement names the meeting, it does not give its title
        city=squash_spaces(match["city"]),
        country=squash_spaces(match["country"]) if match["country"] else None,
        venue=None,
        start_date=start_date,
        end_date=end_date,
        line_start=min(lines),
        line_end=max(lines),
    )


# --- areas of discussion and their recommendations ---------------------------------------------
def _wrapped_heading(lines: list[NumberedLine], heading: str, index: int) -> tuple[str, int]:
    """The heading with the lines a layout wrapped it onto (heading_goes_on), and its last
    line's index."""
    parts = [heading]
    while index + 1 < len(lines) and heading_goes_on(join_wrapped(parts), lines[index + 1].text):
        index += 1
        parts.append(lines[index].text)
    return join_wrapped(parts), index


def _areas(lines: list[NumberedLine], page_width: int
           ) -> tuple[list[DiscussionArea], list[Recommendation]]:
    areas: list[DiscussionArea] = []
    recommendations: list[Recommendation] = []
    # Area headings come in letter order; PDF extraction may split 'f.' from 'Border management'.
    starts: list[tuple[int, str, str, int]] = []  # (index, letter, heading, heading line index)
    expected = "a"
    index = 0
    while index < len(lines):
        match = _AREA_RE.match(lines[index].text)
        if match and match["letter"] == expected and not match["heading"][:1].islower():
            heading, heading_index = match["heading"].strip(), index
            if not heading:
                following = next((j for j in range(index + 1, min(index + 4, len(lines)))
                                  if lines[j].text.strip()), None)
                if following is None:
                    index += 1
                    continue
                heading, heading_index = lines[following].text.strip(), following
            heading, heading_index = _wrapped_heading(lines, heading, heading_index)
            starts.append((index, expected, heading, heading_index))
            expected = chr(ord(expected) + 1)
            index = heading_index + 1
            continue
        index += 1
    for n, (index, letter, heading, heading_index) in enumerate(starts):
        end = starts[n + 1][0] if n + 1 < len(starts) else len(lines)
        body = lines[heading_index + 1 : end]
        lead_in = _lead_in(body)
        narrative_lines = body if lead_in is None else body[:lead_in[0]]
        bullet_lines = [] if lead_in is None else body[lead_in[1] + 1 :]
        bullets = split_bullets(bullet_lines, page_width)
        for position, bullet in enumerate(bullets, start=1):
            recommendations.append(Recommendation(
                area_letter=letter,
                position=position,
                text=join_wrapped([strip_bullets(l.text) for l in bullet]),
                line_start=bullet[0].number,
                line_end=bullet[-1].number,
            ))
        last_line = max([lines[index].number] + [l.number for l in body if l.text.strip()])
        areas.append(DiscussionArea(
            area_letter=letter,
            heading=squash_spaces(heading),
            narrative=join_wrapped([l.text for l in narrative_lines if not roman_heading(l.text)]),
            line_start=lines[index].number,
            line_end=last_line,
        ))
    return areas, recommendations


def _lead_in(body: list[NumberedLine], most_lines: int = 4) -> tuple[int, int] | None:
    """The first and last index of the sentence that opens an area's list ('Concrete issues
    and recommendations presented for consideration:'), however a layout wrapped it: from a
    line ending with a colon back to the line after a sentence's end or a blank line."""
    for last, line in enumerate(body):
        if not line.text.rstrip().endswith(":"):
            continue
        first = last
        while (first > 0 and last - first < most_lines - 1 and body[first - 1].text.strip()
               and not body[first - 1].text.rstrip().endswith((".", ":", "!", "?"))):
            first -= 1
        if _LEAD_IN_RE.search(join_wrapped([l.text.strip() for l in body[first:last + 1]])):
            return first, last
    return None


def _find(pattern: re.Pattern[str], lines: list[NumberedLine], start: int = 0) -> int | None:
    return next((i for i in range(start, len(lines)) if pattern.match(lines[i].text.strip())), None)


def parse_summary(lines: list[NumberedLine], session_number: int, classified_by: str
                  ) -> ParsedDocument:
    """A session summary: sessions, participation, discussion areas, recommendations and agenda;
    ParseError without an 'Areas of discussion' section."""
    annex = find_agenda_start(lines)
    body = lines[: annex - 1] if annex else lines
    panels = _find(_SECTION_RE["panels"], body)
    areas_at = _find(_SECTION_RE["areas"], body)
    if areas_at is None:
        raise ParseError("a summary without an 'Areas of discussion' section")
    conclusions = _find(_SECTION_RE["conclusions"], body, areas_at + 1)
    intro = body[: panels if panels is not None else areas_at]

    intro_text = JoinedText(intro)
    participation, findings = extract_participation(intro_text)
    if not participation:
        participation, findings = extract_participation(JoinedText(body))
    sessions = [s for s in (_session_from_intro(intro_text, session_number), _stocktaking(intro)) if s]

    page_width = typical_width([l.text for l in body])
    areas, recommendations = _areas(body[areas_at + 1 : conclusions], page_width)
    if not recommendations:
        findings += (ParseFinding("no_recommendations", "warning",
                                  "the summary's areas of discussion list no recommendations",
                                  body[areas_at].number),)
    agenda = parse_agenda(lines[annex:], None) if annex else None
    return ParsedDocument(
        document_type="summary",
        session_number=session_number,
        classified_by=classified_by,
        sessions=tuple(sessions),
        agenda_items=agenda.items if agenda else (),
        roles=agenda.roles if agenda else (),
        participation=participation,
        discussion_areas=tuple(areas),
        recommendations=tuple(recommendations),
        findings=tuple(findings) + (agenda.findings if agenda else ()),
    )
