"""Server-side render time of every dashboard page (not a test).

Each page runs under streamlit.testing's AppTest, in this process, against a given database:
the time is what the server spends on a page view (script, queries, tables, figures, the
messages to the browser), without the browser's own drawing. One untimed run per page warms
the imports and the cached connection, as on a running server; then `runs` timed runs.

The large database is the seed database with its row-level tables multiplied (`synthesize`):
recommendations, text units and their topic and objective rows, people and roles, each copy
with new ids; everything else as built. Deterministic for a factor.

    python -m benchmarks.bench_pages                      # seed database and x1000
    python -m benchmarks.bench_pages --factor 100 --runs 5
    gcmdash bench --only pages --sizes 73,73000          # the same through the registry

Targets: under 1 s a page on the seed database, under 2 s on the large one.
"""
from __future__ import annotations

import argparse
import math
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

import duckdb

from gcmdash import config
from gcmdash.derive import resolve

PAGES_DIR = config.APP_PAGES_DIR
# (name, page file, query parameters): each page's default view, and the heavier views
# a link can open (a search over everything, a selected cell).
VIEWS: tuple[tuple[str, str, dict[str, str]], ...] = (
    ("overview", "overview.py", {}),
    ("participation", "participation.py", {}),
    ("participation, people search", "participation.py", {"people_q": "university"}),
    ("session 3", "session.py", {"session": "Session 3"}),
    ("themes", "themes.py", {}),
    ("themes, selected cell", "themes.py", {"objective_cell": "Objective 13 × Session 3"}),
    ("recommendations", "recommendations.py", {}),
    ("recommendations, search", "recommendations.py", {"q": "detention",
                                                       "rec_session": "Session 3"}),
    ("data & method", "data_method.py", {}),
)
SEED_TARGET_SECONDS = 1.0
LARGE_TARGET_SECONDS = 2.0

# Row-level tables multiplied by synthesize(), in foreign-key order, with the SQL that writes
# copy k (1 .. factor-1) of every seed row: ids get a '-k<k>' suffix.
_COPIES = {
    "people": """
        INSERT INTO people
        SELECT person_id || '-k' || k, full_name || ' ' || k, name_key || ' ' || k
        FROM people_seed, range(1, $factor) AS r(k)""",
    "roles": """
        INSERT INTO roles
        SELECT role_id || '-k' || k, person_id || '-k' || k, listed_name || ' ' || k,
               session_number, role,
               panel_number, honorific, affiliation, gender_as_listed, organisation_type,
               organisation_rule, document_id, line_start, line_end, source_url, reference_row
        FROM roles_seed, range(1, $factor) AS r(k)""",
    "recommendations": """
        INSERT INTO recommendations
        SELECT recommendation_id || '-k' || k, session_number, area_letter,
               position + 1000 * k, text, document_id, line_start, line_end
        FROM recommendations_seed, range(1, $factor) AS r(k)""",
    "text_units": """
        INSERT INTO text_units
        SELECT unit_id || '-k' || k, session_number, unit_type, text, document_id, line_start,
               line_end, source_url
        FROM text_units_seed, range(1, $factor) AS r(k)""",
    "unit_topics": """
        INSERT INTO unit_topics
        SELECT unit_id || '-k' || k, topic_id, weight, is_primary
        FROM unit_topics_seed, range(1, $factor) AS r(k)""",
    "unit_objectives": """
        INSERT INTO unit_objectives
        SELECT unit_id || '-k' || k, objective, score, reason
        FROM unit_objectives_seed, range(1, $factor) AS r(k)""",
}


def synthesize(seed_db: Path, target: Path, factor: int) -> dict[str, int]:
    """Copy `seed_db` to `target` and multiply its row-level tables by `factor` (tables the
    database lacks, e.g. before the topic model, are left out). Returns rows per table."""
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(seed_db, target)
    counts = {}
    with duckdb.connect(str(target)) as con:
        present = {r[0] for r in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main'").fetchall()}
        for table, sql in _COPIES.items():
            if table not in present:
                continue
            # The seed rows, once: the inserts read them while the table grows.
            con.execute(f"CREATE TEMP TABLE {table}_seed AS SELECT * FROM {table}")
            if factor > 1:
                con.execute(sql, {"factor": factor})
            counts[table] = con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        if "person_directory" in present:  # aggregated from people and roles: again
            con.execute("DELETE FROM person_directory")
            con.execute(resolve.RESOLVE_PERSON_DIRECTORY)
        con.execute("CHECKPOINT")
    return counts


@contextmanager
def _database(path: Path):
    previous = os.environ.get("GCMDASH_DB")
    os.environ["GCMDASH_DB"] = str(path)
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop("GCMDASH_DB", None)
        else:
            os.environ["GCMDASH_DB"] = previous


def _render(page: str, query: dict[str, str]) -> float:
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(PAGES_DIR / page), default_timeout=120)
    for key, value in query.items():
        at.query_params[key] = value
    started = time.perf_counter()
    at.run()
    seconds = time.perf_counter() - started
    if at.exception or at.error:
        problems = [e.value for e in at.exception] + [e.value for e in at.error]
        raise RuntimeError(f"{page} {query}: {problems}")
    return seconds


