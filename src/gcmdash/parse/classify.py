"""Which kind of document this is, and which session it is about, read from its content.

A kind is decided by structure (a letter's salutation and closing, a press release's symbol, a
news item's dateline, a Web TV page's duration line, a programme's 'Organization of work'
heading, a note's title), so a mention of another document ('a procedural note is attached',
'the chair's summary') is evidence of a reference, not of a kind: when a kind of the record
(letter, news item, press release, panel page) wins, the other kinds' evidence is listed in
`classified_by` as what the document refers to.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from gcmdash.parse.caseless import lower_for_search
from gcmdash.parse.sessions import identify_session
from gcmdash.records import ParseFinding

_MONTH_WORD = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*"
# (document type, evidence pattern, weight, words): a transparent score, highest total wins.
# Patterns are case-insensitive unless they say (?-i:...). A pattern runs only on a text that
# holds one of its words (found in lower case for a case-insensitive pattern, as is
# for one that says (?-i:...)): each is in every match, and most texts hold few kinds' words.
_EVIDENCE: tuple[tuple[str, re.Pattern[str], int, tuple[str, ...]], ...] = tuple(
    (kind, re.compile(pattern, re.IGNORECASE | re.MULTILINE), weight, words)
    for kind, pattern, weight, words in (
        ("summary", r"^\W*Areas of discussion\W*$", 3, ("areas of discussion",)),
        ("summary", r"purpose of this summary|co-facilitators[’']? summary|chair[’']?s summary", 3,
         ("purpose of this summary", "co-facilitators", "chair")),
        ("summary", r"Concrete issues and recommendations", 2,
         ("concrete issues and recommendations",)),
        ("summary", r"\battended the (session|meeting)\b", 1, ("attended the ",)),
        ("chair_summary", r"^\W*Chair[’']?s summary\b[^\n]{0,80}$", 4, ("chair",)),
        ("programme_of_work", r"^\W*(Organi[sz]ation|Programme) of work\W*$", 3, (" of work",)),
        ("programme_of_work", r"^\W*Moderated by\b", 1, ("moderated by",)),
        ("procedural_note", r"\bProcedural Note for\b", 2, ("procedural note for",)),
        ("procedural_note", r"^\W*(II\.\s*)?Format\W*$", 2, ("format",)),
        ("letter", r"^\W*Excellency,?\s*$", 4, ("excellency",)),
        ("letter", r"\b(?:highest consideration|assurances of my highest)\b", 2, ("highest",)),
        ("letter", r"^\W*The President of the General Assembly\W*$", 2,
         ("the president of the general assembly",)),
        ("press_release", r"(?-i:^\s*[A-Z]{2,6}/\d{3,5}\s*$)", 5, ("/",)),
        ("news_item", rf"(?-i:^[A-Z][A-Z .'-]+,(?: [A-Z][a-z]+,)? \d{{1,2}} {_MONTH_WORD}"
                      r"(?: \d{4})? [-–—] )", 3, (" - ", " – ", " — ")),
        ("news_item", rf"(?-i:\A[^\n]{{10,}}\n\s*\n\s*\d{{1,2}} {_MONTH_WORD} \d{{4}}\s*$)", 2,
         ("\n",)),
        # a dateline closed by a colon: '23 May 2017: Delegations and experts have ...'
        ("news_item", rf"(?-i:^\d{{1,2}} {_MONTH_WORD} \d{{4}}:(?= [A-Z]))", 3, (":",)),
        ("panel_page", r"^\W*Duration:\s*\d{1,2}:\d{2}:\d{2}", 4, ("duration:",)),
        ("panel_page", r"\A\W*Panel\s+(?:\d+|[IVX]+)\s*[:.\-–]", 2, ("panel",)),
        ("panel_page", rf"(?-i:^\d{{1,2}} {_MONTH_WORD} \d{{4}} [-–] )", 2, (" - ", " – ")),
    )
)
# Kinds that exist in the record but whose evidence is read only when they win.
_RECORD_KINDS = ("letter", "news_item", "press_release", "panel_page", "chair_summary")


@dataclass(frozen=True)
class Classification:
    """A document's kind and session, with the evidence that decided them (`classified_by`),
    and findings about that evidence (evidence pointing to another session)."""

    document_type: str
    session_number: int
    classified_by: str
    findings: tuple[ParseFinding, ...] = ()


def _line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def _kind_evidence(text: str) -> tuple[dict[str, int], dict[str, list[str]]]:
    scores: dict[str, int] = {}
    reasons: dict[str, list[str]] = {}
    lower = lower_for_search(text)
    for kind, pattern, weight, needs in _EVIDENCE:
        where = text if pattern.pattern.startswith("(?-i:") else lower
        match = pattern.search(text) if where is None or any(w in where for w in needs) else None
        if match:
            scores[kind] = scores.get(kind, 0) + weight
            words, offset = match.group(0).strip(), match.start()
            if kind in _RECORD_KINDS:  # a structure pattern may span lines: its first word's line
                offset += len(match.group(0)) - len(match.group(0).lstrip())
                words = " ".join(words.split())
            reasons.setdefault(kind, []).append(f"'{words[:40]}' (line {_line_of(text, offset)})")
    return scores, reasons


def classify(text: str) -> Classification:
    """The document kind with the most evidence in the text ('other' on a tie or none) and its
    session (parse/sessions.py).

    Raises ParseError when nothing in the text identifies a session."""
    scores, reasons = _kind_evidence(text)
    ranked = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
    if not ranked or (len(ranked) > 1 and ranked[0][1] == ranked[1][1]):
        document_type, evidence = "other", "no document kind has the most evidence"
    else:
        document_type = ranked[0][0]
        evidence = "; ".join(reasons[document_type])
        if document_type in _RECORD_KINDS:
            refers = [f"{kind} {', '.join(reasons[kind])}" for kind, _ in ranked[1:]]
            if refers:
                evidence += f" (refers to: {'; '.join(refers)})"
    session = identify_session(text)
    findings = tuple(ParseFinding("session_evidence_conflict", "warning",
                                  f"classified as session {session.session_number} "
                                  f"({session.evidence}), but {conflict}")
                     for conflict in session.conflicts)
    return Classification(document_type, session.session_number,
                          f"{document_type}: {evidence}; {session.evidence}", findings)
