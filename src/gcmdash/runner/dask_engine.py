"""The build's map on a Dask cluster (`gcmdash build --engine dask [--scheduler ADDRESS]`).

The same map as the local engine (gcmdash/runner/ingest.py), in three rounds of batch tasks:

1. extract: each batch of files is extracted in an isolated process (gcmdash/runner/isolate.py,
   the same processor-time and memory limits per document) inside a Dask worker; the texts stay
   in the workers' memory, only each document's status and word counts come back;
2. parse: the parent sums the word counts of the corpus (each content once, the first file of
   identical content loads, as locally) into the hyphen lexicon, sends it to every worker, and
   each batch is parsed, again in an isolated process, where its texts are;
3. rows: once the parent knows which summary each session's areas come from (the first by
   load order), each batch turns its documents into table rows (gcmdash.load.database's
   RowBuilder, the rows a local load builds) and writes them as Parquet, one file per table,
   into a folder of this build; DuckDB then loads those files into the tables.

What a local build records, this one records the same way: extraction and parse failures
with the same reasons, duplicates, documents the database refuses (if the bulk load breaks a
constraint, the documents are gathered and loaded one by one by the local load, which
refuses the one at fault). A Dask worker lost mid-batch (its machine gone, killed) is
retried by Dask; a batch whose retries all lose their worker is run again one document at a
time, and a document that still kills its worker is reported failed. Every build is a full
build: the document cache is a local store that the workers of other machines cannot share.

The input folder and the database's folder must be at the same path on every worker (a shared
file system): the workers read the documents and write the Parquet files there. A scheduler of
your own should run with `distributed.scheduler.worker-saturation: 1.0` (as the local cluster
does), so that a worker lost is counted against the one batch it was running. Dask is an
optional extra (`pip install 'gcmdash[dask]'`), imported only when this engine runs.
"""
from __future__ import annotations

import logging
import re
import shutil
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from gcmdash.extract.formats import ExtractedDocument
from gcmdash.extract.text import HyphenLexicon
from gcmdash.load import database
from gcmdash.load.database import NotLoaded
from gcmdash.provenance import SOURCE_PRECEDENCE
from gcmdash.records import Flag, ParsedDocument
from gcmdash.runner.ingest import (
    EXTRACT_CPU_S,
    EXTRACT_TIMEOUT_S,
    PARSE_CPU_S,
    PARSE_TIMEOUT_S,
    WORKER_MEMORY_BYTES,
    IngestResult,
    Progress,
    hash_files,
    unreadable_entry,
)
from gcmdash.runner.isolate import IsolatedPool, TaskFailed
from gcmdash.runner.tasks import extract_task, parse_task, set_lexicon_task

INSTALL_HINT = ("the Dask engine needs the dask extra: pip install 'gcmdash[dask]' "
                "(dask and distributed)")
BATCH_DOCUMENTS = 500  # documents in a batch at most ...
BATCH_BYTES = 64 * 1024**2  # ... and about this many bytes of input
KILLED_WORKER = "kept killing its Dask worker (every try lost the worker) and was given up"


class DaskMissing(Exception):
    """The dask extra is not installed (the message says how to install it)."""


class SchedulerUnreachable(Exception):
    """The Dask scheduler given could not be reached (the message says which and why)."""


def require() -> None:
    """DaskMissing unless dask and distributed can be imported."""
    try:
        import dask  # noqa: F401
        import distributed  # noqa: F401
    except ImportError as exc:
        raise DaskMissing(INSTALL_HINT) from exc


# --- the tasks, run in the Dask workers (module-level: workers import them by name) ----------

Extraction = dict[str, tuple[ExtractedDocument, Counter | None]]  # file name -> doc, counts


def extract_batch(files: list[tuple[str, str, str, int]]) -> Extraction:
    """Extract (name, path, sha256, size) files in an isolated process with the local limits;
    a file whose task failed is a failed document with the reason, as locally."""
    by_name = {f[0]: f for f in files}
    sizes = {f[1]: f[3] for f in files}
    done: Extraction = {}
    with IsolatedPool(1, EXTRACT_TIMEOUT_S, WORKER_MEMORY_BYTES, EXTRACT_CPU_S) as pool:
        for name, outcome in pool.map(extract_task, [(f[0], f[1]) for f in files],
                                      weigh=lambda path: sizes.get(path, 0)):
            if isinstance(outcome, TaskFailed):
                _, _, sha256, size = by_name[name]
                done[name] = (_failed(name, sha256, size, outcome.reason), None)
            else:
                done[name] = outcome
    return done


