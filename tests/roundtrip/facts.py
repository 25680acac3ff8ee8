"""Fact-diff harness: build each rendering with the project's own pipeline and compare it, fact for
fact, with the .txt golden records.

A fact is one record's identifying content, without line numbers (they differ per rendering):

| kind | key (pairs a fact with its counterpart) | value (what must be equal) |
|---|---|---|
| document | - | document type, session number |
| session | session number | title, city, country, venue, dates |
| agenda | day, start, end | item type, panel number, title |
| role | role, panel, full name | honorific, affiliation |
| participation | measure | value, qualifier |
| area | letter | heading |
| recommendation | area letter, text | - (a near-identical text in the same area counts as wrong) |
| format_rule | rule | min, max, unit |
| finding | check | severity |

Free text (agenda descriptions, area narratives) is compared too, as `text` facts, and reported
apart: a rendering is judged on the facts above. Text is compared after Unicode compatibility
normalisation, with one kind of quote and dash and single spaces, so a tool that makes quotes
typographic does not change a fact.

Per rendering and document: expected (the golden's facts), reproduced (equal), wrong (the key is
there, the value differs; or a recommendation only nearly equal), missed (absent), extra (facts
the golden does not have), and whether the document says it lost something (`flagged`: its
extraction failed, the parse raised, its completeness status is not `loaded`, or it carries a
finding the golden does not).
"""
from __future__ import annotations

import difflib
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from gcmdash.extract.text import HyphenLexicon
from gcmdash.runner.tasks import extract_task, parse_task
from tests.etl.golden import as_golden
from tests.roundtrip.model import golden

TEXT_KINDS = ("agenda_text", "area_text")
FUZZY_KINDS = ("recommendation",)
NEAR = 0.8  # difflib ratio above which a leftover text is the same fact, wrongly read

_QUOTES = str.maketrans({"‘": "'", "’": "'", "‚": "'", "“": '"', "”": '"', "„": '"',
                         "–": "-", "—": "-", "‐": "-", "‑": "-", "\u00ad": None})


def norm(value):
    """Comparable form of a field: text normalised, everything else as it is."""
    if not isinstance(value, str):
        return value
    text = unicodedata.normalize("NFKC", value).translate(_QUOTES)
    return re.sub(r"\s+", " ", text).strip()


@dataclass(frozen=True)
class Fact:
    kind: str
    key: tuple
    value: tuple

    def label(self) -> str:
        key = " / ".join(str(k) for k in self.key if k is not None)
        return f"{self.kind} {key}"[:120]


def _description(text: str | None) -> str | None:
    """An agenda description compared as text: the parser joins the parts it found with '; '
    (parse/agenda.py), and where one part ends depends on line breaks a rendering adds or the
    seed lost ('… the co-facilitators Remarks by the Secretary-General …' is one line of 002)."""
    return None if text is None else norm(text.replace("; ", " "))


def facts_of(record: dict) -> list[Fact]:
    """The facts of one parsed document (in its golden dict form)."""
    out = [Fact("document", (), (record["document_type"], record["session_number"]))]
    for s in record["sessions"]:
        out.append(Fact("session", (s["session_number"],), tuple(norm(s[k]) for k in (
            "title", "city", "country", "venue", "start_date", "end_date"))))
    for a in record["agenda_items"]:
        key = (a["day_number"], a["start_time"], a["end_time"])
        out.append(Fact("agenda", key, (a["item_type"], a["panel_number"], norm(a["title"]))))
        out.append(Fact("agenda_text", key, (_description(a["description"]),)))
    for r in record["roles"]:
        out.append(Fact("role", (r["role"], r["panel_number"], norm(r["full_name"])),
                        (norm(r["honorific"]), norm(r["affiliation"]))))
    for p in record["participation"]:
        out.append(Fact("participation", (p["measure"],), (p["value"], p["qualifier"])))
    for d in record["discussion_areas"]:
        out.append(Fact("area", (d["area_letter"],), (norm(d["heading"]),)))
        out.append(Fact("area_text", (d["area_letter"],), (norm(d["narrative"]),)))
    for r in record["recommendations"]:
        out.append(Fact("recommendation", (r["area_letter"], norm(r["text"])), ()))
    for f in record["format_rules"]:
        out.append(Fact("format_rule", (f["rule"],), (f["min_value"], f["max_value"], f["unit"])))
    for f in record["findings"]:
        out.append(Fact("finding", (f["check"],), (f["severity"],)))
    return out


