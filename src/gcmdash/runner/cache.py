"""Extraction and parse results by content hash and code version, in one SQLite file.

An unchanged file is neither re-extracted nor re-parsed. A parse is reused only if the corpus
would still answer the questions it asked of the corpus-wide hyphen lexicon the same way (see
gcmdash/runner/tasks.py), so the incremental build gives exactly the tables a full build gives.

The store is one table keyed by (stage, content sha256, code version): `extract`, `parse`, the
cached failures `extract-failure` and `parse-failure`, and `state`, the corpus state of the last
build (gcmdash/runner/state.py), which lets the next build start from that build's database
instead of from nothing. Extractions depend on the extraction code alone, so a parser change
keeps them. Entries are written in batches (one transaction each, WAL journal), so concurrent
builds sharing a cache each see whole entries; pruning is one DELETE.

The cache is a build artefact under data/.cache (GCMDASH_CACHE_DIR); deleting it only makes
the next build slower. What is read back from it is treated as untrusted: each value is sealed
with an HMAC-SHA256 under a secret key the first build writes beside the store (`key`, mode
0600), over the entry's stage, version and hash and its bytes, and a value is unpickled only
when its seal checks out. An entry the build did not write (another key, another program, a
damaged or truncated value, another entry's value, a pickle this Python cannot read) is a miss,
entry by entry, counted in notices(); a store that is not an SQLite file is started afresh. A
cache that cannot be written (read-only, disk full) only means nothing is cached. The per-file
cache of earlier versions (a folder of sealed pickles per code version) is removed by prune().
"""
from __future__ import annotations

import contextlib
import json
import re
import shutil
import sqlite3
from collections import Counter
from pathlib import Path
from typing import Any

from gcmdash.extract.formats import ExtractedDocument
from gcmdash.extract.text import HyphenLexicon
from gcmdash.runner.state import CorpusState
from gcmdash.runner.tasks import lexicon_agrees
from gcmdash.sealed import Untrusted, cache_key, seal, seal_value, unseal_value

STORE_FILE = "cache.sqlite"
STATE = "state"  # the stage of the corpus-state row (its sha256 is '')
_SCHEMA = """CREATE TABLE IF NOT EXISTS entries (
    stage TEXT NOT NULL, sha256 TEXT NOT NULL, version TEXT NOT NULL, sealed BLOB NOT NULL,
    PRIMARY KEY (stage, sha256, version)) WITHOUT ROWID"""
_OLD_FOLDER = re.compile(r"^(extract-)?[0-9a-f]{16}$")  # the per-file cache of earlier versions
_FLUSH_ENTRIES = 256
_FLUSH_BYTES = 16 * 1024**2
_BUSY_TIMEOUT_S = 60.0  # another build writing the same store: wait for it


def entry_label(stage: str, sha256: str, version: str) -> str:
    """What an entry's seal covers besides its bytes: which entry it is."""
    return f"{stage}:{version}:{sha256}"