def time_pages(db_path: Path, runs: int = 3) -> dict[str, float]:
    """Median server-side render time (s) of every view in VIEWS on the database."""
    import logging

    logging.getLogger("streamlit").setLevel(logging.ERROR)
    results = {}
    with _database(db_path):
        for name, page, query in VIEWS:
            _render(page, query)  # warm: imports, cached connection
            results[name] = statistics.median(_render(page, query) for _ in range(runs))
    return results


def measure(db_path: Path, size: int, runs: int = 3,
            mark_ready: Callable[[], None] = lambda: None) -> dict[str, float | int]:
    """For the `gcmdash bench` registry: render times on a database of about `size`
    recommendations, synthesized from the built database at `db_path` (the built database
    itself when `size` is no larger)."""
    with duckdb.connect(str(db_path), read_only=True) as con:
        seed_count = con.execute("SELECT count(*) FROM recommendations").fetchone()[0]
    factor = max(1, math.ceil(size / max(seed_count, 1)))
    with tempfile.TemporaryDirectory(prefix="gcmdash-bench-pages-") as tmp:
        target = Path(tmp) / "large.duckdb"
        counts = synthesize(db_path, target, factor)
        mark_ready()
        seconds = time_pages(target, runs)
    metrics: dict[str, float | int] = {"recommendations": counts["recommendations"],
                                       "roles": counts["roles"]}
    metrics.update({f"{name} s": round(s, 3) for name, s in seconds.items()})
    metrics["slowest s"] = round(max(seconds.values()), 3)
    return metrics


def to_markdown(rows: list[tuple[str, dict[str, int], dict[str, float]]]) -> str:
    """(database label, row counts, seconds per view) -> a Markdown table, one column per
    database."""
    header = ["view"] + [f"{label} ({counts['recommendations']:,} recommendations, "
                         f"{counts['roles']:,} roles) s" for label, counts, _ in rows]
    lines = ["| " + " | ".join(header) + " |", "|---|" + "---:|" * len(rows)]
    for name, _, _ in VIEWS:
        lines.append("| " + " | ".join([name] + [f"{seconds[name]:.3f}"
                                                 for _, _, seconds in rows]) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path, default=None,
                        help="built seed database (default $GCMDASH_DB or data/gcmdash.duckdb; "
                             "built from data/raw when missing)")
    parser.add_argument("--factor", type=int, default=1000,
                        help="multiply the row-level tables by this for the large database")
    parser.add_argument("--runs", type=int, default=3, help="timed runs per view (median)")
    args = parser.parse_args(argv)

    seed = args.db or config.db_path()
    if not seed.exists():
        from gcmdash.runner.build import build

        build(config.raw_dir(), seed)
    rows = []
    with tempfile.TemporaryDirectory(prefix="gcmdash-bench-pages-") as tmp:
        for label, factor in (("seed", 1), (f"x{args.factor}", args.factor)):
            path = Path(tmp) / f"{label}.duckdb"
            counts = synthesize(seed, path, factor)
            rows.append((label, counts, time_pages(path, args.runs)))
    print(to_markdown(rows))
    slowest = {label: max(seconds.values()) for label, _, seconds in rows}
    ok = (slowest["seed"] < SEED_TARGET_SECONDS
          and slowest[f"x{args.factor}"] < LARGE_TARGET_SECONDS)
    print(f"\nslowest view: seed {slowest['seed']:.3f} s (target < {SEED_TARGET_SECONDS} s), "
          f"x{args.factor} {slowest[f'x{args.factor}']:.3f} s "
          f"(target < {LARGE_TARGET_SECONDS} s): {'met' if ok else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
