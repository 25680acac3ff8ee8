"""Fidelity of the build on the development corpus: facts expected, right, missed, wrong.

The corpus documents (tests/corpus/documents) are built with the project's own pipeline, a full
`gcmdash.runner.build.build` into a temporary database, and what each document yielded is read
back from the data-model tables (documents, session_facts, participation, roles, panels,
agenda_items, discussion_areas, recommendations), rows filtered on that document's id. Curated
rows carry no document id, so they never count as read. Both sides are put in one fact form:

    ("kind",) ("session",) ("session_fact", name) ("participation", measure)
    ("person", name_key, role, panel) ("honorific", ...) ("affiliation", ...)
    ("panel_title", n) ("panel_time", n) ("agenda", day, start) ("area", letter)
    ("recommendation", letter, position)

and compared: right (read, same value), missed (not read), wrong (read with another value, or
read although the document does not state it: a glued name, a venue absorbed from the next
heading, a count the text does not give).
"""
from __future__ import annotations

import html
import json
import re
import shutil
import tempfile
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from gcmdash.vocab import STATUSES_WITH_FACTS

CORPUS_DIR = Path(__file__).resolve().parent
DOCUMENTS_DIR = CORPUS_DIR / "documents"
EXPECTED_DIR = CORPUS_DIR / "expected"

KINDS = ("procedural_note", "programme", "co_facilitators_summary", "chair_summary", "letter",
         "news_item", "press_release", "panel_page")
# The build's document_type vocabulary today -> the corpus's. 'summary' does not say whose
# summary it is, so it counts as right for either kind of summary; 'other' is no reading at all.
_LEGACY_KINDS = {"programme_of_work": "programme", "procedural_note": "procedural_note",
                 "summary": "summary"}
_SUMMARY_KINDS = {"co_facilitators_summary", "chair_summary"}
SESSION_FACTS = ("title", "short_name", "city", "country", "venue", "start_date", "end_date")
ROLES = ("co_facilitator", "secretary_general", "panelist", "moderator", "thematic_expert")
QUALIFIERS = ("exact", "more_than", "approximately")

Fact = tuple  # a fact key, e.g. ("person", "omar hilale", "moderator", 1)


# --- normal forms ------------------------------------------------------------------------------
def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def name_key(name: str) -> str:
    """Accent-, case- and punctuation-free form of a person's name."""
    return " ".join(re.sub(r"[^\w\s]", " ", _fold(name).casefold()).split())


def norm_text(text: str | None) -> str | None:
    """Compare text as a reader would: case, spacing, quote and dash forms, end punctuation."""
    if text is None:
        return None
    text = unicodedata.normalize("NFKC", text)
    text = re.sub(r"[\u2018\u2019\u02bc`]", "'", text)
    text = re.sub(r"[\u201c\u201d\u00ab\u00bb]", '"', text)
    text = re.sub(r"[\u2010-\u2015]", "-", text)
    text = " ".join(text.casefold().split())
    return text.strip(" .;:,\"'") or None


def norm_honorific(text: str | None) -> str | None:
    """'H. E. Ms.' and 'H.E. Ms.' are one honorific."""
    if not text:
        return None
    return re.sub(r"[\s.]", "", text).casefold() or None


_PANEL_PREFIX_RE = re.compile(r"^(panel\s+(\d+|[ivx]+|one|two|three|four)\s*[.:\-]?\s*|panel on\s+)",
                              re.IGNORECASE)


def norm_panel_title(title: str | None) -> str | None:
    """A panel title without its 'Panel 1.' / 'PANEL 1:' / 'Panel on' lead and '(webcast)'."""
    if title is None:
        return None
    title = _PANEL_PREFIX_RE.sub("", title.strip())
    title = re.sub(r"\s*\(webcast\)\s*$", "", title, flags=re.IGNORECASE)
    return norm_text(title)


def _time(value) -> str | None:
    if value is None:
        return None
    return str(value)[:5]


# --- the fact form -----------------------------------------------------------------------------
def _person_facts(people: list[dict]) -> dict[Fact, object]:
    facts: dict[Fact, object] = {}
    for person in people:
        ident = (name_key(person["name"]), person["role"], person.get("panel"))
        facts.setdefault(("person", *ident), True)
        if person.get("honorific"):
            facts.setdefault(("honorific", *ident), norm_honorific(person["honorific"]))
        if person.get("affiliation"):
            facts.setdefault(("affiliation", *ident), norm_text(person["affiliation"]))
    return facts


