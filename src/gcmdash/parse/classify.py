"""Which kind of document this is, and which session it is about, read from its content."""
from __future__ import annotations

import re
from dataclasses import dataclass

from gcmdash.parse.common import NumberedLine, find_session_ordinal
from gcmdash.records import STOCKTAKING_SESSION, ParseError

# (document type, evidence pattern, weight): a transparent score, highest total wins.
_EVIDENCE: tuple[tuple[str, re.Pattern[str], int], ...] = tuple(
    (kind, re.compile(pattern, re.IGNORECASE | re.MULTILINE), weight)
    for kind, pattern, weight in (
        ("summary", r"^\W*Areas of discussion\W*$", 3),
        ("summary", r"purpose of this summary|co-facilitators[’']? summary|chair[’']?s summary", 3),
        ("summary", r"Concrete issues and recommendations", 2),
        ("summary", r"\battended the (session|meeting)\b", 1),
        ("programme_of_work", r"^\W*(Organi[sz]ation|Programme) of work\W*$", 3),
        ("programme_of_work", r"^\W*Moderated by\b", 1),
        ("procedural_note", r"\bProcedural Note for\b", 2),
        ("procedural_note", r"^\W*(II\.\s*)?Format\W*$", 2),
    )
)
_STOCKTAKING_RE = re.compile(r"\b(preparatory \(?stocktaking\)? meeting|stocktaking meeting of)",
                             re.IGNORECASE)


@dataclass(frozen=True)
class Classification:
    """A document's kind and session, with the evidence that decided them (`classified_by`)."""

    document_type: str
    session_number: int
    classified_by: str


def _line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def classify(text: str, lines: list[NumberedLine]) -> Classification:  # noqa: ARG001
    """The document kind with the most evidence in the text ('other' on a tie or none) and its session.

    Raises ParseError when the text names no session and no stocktaking meeting."""
    scores: dict[str, int] = {}
    reasons: dict[str, list[str]] = {}
    for kind, pattern, weight in _EVIDENCE:
        match = pattern.search(text)
        if match:
            scores[kind] = scores.get(kind, 0) + weight
            reasons.setdefault(kind, []).append(
                f"'{match.group(0).strip()[:40]}' (line {_line_of(text, match.start())})"
            )
    ranked = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
    if not ranked or (len(ranked) > 1 and ranked[0][1] == ranked[1][1]):
        document_type, evidence = "other", "no document kind has the most evidence"
    else:
        document_type = ranked[0][0]
        evidence = "; ".join(reasons[document_type])
    ordinal = find_session_ordinal(text)
    if ordinal:
        session_number, offset = ordinal
        where = f"session {session_number} from line {_line_of(text, offset)}"
    else:
        stocktaking = _STOCKTAKING_RE.search(text)
        if not stocktaking:
            raise ParseError("no session found: the text names no 'first' to 'sixth' informal "
                             "thematic session and no stocktaking meeting")
        session_number = STOCKTAKING_SESSION
        where = f"stocktaking meeting from line {_line_of(text, stocktaking.start())}"
    return Classification(document_type, session_number, f"{document_type}: {evidence}; {where}")
