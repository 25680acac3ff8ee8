"""One-file rebuild, stage by stage: `python -m benchmarks.rebuild [N] [FOLDER] [REPEATS]`.

Writes an N-document synthetic corpus (benchmarks/synthetic.py) into FOLDER/raw once and builds
it once (both kept across runs, so a second run starts at the rebuilds), then REPEATS times:
toggle one procedural note's closing line and rebuild in place. Each stage of the build is
timed from outside (its function wrapped in gcmdash.runner.build's namespace) in wall seconds
(perf_counter) and this process's CPU seconds (process_time; the workers' CPU is counted apart,
from RUSAGE_CHILDREN). Prints the median of each, with the floor timed in the same run: an
lstat of every file, opening the database, and extracting and parsing the changed file.
The check and topic-fit stages overlap in two threads, so their CPU seconds overlap too.
"""
from __future__ import annotations

import functools
import json
import os
import resource
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

import duckdb

from benchmarks.bench import _one_file_floor
from benchmarks.synthetic import generate, write_corpus
from gcmdash.runner import build as build_module

# (namespace, attribute, stage name) of what is timed; load_documents and friends are "load"
_STAGES = (
    (build_module, "discover_entries", "discover"),
    (build_module, "_start_from_previous", "copy previous db"),
    (build_module, "ingest", "ingest (stat, hash, extract, parse)"),
    (build_module.database, "keep_only", "keep_only (deletes)"),
    (build_module.database, "load_documents", "load changed rows"),
    (build_module.resolve, "resolve", "resolve"),
    (build_module.topic_stage, "prepare_topics", "prepare_topics"),
    (build_module.checks, "run_quality_checks", "quality checks"),
    (build_module.checks, "check_invariants", "invariants"),
    (build_module.topic_stage, "write_model", "write topic model"),
)
OLD, NEW = "Closing remarks by the co-facilitators", "Closing remarks by the co-chairs"


def _timed(function, name: str, into: dict[str, list[float]]):
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            return function(*args, **kwargs)
        finally:
            into[name][0] += time.perf_counter() - wall
            into[name][1] += time.process_time() - cpu
    return wrapper


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _db_open_floor(db: Path) -> float:
    started = time.perf_counter()
    with duckdb.connect(str(db), read_only=True) as con:
        con.execute("SELECT count(*) FROM documents").fetchone()
    return time.perf_counter() - started


def main(size: int, folder: Path, repeats: int) -> dict:
    raw, db, cache = folder / "raw", folder / "g.duckdb", folder / "cache"
    if not (raw.exists() and db.exists()):
        write_corpus(raw, size)
        started = time.perf_counter()
        build_module.build(raw, db, workers=2, cache_dir=cache)
        print(f"full build {time.perf_counter() - started:.1f} s", file=sys.stderr)
        time.sleep(2.1)  # the racy rule: files hashed within 2 s of a change are hashed again
    note = next(d for d in reversed(generate(size)) if d.kind == "procedural_note")
    changed = raw / note.file_name
    runs: list[dict[str, list[float]]] = []
    totals, floors = [], []
    for _ in range(repeats):
        text = changed.read_text(encoding="utf-8")
        old, new = (OLD, NEW) if OLD in text else (NEW, OLD)
        changed.write_text(text.replace(old, new, 1), encoding="utf-8")
        time.sleep(2.1)
        stages: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
        originals = [(owner, attr, getattr(owner, attr)) for owner, attr, _ in _STAGES]
        for owner, attr, name in _STAGES:
            setattr(owner, attr, _timed(getattr(owner, attr), name, stages))
        try:
            wall, cpu, workers = time.perf_counter(), time.process_time(), _children_cpu()
            report = build_module.build(raw, db, workers=2, cache_dir=cache)
            totals.append((time.perf_counter() - wall, time.process_time() - cpu,
                           _children_cpu() - workers))
        finally:
            for owner, attr, original in originals:
                setattr(owner, attr, original)
        assert report.reused == size - 1, (report.reused, size)
        runs.append(dict(stages))
        floors.append((_one_file_floor(raw, changed), _db_open_floor(db)))
    median = statistics.median
    result = {
        "documents": size, "repeats": repeats, "load average": os.getloadavg(),
        "rebuild wall s": round(median(t[0] for t in totals), 3),
        "rebuild parent CPU s": round(median(t[1] for t in totals), 3),
        "rebuild worker CPU s": round(median(t[2] for t in totals), 3),
        "floor: lstat all + extract/parse one s": round(median(f[0] for f in floors), 3),
        "floor: open db s": round(median(f[1] for f in floors), 3),
        "stages (wall s, CPU s)": {
            name: (round(median(r.get(name, [0, 0])[0] for r in runs), 3),
                   round(median(r.get(name, [0, 0])[1] for r in runs), 3))
            for _, _, name in _STAGES},
    }
    return result


if __name__ == "__main__":
    arguments = sys.argv[1:]
    size = int(arguments[0]) if arguments else 10_000
    folder = Path(arguments[1]) if len(arguments) > 1 else Path("/tmp/rebuild-corpus")
    repeats = int(arguments[2]) if len(arguments) > 2 else 3
    print(json.dumps(main(size, folder, repeats), indent=1))
