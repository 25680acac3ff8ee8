"""Files -> parsed documents: the map stage of the build.

Each file is extracted, then parsed, in isolated worker processes (gcmdash/runner/isolate.py) with time and
memory limits, `workers` at a time. Unchanged content is taken from the cache (gcmdash/runner/cache.py)
without starting a worker. Every file ends with a status: loaded (parsed; loading may still
reject it), failed, encrypted, no_text, or duplicate of an identical file listed earlier.

Given a previous build (its loaded documents and corpus state), a document is *reused* instead:
neither extracted nor parsed, its rows kept from the previous database, when

- its file has the same name and content as a document that build loaded,
- it is still the first file of that content (not now a duplicate of an earlier name),
- the new corpus's hyphen lexicon answers the questions its parse asked the same way, and
- it is not a summary of a session whose areas and recommendations now come from another
  summary than before (they come from the first summary, by document id, that has areas; the
  other summaries' flags name it, so all of them are read again when it changes).

The corpus-wide word counts behind the lexicon are updated by the changed files only. So an
incremental build reads and parses what changed, and gives the tables a full build gives.
"""
from __future__ import annotations

import functools
import hashlib
import os
import pickle
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from stat import S_ISREG

from gcmdash.extract.files import TooLarge, hash_fd, open_regular
from gcmdash.extract.formats import MAX_BYTES, ExtractedDocument
from gcmdash.extract.text import HyphenLexicon
from gcmdash.load.database import NotLoaded
from gcmdash.records import ParsedDocument
from gcmdash.runner.cache import DocumentCache
from gcmdash.runner.isolate import IsolatedPool, TaskFailed
from gcmdash.runner.state import CorpusState, FileStamp
from gcmdash.runner.tasks import (
    extract_task,
    forget_texts_task,
    keep_extraction,
    parse_kept,
    set_lexicon_task,
)

# A document's fate is decided by the processor time it takes (the same on any machine load),
# never by the wall clock alone: the wall-clock limits are backstops for a task that waits.
EXTRACT_CPU_S = 60.0
PARSE_CPU_S = 60.0
EXTRACT_TIMEOUT_S = 600.0
PARSE_TIMEOUT_S = 600.0
WORKER_MEMORY_BYTES = 2 * 1024**3

Progress = Callable[[str, int, int], None]
Extraction = tuple[ExtractedDocument, Counter | None]  # the document and its word counts



@dataclass(frozen=True)
class LoadedBefore:
    """A document the previous build loaded: its content hash, type and session."""
    sha256: str
    document_type: str
    session_number: int


@dataclass(frozen=True)
class PreviousBuild:
    """What a previous build made with the same code and reference data offers the next one."""
    loaded: dict[str, LoadedBefore]  # document_id -> what it was
    state: CorpusState
    summaries_with_areas: dict[str, int]  # summary document_id -> session, loaded or flagged


@dataclass
class IngestResult:
    """The map stage's output: parsed documents, the others with why, and what was reused."""

    parsed: list[tuple[ExtractedDocument, ParsedDocument]] = field(default_factory=list)
    not_loaded: list[NotLoaded] = field(default_factory=list)
    reused: list[str] = field(default_factory=list)  # document ids taken from the previous build
    # session -> the reused summary its areas and recommendations still come from
    kept_summaries: dict[int, str] = field(default_factory=dict)
    hashes: dict[str, str] = field(default_factory=dict)  # file name -> sha256, every file
    state: CorpusState | None = None  # this corpus's state (input_fingerprint set by the build)
    cache_hits: dict[str, int] = field(default_factory=dict)
    workers_started: bool = False