class DocumentCache:
    """Extractions and parses by content hash, and the last build's corpus state."""

    def __init__(self, directory: Path | None, code_fingerprint: str,
                 extract_fingerprint: str | None = None, retry_failed: bool = False) -> None:
        self.root = directory
        self.retry_failed = retry_failed  # cached failures are not used (asked again)
        self.code_version = code_fingerprint[:16]
        self.extract_version = (extract_fingerprint or code_fingerprint)[:16]
        self.ignored: dict[str, int] = {}  # reason -> entries ignored for it
        self.unwritable: str | None = None  # why entries could not be stored, if so
        self.hits = {"extract": 0, "parse": 0}
        self.failures_reused = 0  # failures taken from the cache instead of run again
        self._con: sqlite3.Connection | None = None
        self._opened = False
        self._key: bytes | None = None
        self._pending: dict[tuple[str, str, str], bytes] = {}
        self._pending_bytes = 0
        self._present: set[tuple[str, str]] = set()  # see prefetch
        self._prefetched: set[str] = set()

    @property
    def path(self) -> Path | None:
        """The store's file (None without a cache folder)."""
        return self.root / STORE_FILE if self.root is not None else None

    # ------------------------------------------------------------------ the store

    def _connection(self) -> sqlite3.Connection | None:
        if self._opened:
            return self._con
        self._opened = True
        if self.root is None:
            return None
        try:
            self._key = cache_key(self.root)
        except OSError as exc:
            self.unwritable = str(exc.strerror or exc)
        if self._key is None:  # no key: nothing can be checked, so nothing is read
            self.unwritable = self.unwritable or "the cache key cannot be read or written"
            return None
        try:
            self._con = self._open()
        except sqlite3.DatabaseError as exc:
            if "not a database" not in str(exc) and "malformed" not in str(exc):
                self._con = self._open_read_only(exc)
                return self._con
            self._ignore("the cache store was damaged; started afresh")
            with contextlib.suppress(OSError):
                self.path.unlink()
            try:
                self._con = self._open()
            except sqlite3.Error as again:
                self.unwritable = str(again)
        return self._con

    def _open(self) -> sqlite3.Connection:
        con = sqlite3.connect(self.path, timeout=_BUSY_TIMEOUT_S, isolation_level=None)
        try:
            con.execute("PRAGMA journal_mode=WAL")
            con.execute("PRAGMA synchronous=NORMAL")
            con.execute(_SCHEMA)
        except sqlite3.Error:
            con.close()
            raise
        return con

    def _open_read_only(self, why: sqlite3.Error) -> sqlite3.Connection | None:
        """A store that cannot be written (a read-only folder): read it as it is."""
        self.unwritable = str(why)
        if not self.path.exists():
            return None
        for mode in ("mode=ro", "immutable=1"):  # immutable: not even a -shm file is needed
            try:
                con = sqlite3.connect(f"{self.path.as_uri()}?{mode}", uri=True,
                                      isolation_level=None)
                con.execute("SELECT count(*) FROM entries WHERE 0").fetchall()
                return con
            except sqlite3.Error:
                continue
        return None

    def _get(self, stage: str, sha256: str) -> Any | None:
        version = self._version(stage)
        key = (stage, sha256, version)
        data = self._pending.get(key)
        if data is None and sha256 in self._prefetched and (stage, sha256) not in self._present:
            return None  # known absent: no query
        if data is None:
            con = self._connection()
            if con is None:
                return None
            try:
                row = con.execute("SELECT sealed FROM entries WHERE stage = ? AND sha256 = ? "
                                  "AND version = ?", key).fetchone()
            except sqlite3.Error as exc:
                self._ignore(f"the cache store could not be read: {exc}")
                return None
            if row is None:
                return None
            data = row[0] if isinstance(row[0], bytes) else b""  # another program's value
        try:
            return unseal_value(self._key, entry_label(*key), data)
        except Untrusted as exc:
            self._ignore(str(exc))
            return None  # a damaged or foreign entry is a miss

    def prefetch(self, sha256s: set[str]) -> None:
        """Learn in one query which entries of these contents exist, so that looking up one
        that does not costs no query (a build looks up four stages per document)."""
        con = self._connection()
        if con is None:
            return
        try:
            self._present |= set(con.execute(
                "SELECT stage, sha256 FROM entries WHERE version = CASE WHEN stage LIKE "
                "'extract%' THEN ? ELSE ? END AND sha256 IN (SELECT value FROM json_each(?))",
                (self.extract_version, self.code_version, json.dumps(sorted(sha256s)))))
            self._prefetched |= sha256s
        except sqlite3.Error as exc:
            self._ignore(f"the cache store could not be read: {exc}")

    def _put(self, stage: str, sha256: str, value: Any = None, pickled: bytes | None = None
             ) -> None:
        """Keep a value (or its pickle, as a worker made it) sealed; written in batches."""
        if self._connection() is None or self.unwritable:
            return
        key = (stage, sha256, self._version(stage))
        label = entry_label(*key)
        data = seal(self._key, label, pickled) if pickled is not None else seal_value(
            self._key, label, value)
        self._pending[key] = data
        self._present.add((stage, sha256))
        self._pending_bytes += len(data)
        if len(self._pending) >= _FLUSH_ENTRIES or self._pending_bytes >= _FLUSH_BYTES:
            self.flush()

    def flush(self) -> None:
        """Write the entries kept so far, in one transaction (best effort)."""
        if not self._pending:
            return
        rows = [(*key, data) for key, data in self._pending.items()]
        self._pending, self._pending_bytes = {}, 0
        self._write(lambda con: con.executemany(
            "INSERT OR REPLACE INTO entries VALUES (?, ?, ?, ?)", rows))

    def _write(self, statements) -> None:
        con = self._connection()
        if con is None or self.unwritable:
            return
        try:
            con.execute("BEGIN IMMEDIATE")
            try:
                statements(con)
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise
        except sqlite3.Error as exc:
            self.unwritable = str(exc)

    def _version(self, stage: str) -> str:
        return self.extract_version if stage.startswith("extract") else self.code_version

    def close(self) -> None:
        """Write what is pending and close the store."""
        self.flush()
        if self._con is not None:
            self._con.close()
            self._con = None

    def _ignore(self, reason: str) -> None:
        self.ignored[reason] = self.ignored.get(reason, 0) + 1

    def notices(self) -> list[str]:
        """What the user should know about the cache: entries ignored, writes that failed."""
        out = [f"cache: {n} entr{'y' if n == 1 else 'ies'} ignored ({reason}); rebuilt instead"
               for reason, n in sorted(self.ignored.items())]
        if self.failures_reused:
            out.append(f"cache: {self.failures_reused} document(s) that failed in an earlier build "
                       "(out of processor time or memory, or an error) were not run again; "
                       "`gcmdash build --retry-failed` runs them again")
        if self.unwritable:
            out.append(f"cache: {self.root} cannot be written ({self.unwritable}); this build's "
                       "results are not cached")
        return out

    # ------------------------------------------------------------------ entries

    def _read_extraction(self, sha256: str) -> tuple[ExtractedDocument, Counter | None] | None:
        found = self._get("extract", sha256)
        if (isinstance(found, tuple) and len(found) == 2
                and isinstance(found[0], ExtractedDocument)):
            return found
        return None

    def extracted(self, sha256: str, path: Path) -> tuple[ExtractedDocument, Counter | None] | None:
        """The extraction of this content (under the name `path` has now) and its word counts."""
        found = self._read_extraction(sha256)
        if found is None:
            return None
        self.hits["extract"] += 1
        return found[0].renamed(path), found[1]

    def token_counts(self, sha256: str) -> Counter | None:
        """Word counts of a content extracted earlier (None if not cached or without text)."""
        found = self._read_extraction(sha256)
        return found[1] if found is not None else None

    def store_extracted(self, document: ExtractedDocument, counts: Counter | None,
                        pickled: bytes | None = None) -> None:
        """Keep an extraction and its word counts, sealed (best effort); `pickled` is the
        pickle of (document, counts) when a worker made it already."""
        self._put("extract", document.sha256, (document, counts), pickled)

    def parsed(self, sha256: str, lexicon: HyphenLexicon) -> tuple[Any, dict] | None:
        """(parse result, the lexicon questions it asked), if the lexicon still answers them
        the same way."""
        found = self._get("parse", sha256)
        if not isinstance(found, tuple) or len(found) != 2:
            return None
        result, answers = found
        if not lexicon_agrees(lexicon, answers):
            return None
        self.hits["parse"] += 1
        return result, answers

    def store_parsed(self, sha256: str, result: Any, answers: dict,
                     pickled: bytes | None = None) -> None:
        """Keep a parse and the lexicon questions it asked, sealed (best effort); `pickled` is
        the pickle of (result, answers) when a worker made it already."""
        self._put("parse", sha256, (result, answers), pickled)

    def failure(self, stage: str, sha256: str, limits: tuple) -> str | None:
        """Why this content failed at `stage` ('extract' or 'parse') in an earlier build with
        this code under the same `limits` (it ran out of processor time or memory, or raised),
        so it is not run again on every build; None if it did not, or with retry_failed."""
        if self.retry_failed:
            return None
        found = self._get(f"{stage}-failure", sha256)
        if not (isinstance(found, tuple) and len(found) == 2 and found[1] == limits
                and isinstance(found[0], str)):
            return None
        self.hits[stage] += 1
        self.failures_reused += 1
        return found[0]

    def store_failure(self, stage: str, sha256: str, reason: str, limits: tuple) -> None:
        """Keep why this content failed at `stage` under `limits`, sealed (best effort)."""
        self._put(f"{stage}-failure", sha256, (reason, limits))

    # ------------------------------------------------------------------ corpus state

    def state(self) -> CorpusState | None:
        """The corpus state of the last build made with this code, if any."""
        found = self._get(STATE, "")
        if found is not None and not isinstance(found, CorpusState):
            self._ignore("not a corpus state")
            return None
        return found

    def store_state(self, state: CorpusState) -> None:
        """Keep the corpus state of the database just swapped in (best effort)."""
        self._put(STATE, "", state)
        self.flush()

    def forget_state(self) -> None:
        """Remove the corpus state (before the database it describes is replaced). If it
        cannot be removed, it is still never used with another database: the state names the
        input fingerprint of its database, and a build starts from both only when they agree."""
        self._pending.pop((STATE, "", self.code_version), None)
        self.flush()
        self._write(lambda con: con.execute("DELETE FROM entries WHERE stage = ? AND version = ?",
                                            (STATE, self.code_version)))

    def prune(self, keep: set[str]) -> None:
        """Drop, in one statement, the entries of other code versions and of content no longer
        in the corpus; remove the per-file cache of earlier versions."""
        if self.root is None or not self.root.exists():
            return
        with contextlib.suppress(OSError):
            for child in self.root.iterdir():
                if child.is_dir() and not child.is_symlink() and _OLD_FOLDER.match(child.name):
                    shutil.rmtree(child, ignore_errors=True)
        self.flush()
        self._write(lambda con: con.execute(
            "DELETE FROM entries WHERE version != CASE WHEN stage LIKE 'extract%' THEN ? ELSE ? "
            "END OR (stage != ? AND sha256 NOT IN (SELECT value FROM json_each(?)))",
            (self.extract_version, self.code_version, STATE, json.dumps(sorted(keep)))))
