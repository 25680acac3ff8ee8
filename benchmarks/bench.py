"""`gcmdash bench`: named benchmarks of fit time and peak memory at several sizes (never a test).

Benchmarks live in a registry (`BENCHMARKS`, filled by `@register`); each takes the built
database and a size and returns named measurements. Every (benchmark, size) runs in a fresh
Python process, so its peak resident memory is its own and nothing is cached between sizes.
`to_markdown` formats the results with a description of the machine; `write_markdown` puts
them in BENCHMARKS.md, replacing only the sections of the benchmarks that ran.

    gcmdash bench                                   # every benchmark at a small size, printed
    gcmdash bench --only topics --sizes 1000,10000,100000 --write

To add a benchmark (a later issue times the whole pipeline): decorate a function
`(db_path: Path, size: int) -> dict[str, float | int | str]` with `@register(name, description)`.
"""
from __future__ import annotations

import hashlib
import json
import os
import platform
import resource
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

Measure = Callable[[Path, int], dict]


@dataclass(frozen=True)
class Benchmark:
    name: str
    description: str
    measure: Measure
    size_means: str      # what `--sizes` counts for this benchmark
    quick_sizes: tuple[int, ...]  # the bare `gcmdash bench` default: small and quick


BENCHMARKS: dict[str, Benchmark] = {}


def register(name: str, description: str, *, size_means: str,
             quick_sizes: tuple[int, ...]) -> Callable[[Measure], Measure]:
    def add(measure: Measure) -> Measure:
        BENCHMARKS[name] = Benchmark(name, description, measure, size_means, quick_sizes)
        return measure
    return add


@dataclass
class Result:
    name: str
    size: int
    metrics: dict = field(default_factory=dict)
    wall_seconds: float = 0.0
    ready_rss_mb: float = 0.0  # peak resident memory once imports and inputs were ready
    peak_rss_mb: float = 0.0   # peak resident memory of the whole run


# --------------------------------------------------------------------------- synthetic input

def synthetic_units(units: pd.DataFrame, size: int, seed: int = 0) -> pd.DataFrame:
    """`size` text units made from the real ones: each keeps about 80% of the words of a real
    unit (in order) and appends a 5-15 word window of another, with that first unit's session
    and type. Deterministic for a seed; the vocabulary is the real one."""
    rng = np.random.RandomState(seed)
    words = [text.split() for text in units["text"]]
    base = rng.randint(0, len(units), size)
    other = rng.randint(0, len(units), size)
    texts = []
    for b, o in zip(base, other):
        kept = [w for w in words[b] if rng.random_sample() < 0.8] or words[b][:1]
        window = rng.randint(5, 16)
        start = rng.randint(0, max(1, len(words[o]) - window + 1))
        texts.append(" ".join(kept + words[o][start:start + window]))
    return pd.DataFrame({
        "unit_id": [f"syn-{i:07d}" for i in range(size)],
        "session_number": units["session_number"].to_numpy()[base],
        "unit_type": units["unit_type"].to_numpy()[base],
        "text": texts,
    })


# --------------------------------------------------------------------------- benchmarks

@register("topics", "topic model on synthetic text units: features (stems, TF-IDF, objective "
                    "terms), choosing k by subsample stability (on at most 2,000 units), the "
                    "NMF on all units (fit = features + NMF), the agreement over 5 seeds (4 "
                    "refits on at most 2,000 units), and the GCM objective mapping",
          size_means="synthetic text units", quick_sizes=(500,))
def bench_topics(db_path: Path, size: int) -> dict:
    from gcmdash.topics.model import fit_topics
    from gcmdash.topics.objectives import map_objectives
    from gcmdash.views import queries

    with queries.open_database(db_path) as con:
        units = synthetic_units(queries.text_units(con), size)
    _mark_ready()
    result = fit_topics(units)
    started = time.perf_counter()
    mapped = map_objectives(units)
    objectives_seconds = time.perf_counter() - started
    return {
        "units": size,
        "k chosen": result.selection.n_topics,
        "features": result.provenance["feature_count"],
        "features s": round(result.extra["features_seconds"], 3),
        "choose k s": round(result.extra["select_seconds"], 3),
        "NMF s": round(result.extra["nmf_seconds"], 3),
        "fit s": round(result.fit_seconds, 3),
        "seed stability s": round(result.extra["stability_seconds"], 3),
        "objectives s": round(objectives_seconds, 3),
        "objective rows": len(mapped),
    }


