"""Names read with OCR noise matched to the people the build already knows, only when that is
unambiguous.

The record's letters are scans: a name may come out as 'Jurg Laubcr' or 'Górnez Carnacho'. A
name read in such a document (vocab.OCR_PRONE_KINDS) that is no known person's is compared
with every known person (the curated reference and the people of every other kind of
document) over OCR-folded name keys: digits read for letters, 'rn' for 'm', spacing ignored.
When exactly one known person is within ACCEPT and the runner-up is at least MARGIN further
away, the role is recorded as that person (`approximate`); when several are close, or the
nearest is within NEAR but not ACCEPT, the name is kept as read (`unresolved`). Both are rows
of name_matches, and each is a quality flag (derive/checks.py): nothing is matched silently,
and nothing close is guessed.

Runs after load and before the people are resolved; it starts again from the names as read
on every build, so an incremental build matches against today's known people.
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass

import duckdb

from gcmdash import vocab
from gcmdash.parse.people import ocr_key, person_id

# Similarity (difflib ratio of the folded keys) a name must reach to be matched, how far
# behind the runner-up must be, and the similarity from which a known person is a candidate
# worth naming in an unresolved flag. One wrong character in a ten-letter name is 0.9.
ACCEPT = 0.9
MARGIN = 0.08
NEAR = 0.75
CANDIDATES_NAMED = 3

@dataclass(frozen=True)
class NameMatch:
    """A name as read against the known people: `approximate` with the person it is recorded
    as, or `unresolved`; the candidates (person_id, similarity), nearest first."""

    status: str
    person_id: str | None
    similarity: float
    candidates: tuple[tuple[str, float], ...]


def match_name(name: str, known: dict[str, set[str]]) -> NameMatch | None:
    """Match a name as read against known people (person_id -> their OCR keys); None when no
    known person is within NEAR (a person the build does not know yet)."""
    key = ocr_key(name)
    matcher = difflib.SequenceMatcher(autojunk=False)
    matcher.set_seq2(key)
    scores = []
    for pid, keys in known.items():
        best = 0.0
        for other in keys:
            matcher.set_seq1(other)
            if matcher.real_quick_ratio() >= NEAR and matcher.quick_ratio() >= NEAR:
                best = max(best, matcher.ratio())
        if best >= NEAR:
            scores.append((round(best, 3), pid))
    if not scores:
        return None
    scores.sort(key=lambda s: (-s[0], s[1]))
    candidates = tuple((pid, score) for score, pid in scores[:CANDIDATES_NAMED])
    top, runner_up = scores[0][0], (scores[1][0] if len(scores) > 1 else 0.0)
    if top >= ACCEPT and top - runner_up >= MARGIN:
        return NameMatch("approximate", scores[0][1], top, candidates)
    return NameMatch("unresolved", None, top, candidates)


_OCR_KINDS = vocab.sql_list(vocab.OCR_PRONE_KINDS)

# Each known spelling once: at 10,000 documents 43,000 roles hold 288 distinct ones, and folding
# every row's name cost 0.9 s of a one-file rebuild.
_KNOWN_SQL = f"""
    SELECT DISTINCT r.person_id, r.listed_name FROM roles r LEFT JOIN documents d USING (document_id)
    WHERE r.document_id IS NULL OR d.document_type NOT IN ({_OCR_KINDS})
"""
_READ_SQL = f"""
    SELECT r.role_id, r.person_id, r.listed_name, r.document_id, r.line_start, r.session_number
    FROM roles r JOIN documents d USING (document_id)
    WHERE d.document_type IN ({_OCR_KINDS})
    ORDER BY r.document_id, r.line_start, r.role_id
"""


def match_names(con: duckdb.DuckDBPyConnection) -> None:
    """Match the names of OCR-prone documents that no known person has to the known people:
    roles.person_id is set to the matched person, name_matches holds every match and every
    name left unresolved."""
    known: dict[str, set[str]] = {}
    for pid, listed in con.execute(_KNOWN_SQL).fetchall():
        known.setdefault(pid, set()).update({ocr_key(listed), ocr_key(pid.replace("-", " "))})
    updates, rows = [], []
    for role_id, current, listed, doc_id, line, session in con.execute(_READ_SQL).fetchall():
        own = person_id(listed)
        match = None if own in known else match_name(listed, known)
        target = match.person_id if match and match.person_id else own
        if target != current:  # a previous build's match, or today's
            updates.append((target, role_id))
        if match:
            rows.append((role_id, doc_id, line, session, listed, match.status, match.person_id,
                         match.similarity, [pid for pid, _ in match.candidates],
                         [score for _, score in match.candidates]))
    if updates:
        con.executemany("UPDATE roles SET person_id = ? WHERE role_id = ?", updates)
    if rows:
        con.executemany("INSERT INTO name_matches VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