class LazyPool:
    """Starts the worker processes only when some work is not in the cache, or earlier when
    told some is likely (`warm`)."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self.pool: IsolatedPool | None = None
        self.used = False  # a task was given to the workers
        self.holders: dict[str, int] = {}  # sha256 -> the worker that holds its text

    def warm(self, count: int) -> None:
        """Start `count` workers now, so that they are ready when the first task comes (a
        worker takes about 0.2 s to load its code: most of a one-file rebuild's wait)."""
        self._pool(EXTRACT_TIMEOUT_S, EXTRACT_CPU_S).start(count)

    def get(self, timeout_s: float, cpu_s: float) -> IsolatedPool:
        """The pool, started if it was not, with these limits for the tasks that follow."""
        self.used = True
        return self._pool(timeout_s, cpu_s)

    def _pool(self, timeout_s: float, cpu_s: float) -> IsolatedPool:
        if self.pool is None:
            self.pool = IsolatedPool(self.workers, timeout_s, WORKER_MEMORY_BYTES,
                                     cpu_s).__enter__()
        self.pool.timeout_s, self.pool.cpu_s = timeout_s, cpu_s
        return self.pool

    def close(self) -> None:
        """Stop the workers (at once if they were never given a task)."""
        if self.pool is not None and self.used:
            self.pool.__exit__(None, None, None)
        elif self.pool is not None:  # warmed for nothing: no need to wait for it to load
            self.pool.kill()


def likely_changed(paths: list[Path], known: dict[str, FileStamp]) -> bool:
    """Whether some file no longer matches its stamp from the previous build (an lstat each,
    up to the first that does not): then the build will probably read one."""
    return not all(_matches_unopened(path, known.get(path.name)) for path in paths)


def _matches_unopened(path: Path, known: FileStamp | None) -> bool:
    """Whether the entry is still the regular file of its stamp, seen by lstat alone: a link
    (even one swapped in since) never matches a regular file's stamp."""
    if known is None:
        return False
    try:
        entry = os.lstat(path)
    except OSError:
        return False
    return S_ISREG(entry.st_mode) and known.matches(entry)


def _without_text(path: Path, sha256: str, status: str = "ok", reason: str | None = None
                  ) -> ExtractedDocument:
    return ExtractedDocument(document_id=path.name, file_name=path.name, sha256=sha256,
                             size_bytes=path.stat().st_size, format=path.suffix.lower().lstrip("."),
                             text=None, status=status, error=reason)


NO_CONTENT_SHA256 = hashlib.sha256(b"").hexdigest()


def unreadable_entry(name: str, reason: str, size_bytes: int = 0) -> NotLoaded:
    """A failed document for an input-folder entry whose content was never read."""
    return NotLoaded(ExtractedDocument(
        document_id=name, file_name=name, sha256=NO_CONTENT_SHA256, size_bytes=size_bytes,
        format=Path(name).suffix.lower().lstrip(".") or "none", text=None, status="failed",
        error=reason), "failed", reason)


def ingest(paths: list[Path], workers: int, cache: DocumentCache,
           progress: Progress = lambda stage, done, total: None,
           previous: PreviousBuild | None = None,
           known_files: dict[str, FileStamp] | None = None,
           pool: LazyPool | None = None) -> IngestResult:
    """Extract and parse every file (or reuse it from `previous`). `known_files` are the file
    stamps of an earlier build: a file that still matches its stamp is not hashed again. A
    file that cannot be read when it is hashed is a failed document; the others carry on.
    `pool` (of `workers`), perhaps warmed already, is closed when it returns."""
    lazy = pool or LazyPool(workers)
    unreadable: dict[str, str] = {}
    sizes: dict[str, int] = {}
    try:
        stamps = hash_files(paths, known_files or {}, unreadable, sizes)
        paths = [p for p in paths if p.name in stamps]
        hashes = {name: stamp.sha256 for name, stamp in stamps.items()}
        before = previous.loaded if previous else {}
        cache.prefetch({sha for name, sha in hashes.items()  # those the build will look up
                        if name not in before or before[name].sha256 != sha})
        result = _ingest(paths, hashes, cache, lazy, progress, previous)
        if result is None:  # the previous word counts could not be updated: start afresh
            result = _ingest(paths, hashes, cache, lazy, progress, None)
    finally:
        lazy.close()
    result.state.files = stamps
    result.not_loaded += [unreadable_entry(name, reason, sizes.get(name, 0))
                          for name, reason in unreadable.items()]
    result.cache_hits = dict(cache.hits)
    result.workers_started = lazy.used
    result.parsed.sort(key=lambda pair: pair[0].document_id)
    result.not_loaded.sort(key=lambda n: n.document.document_id)
    return result


def hash_files(paths: list[Path], known: dict[str, FileStamp],
               unreadable: dict[str, str] | None = None,
               sizes: dict[str, int] | None = None) -> dict[str, FileStamp]:
    """file name -> stamp with the content's sha256; files whose stamp still matches are not
    read (see FileStamp). A file that is no longer a regular file in its folder, is over
    MAX_BYTES (found before a byte is read; its size then goes in `sizes`) or cannot be read
    is left out, with the reason in `unreadable` (or raised as OSError without it)."""
    stamps = {}
    for path in paths:
        try:
            stamps[path.name] = _stamp(path, known.get(path.name))
        except OSError as exc:
            if unreadable is None:
                raise
            if isinstance(exc, TooLarge):
                unreadable[path.name] = exc.strerror
                if sizes is not None:
                    sizes[path.name] = exc.size
            else:
                unreadable[path.name] = f"could not be read: {exc.strerror or exc}"
    return stamps


def _stamp(path: Path, known: FileStamp | None) -> FileStamp:
    # A file that still matches its stamp is not opened: lstat sees the entry itself, so a
    # link (even one swapped in since) never matches a regular file's stamp and is opened
    # below, with every check. 10,000 unchanged files cost 10,000 lstat calls, no open.
    if _matches_unopened(path, known):
        return known
    # The entry may have changed since discovery (a file swapped for a FIFO or a link out of
    # the folder): see gcmdash/extract/files.py. The size is checked before any byte is read.
    with open_regular(path, inside=path.parent) as (fd, stat):
        if known is not None and known.matches(stat):
            return known
        if stat.st_size > MAX_BYTES:
            raise TooLarge(stat.st_size, MAX_BYTES)
        hashed_at = time.time_ns()
        sha256 = hash_fd(fd)
    return FileStamp(stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino,
                     sha256, hashed_at)


def _ingest(paths: list[Path], hashes: dict[str, str], cache: DocumentCache, lazy: LazyPool,
            progress: Progress, previous: PreviousBuild | None) -> IngestResult | None:
    result = IngestResult(hashes=hashes)
    by_name = {path.name: path for path in paths}
    loaded_before = previous.loaded if previous else {}
    unchanged = {name for name, sha in hashes.items()
                 if name in loaded_before and loaded_before[name].sha256 == sha}
    # Without a previous build every text is counted: its counts are summed as it arrives
    # rather than kept per document until all have (13 KB a document, 1.3 GB at 100,000).
    summed = _CountSum() if previous is None else None
    extracted = _extract_all([p for p in paths if p.name not in unchanged], hashes, cache, lazy,
                             progress, summed)

    readable: list[str] = []  # file names whose text is part of the corpus
    first_of: dict[str, str] = {}
    for path in paths:  # sorted: the first name of identical content loads
        name, sha = path.name, hashes[path.name]
        doc = extracted[name][0] if name in extracted else None
        if doc is not None and doc.status != "ok":
            result.not_loaded.append(NotLoaded(doc, doc.status, doc.error or doc.status))
        elif sha in first_of:
            original = first_of[sha]
            result.not_loaded.append(NotLoaded(
                doc or _without_text(path, sha), "duplicate", f"identical content to {original}",
                duplicate_of=original))
            unchanged.discard(name)
        else:
            first_of[sha] = name
            readable.append(name)

    counts = (summed.total if summed is not None else
              _corpus_counts({hashes[n] for n in readable}, extracted, hashes, cache, previous))
    if counts is None:
        return None
    for name, (doc, _) in extracted.items():  # summed: each text's own counts are not needed
        extracted[name] = (doc, None)
    lexicon = HyphenLexicon.from_token_counts(counts)
    answers: dict[str, dict] = {}
    reused = _still_valid(unchanged & set(readable), hashes, lexicon, previous, answers)

    parsed = _extract_and_parse([n for n in readable if n not in reused], by_name, hashes,
                                extracted, lexicon, cache, lazy, progress, answers)
    if previous is not None:
        before = _first_summaries(previous.summaries_with_areas)
        after = _first_summaries(
            {n: s for n, s in previous.summaries_with_areas.items() if n in reused}
            | {n: p.session_number for n, (_, p) in parsed.items()
               if isinstance(p, ParsedDocument) and p.discussion_areas})
        moved = {s for s in before.keys() | after.keys() if before.get(s) != after.get(s)}
        again = sorted(n for n in reused if previous.summaries_with_areas.get(n) in moved)
        reused -= set(again)
        parsed |= _extract_and_parse(again, by_name, hashes, extracted, lexicon, cache, lazy,
                                     progress, answers)
        result.kept_summaries = {s: n for s, n in after.items() if n in reused}

    for name, (doc, outcome) in parsed.items():
        if isinstance(outcome, ParsedDocument):
            result.parsed.append((doc, outcome))
        else:
            result.not_loaded.append(NotLoaded(doc, "failed", f"could not parse: {outcome}"))
            answers.pop(hashes[name], None)
    result.reused = sorted(reused)
    result.state = CorpusState(input_fingerprint="", token_counts=counts,
                               counted=frozenset(hashes[n] for n in readable), answers=answers)
    return result


def _first_summaries(summaries: dict[str, int]) -> dict[int, str]:
    """session -> the summary its areas and recommendations come from: the first by document
    id (summaries load in document-id order; gcmdash.load.database.load_order)."""
    first: dict[int, str] = {}
    for name in sorted(summaries):
        first.setdefault(summaries[name], name)
    return first


class _CountSum:
    """Word counts summed over each distinct content once, as extractions arrive. Over a
    whole corpus that is the count over its readable texts: a text is readable when its
    extraction has one (status ok), and duplicates share their content."""

    def __init__(self) -> None:
        self.total: Counter = Counter()
        self._counted: set[str] = set()

    def add(self, sha256: str, counts: Counter | None) -> None:
        if counts is not None and sha256 not in self._counted:
            self._counted.add(sha256)
            self.total.update(counts)


def _corpus_counts(readable: set[str], extracted: dict[str, Extraction], hashes: dict[str, str],
                   cache: DocumentCache, previous: PreviousBuild) -> Counter | None:
    """Word counts over the readable texts (each content once): the previous build's counts
    with the texts that left the corpus taken out and the new ones added (a build without a
    previous one sums them as they arrive: _CountSum). None when a text that left has no
    cached counts."""
    new_counts = {hashes[name]: counts for name, (_, counts) in extracted.items()
                  if counts is not None}
    total = Counter(previous.state.token_counts)
    for sha in sorted(previous.state.counted - readable):
        gone = new_counts.get(sha) or cache.token_counts(sha)
        if gone is None:
            return None
        total.subtract(gone)
    for sha in sorted(readable - previous.state.counted):
        total.update(new_counts[sha])
    return +total  # drops words no text uses any more


def _still_valid(candidates: set[str], hashes: dict[str, str], lexicon: HyphenLexicon,
                 previous: PreviousBuild | None, answers: dict[str, dict]) -> set[str]:
    """The unchanged documents whose parse the new lexicon would not change (each distinct
    question is put to the lexicon once)."""
    if previous is None:
        return set()
    asked: dict[str, str | None] = {}
    valid = set()
    for name in candidates:
        before = previous.state.answers.get(hashes[name])
        if before is None:
            continue
        for token in before:
            if token not in asked:
                asked[token] = lexicon.repair(token)
        if all(asked[token] == answer for token, answer in before.items()):
            valid.add(name)
            answers[hashes[name]] = before
    return valid


def _extract_and_parse(names: list[str], by_name: dict[str, Path], hashes: dict[str, str],
                       extracted: dict[str, Extraction], lexicon: HyphenLexicon,
                       cache: DocumentCache, lazy: LazyPool, progress: Progress,
                       answers: dict[str, dict]) -> dict[str, tuple[ExtractedDocument, object]]:
    missing = [by_name[n] for n in names if n not in extracted]
    extracted.update(_extract_all(missing, hashes, cache, lazy, progress))
    documents = [extracted[n][0] for n in names]
    return {doc.document_id: (doc, outcome)
            for doc, outcome in _parse_all(documents, lexicon, cache, lazy, progress, answers)}


def _extract_all(paths: list[Path], hashes: dict[str, str], cache: DocumentCache,
                 lazy: LazyPool, progress: Progress, summed: _CountSum | None = None
                 ) -> dict[str, Extraction]:
    """Each file's extraction and word counts; with `summed`, the counts go into it instead
    and the extraction keeps none."""
    done: dict[str, Extraction] = {}
    keep = functools.partial(_keep, done, summed)
    todo: list[tuple[str, str]] = []
    limits = _limits(EXTRACT_CPU_S)
    for path in paths:
        cached = cache.extracted(hashes[path.name], path)
        failure = None if cached else cache.failure("extract", hashes[path.name], limits)
        if cached is not None:
            keep(path.name, cached)
        elif failure is not None:
            keep(path.name, (_without_text(path, hashes[path.name], "failed", failure), None))
        else:
            todo.append((path.name, (extract_task, str(path))))
    if not paths:
        return done
    progress("extract", len(done), len(paths))
    if todo:
        by_name = {p.name: p for p in paths}
        pool = lazy.get(EXTRACT_TIMEOUT_S, EXTRACT_CPU_S)
        for name, outcome in pool.map(keep_extraction, todo, weigh=_file_size):
            if isinstance(outcome, TaskFailed):
                keep(name, (_without_text(by_name[name], hashes[name], "failed", outcome.reason),
                            None))
                if outcome.deterministic:
                    cache.store_failure("extract", hashes[name], outcome.reason, limits)
            else:
                holder, pickled = outcome
                document, counts = pickle.loads(pickled)  # noqa: S301 - from our own worker
                lazy.holders[document.sha256] = holder
                cache.store_extracted(document, counts, pickled=pickled)
                keep(name, (document, counts))
            progress("extract", len(done), len(paths))
    return done


def _keep(done: dict[str, Extraction], summed: _CountSum | None, name: str,
          extraction: Extraction) -> None:
    if summed is not None:
        summed.add(extraction[0].sha256, extraction[1])
        extraction = (extraction[0], None)
    done[name] = extraction


def _file_size(argument: tuple[object, str]) -> int:
    """A file's size for batching (0 if it cannot be examined: it is refused when read)."""
    try:
        return os.lstat(argument[1]).st_size
    except OSError:
        return 0


def _text_size(argument: tuple[str, str | None]) -> int:
    return len(argument[1] or "")


def _without_the_text(argument: tuple[str, str | None]) -> tuple[str, None]:
    """A parse task for the worker that holds the text already."""
    return argument[0], None


def _limits(cpu_s: float) -> tuple[float, int]:
    """The limits a task ran under: a failure cached under other limits is asked again."""
    return (cpu_s, WORKER_MEMORY_BYTES)


def _parse_all(documents: list[ExtractedDocument], lexicon: HyphenLexicon, cache: DocumentCache,
               lazy: LazyPool, progress: Progress, answers: dict[str, dict]):
    outcomes: dict[str, object] = {}
    todo: list[tuple[str, str]] = []
    limits = _limits(PARSE_CPU_S)
    for doc in documents:
        cached = cache.parsed(doc.sha256, lexicon)
        failure = None if cached else cache.failure("parse", doc.sha256, limits)
        if cached is not None:
            outcomes[doc.document_id], answers[doc.sha256] = cached
        elif failure is not None:
            outcomes[doc.document_id] = failure
        else:
            todo.append((doc.document_id, (doc.sha256, doc.text)))
    if not documents:
        return []
    progress("parse", len(outcomes), len(documents))
    if todo:
        pool = lazy.get(PARSE_TIMEOUT_S, PARSE_CPU_S)
        pool.broadcast(set_lexicon_task, lexicon)
        by_id = {d.document_id: d for d in documents}
        pool.broadcast(forget_texts_task,
                       {sha256: lazy.holders.get(sha256) for _, (sha256, _) in todo})
        for document_id, outcome in pool.map(
                parse_kept, todo, weigh=_text_size, light=_without_the_text,
                owner=lambda document_id: lazy.holders.get(by_id[document_id].sha256)):
            if isinstance(outcome, TaskFailed):
                outcomes[document_id] = outcome.reason
                if outcome.deterministic:
                    cache.store_failure("parse", by_id[document_id].sha256, outcome.reason,
                                        limits)
            else:
                parsed, asked = pickle.loads(outcome)  # noqa: S301 - from our own worker
                outcomes[document_id] = parsed
                answers[by_id[document_id].sha256] = asked
                cache.store_parsed(by_id[document_id].sha256, parsed, asked, pickled=outcome)
            progress("parse", len(outcomes), len(documents))
    return [(doc, outcomes[doc.document_id]) for doc in documents]
