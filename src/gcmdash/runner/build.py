"""extract -> parse -> load -> checks -> topics, into a temporary file that is swapped in atomically.

A build starts from the previous one when it can: when the database it replaces was made by the
same code from the same curated reference, and the cache holds that build's corpus state, the
temporary file starts as a copy of that database. The rows of the documents it loaded that are
unchanged stay (gcmdash/runner/ingest.py says when a document counts as unchanged); everything else is
deleted and built again: the other documents' rows, and everything derived from several
documents (people, sessions, coverage, quality checks, invariants, over the whole database).
The topic model is kept when the text units are the same. The result is the database a full
build gives (tested), for the cost of what changed plus the derived tables.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from gcmdash.derive import checks, resolve
from gcmdash.load import database
from gcmdash import topics
from gcmdash.runner.add import read_manifest
from gcmdash.runner.cache import DocumentCache
from gcmdash.config import SCHEMA_PATH, reference_dir
from gcmdash.runner.state import CorpusState
from gcmdash.extract.formats import discover, sha256_file
from gcmdash.load.database import NotLoaded
from gcmdash.runner.ingest import LoadedBefore, PreviousBuild, ingest
from gcmdash.runner.isolate import default_workers
from gcmdash.load.reference import read_reference, reference_files

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


@dataclass
class BuildReport:
    db_path: Path
    documents: list[tuple[str, str, str | None]] = field(default_factory=list)  # id, status, error
    flag_counts: dict[str, int] = field(default_factory=dict)
    stage_seconds: dict[str, float] = field(default_factory=dict)
    cache_hits: dict[str, int] = field(default_factory=dict)
    reused: int = 0  # documents whose rows were kept from the previous database
    topics_reused: bool = False  # the topic model was copied from the previous database

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
    return sorted([*reference_files(curated_dir), curated_dir / topics.OBJECTIVES_CSV,
                   curated_dir / topics.OBJECTIVE_TERMS_CSV])


def reference_fingerprint(curated_dir: Path) -> str:
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


def is_stale(raw_dir: Path, db_path: Path, curated_dir: Path | None = None) -> bool:
    """True when the database is missing, unreadable, or built from other inputs or code."""
    if not db_path.exists():
        return True
    try:
        with duckdb.connect(str(db_path), read_only=True) as con:
            row = con.execute(
                "SELECT value FROM build_info WHERE key = 'input_fingerprint'").fetchone()
    except duckdb.Error:
        return True
    hashes = {path.name: sha256_file(path) for path in discover(raw_dir)}
    return row is None or row[0] != input_fingerprint(hashes, curated_dir or reference_dir())


def _start_from_previous(db_path: Path, temp_path: Path, state: CorpusState | None,
                         fingerprints: dict[str, str]) -> PreviousBuild | None:
    """Copy the database being replaced to the temporary file when the new build can start
    from it: same code, reference and DuckDB, and `state` is the corpus state written with it.
    What the new build needs to know of it is read from the copy, so it describes exactly the
    rows the build starts from, even if another build swaps db_path meanwhile. None, and no
    copy left behind, when it cannot."""
    if state is None or not db_path.exists():
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
    except duckdb.Error:
        pass  # unreadable or of another shape: a full build replaces it
    temp_path.unlink(missing_ok=True)
    return None


def _set_aside(con: duckdb.DuckDBPyConnection) -> None:
    """Keep the previous build's topic model and build facts in memory (as PREVIOUS) before
    its tables are emptied: gcmdash.topics copies the model from there when its inputs match."""
    con.execute(f"ATTACH ':memory:' AS {PREVIOUS}")
    for table in ("build_info", *topics.MODEL_TABLES):
        con.execute(f"CREATE TABLE {PREVIOUS}.{table} AS SELECT * FROM main.{table}")


def _noop(stage: str, done: int, total: int) -> None:  # noqa: ARG001
    return None


def build(raw_dir: Path, db_path: Path, progress: Progress = _noop,
          curated_dir: Path | None = None, workers: int | None = None,
          cache_dir: Path | None = None) -> BuildReport:
    """Build the database from every file in raw_dir and the curated reference CSVs.

    Files are extracted and parsed in isolated worker processes (`workers` at a time, each with
    time and memory limits); with a `cache_dir`, unchanged files are taken from the cache. A
    document that fails is listed in `documents` with its status and reason; the others load.
    A malformed reference row stops the build (ReferenceDataError names file, row and column).
    The previous database stays in place unless the new one was built and passed its
    invariants."""
    report = BuildReport(db_path=db_path)
    curated_dir = curated_dir or reference_dir()
    reference = read_reference(curated_dir)
    original_names = read_manifest(raw_dir)
    fingerprints = {"code_fingerprint": code_fingerprint(),
                    "reference_fingerprint": reference_fingerprint(curated_dir),
                    "schema_sha256": hashlib.sha256(SCHEMA_PATH.read_bytes()).hexdigest()}
    cache = DocumentCache(cache_dir, fingerprints["code_fingerprint"],
                          code_fingerprint(EXTRACT_CODE))
    paths = discover(raw_dir)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    temp_path = db_path.with_name(f".{db_path.name}.tmp-{os.getpid()}")
    temp_path.unlink(missing_ok=True)
    try:
        clock = time.perf_counter()
        state = cache.state()
        previous = _start_from_previous(db_path, temp_path, state, fingerprints)
        with duckdb.connect(str(temp_path)) as con:
            if previous:
                _set_aside(con)
            ingested = ingest(paths, workers or default_workers(), cache, progress, previous,
                              known_files=state.files if state else None)
            loadable = [database.LoadableDocument(doc, parsed) for doc, parsed in ingested.parsed]
            not_loaded = list(ingested.not_loaded)
            report.cache_hits = ingested.cache_hits
            report.reused = len(ingested.reused)
            report.stage_seconds["extract+parse"] = time.perf_counter() - clock

            clock = time.perf_counter()
            if previous:
                kept_flags = database.keep_only(con, ingested.reused, original_names,
                                            recomputed_checks=checks.CHECK_NAMES)
            else:
                database.create_schema(con)
                kept_flags = []
            rejected, flags = database.load_documents(con, loadable, reference, original_names,
                                                  kept_summaries=ingested.kept_summaries)
            flags += kept_flags
            by_id = {d.extracted.document_id: d.extracted for d in loadable}
            not_loaded += [NotLoaded(by_id[doc_id], "failed", error)
                           for doc_id, error in rejected.items()]
            database.insert_unloaded_documents(con, not_loaded, original_names)
            resolve.resolve(con)
            progress("load", 1, 1)
            report.stage_seconds["load"] = time.perf_counter() - clock

            clock = time.perf_counter()
            topic_inputs = topics.prepare_topics(con, curated_dir,
                                                 previous=PREVIOUS if previous else None)
            # The fit needs no database and the checks hold no Python lock while DuckDB runs
            # them, so the two overlap: the fit in a thread, the checks here.
            with ThreadPoolExecutor(max_workers=1, thread_name_prefix="topics") as pool:
                computing = pool.submit(topics.compute_topics, topic_inputs)
                checks_clock = time.perf_counter()
                flags += checks.run_quality_checks(con)
                database.insert_flags(con, flags)
                checks.check_invariants(con)
                checks_seconds = time.perf_counter() - checks_clock
                written = topics.write_model(con, topic_inputs, computing.result())
            report.topics_reused = written.reused_from is not None
            report.stage_seconds["topics"] = time.perf_counter() - clock - checks_seconds
            clock = time.perf_counter() - checks_seconds  # the checks' time leaves the topics out
            progress("topics", 1, 1)
            fingerprint = input_fingerprint(ingested.hashes, curated_dir,
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
        os.replace(temp_path, db_path)  # atomic on one filesystem: readers see old or new
        if ingested.state is not None:
            ingested.state.input_fingerprint = fingerprint
            cache.store_state(ingested.state)
        cache.prune(set(ingested.hashes.values()))
    finally:
        temp_path.unlink(missing_ok=True)
        Path(f"{temp_path}.wal").unlink(missing_ok=True)
    report.stage_seconds["checks"] = time.perf_counter() - clock
    return report
