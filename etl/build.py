"""extract -> parse -> load -> checks, into a temporary file that is swapped in atomically."""
from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from etl import checks, load, resolve, topics
from etl.add import read_manifest
from etl.cache import DocumentCache
from etl.config import SCHEMA_PATH, reference_dir
from etl.extract import discover
from etl.ingest import NotLoaded, ingest
from etl.isolate import default_workers
from etl.reference import read_reference, reference_files

GCMDASH_VERSION = "0.1.0"
_CODE_DIR = Path(__file__).resolve().parent

Progress = Callable[[str, int, int], None]  # (stage, done, total)


@dataclass
class BuildReport:
    db_path: Path
    documents: list[tuple[str, str, str | None]] = field(default_factory=list)  # id, status, error
    flag_counts: dict[str, int] = field(default_factory=dict)
    stage_seconds: dict[str, float] = field(default_factory=dict)
    cache_hits: dict[str, int] = field(default_factory=dict)

    @property
    def failed(self) -> list[tuple[str, str, str | None]]:
        """Documents that could not be read or parsed (a duplicate is not a failure)."""
        return [d for d in self.documents if d[1] not in ("loaded", "duplicate")]


def code_fingerprint() -> str:
    """Hash of the ETL's own source: a parser change makes the database stale."""
    digest = hashlib.sha256()
    for path in sorted(_CODE_DIR.rglob("*")):
        if path.suffix in (".py", ".sql"):
            digest.update(path.relative_to(_CODE_DIR).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def input_fingerprint(raw_dir: Path, curated_dir: Path) -> str:
    """Hash of the code, the documents and the curated reference files."""
    digest = hashlib.sha256(code_fingerprint().encode())
    for path in [*discover(raw_dir), *reference_files(curated_dir)]:
        digest.update(path.name.encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest() if path.exists() else b"-")
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
    return row is None or row[0] != input_fingerprint(raw_dir, curated_dir or reference_dir())


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
    clock = time.perf_counter()

    cache = DocumentCache(cache_dir, code_fingerprint())
    ingested = ingest(discover(raw_dir), workers or default_workers(), cache, progress)
    loadable = [load.LoadableDocument(doc, parsed) for doc, parsed in ingested.parsed]
    not_loaded = list(ingested.not_loaded)
    report.cache_hits = ingested.cache_hits
    report.stage_seconds["extract+parse"] = time.perf_counter() - clock

    clock = time.perf_counter()
    db_path.parent.mkdir(parents=True, exist_ok=True)
    temp_path = db_path.with_name(f".{db_path.name}.tmp-{os.getpid()}")
    temp_path.unlink(missing_ok=True)
    try:
        with duckdb.connect(str(temp_path)) as con:
            load.create_schema(con)
            rejected, flags = load.load_documents(con, loadable, reference, original_names)
            by_id = {d.extracted.document_id: d.extracted for d in loadable}
            not_loaded += [NotLoaded(by_id[doc_id], "failed", error)
                           for doc_id, error in rejected.items()]
            load.insert_unloaded_documents(con, not_loaded, original_names)
            resolve.resolve(con)
            progress("load", 1, 1)
            report.stage_seconds["load"] = time.perf_counter() - clock

            clock = time.perf_counter()
            flags += checks.run_quality_checks(con)
            load.insert_flags(con, flags)
            checks.check_invariants(con)
            topics_clock = time.perf_counter()
            topics.write_topics(con, curated_dir)
            report.stage_seconds["topics"] = time.perf_counter() - topics_clock
            clock += report.stage_seconds["topics"]  # the checks' time leaves the topics out
            progress("topics", 1, 1)
            load.insert_build_info(con, {
                "input_fingerprint": input_fingerprint(raw_dir, curated_dir),
                "gcmdash_version": GCMDASH_VERSION,
                "duckdb_version": duckdb.__version__,
                "schema_sha256": hashlib.sha256(SCHEMA_PATH.read_bytes()).hexdigest(),
            })
            report.documents = [tuple(r) for r in con.execute(
                "SELECT document_id, status, error FROM documents ORDER BY document_id").fetchall()]
            report.flag_counts = dict(con.execute(
                "SELECT severity, count(*) FROM quality_flags GROUP BY severity ORDER BY severity"
            ).fetchall())
            con.execute("CHECKPOINT")
        progress("checks", 1, 1)
        os.replace(temp_path, db_path)  # atomic on one filesystem: readers see old or new
    finally:
        temp_path.unlink(missing_ok=True)
        Path(f"{temp_path}.wal").unlink(missing_ok=True)
    report.stage_seconds["checks"] = time.perf_counter() - clock
    return report
