"""Incremental builds: a build that starts from the previous database gives exactly the tables a
full build gives, whatever changed, and reuses what did not change."""
from __future__ import annotations

import os
import shutil
import sqlite3
from collections import Counter
from pathlib import Path

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from benchmarks.synthetic import write_corpus
from gcmdash.config import reference_dir
from gcmdash.extract.text import HyphenLexicon, count_tokens
from gcmdash.runner.build import build
from gcmdash.runner.cache import STATE, STORE_FILE, DocumentCache
from gcmdash.runner.ingest import hash_files
from gcmdash.runner.state import RACY_NS, FileStamp
from tests.conftest import SEED_DIR

SUMMARY = "003_caee5c70cc5473e9.txt"


def everything(db: Path) -> dict[str, list[tuple]]:
    """Every table of the database, rows in a stable order."""
    with duckdb.connect(str(db), read_only=True) as con:
        tables = [r[0] for r in con.execute(
            "SELECT table_name FROM duckdb_tables() ORDER BY table_name").fetchall()]
        return {t: con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in tables}


class Corpus:
    """A raw folder built incrementally in place, checked against a full build each time."""

    def __init__(self, tmp_path: Path, source: Path = SEED_DIR,
                 curated: Path | None = None) -> None:
        self.raw, self.tmp = tmp_path / "raw", tmp_path
        shutil.copytree(source, self.raw)
        self.db, self.cache = tmp_path / "gcmdash.duckdb", tmp_path / "cache"
        self.curated = curated
        self.builds = 0

    def build(self):
        """Incremental build in place; asserts it equals a full build from nothing."""
        report = build(self.raw, self.db, cache_dir=self.cache, workers=2,
                       curated_dir=self.curated)
        self.builds += 1
        full = self.tmp / f"full-{self.builds}.duckdb"
        build(self.raw, full, workers=2, curated_dir=self.curated)
        assert everything(self.db) == everything(full)
        return report

    def edit(self, name: str, old: str, new: str) -> None:
        path = self.raw / name
        text = path.read_text(encoding="utf-8")
        assert old in text
        path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_unchanged_and_edited_documents(tmp_path):
    corpus = Corpus(tmp_path)
    first = corpus.build()
    assert (first.reused, first.topics_reused) == (0, False)
    again = corpus.build()
    assert (again.reused, again.topics_reused) == (5, True)
    assert again.cache_hits == {"extract": 0, "parse": 0}  # nothing read, nothing parsed

    corpus.edit("002_11a64b559e8c10d2.txt", "17:55", "17:50")  # an agenda time
    edited = corpus.build()
    assert (edited.reused, edited.topics_reused) == (4, True)  # no text unit changed

    corpus.edit(SUMMARY, "Detention", "Detention of migrants")  # an area heading
    summary = corpus.build()
    assert summary.reused == 4


def test_second_summaries_added_and_removed(tmp_path):
    corpus = Corpus(tmp_path)
    corpus.build()
    # A copy would double the summary's glued 'capacitybuilding', which would then read as a
    # word the corpus uses (test below); the revision spells it with its hyphen.
    text = (corpus.raw / SUMMARY).read_text(encoding="utf-8").replace("capacitybuilding",
                                                                      "capacity-building")
    # a later summary of session 3: the first keeps supplying the recommendations
    (corpus.raw / "zz_revised.txt").write_text(text.replace("Detention", "Custody"), encoding="utf-8")
    later = corpus.build()
    assert later.reused == 5
    # an earlier one takes over: the old summary is read again (its flag now names another)
    earlier_name = "002z_earlier.txt"  # sorts before the seed summary
    (corpus.raw / earlier_name).write_text(text.replace("Detention", "Confinement"),
                                           encoding="utf-8")
    earlier = corpus.build()
    assert earlier.reused == 4
    with duckdb.connect(str(corpus.db), read_only=True) as con:
        assert con.execute("SELECT DISTINCT document_id FROM recommendations").fetchall() == [
            (earlier_name,)]
    (corpus.raw / earlier_name).unlink()
    removed = corpus.build()
    assert removed.reused == 4


def test_renamed_duplicated_and_failing_files(tmp_path):
    corpus = Corpus(tmp_path)
    corpus.build()
    (corpus.raw / "004_c622c7e6c4042f6b.txt").rename(corpus.raw / "renamed.txt")
    renamed = corpus.build()
    assert renamed.reused == 4 and renamed.cache_hits["parse"] == 1  # same content, new name
    # a copy under a name sorting first: the copy loads, the reused original is now the duplicate
    shutil.copyfile(corpus.raw / "001_bab7ddbf46844fd5.txt", corpus.raw / "000.txt")
    duplicated = corpus.build()
    assert ("001_bab7ddbf46844fd5.txt", "duplicate", "identical content to 000.txt") in \
        duplicated.documents
    (corpus.raw / "zz_scan.pdf").write_bytes(b"%PDF-1.4 not really")
    failing = corpus.build()
    assert failing.reused == 5 and len(failing.failed) == 1
    (corpus.raw / "000.txt").unlink()
    (corpus.raw / "zz_scan.pdf").unlink()
    assert corpus.build().reused == 4  # 001 loads again, read from the cache


