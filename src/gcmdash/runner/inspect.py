"""`gcmdash inspect FILE...`: what the build would read from documents, without adding them.

For each file: its kind and session with the evidence, every fact with its line, the parser's
findings, and what a document of its kind usually holds that this one did not yield. Nothing
is written: no database, no cache, nothing in the raw folder.

Files are extracted and parsed in isolated workers under the build's limits (runner/isolate.py),
so a hostile file (one that hangs the parser, or exhausts memory) fails alone, with a one-line
reason, and the other files are still reported.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from gcmdash.extract.formats import ExtractedDocument, extract
from gcmdash.extract.text import HyphenLexicon, count_tokens
from gcmdash.parse.completeness import PROMISES, assess
from gcmdash.records import ParsedDocument
from gcmdash.runner.ingest import (
    EXTRACT_CPU_S,
    EXTRACT_TIMEOUT_S,
    PARSE_CPU_S,
    PARSE_TIMEOUT_S,
    WORKER_MEMORY_BYTES,
)
from gcmdash.runner.isolate import IsolatedPool, TaskFailed
from gcmdash.runner.tasks import parse_task, set_lexicon_task

# What a document of each kind usually holds (beyond what it promises, which makes it partial).
USUALLY_HOLDS: dict[str, tuple[str, ...]] = {
    **PROMISES,
    "letter": ("sessions", "roles"),
    "news_item": ("sessions", "participation"),
    "panel_page": ("roles",),
}
_FACT_LABELS = {"sessions": "place and dates", "agenda_items": "agenda items", "roles": "people in roles",
                "participation": "participation counts", "discussion_areas": "areas of discussion",
                "recommendations": "recommendations", "format_rules": "format rules"}


@dataclass(frozen=True)
class Inspection:
    """What one file yields: its parsed document (None when it failed) and the report's lines."""

    path: Path
    parsed: ParsedDocument | None
    lines: tuple[str, ...]

    @property
    def failed(self) -> bool:
        """Whether the file could not be read as any document of the record."""
        return self.parsed is None


def _lines_of(start: int, end: int | None = None) -> str:
    return f"line {start}" if end in (None, start) else f"lines {start}-{end}"


def _session_fact_lines(parsed: ParsedDocument) -> list[str]:
    out = []
    for s in parsed.sessions:
        for fact in ("title", "city", "country", "venue", "start_date", "end_date"):
            value = getattr(s, fact)
            if value is not None:
                out.append(f"{_lines_of(s.line_start, s.line_end)}: session {s.session_number} "
                           f"{fact} = {value}")
    return out


def fact_lines(parsed: ParsedDocument) -> list[str]:
    """Every fact of a parsed document, one line each, with the line(s) it came from."""
    out = _session_fact_lines(parsed)
    for a in parsed.agenda_items:
        panel = f" panel {a.panel_number}" if a.panel_number else ""
        out.append(f"{_lines_of(a.line_start, a.line_end)}: agenda day {a.day_number} "
                   f"{a.start_time:%H:%M}-{a.end_time:%H:%M} {a.item_type}{panel}: {a.title}")
    for t in parsed.panels:
        out.append(f"{_lines_of(t.line_start, t.line_end)}: panel {t.panel_number} (no times): "
                   f"{t.title}")
    for r in parsed.roles:
        panel = f" (panel {r.panel_number})" if r.panel_number else ""
        who = " ".join(p for p in (r.honorific, r.full_name) if p)
        out.append(f"{_lines_of(r.line_start, r.line_end)}: {r.role}{panel}: {who}"
                   + (f", {r.affiliation}" if r.affiliation else ""))
    for c in parsed.participation:
        out.append(f"{_lines_of(c.line_start, c.line_end)}: participation {c.measure} = "
                   f"{c.value} ({c.qualifier})")
    for area in parsed.discussion_areas:
        out.append(f"{_lines_of(area.line_start, area.line_end)}: area {area.area_letter}. "
                   f"{area.heading}")
    for rec in parsed.recommendations:
        out.append(f"{_lines_of(rec.line_start, rec.line_end)}: recommendation "
                   f"{rec.area_letter}{rec.position}: {rec.text[:80]}")
    for rule in parsed.format_rules:
        out.append(f"{_lines_of(rule.line_start, rule.line_end)}: format rule {rule.rule} = "
                   f"{rule.min_value}-{rule.max_value} {rule.unit}")
    return out


