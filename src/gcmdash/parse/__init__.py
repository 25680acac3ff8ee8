"""Clean text -> typed records: one pure parser per document kind, chosen by content."""
from __future__ import annotations

import dataclasses

from gcmdash.extract.text import (
    HyphenLexicon,
    repair_joined_lines,
    repair_own_compounds,
    repair_split_words,
)
from gcmdash.parse.classify import classify
from gcmdash.parse.common import PLAUSIBLE_YEARS, NumberedLine
from gcmdash.parse.procedural_note import parse_procedural_note
from gcmdash.parse.programme import parse_programme
from gcmdash.parse.record import parse_record_document
from gcmdash.parse.summary import parse_summary
from gcmdash.records import ParsedDocument, ParseError, ParseFinding

_PARSERS = {
    "procedural_note": parse_procedural_note,
    "programme_of_work": parse_programme,
    "summary": parse_summary,
    **{kind: parse_record_document(kind)
       for kind in ("chair_summary", "letter", "panel_page", "press_release", "news_item")},
}


def parse_document(text: str, lexicon: HyphenLexicon | None = None) -> ParsedDocument:
    """Parse one document's clean text. Raises ParseError (never anything else) when it can't.

    `lexicon` is what the whole corpus says about hyphenated words; it lets the parser repair
    line-break hyphens that PDF extraction lost. Without it the document's own words are used.
    """
    if not text.strip():
        raise ParseError("the document has no text")
    lexicon = lexicon or HyphenLexicon.from_texts([text])
    raw_lines = text.split("\n")
    repaired = repair_split_words(repair_own_compounds(repair_joined_lines(raw_lines, lexicon)))
    lines = [NumberedLine(i, t) for i, t in enumerate(repaired, 1)]
    classification = classify(text)
    parser = _PARSERS.get(classification.document_type)
    if parser is None:
        return ParsedDocument("other", classification.session_number, classification.classified_by,
                              findings=classification.findings)
    try:
        parsed = parser(lines, classification.session_number, classification.classified_by)
        if classification.findings:
            parsed = dataclasses.replace(
                parsed, findings=classification.findings + parsed.findings)
        return drop_implausible_dates(parsed)
    except ParseError:
        raise
    except (ValueError, IndexError, KeyError, AttributeError, TypeError) as exc:
        # A parser bug on odd input must still fail this one document, with a clear reason.
        raise ParseError(f"{classification.document_type} parser failed: "
                         f"{type(exc).__name__}: {exc}") from exc


def drop_implausible_dates(parsed: ParsedDocument) -> ParsedDocument:
    """The parsed document without session dates outside the consultations' years (a 'year
    0001' typo must not replace the curated dates), each dropped date pair a warning."""
    sessions, findings = [], []
    for session in parsed.sessions:
        dates = [d for d in (session.start_date, session.end_date) if d is not None]
        if all(d.year in PLAUSIBLE_YEARS for d in dates):
            sessions.append(session)
            continue
        sessions.append(dataclasses.replace(session, start_date=None, end_date=None))
        findings.append(ParseFinding(
            "implausible_date", "warning",
            f"session {session.session_number}: the dates {session.start_date} to "
            f"{session.end_date} are outside the consultations' years "
            f"({PLAUSIBLE_YEARS.start}-{PLAUSIBLE_YEARS.stop - 1}); not used",
            session.line_start))
    if not findings:
        return parsed
    return dataclasses.replace(parsed, sessions=tuple(sessions),
                               findings=parsed.findings + tuple(findings))


__all__ = ["parse_document", "ParseError", "NumberedLine"]
