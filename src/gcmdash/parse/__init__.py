"""Clean text -> typed records: one pure parser per document kind, chosen by content."""
from __future__ import annotations

from dataclasses import replace

from gcmdash.extract.text import (
    HyphenLexicon,
    repair_joined_lines,
    repair_own_compounds,
)
from gcmdash.parse.classify import classify
from gcmdash.parse.common import NumberedLine, numbered_lines
from gcmdash.parse.procedural_note import parse_procedural_note
from gcmdash.parse.programme import parse_programme
from gcmdash.parse.record import parse_record_document
from gcmdash.parse.summary import parse_summary
from gcmdash.records import ParsedDocument, ParseError

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
    repaired = repair_own_compounds(repair_joined_lines(raw_lines, lexicon))
    lines = [NumberedLine(i, t) for i, t in enumerate(repaired, 1)]
    classification = classify(text, numbered_lines(text))
    parser = _PARSERS.get(classification.document_type)
    if parser is None:
        return ParsedDocument("other", classification.session_number, classification.classified_by,
                              findings=classification.findings)
    try:
        parsed = parser(lines, classification.session_number, classification.classified_by)
        if classification.findings:
            parsed = replace(parsed, findings=classification.findings + parsed.findings)
        return parsed
    except ParseError:
        raise
    except (ValueError, IndexError, KeyError, AttributeError, TypeError) as exc:
        # A parser bug on odd input must still fail this one document, with a clear reason.
        raise ParseError(f"{classification.document_type} parser failed: "
                         f"{type(exc).__name__}: {exc}") from exc


__all__ = ["parse_document", "ParseError", "NumberedLine"]
