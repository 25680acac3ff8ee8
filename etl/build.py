"""extract -> parse -> load -> checks, into a temporary file that is swapped in atomically."""
from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from etl import checks, load, resolve
from etl.config import SCHEMA_PATH, reference_dir
from etl.extract import ExtractedDocument, discover, extract
from etl.parse import parse_document
from etl.records import ParseError
from etl.reference import read_reference, reference_files
from etl.text import HyphenLexicon

GCMDASH_VERSION = "0.1.0"
_CODE_DIR = Path(__file__).resolve().parent

Progress = Callable[[str, int, int], None]  # (stage, done, total)


@dataclass
class BuildReport:
    db_path: Path
    documents: list[tuple[str, str, str | None]] = field(default_factory=list)  # id, status, error
    flag_counts: dict[str, int] = field(default_factory=dict)
    stage_seconds: dict[str, float] = field(default_factory=dict)

    @property
    def failed(self) -> list[tuple[str, str, str | None]]:
        return [d for d in self.documents if d[1] == "failed"]


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
          curated_dir: Path | None = None) -> BuildReport:
    """Build the database from every file in raw_dir and the curated reference CSVs.

    A document that fails is listed in `documents` with its reason; the others load. A malformed
    reference row stops the build (ReferenceDataError names file, row and column). The previous
    database stays in place unless the new one was built and passed its invariants."""
    report = BuildReport(db_path=db_path)
    curated_dir = curated_dir or reference_dir()
    reference = read_reference(curated_dir)
    clock = time.perf_counter()

    paths = discover(raw_dir)
    extracted: list[ExtractedDocument] = []
    for i, path in enumerate(paths, 1):
        extracted.append(extract(path))
        progress("extract", i, len(paths))
    report.stage_seconds["extract"] = time.perf_counter() - clock

    clock = time.perf_counter()
    failed: list[tuple[ExtractedDocument, str]] = [(e, e.error) for e in extracted if e.error]
    readable = [e for e in extracted if e.text is not None]
    lexicon = HyphenLexicon.from_texts([e.text for e in readable])
    loadable: list[load.LoadableDocument] = []
    for i, doc in enumerate(readable, 1):
        try:
            loadable.append(load.LoadableDocument(doc, parse_document(doc.text, lexicon)))
        except ParseError as exc:
            failed.append((doc, f"could not parse: {exc}"))
        progress("parse", i, len(readable))
    report.stage_seconds["parse"] = time.perf_counter() - clock

    clock = time.perf_counter()
    db_path.parent.mkdir(parents=True, exist_ok=True)
    temp_path = db_path.with_name(f".{db_path.name}.tmp-{os.getpid()}")
    temp_path.unlink(missing_ok=True)
    try:
        with duckdb.connect(str(temp_path)) as con:
            load.create_schema(con)
            rejected, flags = load.load_documents(con, loadable, reference)
            by_id = {d.extracted.document_id: d.extracted for d in loadable}
            failed += [(by_id[doc_id], error) for doc_id, error in rejected.items()]
            load.insert_failed_documents(con, failed)
            resolve.resolve(con)
            progress("load", 1, 1)
            report.stage_seconds["load"] = time.perf_counter() - clock

            clock = time.perf_counter()
            flags += checks.run_quality_checks(con)
            load.insert_flags(con, flags)
            checks.check_invariants(con)
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