@register("semantic", "the semantic topic view (pip install 'gcmdash[embeddings]') on synthetic "
                      "text units: all-MiniLM-L6-v2 embeddings in onnxruntime, or NumPy with "
                      "GCMDASH_EMBEDDING_BACKEND=numpy (2 worker threads, one thread each, "
                      "texts cut at 128 tokens) + "
                      "objective-term scores, choosing k by the stability of Ward trees on "
                      "subsamples (on at most 2,000 units), Ward on all units (fit = embeddings "
                      "+ Ward)",
          size_means="synthetic text units", quick_sizes=(200,))
def bench_semantic(db_path: Path, size: int) -> dict:
    from gcmdash.topics.embeddings import (
        EmbeddingModelMissing,
        fit_semantic_topics,
        load_encoder,
    )
    from gcmdash.views import queries

    started = time.perf_counter()
    try:
        encoder = load_encoder()
    except EmbeddingModelMissing as error:  # the bare `gcmdash bench` runs on a default install
        return {"units": size, "not run": str(error)}
    load_seconds = time.perf_counter() - started
    with queries.open_database(db_path) as con:
        units = synthetic_units(queries.text_units(con), size)
    tokens = sum(len(encoder.tokenizer.encode(text)) for text in units["text"])
    _mark_ready()
    result = fit_semantic_topics(units)
    return {
        "units": size,
        "backend": encoder.backend,
        "tokens": tokens,
        "k chosen": result.selection.n_topics,
        "model load s": round(load_seconds, 3),
        "embeddings s": round(result.extra["features_seconds"], 3),
        "choose k s": round(result.extra["select_seconds"], 3),
        "Ward s": round(result.extra["ward_seconds"], 3),
        "fit s": round(result.fit_seconds, 3),
        "process CPU s": round(time.process_time(), 3),
    }


@register("pages", "server-side render time (s, median of 3 AppTest runs) of every dashboard "
                   "page on the built database with its row-level tables multiplied to about "
                   "`size` recommendations (benchmarks/bench_pages.py)",
          size_means="recommendations in the multiplied database", quick_sizes=(73,))
def bench_pages(db_path: Path, size: int) -> dict:
    from benchmarks import bench_pages as pages

    return pages.measure(db_path, size, mark_ready=_mark_ready)


@register("parse", "parse time of one summary whose every part (intro sentences of counts, one "
                   "long sentence of counts, narrative lines, bullets) has `size` entries, "
                   "against the same at a tenth of the size (benchmarks/synthetic.py "
                   "large_summary); a ratio near 10 is linear, the test counts the work",
          size_means="entries per part of the summary", quick_sizes=(2000,))
