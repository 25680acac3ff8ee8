"""One row of the build scale table in BENCHMARKS.md: a full build of a synthetic corpus with
its floors timed in the same process, and the parent's memory at each stage.

    python -m benchmarks.scale 100000 /tmp/scale-100k     # writes the corpus there if missing

Prints a line per stage (seconds since the start, the parent's VmHWM and VmRSS in MB, the load
average), then one RESULT line. The corpus is written by a child process, so the parent's
peak is the build's own (`gcmdash bench --only build` also runs the edits, queries and pages,
which take longer than the build itself at 100,000 documents).
"""
from __future__ import annotations

import os
import resource
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.bench import WorkerMemory, _load_floor, _read_floor
from gcmdash.load import database
from gcmdash.runner import build as runner

_STARTED = time.perf_counter()


def _memory() -> str:
    fields = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(("VmHWM", "VmRSS")):
            name, value = line.split(":", 1)
            fields[name] = round(int(value.split()[0]) / 1024)
    return " ".join(f"{name}={mb}" for name, mb in fields.items())


def _stamp(what: str) -> None:
    print(f"{time.perf_counter() - _STARTED:7.1f}s {what} {_memory()} "
          f"load={os.getloadavg()[0]:.1f}", flush=True)


def _stamped(owner: object, name: str) -> None:
    function = getattr(owner, name)

    def stamped(*args, **kwargs):
        _stamp(f"{name} start")
        result = function(*args, **kwargs)
        _stamp(f"{name} end")
        return result

    setattr(owner, name, stamped)


def main(size: int, folder: Path) -> dict:
    """Build `size` synthetic documents in `folder` (2 workers, empty cache); the measurements."""
    raw = folder / "raw"
    if not raw.exists():
        subprocess.run([sys.executable, "-c", "import sys; from pathlib import Path; "
                        "from benchmarks.synthetic import write_corpus; "
                        "write_corpus(Path(sys.argv[1]), int(sys.argv[2]))", str(raw), str(size)],
                       check=True)
    for owner, name in ((runner, "ingest"), (runner, "_load_stage"),
                        (runner, "_topics_and_checks"), (database.RowBuilder, "rows"),
                        (runner.resolve, "resolve")):
        _stamped(owner, name)
    seen: set[tuple[str, bool]] = set()

    def progress(stage: str, done: int, total: int) -> None:
        if (stage, done == total) not in seen:
            seen.add((stage, done == total))
            _stamp(f"progress {stage} {done}/{total}")

    _stamp("start")
    read_floor = _read_floor(raw)
    _stamp(f"read floor s {read_floor:.2f}")
    db = folder / f"g{os.getpid()}.duckdb"
    cpu, wall = time.process_time(), time.perf_counter()
    with WorkerMemory() as workers:
        report = runner.build(raw, db, progress, workers=2, cache_dir=folder / f"cache-{os.getpid()}")
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    _stamp("build done")
    load_floor = _load_floor(db, folder / f"floor{os.getpid()}.duckdb")
    return {"documents": size, "wall_s": round(wall, 1), "parent_cpu_s": round(cpu, 1),
            "children_cpu_s": round(children.ru_utime + children.ru_stime, 1),
            "parent_peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
            "worker_peaks_mb": [round(mb) for mb in workers.peaks_mb()],
            "read_floor_s": round(read_floor, 2), "load_floor_s": round(load_floor, 2),
            "stages": {stage: round(s, 2) for stage, s in report.stage_seconds.items()},
            "loaded": sum(d[1] == "loaded" for d in report.documents),
            "partial": len(report.partial), "failed": len(report.failed),
            "loadavg": os.getloadavg()}


if __name__ == "__main__":
    print("RESULT", main(int(sys.argv[1]), Path(sys.argv[2])), flush=True)
