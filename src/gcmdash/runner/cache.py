"""Per-document cache of extraction and parse results, keyed by content hash and code version.

An unchanged file is neither re-extracted nor re-parsed. A parse is reused only if the corpus
would still answer the questions it asked of the corpus-wide hyphen lexicon the same way (see
gcmdash/runner/tasks.py), so the incremental build gives exactly the tables a full build gives.

Beside the entries lies the corpus state of the last build (gcmdash/runner/state.py), which lets
the next build start from that build's database instead of from nothing.

The cache is a build artefact under data/.cache (GCMDASH_CACHE_DIR); deleting it only makes
the next build slower. What is read back from it is treated as untrusted: each entry is sealed
with an HMAC-SHA256 under a secret key the first build writes beside the entries (`key` in
each folder, mode 0600), over the entry's name and bytes, and an entry is unpickled only when its seal checks
out. An entry the build did not write (another key, another program, a damaged or truncated
file, a pickle this Python cannot read) is ignored, entry by entry, and counted in notices().
A cache that cannot be written (read-only, disk full) only means nothing is cached.
"""
from __future__ import annotations

import contextlib
import os
import shutil
from collections import Counter
from pathlib import Path
from typing import Any

from gcmdash.extract.formats import ExtractedDocument
from gcmdash.extract.text import HyphenLexicon
from gcmdash.runner.sealed import (
    KEY_FILE,
    Untrusted,
    cache_key,
    load_sealed,
    store_sealed,
)
from gcmdash.runner.state import (
    STATE_FILE,
    CorpusState,
    forget_state,
    read_state,
    write_state,
)
from gcmdash.runner.tasks import lexicon_agrees


class DocumentCache:
    """Extractions and parses by content hash, and the last build's corpus state."""

    def __init__(self, directory: Path | None, code_fingerprint: str,
                 extract_fingerprint: str | None = None, retry_failed: bool = False) -> None:
        self.root = directory
        self.retry_failed = retry_failed  # cached failures are not used (asked again)
        self._keys: dict[Path, bytes | None] = {}
        self.ignored: dict[str, int] = {}  # reason -> entries ignored for it
        self.unwritable: str | None = None  # why entries could not be stored, if so
        # Parses and the corpus state depend on all the data-shaping code; extractions only on
        # the extraction code, so a parser change keeps them.
        self.directory = directory / code_fingerprint[:16] if directory else None
        self.extract_directory = (directory / f"extract-{(extract_fingerprint or code_fingerprint)[:16]}"
                                  if directory else None)
        self.hits = {"extract": 0, "parse": 0}
        self.failures_reused = 0  # failures taken from the cache instead of run again

    def _path(self, sha256: str, stage: str) -> Path | None:
        folder = self.extract_directory if stage.startswith("extract") else self.directory
        return folder / f"{sha256}.{stage}.pkl" if folder else None

    def _key(self, folder: Path) -> bytes | None:
        if folder not in self._keys:
            try:
                self._keys[folder] = cache_key(folder)
            except OSError as exc:
                self._keys[folder] = None
                self.unwritable = str(exc.strerror or exc)
        return self._keys[folder]

    def _read(self, sha256: str, stage: str) -> Any | None:
        path = self._path(sha256, stage)
        if path is None or not path.exists():
            return None
        try:
            return load_sealed(self._key(path.parent), path.name, path)
        except Untrusted as exc:
            self._ignore(str(exc))
            return None  # a damaged or foreign entry is a miss

    def _ignore(self, reason: str) -> None:
        self.ignored[reason] = self.ignored.get(reason, 0) + 1

    def _write(self, sha256: str, stage: str, value: Any) -> None:
        path = self._path(sha256, stage)
        if path is None or self.unwritable:
            return
        try:
            store_sealed(self._key(path.parent), path.name, path, value)
        except OSError as exc:
            self.unwritable = str(exc.strerror or exc)

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

    def _read_extraction(self, sha256: str) -> tuple[ExtractedDocument, Counter | None] | None:
        found = self._read(sha256, "extract")
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

    def store_extracted(self, document: ExtractedDocument, counts: Counter | None) -> None:
        """Keep an extraction and its word counts, sealed (best effort)."""
        self._write(document.sha256, "extract", (document, counts))

    def parsed(self, sha256: str, lexicon: HyphenLexicon) -> tuple[Any, dict] | None:
        """(parse result, the lexicon questions it asked), if the lexicon still answers them
        the same way."""
        found = self._read(sha256, "parse")
        if not isinstance(found, tuple) or len(found) != 2:
            return None
        result, answers = found
        if not lexicon_agrees(lexicon, answers):
            return None
        self.hits["parse"] += 1
        return result, answers

    def store_parsed(self, sha256: str, result: Any, answers: dict) -> None:
        """Keep a parse and the lexicon questions it asked, sealed (best effort)."""
        self._write(sha256, "parse", (result, answers))

    def failure(self, stage: str, sha256: str, limits: tuple) -> str | None:
        """Why this content failed at `stage` ('extract' or 'parse') in an earlier build with
        this code under the same `limits` (it ran out of processor time or memory, or raised),
        so it is not run again on every build; None if it did not, or with retry_failed."""
        if self.retry_failed:
            return None
        found = self._read(sha256, f"{stage}-failure")
        if not (isinstance(found, tuple) and len(found) == 2 and found[1] == limits
                and isinstance(found[0], str)):
            return None
        self.hits[stage] += 1
        self.failures_reused += 1
        return found[0]

    def store_failure(self, stage: str, sha256: str, reason: str, limits: tuple) -> None:
        """Keep why this content failed at `stage` under `limits`, sealed (best effort)."""
        self._write(sha256, f"{stage}-failure", (reason, limits))

    def state(self) -> CorpusState | None:
        """The corpus state of the last build made with this code, if any."""
        if self.directory is None or not (self.directory / STATE_FILE).exists():
            return None
        try:
            return read_state(self.directory, self._key(self.directory))
        except Untrusted as exc:
            self._ignore(str(exc))
            return None

    def store_state(self, state: CorpusState) -> None:
        """Keep the corpus state of the database just swapped in (best effort)."""
        if self.directory is None:
            return
        try:
            write_state(self.directory, state, self._key(self.directory))
        except OSError as exc:
            self.unwritable = str(exc.strerror or exc)

    def forget_state(self) -> None:
        """Remove the corpus state (before the database it describes is replaced). If it
        cannot be removed, it is still never used with another database: the state names the
        input fingerprint of its database, and a build starts from both only when they agree."""
        try:
            forget_state(self.directory)
        except OSError as exc:
            self.unwritable = str(exc.strerror or exc)

    def prune(self, keep: set[str]) -> None:
        """Drop entries of other code versions and of content no longer in the corpus."""
        if self.root is None or not self.root.exists():
            return
        current = {self.directory, self.extract_directory}
        for child in self.root.iterdir():
            if child not in current:
                shutil.rmtree(child, ignore_errors=True)
        for folder in current:
            if folder is None or not folder.exists():
                continue
            with os.scandir(folder) as entries:
                stale = [e.path for e in entries if e.name not in (STATE_FILE, KEY_FILE)
                         and e.name.split(".", 1)[0] not in keep]
            for path in stale:
                with contextlib.suppress(OSError):  # a read-only cache keeps its entries
                    Path(path).unlink(missing_ok=True)
