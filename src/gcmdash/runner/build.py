"""extract -> parse -> load -> checks -> topics, into a temporary file that is swapped in atomically.

A build starts from the previous one when it can: when the database it replaces was made by the
same code from the same curated reference, and the cache holds that build's corpus state, the
temporary file starts as a copy of that database. The rows of the documents it loaded that are
unchanged stay (gcmdash/runner/ingest.py says when a document counts as unchanged); everything else is
deleted and built again: the other documents' rows, and everything derived from several
documents (people, sessions, coverage, quality checks, invariants, over the whole database).
The topic model is kept when the text units are the same. The result is the database a full
build gives (tested), for the cost of what changed plus the derived tables.

One build at a time writes a database: a lock file beside it (`.NAME.duckdb.lock`, flock) makes
a second build refuse with BuildLocked, naming the one that holds it. Holding the lock, a
build removes the temporary files of builds that died (`.NAME.duckdb.tmp-PID` whose PID is
gone): no live build holds the lock, so none of them is a live build's. Anything that goes
wrong around the data (a full disk, a read-only folder, an unreadable previous database) is a
BuildError with a message; the previous database stays as it was.
"""
from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import os
import re
import shutil
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from gcmdash.config import SCHEMA_PATH, reference_dir
from gcmdash.config import topic_view as configured_topic_view
from gcmdash.derive import checks, resolve
from gcmdash.extract.formats import RejectedEntry, discover_entries
from gcmdash.load import database
from gcmdash.load.database import NotLoaded
from gcmdash.load.reference import read_reference, reference_files
from gcmdash.runner.add import read_manifest
from gcmdash.runner.cache import DocumentCache
from gcmdash.runner.ingest import (
    LazyPool,
    LoadedBefore,
    PreviousBuild,
    hash_files,
    ingest,
    likely_changed,
    unreadable_entry,
)
from gcmdash.runner.isolate import default_workers
from gcmdash.runner.state import CorpusState
from gcmdash.topics import stage as topic_stage
from gcmdash.topics.objectives import OBJECTIVE_TERMS_CSV, OBJECTIVES_CSV

if TYPE_CHECKING:  # an optional extra (pip install 'gcmdash[dask]')
    from gcmdash.runner.dask_engine import DaskEngine

GCMDASH_VERSION = "0.1.0"
_PACKAGE_DIR = Path(__file__).resolve().parents[1]
# The code that shapes the data: a change here makes the database stale. The CLI, the runner's
# orchestration, the views, the app, the site and the benchmarks do not change a table, so
# editing them keeps the database and its cache.
DATA_CODE = ("extract", "parse", "load", "derive", "topics", "records.py", "vocab.py",
             "provenance.py", "schema.sql")
EXTRACT_CODE = ("extract",)  # the extraction cache depends on this alone
PREVIOUS = "previous"  # in-memory copy of the previous build's topic model and build facts

Progress = Callable[[str, int, int], None]  # (stage, done, total)
DUCKDB_MAGIC = b"DUCK"  # at byte 8 of every DuckDB database file


class BuildError(Exception):
    """The build could not be made (disk full, read-only folder, ...); the previous database
    is left as it was. The message says what happened, for the user."""


class BuildLocked(BuildError):
    """Another build is writing the same database."""


@dataclass
class BuildReport:
    """What a build did: each document's status, flags, timings, reuse and notices."""

    db_path: Path
    documents: list[tuple[str, str, str | None]] = field(default_factory=list)  # id, status, error
    flag_counts: dict[str, int] = field(default_factory=dict)
    stage_seconds: dict[str, float] = field(default_factory=dict)
    cache_hits: dict[str, int] = field(default_factory=dict)
    reused: int = 0  # documents whose rows were kept from the previous database
    topics_reused: bool = False  # the topic model was copied from the previous database
    notices: list[str] = field(default_factory=list)  # what the user should know, in words
    started_from_previous: bool = False  # a copy of the previous database was the start
    retry_failed: bool = False  # documents whose failure is cached were run again

    @property
    def failed(self) -> list[tuple[str, str, str | None]]:
        """Documents that could not be read or parsed (a duplicate is not a failure)."""
        return [d for d in self.documents if d[1] not in ("loaded", "partial", "duplicate")]

    @property
    def partial(self) -> list[tuple[str, str, str | None]]:
        """Documents loaded with facts missing (their error says which)."""
        return [d for d in self.documents if d[1] == "partial"]