def test_a_changed_lexicon_reparses_the_documents_it_answered(tmp_path):
    """The seed summary's glued 'capacitybuilding' (a glued line) is asked of the corpus
    lexicon, which says 'capacity-building' while the corpus never writes 'capacitybuilding'. A
    new file that does changes that answer, so the unchanged summary must be parsed again, not
    reused. The summary still reads 'capacity-building': the document itself writes 'capacity
    building' more often than glued (repair_own_compounds), evidence no other file can undo."""
    corpus = Corpus(tmp_path)
    corpus.build()
    (corpus.raw / "zz_minutes.txt").write_text(
        "Minutes of a staff meeting on capacitybuilding and capacitybuilding.\n", encoding="utf-8")
    report = corpus.build()
    assert report.reused == 4 and (SUMMARY, "loaded", None) in report.documents
    with duckdb.connect(str(corpus.db), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM recommendations WHERE text LIKE "
                           "'%capacitybuilding%'").fetchone()[0] == 0
        assert con.execute("SELECT count(*) FROM recommendations WHERE text LIKE "
                           "'%capacity-building%'").fetchone()[0] > 0


def test_synthetic_corpus_with_several_summaries_per_session(tmp_path):
    source = tmp_path / "source"
    documents = write_corpus(source, 30)  # sessions 1-4 have two summaries each
    work = tmp_path / "work"
    work.mkdir()
    corpus = Corpus(work, source)
    corpus.build()
    summaries = [d.file_name for d in documents if d.kind == "summary"]
    corpus.edit(summaries[-1], "Many delegations pointed to", "Many delegations referred to")
    assert corpus.build().reused == 29
    corpus.edit(summaries[0], "Many delegations pointed to", "Many delegations referred to")
    assert corpus.build().topics_reused is False
    (corpus.raw / summaries[0]).unlink()  # session 1's recommendations move to its second summary
    assert corpus.build().reused == 28


def test_changed_reference_data_or_lost_state_means_a_full_build(tmp_path):
    curated = tmp_path / "reference"
    shutil.copytree(reference_dir(), curated)
    corpus = Corpus(tmp_path, curated=curated)
    corpus.build()
    terms = curated / "gcm_objective_terms.csv"
    text = terms.read_text(encoding="utf-8")
    assert "\n1,data,1," in text
    terms.write_text(text.replace("\n1,data,1,", "\n1,data,0.9,", 1), encoding="utf-8")
    assert corpus.build().reused == 0
    with sqlite3.connect(corpus.cache / STORE_FILE) as con:
        assert con.execute("UPDATE entries SET sealed = 'not a pickle' WHERE stage = ?",
                           [STATE]).rowcount == 1
    assert corpus.build().reused == 0
    assert corpus.build().reused == 5
    corpus.db.write_bytes(b"not a database")
    assert corpus.build().reused == 0


def test_a_file_is_hashed_again_unless_its_stamp_matches(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text("one", encoding="utf-8")
    just_written = hash_files([path], {})["a.txt"]
    # hashed as it was being written: a change in the same clock tick would not show
    assert hash_files([path], {"a.txt": just_written})["a.txt"] is not just_written
    stat = path.stat()
    settled = FileStamp(stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino,
                        just_written.sha256, hashed_at_ns=stat.st_ctime_ns + 2 * RACY_NS)
    assert hash_files([path], {"a.txt": settled})["a.txt"] is settled  # not read again
    path.write_text("two", encoding="utf-8")  # same size
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # even with its old time put back
    assert hash_files([path], {"a.txt": settled})["a.txt"].sha256 != just_written.sha256


words = st.lists(st.sampled_from(["whole", "of", "government", "whole-of-government",
                                  "capacity", "building", "capacitybuilding", "pre-departure",
                                  "co-facilitators", "Sub-Regional", "subregional"]),
                 max_size=30).map(" ".join)


@settings(max_examples=60, deadline=None)
@given(texts=st.lists(words, min_size=1, max_size=6), removed=st.integers(0, 5))
def test_lexicon_counts_add_and_subtract_in_any_order(texts, removed):
    """The lexicon an incremental build makes (old counts, minus a text that left, plus the
    ones that came) is the lexicon of the new corpus counted afresh, in any order."""
    removed %= len(texts)
    kept = texts[:removed] + texts[removed + 1:]
    counts = Counter()
    for text in reversed(texts):
        counts.update(count_tokens(text))
    counts.subtract(count_tokens(texts[removed]))
    assert HyphenLexicon.from_token_counts(+counts) == HyphenLexicon.from_texts(kept)


@pytest.mark.parametrize("damage", ["missing", "old format"])
def test_a_cache_entry_without_word_counts_is_a_miss(tmp_path, damage):
    cache = DocumentCache(tmp_path, "f" * 64)
    if damage == "old format":
        cache._put("extract", "a" * 64, "an ExtractedDocument of an older version")
        cache.close()
    assert cache.extracted("a" * 64, tmp_path / "x.txt") is None
    assert cache.token_counts("a" * 64) is None
