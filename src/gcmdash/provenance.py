"""How sources are named and weighed, in SQL shared by the build and the dashboard, so a source
reads the same, and several sources combine the same way, wherever they are shown.

Every SQL rule that several queries apply is written here once, as an SQL fragment:
- SOURCE_LABEL: "003_caee5c70cc5473e9.txt, line 11", "..., lines 12–13", or the curated page's
  URL (format with t=<table alias>); DOCUMENT_LABEL for tables without a source_url;
- `curated_last`: the sort key that puts rows parsed from a document before curated rows;
- `document_kind_rank`: a session's documents in the order of SOURCE_PRECEDENCE;
- `fold_accents`, `fold_text`: text compared without accents, or without case, accents and
  punctuation;
- `agreed_gender`: the gender the sources agree on.
"""
from __future__ import annotations

from gcmdash import vocab

SOURCE_LABEL = """
    CASE
        WHEN {t}.document_id IS NOT NULL AND {t}.line_start IS NOT NULL THEN
            {t}.document_id || CASE
                WHEN {t}.line_end IS NOT NULL AND {t}.line_end > {t}.line_start
                    THEN ', lines ' || {t}.line_start || '–' || {t}.line_end
                ELSE ', line ' || {t}.line_start
            END
        WHEN {t}.document_id IS NOT NULL THEN {t}.document_id
        ELSE {t}.source_url
    END"""



def source_label(document_id: object, line_start: object = None, line_end: object = None,
                 source_url: object = None) -> str:
    """SOURCE_LABEL in Python, for rows a query did not label: "doc, line 3", "doc, lines
    3–5", "doc" (no line), else the page's URL, else ""."""
    def given(value: object) -> bool:
        if value is None:
            return False
        try:
            return bool(value == value)  # NaN is not given
        except TypeError:  # pandas' NA (a nullable integer column's NULL) is not given either
            return False

    if given(document_id):
        if not given(line_start):
            return str(document_id)
        if given(line_end) and int(line_end) > int(line_start):
            return f"{document_id}, lines {int(line_start)}–{int(line_end)}"
        return f"{document_id}, line {int(line_start)}"
    return str(source_url) if given(source_url) else ""


# The curated reference files (data/reference) by what they are, for readers: a flag cites
# "curated programme (https://...)" where the build wrote "panels.csv:3".
REFERENCE_NAMES = {"sessions.csv": "curated session record", "panels.csv": "curated programme",
                   "people.csv": "curated list of speakers", "participation.csv": "curated counts",
                   "gcm_objectives.csv": "curated list of GCM objectives"}


def reference_name(reference_row: object) -> str:
    """'panels.csv:3' -> 'curated programme' (any other curated file: 'curated record')."""
    return REFERENCE_NAMES.get(str(reference_row).split(":")[0], "curated record")


def cited_document(label: object) -> str:
    """The document or page a SOURCE_LABEL names, without its lines."""
    return str(label).split(", line")[0]


# The same for tables without a source_url column (facts only ever parsed from a document).
DOCUMENT_LABEL = SOURCE_LABEL.replace("ELSE {t}.source_url", "")

# A session's documents are read, and preferred, in this order of kind.
SOURCE_PRECEDENCE = {t.value: t.order for t in vocab.in_order(vocab.DOCUMENT_KINDS)}


def document_kind_rank(column: str) -> str:
    """SQL: SOURCE_PRECEDENCE of the document type in `column` (none ranks as 'other')."""
    whens = " ".join(f"WHEN '{kind}' THEN {rank}" for kind, rank in SOURCE_PRECEDENCE.items())
    return f"CASE {column} {whens} ELSE {SOURCE_PRECEDENCE['other']} END"


def agreed_gender(column: str = "gender_as_listed") -> str:
    """SQL aggregate: female / male when the sources that give a gendered honorific agree,
    'unknown' when none does or they disagree (female in one, male in another)."""
    return (f"CASE WHEN count(DISTINCT {column}) FILTER (WHERE {column} <> 'unknown') = 1 "
            f"THEN any_value({column}) FILTER (WHERE {column} <> 'unknown') ELSE 'unknown' END")


def curated_last(alias: str = "") -> str:
    """SQL sort key: rows parsed from a document (document_id set) before curated rows, which
    cite a source_url instead; `alias` is the table's alias, if any."""
    prefix = f"{alias}." if alias else ""
    return f"({prefix}document_id IS NULL)"


def fold_accents(expression: str) -> str:
    """SQL: the text `expression` without accents ('Iván' -> 'Ivan')."""
    return f"strip_accents({expression})"


def fold_text(expression: str) -> str:
    """SQL: the text `expression` without case, accents or punctuation, for comparing what
    sources write ('Palais des Nations,' and 'palais des nations' fold the same)."""
    return (f"lower(trim(regexp_replace({fold_accents(expression)}, '[^A-Za-z0-9]+', ' ', "
            "'g')))")