@dataclass
class Diff:
    reproduced: list[Fact] = field(default_factory=list)
    wrong: list[tuple[Fact, Fact]] = field(default_factory=list)  # (expected, got)
    missed: list[Fact] = field(default_factory=list)
    extra: list[Fact] = field(default_factory=list)

    def count(self, which: str, text: bool = False) -> int:
        facts = getattr(self, which)
        facts = [f[0] if isinstance(f, tuple) else f for f in facts]
        return sum(1 for f in facts if (f.kind in TEXT_KINDS) == text)


def diff(expected: list[Fact], got: list[Fact]) -> Diff:
    result = Diff()
    left = Counter(got)
    for fact in expected:  # equal facts first, so a duplicate key cannot steal an exact match
        if left[fact]:
            left[fact] -= 1
            result.reproduced.append(fact)
    pending = Counter(expected) - Counter(result.reproduced)
    remaining = list(left.elements())
    for fact in pending.elements():
        match = next((g for g in remaining if g.kind == fact.kind and g.key == fact.key), None)
        if match is None and fact.kind in FUZZY_KINDS:
            match = _nearest(fact, remaining)
        if match is None:
            result.missed.append(fact)
        else:
            remaining.remove(match)
            result.wrong.append((fact, match))
    result.extra = remaining
    return result


def _nearest(fact: Fact, candidates: list[Fact]) -> Fact | None:
    best, best_ratio = None, NEAR
    for other in candidates:
        if other.kind == fact.kind and other.key[0] == fact.key[0]:
            ratio = difflib.SequenceMatcher(None, fact.key[1], other.key[1]).ratio()
            if ratio >= best_ratio:
                best, best_ratio = other, ratio
    return best


# --- building renderings ----------------------------------------------------------------------
@dataclass
class DocumentResult:
    seed: str
    path: Path
    status: str  # extraction status, `parse_error`, or the completeness status
    reasons: list[str]  # what the document says about itself (errors, gaps, new findings)
    diff: Diff

    @property
    def flagged(self) -> bool:
        """The document says it is incomplete: not `loaded`, or a finding the golden lacks."""
        return self.status != "loaded" or bool(self.reasons)

    @property
    def lost(self) -> int:
        return self.diff.count("missed") + self.diff.count("wrong")

    @property
    def silent_loss(self) -> bool:
        return self.lost > 0 and not self.flagged


def _completeness_status(parsed, text: str) -> tuple[str, list[str]]:
    """The build's status for a parsed document, where the completeness checks exist."""
    try:
        from gcmdash.parse.completeness import assess
    except ImportError:
        return "loaded", []
    completeness = assess(parsed, text)
    return completeness.status, [gap.message for gap in completeness.gaps]


def build_rendering(files: dict[str, Path]) -> list[DocumentResult]:
    """Extract and parse one rendering of the seeds as one corpus (its own hyphen lexicon, as a
    build of a folder of these files would have) and diff each document with its golden."""
    extracted = {seed: extract_task(str(path), {}) for seed, path in files.items()}
    counts = Counter()
    for _, tokens in extracted.values():
        if tokens is not None:
            counts.update(tokens)
    lexicon = HyphenLexicon.from_token_counts(counts)
    results = []
    for seed, (document, _) in extracted.items():
        expected_record = golden(seed)
        expected = facts_of(expected_record)
        if document.text is None:
            results.append(DocumentResult(seed, files[seed], document.status, [document.error or ""],
                                          diff(expected, [])))
            continue
        parsed, _ = parse_task(document.text, {"lexicon": lexicon})  # as the build parses
        if isinstance(parsed, str):  # the ParseError's message
            results.append(DocumentResult(seed, files[seed], "parse_error", [parsed],
                                          diff(expected, [])))
            continue
        record = as_golden(parsed)
        status, reasons = _completeness_status(parsed, document.text)
        known = {(f["check"], f["severity"]) for f in expected_record["findings"]}
        reasons += [f"{f['check']}: {f['message']}" for f in record["findings"]
                    if (f["check"], f["severity"]) not in known and f["severity"] != "info"]
        results.append(DocumentResult(seed, files[seed], status, reasons,
                                      diff(expected, facts_of(record))))
    return results