def code_fingerprint(parts: tuple[str, ...] = DATA_CODE) -> str:
    """Hash of the source that shapes the data (`parts`: modules and sub-packages of gcmdash):
    a parser change makes the database stale, a page or benchmark change does not."""
    digest = hashlib.sha256()
    for part in sorted(parts):
        root = _PACKAGE_DIR / part
        for path in sorted(root.rglob("*")) if root.is_dir() else [root]:
            if path.suffix in (".py", ".sql") and path.is_file():
                digest.update(path.relative_to(_PACKAGE_DIR).as_posix().encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


def curated_files(curated_dir: Path) -> list[Path]:
    """Every curated file a build reads: the reference tables and the GCM objective tables."""
    return sorted([*reference_files(curated_dir), curated_dir / OBJECTIVES_CSV,
                   curated_dir / OBJECTIVE_TERMS_CSV])


def reference_fingerprint(curated_dir: Path) -> str:
    """Hash of every curated file (name and content; a missing one counts too)."""
    digest = hashlib.sha256()
    for path in curated_files(curated_dir):
        digest.update(path.name.encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest() if path.exists() else b"-")
    return digest.hexdigest()


def input_fingerprint(file_hashes: dict[str, str], curated_dir: Path,
                      code: str | None = None) -> str:
    """Hash of the code, the documents (file name -> sha256) and the curated files."""
    digest = hashlib.sha256((code or code_fingerprint()).encode())
    for name, sha in sorted(file_hashes.items()):
        digest.update(name.encode() + b"\0" + sha.encode())
    digest.update(reference_fingerprint(curated_dir).encode())
    return digest.hexdigest()


def is_stale(raw_dir: Path, db_path: Path, curated_dir: Path | None = None,
             cache_dir: Path | None = None) -> bool:
    """True when the database is missing, unreadable, or built from other inputs or code. With
    the build's `cache_dir`, a file whose stamp (size, times, inode) the last build recorded is
    not hashed again: only new or changed files are read."""
    if not db_path.exists():
        return True
    try:
        with duckdb.connect(str(db_path), read_only=True) as con:
            row = con.execute(
                "SELECT value FROM build_info WHERE key = 'input_fingerprint'").fetchone()
    except duckdb.Error:
        return True
    paths, rejected = discover_entries(raw_dir)
    unreadable: dict[str, str] = {}
    code = code_fingerprint()
    cache = DocumentCache(cache_dir, code)
    state = cache.state()
    cache.close()
    known = state.files if state is not None else {}
    hashes = {name: stamp.sha256 for name, stamp in hash_files(paths, known, unreadable).items()}
    hashes |= _rejected_marks(rejected, unreadable)
    return row is None or row[0] != input_fingerprint(hashes, curated_dir or reference_dir(), code)


def _rejected_marks(rejected: list[RejectedEntry], unreadable: dict[str, str]) -> dict[str, str]:
    """Entries that are not readable files, as (name -> mark) for the input fingerprint: one
    that appears or goes makes the database stale, as a file does."""
    marks = {entry.name: f"rejected: {entry.reason}" for entry in rejected}
    return marks | {name: f"rejected: {reason}" for name, reason in unreadable.items()}


def _start_from_previous(db_path: Path, temp_path: Path, state: CorpusState | None,
                         fingerprints: dict[str, str], notices: list[str]
                         ) -> PreviousBuild | None:
    """Copy the database being replaced to the temporary file when the new build can start
    from it: same code, reference and DuckDB, and `state` is the corpus state written with it.
    What the new build needs to know of it is read from the copy, so it describes exactly the
    rows the build starts from, even if another build swaps db_path meanwhile. None, and no
    copy left behind, when it cannot; a previous database that cannot be read is named in
    `notices`."""
    if not db_path.exists():
        return None
    if not _looks_like_duckdb(db_path):
        notices.append(f"the previous database {db_path} is damaged (not a DuckDB file); "
                       "building from nothing instead")
        return None
    if state is None:
        return None
    shutil.copyfile(db_path, temp_path)
    try:
        with duckdb.connect(str(temp_path), read_only=True) as con:
            info = dict(con.execute("SELECT key, value FROM build_info").fetchall())
            expected = {**fingerprints, "duckdb_version": duckdb.__version__,
                        "input_fingerprint": state.input_fingerprint}
            if all(info.get(key) == value for key, value in expected.items()):
                loaded = {row[0]: LoadedBefore(*row[1:]) for row in con.execute(
                    "SELECT document_id, sha256, document_type, session_number "
                    "FROM documents WHERE status IN ('loaded', 'partial')").fetchall()}
                # summaries whose parse found areas: the one each session's areas came from,
                # and the others, which load.RowBuilder flagged as second summaries
                with_areas = dict(con.execute("""
                    SELECT DISTINCT document_id, session_number FROM discussion_areas
                    UNION SELECT document_id, session_number FROM quality_flags
                    WHERE check_name = 'second_summary'""").fetchall())
                return PreviousBuild(loaded, state, with_areas)
    except duckdb.Error as exc:  # unreadable or of another shape: a full build replaces it
        notices.append(f"the previous database {db_path} could not be read "
                       f"({_first_line(exc)}); building from nothing instead")
    temp_path.unlink(missing_ok=True)
    return None


def _looks_like_duckdb(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return handle.read(12)[8:12] == DUCKDB_MAGIC
    except OSError:
        return False


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().split("\n", 1)[0]


_NOT_THE_DATABASE = ("the disk", "no permission")  # _describe's words for the environment


def _describe(exc: BaseException, where: Path) -> str:
    """An operating-system or DuckDB failure while writing, in words."""
    text = str(exc)
    code = getattr(exc, "errno", None)
    if code == errno.ENOSPC or "No space left" in text or "disk is full" in text.lower():
        return f"the disk holding {where} is full"
    if code == errno.EROFS or "Read-only file system" in text:
        return f"no permission to write: {where} is on a read-only file system"
    if code in (errno.EACCES, errno.EPERM) or "Permission denied" in text:
        return f"no permission to write in {where}"
    if isinstance(exc, OSError) and exc.strerror:
        return f"{exc.strerror}: {exc.filename or where}"
    return f"{type(exc).__name__}: {_first_line(exc)}"


def lock_path(db_path: Path) -> Path:
    """The lock file beside the database, held by the build writing it."""
    return db_path.with_name(f".{db_path.name}.lock")


@contextlib.contextmanager
def build_lock(db_path: Path) -> Iterator[None]:
    """Hold the database's build lock (BuildLocked at once if another build holds it). The
    kernel releases a lock when its holder exits, however it exits; the holder removes the
    file as it finishes, and a build that locked a file since removed tries again."""
    path = lock_path(db_path)
    while True:
        try:
            db_path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o644)
        except OSError as exc:
            raise BuildError(f"cannot write the database: {_describe(exc, db_path.parent)}"
                             ) from exc
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "unknown"
            os.close(fd)
            raise BuildLocked(f"another build (process {holder}) is writing {db_path}; "
                              "run this one again when it has finished") from None
        except OSError as exc:  # a file system without locks
            os.close(fd)
            raise BuildError(f"cannot lock {path}: {exc.strerror or exc}") from exc
        if _same_file(fd, path):
            break
        os.close(fd)  # its holder removed it after we opened it: lock the new one
    try:
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        with contextlib.suppress(OSError):
            path.unlink()
        os.close(fd)  # releases the lock


def _same_file(fd: int, path: Path) -> bool:
    try:
        return os.fstat(fd).st_ino == path.stat().st_ino
    except FileNotFoundError:
        return False


def remove_stale_temp_files(db_path: Path) -> list[Path]:
    """Delete the temporary files (and their WAL) of builds of db_path whose process is gone.
    Call it holding build_lock: then no live build of db_path can own one."""
    pattern = re.compile(rf"^\.{re.escape(db_path.name)}\.tmp-(\d+)(\.wal)?$")
    removed = []
    with os.scandir(db_path.parent) as entries:
        for entry in entries:
            match = pattern.match(entry.name)
            if match and int(match[1]) != os.getpid() and not _process_alive(int(match[1])):
                Path(entry.path).unlink(missing_ok=True)
                removed.append(Path(entry.path))
    return sorted(removed)


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True


def _set_aside(con: duckdb.DuckDBPyConnection) -> None:
    """Keep the previous build's topic model and build facts in memory (as PREVIOUS) before
    its tables are emptied: gcmdash.topics.stage copies the model from there when its inputs
    match."""
    con.execute(f"ATTACH ':memory:' AS {PREVIOUS}")
    for table in ("build_info", *topic_stage.MODEL_TABLES):
        con.execute(f"CREATE TABLE {PREVIOUS}.{table} AS SELECT * FROM main.{table}")


def _noop(stage: str, done: int, total: int) -> None:  # noqa: ARG001
    return None


def build(raw_dir: Path, db_path: Path, progress: Progress = _noop,
          curated_dir: Path | None = None, workers: int | None = None,
          cache_dir: Path | None = None, topic_view: str | None = None,
          retry_failed: bool = False, engine: DaskEngine | None = None) -> BuildReport:
    """Build the database from every file in raw_dir and the curated reference CSVs.

    Files are extracted and parsed in isolated worker processes (`workers` at a time, each with
    processor-time and memory limits); with a `cache_dir`, unchanged files are taken from the
    cache, and so is the failure of a document that ran out of processor time or memory or
    raised (`retry_failed` runs those again). A document that fails is listed in `documents`
    with its status and reason; the others load.
    A malformed reference row stops the build (ReferenceDataError names file, row and column).
    The previous database stays in place unless the new one was built and passed its
    invariants. BuildLocked when another build is writing db_path; BuildError, with the
    reason in words, when the environment stops the build (a full disk, a read-only folder).
    What the user should know besides (a damaged previous database or cache entries, a cache
    that cannot be written) is in the report's notices. `topic_view` "semantic" fits the
    topics on sentence embeddings (default: $GCMDASH_TOPIC_VIEW, else "words"). With an
    `engine` (gcmdash/runner/dask_engine.py, open), the files are extracted and parsed on its
    Dask cluster instead, their rows loaded from Parquet: always a full build."""
    view = topic_view or configured_topic_view()
    if view == "semantic":
        from gcmdash.topics.embeddings import check_semantic_view

        check_semantic_view()  # EmbeddingModelMissing before any document is read
    with build_lock(db_path):
        report = BuildReport(db_path=db_path)
        report.retry_failed = retry_failed
        try:
            try:
                return _build_locked(raw_dir, progress, curated_dir, workers, cache_dir, report,
                                     view=view, engine=engine)
            except duckdb.Error as exc:
                problem = _describe(exc, db_path.parent)
                if not report.started_from_previous or problem.startswith(_NOT_THE_DATABASE):
                    raise
                # damage the first reads of the previous database did not show (a truncated
                # file): the same build, from nothing
                report = BuildReport(db_path=db_path, retry_failed=retry_failed, notices=[
                    f"the previous database {db_path} could not be read ({_first_line(exc)}); "
                    "building from nothing instead"])
                return _build_locked(raw_dir, progress, curated_dir, workers, cache_dir, report,
                                     start_from_previous=False, view=view, engine=engine)
        except (duckdb.Error, OSError) as exc:
            if isinstance(exc, FileNotFoundError) and exc.errno is None:
                raise  # discover's "input folder ... does not exist"
            raise BuildError(f"{_describe(exc, db_path.parent)} "
                             f"({_first_line(exc)})") from exc


def _load_stage(con: duckdb.DuckDBPyConnection, from_previous: bool, ingested,
                loadable: list, not_loaded: list, reference, original_names: dict[str, str],
                engine: DaskEngine | None = None) -> list:
    """Load the parsed documents into the temporary database (what the previous build kept
    stays), list those that are not loaded, derive what spans documents; returns the flags so
    far. A document whose rows break a constraint joins `not_loaded` as failed."""
    if from_previous:
        kept_flags = database.keep_only(con, ingested.reused, original_names,
                                        recomputed_checks=checks.CHECK_NAMES)
    else:
        database.create_schema(con)
        kept_flags = []
    if engine is not None:  # the rows are in the engine's Parquet files
        refused_documents, flags = engine.load(con, ingested, reference, original_names)
        not_loaded += refused_documents
    else:
        refused, flags = database.load_documents(con, loadable, reference, original_names,
                                                 kept_summaries=ingested.kept_summaries)
        by_id = {d.extracted.document_id: d.extracted for d in loadable}
        not_loaded += [NotLoaded(by_id[doc_id], "failed", error)
                       for doc_id, error in refused.items()]
    database.insert_unloaded_documents(con, not_loaded, original_names)
    resolve.resolve(con)
    return flags + kept_flags


def _topics_and_checks(con: duckdb.DuckDBPyConnection, curated_dir: Path, from_previous: bool,
                       flags: list, view: str = "words",
                       cache_dir: Path | None = None) -> tuple[object, float]:
    """Fit the topic model while DuckDB runs the quality checks and invariants, then write the
    model and check the topic tables' own invariants; returns what was written and the seconds
    the checks took. The semantic view keeps its vectors beside `cache_dir` (in
    `<cache_dir>-embeddings`: the document cache prunes every folder of its own it does not know)."""
    topic_inputs = topic_stage.prepare_topics(
        con, curated_dir, previous=PREVIOUS if from_previous else None, view=view,
        embedding_cache=(cache_dir.with_name(f"{cache_dir.name}-embeddings")
                         if cache_dir is not None else None))
    # The fit needs no database and the checks hold no Python lock while DuckDB runs them, so
    # the two overlap: the fit in a thread, the checks here; the topic tables' own invariants
    # once they are written, still before the swap.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="topics") as pool:
        computing = pool.submit(topic_stage.compute_topics, topic_inputs)
        checks_clock = time.perf_counter()
        flags = flags + checks.run_quality_checks(con)
        database.insert_flags(con, flags)
        checks.check_invariants(con)
        checks_seconds = time.perf_counter() - checks_clock
        written = topic_stage.write_model(con, topic_inputs, computing.result())
    checks_clock = time.perf_counter()
    checks.check_invariants(con, checks.TOPIC_INVARIANTS)
    return written, checks_seconds + time.perf_counter() - checks_clock


def _build_locked(raw_dir: Path, progress: Progress, curated_dir: Path | None,
                  workers: int | None, cache_dir: Path | None, report: BuildReport,
                  start_from_previous: bool = True, view: str = "words",
                  engine: DaskEngine | None = None) -> BuildReport:
    db_path = report.db_path
    curated_dir = curated_dir or reference_dir()
    reference = read_reference(curated_dir)
    original_names = read_manifest(raw_dir)
    fingerprints = {"code_fingerprint": code_fingerprint(),
                    "reference_fingerprint": reference_fingerprint(curated_dir),
                    "schema_sha256": hashlib.sha256(SCHEMA_PATH.read_bytes()).hexdigest()}
    cache = DocumentCache(cache_dir, fingerprints["code_fingerprint"],
                          code_fingerprint(EXTRACT_CODE), retry_failed=report.retry_failed)
    paths, rejected = discover_entries(raw_dir)
    temp_path = db_path.with_name(f".{db_path.name}.tmp-{os.getpid()}")
    temp_path.unlink(missing_ok=True)
    remove_stale_temp_files(db_path)
    pool = LazyPool(workers or default_workers())  # starts no worker until asked
    try:
        clock = time.perf_counter()
        state = cache.state()
        if engine is None and (state is None or likely_changed(paths, state.files)):
            pool.warm(1)  # it loads its code while the previous database is copied
        previous = _start_from_previous(db_path, temp_path, state if start_from_previous
                                        and engine is None else None, fingerprints,
                                        report.notices)
        report.started_from_previous = previous is not None
        with duckdb.connect(str(temp_path)) as con:
            if previous:
                _set_aside(con)
            if engine is None:
                ingested = ingest(paths, pool.workers, cache, progress, previous,
                                  known_files=state.files if state else None, pool=pool)
            else:
                ingested = engine.ingest(paths, progress, Path(f"{temp_path}.batches"),
                                         original_names)
            loadable = [database.LoadableDocument.without_text(doc, parsed)
                        for doc, parsed in ingested.parsed]
            ingested.parsed.clear()  # the texts go: the load needs none (memory at scale)
            not_loaded = list(ingested.not_loaded) + [unreadable_entry(e.name, e.reason)
                                                      for e in rejected]
            report.cache_hits = ingested.cache_hits
            report.reused = len(ingested.reused)
            report.stage_seconds["extract+parse"] = time.perf_counter() - clock

            clock = time.perf_counter()
            flags = _load_stage(con, previous is not None, ingested, loadable, not_loaded,
                                reference, original_names, engine)
            progress("load", 1, 1)
            report.stage_seconds["load"] = time.perf_counter() - clock

            clock = time.perf_counter()
            written, checks_seconds = _topics_and_checks(con, curated_dir, previous is not None,
                                                         flags, view, cache_dir)
            report.topics_reused = written.reused_from is not None
            report.stage_seconds["topics"] = time.perf_counter() - clock - checks_seconds
            clock = time.perf_counter() - checks_seconds  # the checks' time leaves the topics out
            progress("topics", 1, 1)
            unreadable = {n.document.document_id: n.reason for n in ingested.not_loaded
                          if n.document.document_id not in ingested.hashes}
            fingerprint = input_fingerprint(
                ingested.hashes | _rejected_marks(rejected, unreadable), curated_dir,
                fingerprints["code_fingerprint"])
            database.insert_build_info(con, {
                **fingerprints,
                "input_fingerprint": fingerprint,
                "topics_input_sha256": written.input_sha256,
                "gcmdash_version": GCMDASH_VERSION,
                "duckdb_version": duckdb.__version__,
            })
            report.documents = [tuple(r) for r in con.execute(
                "SELECT document_id, status, error FROM documents ORDER BY document_id").fetchall()]
            report.flag_counts = dict(con.execute(
                "SELECT severity, count(*) FROM quality_flags GROUP BY severity ORDER BY severity"
            ).fetchall())
            if previous:
                con.execute(f"DETACH {PREVIOUS}")
            con.execute("CHECKPOINT")
        progress("checks", 1, 1)
        cache.forget_state()  # the state must never describe a database other than db_path's
        temp_path.replace(db_path)  # atomic on one filesystem: readers see old or new
        if ingested.state is not None:
            ingested.state.input_fingerprint = fingerprint
            cache.store_state(ingested.state)
        cache.prune(set(ingested.hashes.values()))
    finally:
        pool.close()  # ingest closed it, unless the build stopped before
        temp_path.unlink(missing_ok=True)
        Path(f"{temp_path}.wal").unlink(missing_ok=True)
        cache.close()
        report.notices += cache.notices()
    report.stage_seconds["checks"] = time.perf_counter() - clock
    return report