def _failed(name: str, sha256: str, size: int, reason: str) -> ExtractedDocument:
    return ExtractedDocument(document_id=name, file_name=name, sha256=sha256, size_bytes=size,
                             format=Path(name).suffix.lower().lstrip("."), text=None,
                             status="failed", error=reason)


def extraction_facts(extraction: Extraction) -> dict[str, tuple[ExtractedDocument, Counter | None]]:
    """What the parent needs of an extraction: each document without its text, its counts."""
    return {name: (replace(doc, text=None), counts) for name, (doc, counts) in extraction.items()}


def parse_batch(extraction: Extraction, names: list[str], lexicon: HyphenLexicon
                ) -> dict[str, ParsedDocument | str]:
    """Parse the texts of `names` in an isolated process (the lexicon set in it first):
    name -> parsed document, or the reason it could not be parsed."""
    outcomes: dict[str, ParsedDocument | str] = {}
    with IsolatedPool(1, PARSE_TIMEOUT_S, WORKER_MEMORY_BYTES, PARSE_CPU_S) as pool:
        pool.broadcast(set_lexicon_task, lexicon)
        todo = [(name, extraction[name][0].text) for name in names]
        for name, outcome in pool.map(parse_task, todo, weigh=len):
            outcomes[name] = outcome.reason if isinstance(outcome, TaskFailed) else outcome[0]
    return outcomes


def parse_facts(parsed: dict[str, ParsedDocument | str]
                ) -> dict[str, tuple[str, int, bool] | str]:
    """What the parent needs of a parse: (type, session, has areas) or the failure."""
    return {name: (p.document_type, p.session_number, bool(p.discussion_areas))
            if isinstance(p, ParsedDocument) else p for name, p in parsed.items()}


def write_rows(extraction: Extraction, parsed: dict[str, ParsedDocument | str],
               names: list[str], owners: dict[int, str], original_names: dict[str, str],
               folder: str, batch: str) -> tuple[dict[str, str], list[Flag]]:
    """Build the table rows of the parsed documents `names` (RowBuilder, as a local load does;
    `owners` names each session's summary of record) and write each table's rows as one Parquet
    file in `folder`/TABLE/; returns table -> file and the flags raised."""
    import pyarrow.parquet as pq

    documents = [database.LoadableDocument(extraction[n][0], parsed[n]) for n in names]
    builder = database.RowBuilder(original_names)
    builder.summaries.update(owners)
    tables, after = builder.rows(documents)
    files = {}
    for table, rows in tables.items():
        path = Path(folder) / table / f"{batch}.parquet"
        path.parent.mkdir(parents=True, exist_ok=True)
        pq.write_table(rows, path)
        files[table] = str(path)
    return files, after.flags


# --- the parent ------------------------------------------------------------------------------

@dataclass
class _Batch:
    """A batch of documents and its results held in the cluster (futures)."""

    key: str
    names: list[str]
    extraction: Any = None  # future of extract_batch
    parsed: Any = None  # future of parse_batch
    facts: dict = field(default_factory=dict)  # what came back to the parent


@dataclass
class DaskIngest(IngestResult):
    """The map's outcome on Dask: what ingest gives, the parsed documents staying in the cluster
    (their rows in Parquet files) until `DaskEngine.load` loads them."""

    batches: list[_Batch] = field(default_factory=list)  # parsed, their rows written
    files: dict[str, list[str]] = field(default_factory=dict)  # table -> Parquet files
    flags: list[Flag] = field(default_factory=list)


