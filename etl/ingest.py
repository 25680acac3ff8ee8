"""Files -> parsed documents: the map stage of the build.

Each file is extracted, then parsed, in isolated worker processes (etl/isolate.py) with time and
memory limits, `workers` at a time. Unchanged content is taken from the cache (etl/cache.py)
without starting a worker. Every file ends with a status: loaded (parsed; loading may still
reject it), failed, encrypted, no_text, or duplicate of an identical file listed earlier.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from etl.cache import DocumentCache
from etl.extract import ExtractedDocument, sha256_file
from etl.isolate import IsolatedPool, TaskFailed
from etl.records import ParsedDocument
from etl.tasks import extract_task, parse_task, set_lexicon_task
from etl.text import HyphenLexicon

EXTRACT_TIMEOUT_S = 60.0
PARSE_TIMEOUT_S = 60.0
WORKER_MEMORY_BYTES = 2 * 1024**3

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class NotLoaded:
    document: ExtractedDocument
    status: str  # failed / encrypted / no_text / duplicate
    reason: str
    duplicate_of: str | None = None


@dataclass
class IngestResult:
    parsed: list[tuple[ExtractedDocument, ParsedDocument]] = field(default_factory=list)
    not_loaded: list[NotLoaded] = field(default_factory=list)
    cache_hits: dict[str, int] = field(default_factory=dict)
    workers_started: bool = False


class _LazyPool:
    """Starts the worker processes only when some work is not in the cache."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self.pool: IsolatedPool | None = None

    def get(self, timeout_s: float) -> IsolatedPool:
        if self.pool is None:
            self.pool = IsolatedPool(self.workers, timeout_s, WORKER_MEMORY_BYTES).__enter__()
        self.pool.timeout_s = timeout_s
        return self.pool

    def close(self) -> None:
        if self.pool is not None:
            self.pool.__exit__(None, None, None)


def _failed_extraction(path: Path, sha256: str, reason: str) -> ExtractedDocument:
    return ExtractedDocument(document_id=path.name, file_name=path.name, sha256=sha256,
                             size_bytes=path.stat().st_size, format=path.suffix.lower().lstrip("."),
                             text=None, status="failed", error=reason)


def ingest(paths: list[Path], workers: int, cache: DocumentCache,
           progress: Progress = lambda stage, done, total: None) -> IngestResult:
    result = IngestResult()
    lazy = _LazyPool(workers)
    try:
        extracted = _extract_all(paths, cache, lazy, progress)
        readable: list[ExtractedDocument] = []
        first_of: dict[str, str] = {}
        for doc in extracted:  # paths are sorted: the first name of identical content loads
            if doc.status != "ok":
                result.not_loaded.append(NotLoaded(doc, doc.status, doc.error or doc.status))
            elif doc.sha256 in first_of:
                original = first_of[doc.sha256]
                result.not_loaded.append(NotLoaded(doc, "duplicate", f"identical content to {original}",
                                                   duplicate_of=original))
            else:
                first_of[doc.sha256] = doc.document_id
                readable.append(doc)
        lexicon = HyphenLexicon.from_texts([d.text for d in readable])
        for doc, outcome in _parse_all(readable, lexicon, cache, lazy, progress):
            if isinstance(outcome, ParsedDocument):
                result.parsed.append((doc, outcome))
            else:
                result.not_loaded.append(NotLoaded(replace(doc, text=None), "failed",
                                                   f"could not parse: {outcome}"))
        cache.prune({p.sha256 for p in extracted})
    finally:
        lazy.close()
    result.cache_hits = dict(cache.hits)
    result.workers_started = lazy.pool is not None
    result.parsed.sort(key=lambda pair: pair[0].document_id)
    result.not_loaded.sort(key=lambda n: n.document.document_id)
    return result


def _extract_all(paths: list[Path], cache: DocumentCache, lazy: _LazyPool,
                 progress: Progress) -> list[ExtractedDocument]:
    done: dict[str, ExtractedDocument] = {}
    todo: list[tuple[str, str]] = []
    hashes: dict[str, str] = {}
    for path in paths:
        digest = sha256_file(path)
        hashes[path.name] = digest
        cached = cache.extracted(digest, path)
        if cached is not None:
            done[path.name] = cached
        else:
            todo.append((path.name, str(path)))
    progress("extract", len(done), len(paths))
    if todo:
        by_name = {p.name: p for p in paths}
        for name, outcome in lazy.get(EXTRACT_TIMEOUT_S).map(extract_task, todo):
            if isinstance(outcome, TaskFailed):
                done[name] = _failed_extraction(by_name[name], hashes[name], outcome.reason)
            else:
                done[name] = outcome
                cache.store_extracted(outcome)
            progress("extract", len(done), len(paths))
    return [done[p.name] for p in paths]


def _parse_all(documents: list[ExtractedDocument], lexicon: HyphenLexicon, cache: DocumentCache,
               lazy: _LazyPool, progress: Progress):
    outcomes: dict[str, object] = {}
    todo: list[tuple[str, str]] = []
    for doc in documents:
        cached = cache.parsed(doc.sha256, lexicon)
        if cached is not None:
            outcomes[doc.document_id] = cached
        else:
            todo.append((doc.document_id, doc.text))
    progress("parse", len(outcomes), len(documents))
    if todo:
        pool = lazy.get(PARSE_TIMEOUT_S)
        pool.broadcast(set_lexicon_task, lexicon)
        by_id = {d.document_id: d for d in documents}
        for document_id, outcome in pool.map(parse_task, todo):
            if isinstance(outcome, TaskFailed):
                outcomes[document_id] = outcome.reason  # not cached: limits may be raised
            else:
                parsed, answers = outcome
                outcomes[document_id] = parsed
                cache.store_parsed(by_id[document_id].sha256, parsed, answers)
            progress("parse", len(outcomes), len(documents))
    return [(doc, outcomes[doc.document_id]) for doc in documents]