def _header_facts(record: dict) -> dict[Fact, object]:
    facts: dict[Fact, object] = {}
    if record.get("kind"):
        facts[("kind",)] = record["kind"]
    if record.get("session") is not None:
        facts[("session",)] = record["session"]
    for name, value in (record.get("session_facts") or {}).items():
        if value is not None:
            facts[("session_fact", name)] = value if name.endswith("_date") else norm_text(value)
    for count in record.get("participation") or []:
        facts.setdefault(("participation", count["measure"]), (count["value"], count["qualifier"]))
    return facts


def _programme_facts(record: dict) -> dict[Fact, object]:
    facts: dict[Fact, object] = {}
    for panel in record.get("panels") or []:
        if panel.get("title"):
            facts.setdefault(("panel_title", panel["panel"]), norm_panel_title(panel["title"]))
        if panel.get("start_time"):
            facts.setdefault(("panel_time", panel["panel"]),
                             (_time(panel["start_time"]), _time(panel["end_time"])))
    for item in record.get("agenda") or []:
        facts.setdefault(("agenda", item["day"], _time(item["start_time"])),
                         (_time(item["end_time"]), item["item_type"], item.get("panel")))
    return facts


def _summary_facts(record: dict) -> dict[Fact, object]:
    facts: dict[Fact, object] = {}
    for area in record.get("areas") or []:
        facts.setdefault(("area", area["letter"]), norm_text(area["heading"]))
    for rec in record.get("recommendations") or []:
        facts.setdefault(("recommendation", rec["area"], rec["position"]), norm_text(rec["text"]))
    return facts


def to_facts(record: dict) -> dict[Fact, object]:
    """A document's record (expected JSON, or what the build read) as fact key -> value."""
    return {**_header_facts(record), **_person_facts(record.get("people") or []),
            **_programme_facts(record), **_summary_facts(record)}


def _read_kind(document_type: str | None) -> str | None:
    """The build's document_type in the corpus's vocabulary: today's names are mapped, the
    kinds of issue 15 (letter, news_item, ...) pass through, 'other' is no reading."""
    if document_type in (None, "other"):
        return None
    return _LEGACY_KINDS.get(document_type, document_type)


def _kind_matches(expected: str, read: str) -> bool:
    return read == expected or (read == "summary" and expected in _SUMMARY_KINDS)


# --- scoring -----------------------------------------------------------------------------------
@dataclass
class Score:
    document: str
    expected: int = 0
    right: int = 0
    missed: int = 0
    wrong: int = 0
    details: list[tuple[str, Fact, object, object]] = field(default_factory=list)  # status, key, expected, read

    def add(self, status: str, key: Fact, want: object, got: object) -> None:
        """Count one fact as right, missed or wrong (`extra`: read, not in the record)."""
        if status != "extra":
            self.expected += 1
        counter = "wrong" if status == "extra" else status
        setattr(self, counter, getattr(self, counter) + 1)
        if status != "right":
            self.details.append((status, key, want, got))


def _people_by_name(facts: dict[Fact, object]) -> dict[str, list[Fact]]:
    names: dict[str, list[Fact]] = {}
    for key in facts:
        if key[0] == "person":
            names.setdefault(key[1], []).append(key)
    return names


def score(document: str, expected: dict[Fact, object], read: dict[Fact, object]) -> Score:
    """Compare a document's expected facts with what the build read from it."""
    result = Score(document)
    read_names = _people_by_name(read)
    expected_names = {key[1] for key in expected if key[0] == "person"}
    used: set[Fact] = set()
    for key, want in expected.items():
        if key[0] == "kind":
            got = read.get(key)
            status = "missed" if got is None else "right" if _kind_matches(want, got) else "wrong"
            result.add(status, key, want, got)
        elif key[0] in ("person", "honorific", "affiliation"):
            _score_person_fact(result, key, want, read, read_names, used)
        elif key in read:
            used.add(key)
            result.add("right" if read[key] == want else "wrong", key, want, read[key])
        else:
            result.add("missed", key, want, None)
    for key, got in read.items():
        if key in expected or key in used or key[0] in ("kind", "honorific", "affiliation"):
            continue
        if key[0] == "person" and key[1] in expected_names:
            continue  # the same name in another role was already counted against the record
        result.add("extra", key, None, got)
    return result


def _score_person_fact(result: Score, key: Fact, want: object, read: dict[Fact, object],
                       read_names: dict[str, list[Fact]], used: set[Fact]) -> None:
    ident = key[1:]
    person = ("person", *ident)
    candidates = read_names.get(ident[0], [])
    if person in read:
        match = person
    elif candidates:
        match = candidates[0]
    else:
        result.add("missed", key, want, None)
        return
    used.add(match)
    if key[0] == "person":
        result.add("right" if match == person else "wrong", key, want, match[1:])
        return
    got = read.get((key[0], *match[1:]))
    result.add("right" if got == want else "wrong" if got is not None else "missed", key, want, got)