class DaskEngine:
    """`with DaskEngine(workers=2) as engine: build(..., engine=engine)`: the map of a build on
    a Dask cluster; a LocalCluster of `workers` processes unless `scheduler` (an address such
    as tcp://10.0.0.5:8786) names a running one."""

    def __init__(self, scheduler: str | None = None, workers: int | None = None) -> None:
        require()
        self.scheduler = scheduler
        self.workers = workers
        self.client = None
        self._cluster = None
        self._folder: Path | None = None

    def __enter__(self) -> "DaskEngine":
        from distributed import Client, LocalCluster

        from gcmdash.runner.isolate import default_workers

        if self.scheduler:
            try:
                self.client = Client(self.scheduler, timeout="20s")
            except (OSError, TimeoutError, ValueError) as exc:
                raise SchedulerUnreachable(
                    f"cannot reach the Dask scheduler at {self.scheduler}: {exc}") from exc
        else:
            import dask

            # one task at a time per worker, none queued behind it: a worker that dies counts
            # against the batch it was running alone (the default queues a second one there)
            with dask.config.set({"distributed.scheduler.worker-saturation": 1.0}):
                self._cluster = LocalCluster(n_workers=self.workers or default_workers(),
                                             threads_per_worker=1, processes=True,
                                             dashboard_address=None,
                                             silence_logs=logging.ERROR)
            self.client = Client(self._cluster)
        return self

    def __exit__(self, *exc_info) -> None:
        self._remove_folder()
        if self.client is not None:
            self.client.close()
        if self._cluster is not None:
            self._cluster.close()

    def _remove_folder(self) -> None:
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)
            self._folder = None

    def _size(self) -> int:
        """Workers in the cluster now (at least 1)."""
        return max(1, len(self.client.nthreads()))

    def ingest(self, paths: list[Path], progress: Progress, folder: Path,
               original_names: dict[str, str]) -> DaskIngest:
        """Extract, parse and write the rows of every file as Parquet into `folder` (the
        build's; removed when the load ends or the engine closes)."""
        self._remove_folder()
        _remove_stale_folders(folder)
        self._folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        unreadable: dict[str, str] = {}
        sizes: dict[str, int] = {}
        stamps = hash_files(paths, {}, unreadable, sizes)
        result = DaskIngest(hashes={name: stamp.sha256 for name, stamp in stamps.items()})
        files = [(p.name, str(p), stamps[p.name].sha256, stamps[p.name].size) for p in paths
                 if p.name in stamps]
        batches = self._extract(files, progress)
        readable = self._sort_out(batches, result)
        lexicon = self._lexicon(batches, readable, result.hashes)
        batches, owners = self._parse(batches, readable, lexicon, progress, result)
        result.batches = self._write(batches, owners, original_names, result)
        result.not_loaded += [unreadable_entry(name, reason, sizes.get(name, 0))
                              for name, reason in unreadable.items()]
        result.not_loaded.sort(key=lambda n: n.document.document_id)
        return result

    def _run(self, batches: list[_Batch], submit: Callable[[_Batch], Any]
             ) -> Iterable[tuple[_Batch, Any]]:
        """Yield (batch, result) as each batch's task ends (`submit(batch)` starts it and returns
        its future). A batch whose task keeps losing its worker (distributed's KilledWorker,
        once the scheduler's allowed failures are spent) is run again one document at a time,
        one such document after the other (a worker lost then is that document's doing alone);
        a one-document batch that still loses it yields KILLED_WORKER as its result."""
        from distributed import as_completed
        from distributed.scheduler import KilledWorker

        futures = {submit(batch): batch for batch in batches}
        running = as_completed(list(futures))
        singles: list[_Batch] = []  # documents of batches given up, to run one at a time
        alone: set = set()  # their futures
        for future in running:
            batch = futures.pop(future)
            if future.status != "error":
                yield batch, future.result()
            elif not isinstance(future.exception(), KilledWorker):
                future.result()  # raises the task's own exception
            elif len(batch.names) == 1:
                yield batch, KILLED_WORKER
            else:
                singles += [replace(batch, key=f"{batch.key}.{index}", names=[name], facts={})
                            for index, name in enumerate(batch.names)]
            if singles and not alone & set(futures):
                single = singles.pop(0)
                retried = submit(single)
                alone.add(retried)
                futures[retried] = single
                running.add(retried)

    def _extract(self, files: list[tuple[str, str, str, int]], progress: Progress
                 ) -> list[_Batch]:
        by_name = {f[0]: f for f in files}
        batches = [_Batch(f"extract-{i:05d}", [f[0] for f in chunk])
                   for i, chunk in enumerate(_chunks(files, self._size(), lambda f: f[3]))]

        def submit(batch: _Batch):
            batch.extraction = self.client.submit(
                extract_batch, [by_name[n] for n in batch.names], key=batch.key, pure=False)
            return self.client.submit(extraction_facts, batch.extraction,
                                      key=f"{batch.key}-facts", pure=False)

        done: list[_Batch] = []
        progress("extract", 0, len(files))
        for batch, facts in self._run(batches, submit):
            if facts == KILLED_WORKER:
                _, _, sha256, size = by_name[batch.names[0]]
                batch.extraction = None
                facts = {batch.names[0]: (_failed(batch.names[0], sha256, size, facts), None)}
            batch.facts = facts
            done.append(batch)
            progress("extract", sum(len(b.names) for b in done), len(files))
        return done

    def _sort_out(self, batches: list[_Batch], result: DaskIngest) -> set[str]:
        """The readable files (the first name of each content), the others into not_loaded
        with why, as gcmdash.runner.ingest sorts them."""
        documents = {name: doc for b in batches for name, (doc, _) in b.facts.items()}
        readable, first_of = set(), {}
        for name in sorted(documents):  # sorted: the first name of identical content loads
            doc, sha256 = documents[name], result.hashes[name]
            if doc.status != "ok":
                result.not_loaded.append(NotLoaded(doc, doc.status, doc.error or doc.status))
            elif sha256 in first_of:
                result.not_loaded.append(NotLoaded(
                    doc, "duplicate", f"identical content to {first_of[sha256]}",
                    duplicate_of=first_of[sha256]))
            else:
                first_of[sha256] = name
                readable.add(name)
        return readable

    @staticmethod
    def _lexicon(batches: list[_Batch], readable: set[str], hashes: dict[str, str]
                 ) -> HyphenLexicon:
        """The corpus lexicon from the readable texts' word counts (each content once)."""
        counts = {hashes[n]: c for b in batches for n, (_, c) in b.facts.items() if n in readable}
        total: Counter = Counter()
        for sha256 in sorted(counts):
            total.update(counts[sha256])
        for batch in batches:  # summed: each text's own counts are not needed any more
            batch.facts = {n: (doc, None) for n, (doc, _) in batch.facts.items()}
        return HyphenLexicon.from_token_counts(total)

    def _parse(self, batches: list[_Batch], readable: set[str], lexicon: HyphenLexicon,
               progress: Progress, result: DaskIngest) -> tuple[list[_Batch], dict[int, str]]:
        """Parse every readable document where its text is, parse failures into not_loaded;
        returns the parsed batches and session -> the summary its areas come from (the first
        summary with areas in load order, as RowBuilder takes them)."""
        [lexicon_future] = self.client.scatter([lexicon], broadcast=True)
        documents = {name: doc for b in batches for name, (doc, _) in b.facts.items()}
        todo = [replace(b, key=b.key.replace("extract", "parse"), facts={},
                        names=[n for n in b.names if n in readable]) for b in batches]
        todo = [b for b in todo if b.names]
        total = sum(len(b.names) for b in todo)

        def submit(batch: _Batch):
            batch.parsed = self.client.submit(parse_batch, batch.extraction, batch.names,
                                              lexicon_future, key=batch.key, pure=False)
            return self.client.submit(parse_facts, batch.parsed, key=f"{batch.key}-facts",
                                      pure=False)

        first: dict[int, tuple[int, str]] = {}
        done: list[_Batch] = []
        progress("parse", 0, total)
        for batch, facts in self._run(todo, submit):
            if facts == KILLED_WORKER:
                facts = {batch.names[0]: facts}
            for name, fact in facts.items():
                if isinstance(fact, str):
                    result.not_loaded.append(NotLoaded(documents[name], "failed",
                                                       f"could not parse: {fact}"))
                elif fact[2]:  # a summary with areas: the first in load order keeps them
                    order = (SOURCE_PRECEDENCE[fact[0]], name)
                    first[fact[1]] = min(first.get(fact[1], order), order)
            batch.facts = facts
            done.append(batch)
            progress("parse", sum(len(b.names) for b in done), total)
        return done, {session: name for session, (_, name) in first.items()}

    def _write(self, batches: list[_Batch], owners: dict[int, str],
               original_names: dict[str, str], result: DaskIngest) -> list[_Batch]:
        """Write every batch's rows as Parquet; the file names and flags into `result`."""
        todo = [replace(b, key=b.key.replace("parse", "rows"),
                        names=[n for n, f in b.facts.items() if not isinstance(f, str)])
                for b in batches]
        todo = [b for b in todo if b.names]

        def submit(batch: _Batch):
            return self.client.submit(write_rows, batch.extraction, batch.parsed, batch.names,
                                      owners, original_names, str(self._folder), batch.key,
                                      key=batch.key, pure=False)

        done = []
        for batch, outcome in self._run(todo, submit):
            if outcome == KILLED_WORKER:  # its parse succeeded: not the document's doing
                raise RuntimeError(f"the Dask worker writing the rows of {batch.names[0]} "
                                   "was lost at every try")
            files, flags = outcome
            for table, path in files.items():
                result.files.setdefault(table, []).append(path)
            result.flags += flags
            done.append(batch)
        return done

    def load(self, con, ingested: DaskIngest, reference, original_names: dict[str, str]
             ) -> tuple[list[NotLoaded], list[Flag]]:
        """Load the curated reference and the Parquet rows into the tables, in one transaction;
        returns the documents the database refused and the flags, as database.load_documents
        does. When the rows break a constraint, the parsed documents are gathered from the
        cluster and loaded by database.load_documents, which refuses the ones at fault."""
        import duckdb

        try:
            tables, builder = database.RowBuilder(original_names).rows([], reference)
            try:
                con.begin()
                database.insert_tables(con, tables)
                database.insert_parquet(con, ingested.files)
                con.commit()
                return [], builder.flags + ingested.flags
            except duckdb.Error:
                con.rollback()
            documents = self._gather(ingested.batches)
            refused, flags = database.load_documents(con, documents, reference, original_names)
            by_id = {d.extracted.document_id: d.extracted for d in documents}
            return [NotLoaded(by_id[i], "failed", error) for i, error in refused.items()], flags
        finally:
            ingested.batches = []  # the texts and records held in the cluster are let go
            self._remove_folder()

    def _gather(self, batches: list[_Batch]) -> list[database.LoadableDocument]:
        """The parsed documents with their extraction, from the cluster."""
        documents = []
        for batch in batches:
            extraction, parsed = self.client.gather([batch.extraction, batch.parsed])
            documents += [database.LoadableDocument(extraction[n][0], parsed[n])
                          for n in batch.names]
        return documents


