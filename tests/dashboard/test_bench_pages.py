"""The page benchmark's large database is the seed database multiplied, copies tied together."""
from __future__ import annotations

import duckdb

from benchmarks.bench_pages import synthesize


def test_synthesized_database_multiplies_rows_and_keeps_the_invariants(seed_db, tmp_path):
    target = tmp_path / "x3.duckdb"
    counts = synthesize(seed_db, target, 3)
    with duckdb.connect(str(seed_db), read_only=True) as con:
        seed = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in counts}
    assert counts == {t: 3 * n for t, n in seed.items()}
    with duckdb.connect(str(target), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM roles WHERE person_id NOT IN "
                           "(SELECT person_id FROM people)").fetchone() == (0,)
        # the directory is aggregated again over the copies, not copied
        assert con.execute("SELECT count(*) FROM people FULL JOIN person_directory "
                           "USING (person_id) WHERE people.person_id IS NULL "
                           "OR person_directory.person_id IS NULL").fetchone() == (0,)
        assert con.execute("SELECT full_name, sources FROM person_directory "
                           "WHERE person_id = 'louise-arbour-k2'").fetchone() == (
            "Louise Arbour 2", ["001_bab7ddbf46844fd5.txt, lines 46–48",
                                "003_caee5c70cc5473e9.txt, line 611"])
        assert con.execute("SELECT listed_name FROM roles WHERE role_id = "
                           "'001_bab7ddbf46844fd5.txt:46-k2'").fetchone() == ("Louise Arbour 2",)
