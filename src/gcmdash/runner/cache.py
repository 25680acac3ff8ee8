"""Per-document cache of extraction and parse results, keyed by content hash and code version.

An unchanged file is neither re-extracted nor re-parsed. A parse is reused only if the corpus
would still answer the questions it asked of the corpus-wide hyphen lexicon the same way (see
gcmdash/runner/tasks.py), so the incremental build gives exactly the tables a full build gives.

Beside the entries lies the corpus state of the last build (gcmdash/runner/state.py), which lets
the next build start from that build's database instead of from nothing.

The cache is a build artefact under data/.cache (GCMDASH_CACHE_DIR), written and read only by
gcmdash itself; deleting it only makes the next build slower.
"""
from __future__ import annotations

import os
import pickle
import shutil
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

from gcmdash.runner.state import STATE_FILE, CorpusState, forget_state, read_state, write_state
from gcmdash.extract.formats import ExtractedDocument
from gcmdash.runner.tasks import lexicon_agrees
from gcmdash.extract.text import HyphenLexicon


class DocumentCache:
    def __init__(self, directory: Path | None, code_fingerprint: str,
                 extract_fingerprint: str | None = None) -> None:
        self.root = directory
        # Parses and the corpus state depend on all the data-shaping code; extractions only on
        # the extraction code, so a parser change keeps them.
        self.directory = directory / code_fingerprint[:16] if directory else None
        self.extract_directory = (directory / f"extract-{(extract_fingerprint or code_fingerprint)[:16]}"
                                  if directory else None)
        self.hits = {"extract": 0, "parse": 0}

    def _path(self, sha256: str, stage: str) -> Path | None:
        folder = self.extract_directory if stage == "extract" else self.directory
        return folder / f"{sha256}.{stage}.pkl" if folder else None

    def _read(self, sha256: str, stage: str) -> Any | None:
        path = self._path(sha256, stage)
        if path is None or not path.exists():
            return None
        try:
            with path.open("rb") as handle:
                return pickle.load(handle)  # noqa: S301 - our own build artefact, never user input
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
            return None  # a damaged or stale entry is simply a miss

    def _write(self, sha256: str, stage: str, value: Any) -> None:
        path = self._path(sha256, stage)
        if path is None:
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "wb") as handle:
            pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temp, path)

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
        self._write(sha256, "parse", (result, answers))

    def state(self) -> CorpusState | None:
        """The corpus state of the last build made with this code, if any."""
        return read_state(self.directory)

    def store_state(self, state: CorpusState) -> None:
        write_state(self.directory, state)

    def forget_state(self) -> None:
        forget_state(self.directory)

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
                stale = [e.path for e in entries
                         if e.name != STATE_FILE and e.name.split(".", 1)[0] not in keep]
            for path in stale:
                Path(path).unlink(missing_ok=True)