def _report(path: Path, parsed: ParsedDocument, text: str) -> list[str]:
    completeness = assess(parsed, text)
    lines = [f"{path.name}: {parsed.document_type.replace('_', ' ')}, session "
             f"{parsed.session_number} ({completeness.status})",
             f"  classified by: {parsed.classified_by}"]
    facts = fact_lines(parsed)
    lines.append(f"  facts ({len(facts)}):" if facts else "  facts: none")
    lines += [f"    {fact}" for fact in facts]
    for finding in parsed.findings:
        where = f" (line {finding.line_start})" if finding.line_start else ""
        lines.append(f"  {finding.severity}: {finding.check}{where}: {finding.message}")
    missing = [_FACT_LABELS[k] for k in USUALLY_HOLDS.get(parsed.document_type, ())
               if not getattr(parsed, k)]
    if missing:
        lines.append(f"  not yielded (a {parsed.document_type.replace('_', ' ')} usually holds "
                     f"them): {', '.join(missing)}")
    lines += [f"  gap: {gap.message}" for gap in completeness.gaps]
    return lines


def extract_file_task(path: str, state: dict) -> tuple[ExtractedDocument, Counter[str] | None]:  # noqa: ARG001
    """In a worker: the file's document and its word counts (None without text)."""
    document = extract(Path(path))
    return document, (count_tokens(document.text) if document.text is not None else None)


def _one_line(text: str | None, first_line_only: bool = False) -> str:
    """A reason on one line: a worker's failure by its first line (a traceback follows it)."""
    text = str(text or "")
    if first_line_only:
        text = next((line for line in text.splitlines() if line.strip()), "")
    return " ".join(text.split()) or "no reason given"


def inspect_files(paths: list[Path], workers: int = 1) -> list[Inspection]:
    """Extract and parse each file as the build would (in isolated workers, under the build's
    limits; the files' own words as the hyphen lexicon), and describe what it yields. A file
    that cannot be read or parsed, or overruns a limit, is one failed Inspection."""
    keys = [(str(index), str(path)) for index, path in enumerate(paths)]
    failures: dict[int, str] = {}
    extracted: dict[int, ExtractedDocument] = {}
    counts: Counter[str] = Counter()
    with IsolatedPool(workers, EXTRACT_TIMEOUT_S, WORKER_MEMORY_BYTES, EXTRACT_CPU_S) as pool:
        for key, outcome in pool.map(extract_file_task, keys):
            if isinstance(outcome, TaskFailed):
                failures[int(key)] = f"not read: {_one_line(outcome.reason, True)}"
                continue
            document, words = outcome
            if document.text is None:
                failures[int(key)] = f"not read: {_one_line(document.error)}"
            else:
                extracted[int(key)] = document
                counts.update(words)
        pool.timeout_s, pool.cpu_s = PARSE_TIMEOUT_S, PARSE_CPU_S
        parsed: dict[int, ParsedDocument] = {}
        if extracted:
            pool.broadcast(set_lexicon_task, HyphenLexicon.from_token_counts(counts))
            texts = [(str(index), doc.text) for index, doc in sorted(extracted.items())]
            for key, outcome in pool.map(parse_task, texts, weigh=len):
                result = outcome if isinstance(outcome, TaskFailed) else outcome[0]
                if isinstance(result, ParsedDocument):
                    parsed[int(key)] = result
                else:
                    reason = (_one_line(result.reason, True) if isinstance(result, TaskFailed)
                              else _one_line(result))
                    failures[int(key)] = f"failed: {reason}"
    out = []
    for index, path in enumerate(paths):
        if index in parsed:
            lines = _report(path, parsed[index], extracted[index].text or "")
            out.append(Inspection(path, parsed[index], tuple(lines)))
        else:
            out.append(Inspection(path, None, (f"{path.name}: {failures[index]}",)))
    return out
