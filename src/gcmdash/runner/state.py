"""What an incremental build needs to know about the previous build's corpus, in one cache row.

The previous database holds every loaded document's rows; this file holds what the database
does not: the corpus-wide word counts the hyphen lexicon is made from (so one changed file
updates the counts instead of recounting every text) and, per document content, the lexicon
questions its parse asked (so an unchanged document is reused only while the new lexicon
still answers them the same way). It is written after the database is swapped in, and names
that database's input fingerprint: a state that does not match the database is not used.

Like the rest of the cache it is a build artefact in the cache store, sealed with the cache's
key (gcmdash/runner/cache.py): deleting it only makes the next build a full one. Its file
stamps also let `gcmdash serve` tell whether the database is stale without hashing every file.
"""
from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass, field


@dataclass(frozen=True)
class FileStamp:
    """A file as it was when it was hashed. A file whose size, times and inode still match is
    not read again (as git's index does), unless it changed within RACY_NS of being hashed:
    on a file system with coarse timestamps such a change would not show."""

    size: int
    mtime_ns: int
    ctime_ns: int
    inode: int
    sha256: str
    hashed_at_ns: int

    def matches(self, stat: os.stat_result) -> bool:
        """True when the file still looks as it did when hashed, long enough after."""
        return ((self.size, self.mtime_ns, self.ctime_ns, self.inode)
                == (stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino)
                and max(stat.st_mtime_ns, stat.st_ctime_ns) < self.hashed_at_ns - RACY_NS)


RACY_NS = 2_000_000_000


@dataclass
class CorpusState:
    """The previous build's corpus: word counts, what was counted, parse questions, stamps."""

    input_fingerprint: str
    token_counts: Counter[str]  # HyphenLexicon tokens over the counted texts
    counted: frozenset[str]  # sha256 of every text counted (each distinct readable content once)
    answers: dict[str, dict[str, str | None]] = field(default_factory=dict)  # sha256 -> questions
    files: dict[str, FileStamp] = field(default_factory=dict)  # file name -> when it was hashed