def bench_parse(db_path: Path, size: int) -> dict:  # noqa: ARG001 - makes its own input
    from benchmarks.synthetic import large_summary
    from gcmdash.extract.text import HyphenLexicon, clean_text
    from gcmdash.parse import parse_document

    lexicon = HyphenLexicon.from_texts([])
    texts = {scale: clean_text(large_summary(scale)) for scale in (max(1, size // 10), size)}
    _mark_ready()
    seconds = {}
    for scale, text in texts.items():
        started = time.perf_counter()
        parse_document(text, lexicon)
        seconds[scale] = time.perf_counter() - started
    small, large = seconds[max(1, size // 10)], seconds[size]
    return {"entries": size, "characters": len(texts[size]), "parse s": round(large, 3),
            "tenth parse s": round(small, 3), "ratio": round(large / small, 1)}


@register("build", "the whole pipeline on a synthetic corpus of `size` documents (benchmarks/synthetic.py: "
                   "all three kinds, with the seeds' quirks; the summaries that load carry about one "
                   "recommendation per document, so the text units and the topic stage grow with "
                   "the corpus): first the floors, timed in the same run: *read floor* reads, "
                   "hashes (SHA-256), decodes and splits into words every file in one process, "
                   "*load floor* bulk-inserts the built fact rows (as Arrow) into an empty database "
                   "with the same constrained schema; each stage's *x floor* is its time over its "
                   "floor (extract+parse over the read floor, load over the load floor, the full "
                   "build over both, so the topics and checks count as cost above it); then the "
                   "full build with 2 workers and an "
                   "empty cache, per stage, with *worker peak MB* each worker's own peak resident "
                   "memory (VmHWM of /proc/PID/status, sampled while the build runs; not "
                   "ru_maxrss, which Linux carries over from the parent through fork and exec); then two one-file edits, each rebuilt in place "
                   "(incremental: the unchanged documents are kept from the previous database; "
                   "the first with its processor time, parent and workers, its stages, and its "
                   "floor: an lstat of every file plus extracting and parsing the changed one "
                   "in one process): "
                   "the last procedural note's closing item renamed (the text units stay as "
                   "they were, so the topic model is copied too), then the first summary's "
                   "narrative reworded (the text units change, so the topic model is fitted "
                   "again); then every dashboard query (median of 3, ms) and every dashboard "
                   "view (server-side render, AppTest) on the built database",
          size_means="synthetic documents in the corpus", quick_sizes=(20,))
def bench_build(db_path: Path, size: int) -> dict:  # noqa: ARG001 - builds its own corpus
    import tempfile

    import duckdb

    from benchmarks import bench_pages
    from benchmarks.synthetic import write_corpus
    from gcmdash.runner.build import build

    with tempfile.TemporaryDirectory(prefix="gcmdash-bench-") as folder:
        raw, cache, db = Path(folder) / "raw", Path(folder) / "cache", Path(folder) / "g.duckdb"
        documents = write_corpus(raw, size)
        _mark_ready()
        peaks: dict[str, float] = {}

        def progress(stage: str, done: int, total: int) -> None:  # noqa: ARG001
            peaks[stage] = _peak_rss_mb()

        read_floor = _read_floor(raw)
        started = time.perf_counter()
        with WorkerMemory() as workers_memory:
            full = build(raw, db, progress, workers=2, cache_dir=cache)
        full_seconds = time.perf_counter() - started
        load_floor = _load_floor(db, Path(folder) / "floor.duckdb")
        time.sleep(2.1)  # files written within 2 s of being hashed are hashed again (racy rule)
        note = next(d for d in reversed(documents) if d.kind == "procedural_note")
        _edit(raw / note.file_name, "Closing remarks by the co-facilitators",
              "Closing remarks by the co-chairs")
        started, cpu_before = time.perf_counter(), _cpu_seconds()
        edited = build(raw, db, workers=2, cache_dir=cache)
        edit_seconds, edit_cpu = time.perf_counter() - started, _cpu_seconds() - cpu_before
        edit_floor = _one_file_floor(raw, raw / note.file_name)
        summary = next(d for d in documents if d.kind == "summary")
        _edit(raw / summary.file_name, "Many delegations pointed to",
              "Many delegations referred to")
        started = time.perf_counter()
        refit = build(raw, db, workers=2, cache_dir=cache)
        refit_seconds = time.perf_counter() - started
        with duckdb.connect(str(db), read_only=True) as con:
            query_ms = _time_dashboard_queries(con)
            recommendations = con.execute("SELECT count(*) FROM recommendations").fetchone()[0]
            units = con.execute("SELECT count(*) FROM text_units").fetchone()[0]
        page_seconds = bench_pages.time_pages(db, runs=1)
    metrics = {"documents": size, "loaded": sum(1 for d in full.documents if d[1] == "loaded"),
               "recommendations": recommendations, "text units": units,
               "read floor s": round(read_floor, 3), "load floor s": round(load_floor, 3),
               "full build s": round(full_seconds, 2),
               "full build x floor": _ratio(full_seconds, read_floor + load_floor)}
    metrics.update({f"{stage} s": round(seconds, 2) for stage, seconds in full.stage_seconds.items()})
    metrics["extract+parse x floor"] = _ratio(full.stage_seconds.get("extract+parse"), read_floor)
    metrics["load x floor"] = _ratio(full.stage_seconds.get("load"), load_floor)
    metrics.update({f"peak MB after {stage}": round(peak) for stage, peak in peaks.items()})
    worker_peaks = workers_memory.peaks_mb()
    metrics["workers"] = len(worker_peaks)
    metrics["worker peak MB"] = ", ".join(str(round(mb)) for mb in worker_peaks) or "none"
    metrics["one-file rebuild s"] = round(edit_seconds, 2)
    metrics["one-file rebuild CPU s"] = round(edit_cpu, 2)
    metrics["one-file rebuild floor s"] = round(edit_floor, 3)
    metrics["one-file rebuild x floor"] = _ratio(edit_seconds, edit_floor)
    metrics["one-file rebuild stages s"] = ", ".join(
        f"{stage} {seconds:.2f}" for stage, seconds in edited.stage_seconds.items())
    metrics["rebuild reused"] = f"{edited.reused}/{size}" + (
        " + topics" if edited.topics_reused else "")
    metrics["one-file rebuild, units changed s"] = round(refit_seconds, 2)
    metrics["units changed reused"] = f"{refit.reused}/{size}" + (
        " + topics" if refit.topics_reused else "")
    metrics["slowest query"] = max(query_ms, key=query_ms.get) if query_ms else ""
    metrics["slowest query ms"] = max(query_ms.values(), default=0.0)
    metrics["slowest five queries ms"] = ", ".join(
        f"{name} {ms}" for name, ms in sorted(query_ms.items(), key=lambda q: -q[1])[:5])
    metrics["median query ms"] = round(float(np.median(list(query_ms.values()))), 1) if query_ms else 0.0
    metrics["slowest page"] = max(page_seconds, key=page_seconds.get)
    metrics["slowest page s"] = round(max(page_seconds.values()), 2)
    return metrics


def _read_floor(raw: Path) -> float:
    """Seconds to read, hash (SHA-256), decode and split into words every file, in one process:
    what extraction cannot go below."""
    started = time.perf_counter()
    for path in sorted(raw.iterdir()):
        data = path.read_bytes()
        hashlib.sha256(data).hexdigest()
        len(data.decode("utf-8", errors="replace").split())
    return time.perf_counter() - started


def _one_file_floor(raw: Path, changed: Path) -> float:
    """Seconds a one-file rebuild cannot go below, in one process: find the changed file (an
    lstat of every file) and extract and parse it."""
    from gcmdash.extract.text import HyphenLexicon
    from gcmdash.runner.tasks import extract_task, parse_task

    state = {"lexicon": HyphenLexicon.from_texts([])}
    started = time.perf_counter()
    for path in raw.iterdir():
        path.lstat()
    document, _ = extract_task(str(changed), state)
    parse_task(document.text, state)
    return time.perf_counter() - started


def _cpu_seconds() -> float:
    """Processor time of this process and its ended children (the build's workers)."""
    own, children = (resource.getrusage(who) for who in (resource.RUSAGE_SELF,
                                                         resource.RUSAGE_CHILDREN))
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _load_floor(built: Path, target: Path) -> float:
    """Seconds to bulk-insert the built database's fact rows, read out as Arrow beforehand, into
    an empty database with the same constrained schema (one transaction, one INSERT ... SELECT
    per table in foreign-key order): what the load stage cannot go below."""
    import duckdb

    from gcmdash.load.database import FACT_TABLES, create_schema

    with duckdb.connect(str(built), read_only=True) as con:
        batches = {table: con.table(table).fetch_arrow_table() for table in FACT_TABLES}
    with duckdb.connect(str(target)) as con:
        create_schema(con)
        started = time.perf_counter()
        con.begin()
        for table in FACT_TABLES:
            batch = batches[table]  # noqa: F841 - read by DuckDB's replacement scan
            con.execute(f"INSERT INTO {table} SELECT * FROM batch")
        con.commit()
        return time.perf_counter() - started


def _ratio(seconds: float | None, floor: float) -> float | str:
    return round(seconds / floor, 1) if seconds is not None and floor > 0 else ""


class WorkerMemory:
    """Peak resident memory of each child process (the build's workers) while the block runs,
    as the child's own kernel counter reports it: VmHWM in /proc/PID/status, sampled every
    0.05 s (the last reading kept), so it misses at most what a worker adds in its last 0.05 s. RUSAGE_CHILDREN's
    ru_maxrss is not used: Linux carries a process's maxrss over from its parent through fork
    and exec, so a worker started by a 300 MB parent reports 300 MB before it does anything."""

    def __init__(self, interval_s: float = 0.05) -> None:
        self.interval_s = interval_s
        self._peaks_kb: dict[int, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample_until_stopped, daemon=True)

    def __enter__(self) -> "WorkerMemory":
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join()

    def peaks_mb(self) -> list[float]:
        """Each child's peak resident memory (MB), largest first."""
        return sorted((kb / 1024 for kb in self._peaks_kb.values()), reverse=True)

    def _sample_until_stopped(self) -> None:
        while not self._stop.is_set():
            for pid in _children():
                peak = _high_water_kb(pid)
                if peak is not None:
                    # the latest reading, not the largest: VmHWM only grows within one program,
                    # and restarts at exec, while a reading taken between fork and exec counts
                    # the parent's pages the child still shares
                    self._peaks_kb[pid] = peak
            self._stop.wait(self.interval_s)


def _children() -> set[int]:
    """Process ids of this process's children (Linux /proc; none elsewhere)."""
    pids: set[int] = set()
    try:
        for task in Path("/proc/self/task").iterdir():
            pids.update(int(pid) for pid in (task / "children").read_text().split())
    except OSError:
        pass
    return pids


def _high_water_kb(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return None


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    if old not in text:
        raise ValueError(f"{path.name} has no '{old}' to edit")
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _time_dashboard_queries(con) -> dict[str, float]:
    """Median of 3 runs (ms) of every query in gcmdash/views/queries.py that needs only a connection."""
    import inspect

    from gcmdash.views import queries

    timings = {}
    for name, function in inspect.getmembers(queries, inspect.isfunction):
        if name.startswith("_") or function.__module__ != queries.__name__:
            continue
        parameters = list(inspect.signature(function).parameters.values())
        if not parameters or parameters[0].name != "con" or any(
                p.default is inspect.Parameter.empty for p in parameters[1:]):
            continue
        runs = []
        for _ in range(3):
            started = time.perf_counter()
            function(con)
            runs.append((time.perf_counter() - started) * 1000)
        timings[name] = round(float(np.median(runs)), 1)
    return timings


# --------------------------------------------------------------------------- running

_READY_RSS: list[float] = []


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def _mark_ready() -> None:
    """Called by a benchmark once its inputs are built: the memory high-water mark so far."""
    _READY_RSS.append(_peak_rss_mb())


def _child(name: str, size: int, db_path: Path) -> dict:
    started = time.perf_counter()
    metrics = BENCHMARKS[name].measure(db_path, size)
    return {"metrics": metrics, "wall_seconds": round(time.perf_counter() - started, 3),
            "ready_rss_mb": round(_READY_RSS[0] if _READY_RSS else 0.0, 1),
            "peak_rss_mb": round(_peak_rss_mb(), 1)}


def run(names: list[str] | None, sizes: list[int], db_path: Path,
        progress: Callable[[str], None] = lambda message: None) -> list[Result]:
    """Run each named benchmark (default all) at each size, each in a fresh process."""
    names = names or list(BENCHMARKS)
    unknown = [n for n in names if n not in BENCHMARKS]
    if unknown:
        raise ValueError(f"unknown benchmark(s) {', '.join(unknown)}; known: "
                       f"{', '.join(BENCHMARKS)}")
    if not Path(db_path).exists():
        raise FileNotFoundError(f"no database at {db_path}: run `gcmdash build` first")
    results = []
    for name in names:
        for size in sizes:
            progress(f"bench {name} at {size:,} ...")
            completed = subprocess.run(
                [sys.executable, "-m", "benchmarks.bench", name, str(size), str(db_path)],
                check=False, capture_output=True, text=True,
                env={**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1",
                     "MKL_NUM_THREADS": "1"})
            if completed.returncode != 0:
                tail = "\n".join(completed.stderr.strip().splitlines()[-5:])
                raise RuntimeError(f"benchmark {name} at {size:,} failed:\n{tail}")
            data = json.loads(completed.stdout.strip().splitlines()[-1])
            results.append(Result(name, size, **data))
    return results


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        total_kb = int(next(line.split()[1] for line in Path("/proc/meminfo").read_text()
                            .splitlines() if line.startswith("MemTotal")))
        memory = f", {total_kb / 1024 ** 2:.0f} GB RAM"
    except (OSError, StopIteration, ValueError):
        pass
    import duckdb
    import scipy
    import sklearn
    return (f"{cpu}, {os.cpu_count()} CPU(s){memory}; {platform.system()} "
            f"{platform.release()}; Python {platform.python_version()}, scikit-learn "
            f"{sklearn.__version__}, NumPy {np.__version__}, SciPy {scipy.__version__}, "
            f"DuckDB {duckdb.__version__}; BLAS threads 1")


def to_markdown(results: list[Result]) -> str:
    lines = ["# Benchmarks", "",
             "Written by `gcmdash bench --write` with the sizes each section's command names (a bare "
             "`gcmdash bench` runs every benchmark at a small size and only prints; not a test; "
             "timings vary from run to run). Each row "
             "is one fresh Python process; *ready MB* is its peak resident memory once the "
             "inputs were built, *peak MB* the peak of the whole run (so *peak - ready* is what "
             "the measured work added).", "", f"Machine: {machine()}.", ""]
    for name in dict.fromkeys(r.name for r in results):
        rows = [r for r in results if r.name == name]
        lines += [f"## {name}", "", BENCHMARKS[name].description + ".", "",
                  f"Command: `gcmdash bench --only {name} --sizes "
                  f"{','.join(str(r.size) for r in rows)}`", ""]
        columns = list(dict.fromkeys(k for r in rows for k in r.metrics))
        header = columns + ["wall s", "ready MB", "peak MB"]
        lines.append("| " + " | ".join(header) + " |")
        lines.append("|" + "|".join("---:" for _ in header) + "|")
        for r in rows:
            cells = [r.metrics.get(c, "") for c in columns] + [r.wall_seconds, r.ready_rss_mb,
                                                               r.peak_rss_mb]
            lines.append("| " + " | ".join(f"{c:,}" if isinstance(c, int) else str(c)
                                           for c in cells) + " |")
        lines.append("")
    return "\n".join(lines)


def _sections(markdown: str) -> dict[str, str]:
    """'## name' sections of a benchmarks file, by name, in order."""
    sections: dict[str, str] = {}
    name = None
    for line in markdown.splitlines(keepends=True):
        if line.startswith("## "):
            name = line[3:].strip()
            sections[name] = ""
        if name is not None:
            sections[name] += line
    return sections


def write_markdown(results: list[Result], path: Path) -> str:
    """Write the results to `path`, keeping the sections of benchmarks not run this time (so
    `--only pages` does not erase the topics table). Returns the text written."""
    fresh = to_markdown(results)
    kept = _sections(path.read_text(encoding="utf-8")) if path.exists() else {}
    kept.update(_sections(fresh))
    header = fresh.split("\n## ", 1)[0].rstrip("\n") + "\n\n"
    text = header + "".join(section.rstrip("\n") + "\n\n" for section in kept.values())
    path.write_text(text.rstrip("\n") + "\n", encoding="utf-8")
    return text


if __name__ == "__main__":  # the child process of `run`: python -m benchmarks.bench NAME SIZE DB
    print(json.dumps(_child(sys.argv[1], int(sys.argv[2]), Path(sys.argv[3]))))