# --- expected records and the build ------------------------------------------------------------
def documents() -> list[Path]:
    """The corpus documents, in a stable order."""
    return sorted(p for p in DOCUMENTS_DIR.iterdir() if p.is_file() and not p.name.startswith("."))


def load_expected() -> dict[str, dict]:
    """Expected record per document file name, from tests/corpus/expected/<stem>.json."""
    records = {}
    for path in sorted(EXPECTED_DIR.glob("*.json")):
        record = json.loads(path.read_text(encoding="utf-8"))
        records[record["document"]] = record
    return records


def document_text(path: Path) -> str:
    """The words of a corpus document (tags and entities removed), to check expected facts
    against what the document says, independently of the project's extractor."""
    raw = path.read_text(encoding="utf-8")
    if path.suffix in (".html", ".htm"):
        raw = re.sub(r"<(script|style)\b.*?</\1>", " ", raw, flags=re.S | re.I)
        raw = html.unescape(re.sub(r"<[^>]+>", " ", raw))
    return " ".join(raw.split())


_QUERIES = {
    "documents": "SELECT document_id, document_type, session_number, status, error FROM documents",
    "session_facts": "SELECT document_id, fact, value FROM session_facts WHERE document_id IS NOT NULL",
    "participation": "SELECT document_id, measure, value, qualifier FROM participation "
                     "WHERE document_id IS NOT NULL",
    # the person the build recorded: a name read with OCR noise and matched to a known person
    # (derive/names.py) counts as that person, any other role's person is its name as listed
    "roles": "SELECT r.document_id, p.full_name, r.role, r.panel_number, r.honorific, r.affiliation "
             "FROM roles r JOIN people p USING (person_id) "
             "WHERE r.document_id IS NOT NULL ORDER BY r.document_id, r.line_start",
    "panels": "SELECT document_id, panel_number, title, start_time, end_time FROM panels "
              "WHERE document_id IS NOT NULL",
    "agenda_items": "SELECT document_id, day_number, start_time, end_time, item_type, panel_number "
                    "FROM agenda_items ORDER BY document_id, day_number, start_time",
    "discussion_areas": "SELECT document_id, area_letter, heading FROM discussion_areas",
    "recommendations": "SELECT document_id, area_letter, position, text FROM recommendations",
    "flags": "SELECT document_id, count(*) FROM quality_flags WHERE document_id IS NOT NULL "
             "GROUP BY document_id",
    "coverage": "SELECT session_number, item, sources FROM record_coverage WHERE status = 'present'",
}
# record_coverage items that say "the record holds a document of this kind"
_COVERAGE_KINDS = {"procedural_note": "procedural_note", "programme_of_work": "programme",
                   "summary": "summary"}


def _blank_record() -> dict:
    return {"kind": None, "session": None, "status": None, "error": None, "flags": 0,
            "coverage_claims": [], "session_facts": {},
            "participation": [], "people": [], "panels": [], "agenda": [], "areas": [],
            "recommendations": []}


# query -> (record list it fills, the keys of its columns after document_id)
_ROW_LISTS = {
    "participation": ("participation", ("measure", "value", "qualifier")),
    "roles": ("people", ("name", "role", "panel", "honorific", "affiliation")),
    "panels": ("panels", ("panel", "title", "start_time", "end_time")),
    "agenda_items": ("agenda", ("day", "start_time", "end_time", "item_type", "panel")),
    "discussion_areas": ("areas", ("letter", "heading")),
    "recommendations": ("recommendations", ("area", "position", "text")),
}


def read_database(db_path: Path) -> dict[str, dict]:
    """What the build read from each document, in the expected records' shape."""
    import duckdb

    records: dict[str, dict] = {}
    with duckdb.connect(str(db_path), read_only=True) as con:
        rows = {name: con.execute(sql).fetchall() for name, sql in _QUERIES.items()}
    for doc_id, doc_type, session, status, error in rows["documents"]:
        record = records.setdefault(doc_id, _blank_record())
        loaded = status in STATUSES_WITH_FACTS  # a partial document's kind and session were read
        record.update(status=status, error=error,
                      kind=_read_kind(doc_type) if loaded else None,
                      session=session if loaded else None)
    for doc_id, fact, value in rows["session_facts"]:
        records.setdefault(doc_id, _blank_record())["session_facts"][fact] = value
    for query, (target, keys) in _ROW_LISTS.items():
        for doc_id, *values in rows[query]:
            records.setdefault(doc_id, _blank_record())[target].append(dict(zip(keys, values)))
    for doc_id, count in rows["flags"]:
        records.setdefault(doc_id, _blank_record())["flags"] = count
    for session, item, sources in rows["coverage"]:
        kind = _read_kind(item)
        for source in sources.split(", ") if kind in (*_COVERAGE_KINDS.values(), *KINDS) else ():
            if source in records:
                records[source]["coverage_claims"].append((session, kind))
    return records