def _chunks(items: list, workers: int, weigh: Callable[[Any], int]) -> Iterable[list]:
    """Batches of `items`, small enough that each worker gets several (a quarter of its share),
    at most BATCH_DOCUMENTS documents and about BATCH_BYTES bytes."""
    count = max(1, min(BATCH_DOCUMENTS, len(items) // (workers * 4)))
    batch, size = [], 0
    for item in items:
        if batch and (len(batch) >= count or size >= BATCH_BYTES):
            yield batch
            batch, size = [], 0
        batch.append(item)
        size += weigh(item)
    if batch:
        yield batch


def _remove_stale_folders(folder: Path) -> None:
    """Remove the Parquet folders of builds that died (`.NAME.tmp-PID.batches` beside
    `folder`, whose process is gone); the caller holds the database's build lock."""
    from gcmdash.runner.build import _process_alive

    pattern = re.compile(r"^(\..+\.tmp-)(\d+)\.batches$")
    mine = pattern.match(folder.name)
    if mine is None or not folder.parent.is_dir():
        return
    for entry in folder.parent.iterdir():
        match = pattern.match(entry.name)
        if (match and match[1] == mine[1] and entry != folder
                and not _process_alive(int(match[2]))):
            shutil.rmtree(entry, ignore_errors=True)
