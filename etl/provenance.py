"""How a row's provenance reads on screen, in SQL: the one format every table, chart caption
and the person directory use, so a source reads the same wherever it is shown.

"003_caee5c70cc5473e9.txt, line 11", "..., lines 12–13", or the curated page's URL.
Format with t=<table alias>.
"""
from __future__ import annotations

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

# The same for tables without a source_url column (facts only ever parsed from a document).
DOCUMENT_LABEL = SOURCE_LABEL.replace("ELSE {t}.source_url", "")