def build_corpus(work_dir: Path, with_seeds: bool = False) -> dict[str, dict]:
    """Build the corpus documents (alone, or beside the seed documents of data/raw) into
    work_dir and read the result back."""
    from gcmdash.config import raw_dir
    from gcmdash.runner.build import build

    raw = work_dir / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    for path in [*(sorted(raw_dir().glob("*.txt")) if with_seeds else []), *documents()]:
        shutil.copy2(path, raw / path.name)
    db_path = work_dir / "corpus.duckdb"
    build(raw, db_path, workers=1)
    return read_database(db_path)


@dataclass
class Fidelity:
    scores: list[Score]
    read: dict[str, dict]
    expected: dict[str, dict] = field(default_factory=dict)

    @property
    def silent_loads(self) -> list[str]:
        """Documents loaded although they yielded no content fact, with no flag naming them."""
        silent = []
        for name, record in sorted(self.read.items()):
            content = [k for k in to_facts(record) if k[0] not in ("kind", "session")]
            if record["status"] == "loaded" and not content and not record["flags"]:
                silent.append(name)
        return silent

    @property
    def false_coverage(self) -> list[str]:
        """record_coverage rows that count a document as a kind it is not (per its record)."""
        claims = []
        for name, record in sorted(self.read.items()):
            want = self.expected.get(name, {}).get("kind")
            for session, kind in record["coverage_claims"]:
                if want and not _kind_matches(want, kind):
                    claims.append(f"{name}: counted as the {kind} of session {session} "
                                  f"(it is a {want})")
        return claims

    @property
    def total(self) -> Score:
        """All documents together."""
        total = Score("total")
        for s in self.scores:
            total.expected += s.expected
            total.right += s.right
            total.missed += s.missed
            total.wrong += s.wrong
        return total


def measure(work_dir: Path | None = None, with_seeds: bool = False) -> Fidelity:
    """Build the corpus and score every document against its expected record."""
    expected = load_expected()
    if work_dir is None:
        with tempfile.TemporaryDirectory(prefix="gcmdash-corpus-") as tmp:
            read = build_corpus(Path(tmp), with_seeds)
    else:
        read = build_corpus(work_dir, with_seeds)
    scores = [score(name, to_facts(record), to_facts(read.get(name, _blank_record())))
              for name, record in sorted(expected.items())]
    read = {name: record for name, record in read.items() if name in expected}
    return Fidelity(scores, read, expected)


def format_table(fidelity: Fidelity) -> str:
    """The fidelity table in Markdown."""
    lines = ["| document | expected | right | missed | wrong |", "|---|---:|---:|---:|---:|"]
    for s in [*fidelity.scores, fidelity.total]:
        name = f"**{s.document}**" if s.document == "total" else s.document
        lines.append(f"| {name} | {s.expected} | {s.right} | {s.missed} | {s.wrong} |")
    total = fidelity.total
    share = 100 * total.right / total.expected if total.expected else 0.0
    lines.append("")
    lines.append(f"{total.right} of {total.expected} facts right ({share:.0f}%), "
                 f"{total.missed} missed, {total.wrong} wrong.")
    lines.append("")
    lines.append("Loaded with no content fact and no flag: "
                 + (", ".join(fidelity.silent_loads) or "none") + ".")
    lines.append("Record coverage counting a document as a kind it is not: "
                 + ("; ".join(fidelity.false_coverage) or "none") + ".")
    return "\n".join(lines)


def format_details(fidelity: Fidelity) -> str:
    """Every fact not read right, per document, with what was expected and what was read."""
    out: list[str] = []
    for s in fidelity.scores:
        info = fidelity.read.get(s.document, {})
        out.append(f"\n## {s.document} (status {info.get('status')}"
                   + (f": {info.get('error')}" if info.get("error") else "") + ")")
        for status, key, want, got in s.details:
            out.append(f"- {status}: {key} expected={want!r} read={got!r}")
    return "\n".join(out)
