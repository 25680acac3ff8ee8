"""Finding words case-insensitively with plain string search, exactly as a regular expression
with re.IGNORECASE would find them, so a pattern need only run where its words occur."""
from __future__ import annotations

# Characters that match an ASCII letter ignoring case though their lower case is not that
# letter (dotted capital I lowers to two characters, dotless i and long s to themselves):
# tests/etl/test_completeness_marks.py checks every code point.
CASE_EXCEPTIONS = "\u0130\u0131\u017f"


def lower_for_search(text: str) -> str | None:
    """`text` in lower case, offset for offset, where a word of ASCII letters (and any other
    characters but those letters' case exceptions) occurs exactly where a case-insensitive
    pattern of that word matches; None for a text with a case exception, to be searched by
    the patterns themselves."""
    if any(character in text for character in CASE_EXCEPTIONS):
        return None
    return text.lower()
