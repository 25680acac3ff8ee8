"""Participation sentences in any kind of document: 'Over 400 delegates from 136 Member States
and 16 international non-governmental organizations and United Nations specialized agencies
participated', 'approximately 136 delegations, with a total of 897 participants ..., 115 of them
non-governmental stakeholders'. Digits or number words; over / more than / some /
approximately / nearly kept as the qualifier ('over N' is a lower bound, `more_than`)."""
from __future__ import annotations

import re

from gcmdash.extract.text import squash_spaces
from gcmdash.parse.common import NUMBER_PATTERN, JoinedText, sentences, to_number
from gcmdash.records import ParseFinding, ParticipationCount

QUALIFIERS = {"over": "more_than", "more than": "more_than", "at least": "more_than",
              "in excess of": "more_than", "upwards of": "more_than",
              "some": "approximately", "about": "approximately", "approximately": "approximately",
              "around": "approximately", "nearly": "approximately", "almost": "approximately",
              "roughly": "approximately", "close to": "approximately"}
_QUALIFIER = "|".join(sorted(QUALIFIERS, key=len, reverse=True))
_NUMBER = rf"(?:(?P<qualifier>{_QUALIFIER})\s+)?(?P<number>\d{{1,3}}(?:,\d{{3}})+|{NUMBER_PATTERN})"
# Non-governmental organizations and UN agencies counted together (the press release's form).
_TOGETHER_RE = re.compile(
    rf"\b{_NUMBER}\s+(?:[\w-]+\s+){{0,2}}?non-governmental\s+organi[sz]ations\s+and\s+"
    r"(?:United Nations|UN)\s+(?:specialized\s+)?agencies\b", re.IGNORECASE)
_COUNT_RE = re.compile(
    rf"\b{_NUMBER}\s+(?P<noun>(?:(?!and\b|from\b|with\b|{_QUALIFIER}\b)[^\W\d][\w-]*\s+){{0,3}}?"
    r"(?:Member States|States|delegations|delegates|participants|interventions|statements|"
    r"agencies|entities|stakeholders|NGOs|civil society organi[sz]ations|civil society))\b",
    re.IGNORECASE)
_ATTEND_RE = re.compile(r"\b(attend\w*|participat\w*|took part|were represented|present|"
                        r"gathered|joined|from)\b", re.IGNORECASE)
_DIALOGUE_RE = re.compile(r"informal (?:interactive )?dialogue|multi-stakeholder hearing",
                          re.IGNORECASE)


def _measure(noun: str, sentence: str) -> str | None:
    noun = noun.lower()
    if re.search(r"\b(interventions|statements)$", noun):
        return "member_state_interventions"
    if noun.endswith(("agencies", "entities")):
        return "un_agencies"
    if re.search(r"(stakeholders|ngos|civil society(?: organi[sz]ations)?)$", noun):
        return ("informal_dialogue_stakeholders" if _DIALOGUE_RE.search(sentence)
                else "non_governmental_stakeholders")
    if noun.endswith("delegations"):
        return "member_states_attended"
    if re.search(r"\b(member )?states$", noun) and _ATTEND_RE.search(sentence):
        return "member_states_attended"
    if noun.endswith("participants"):
        return "participants"
    if noun.endswith("delegates"):
        return "delegates"
    return None


def _value(number: str) -> int:
    return int(number.replace(",", "")) if number[:1].isdigit() else to_number(number)


def extract_counts(joined: JoinedText) -> tuple[tuple[ParticipationCount, ...],
                                                tuple[ParseFinding, ...]]:
    """Every participation count the running text states, the first per measure; a later
    sentence giving another figure for the same measure is a `participation_conflict`."""
    counts: dict[str, ParticipationCount] = {}
    findings: list[ParseFinding] = []
    for start, _end, sentence in sentences(joined):
        taken: list[tuple[int, int]] = []
        found = []
        for match in _TOGETHER_RE.finditer(sentence):
            taken.append(match.span())
            found.append(("ngos_and_un_agencies", match))
        for match in _COUNT_RE.finditer(sentence):
            if any(a <= match.start() < b for a, b in taken):
                continue
            measure = _measure(squash_spaces(match["noun"]), sentence)
            if measure:
                found.append((measure, match))
        for measure, match in found:
            value = _value(match["number"])
            if 1900 <= value <= 2100 and not match["qualifier"]:
                continue  # a year ('3 July 2017 Over 300 …'): no count is better than a wrong one
            qualifier = QUALIFIERS.get((match["qualifier"] or "").lower(), "exact")
            line_start, line_end = joined.span_lines(start + match.start(), start + match.end())
            keep_first(counts, findings, ParticipationCount(
                measure, value, qualifier, sentence, line_start, line_end))
    return tuple(counts.values()), tuple(findings)


def keep_first(counts: dict[str, ParticipationCount], findings: list[ParseFinding],
               count: ParticipationCount) -> None:
    """Keep a document's first count of each measure; a later one that differs is a
    `participation_conflict` warning, never a silent replacement."""
    previous = counts.get(count.measure)
    if previous is None:
        counts[count.measure] = count
    elif (previous.value, previous.qualifier) != (count.value, count.qualifier):
        findings.append(ParseFinding(
            "participation_conflict", "warning",
            f"{count.measure}: line {previous.line_start} says {previous.value} "
            f"({previous.qualifier}), line {count.line_start} says {count.value} "
            f"({count.qualifier}); the first is kept", count.line_start))
