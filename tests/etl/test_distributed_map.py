"""The parse stage is a pure map that any engine can run: shown here under concurrent.futures,
with the rows written to Parquet and read back by DuckDB, as a Dask, Ray or Spark job would."""
from __future__ import annotations

import functools
from collections import Counter
from concurrent.futures import ProcessPoolExecutor

import duckdb
import pyarrow.parquet as pq

from gcmdash.extract.formats import discover, extract
from gcmdash.extract.text import HyphenLexicon, count_tokens
from gcmdash.load.database import LoadableDocument, RowBuilder
from gcmdash.load.reference import ReferenceData
from gcmdash.parse import parse_document
from tests.conftest import SEED_DIR


def test_map_under_concurrent_futures_equals_in_process(tmp_path):
    paths = discover(SEED_DIR)
    with ProcessPoolExecutor(max_workers=2) as pool:
        extracted = list(pool.map(extract, paths))                    # map 1: bytes -> text
        counts = list(pool.map(count_tokens, [e.text for e in extracted]))  # ... and its words
        lexicon = HyphenLexicon.from_token_counts(sum(counts, Counter()))  # reduce: corpus words
        parse = functools.partial(parse_document, lexicon=lexicon)     # broadcast the lexicon
        parsed = list(pool.map(parse, [e.text for e in extracted]))   # map 2: text -> records
    assert lexicon == HyphenLexicon.from_texts([e.text for e in extracted])
    assert parsed == [parse_document(e.text, lexicon) for e in extracted]

    documents = [LoadableDocument(e, p) for e, p in zip(extracted, parsed)]
    tables, _ = RowBuilder({}).rows(documents, ReferenceData())
    for table, batch in tables.items():  # one Parquet file per table, as a cluster would write
        pq.write_table(batch, tmp_path / f"{table}.parquet")
    with duckdb.connect() as con:
        count, areas = con.execute(
            "SELECT count(*), count(DISTINCT area_letter) FROM read_parquet(?)",
            [str(tmp_path / "recommendations.parquet")]).fetchone()
    assert (count, areas) == (73, 12)
