"""`gcmdash build | serve`: wiring only; the work is in the library functions it calls."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import click

from etl import config
from etl.build import BuildReport, build, is_stale
from etl.checks import InvariantError
from etl.reference import ReferenceDataError

APP_PATH = Path(__file__).resolve().parents[1] / "dashboard" / "streamlit_app.py"


class _StageProgress:
    """One progress bar per stage on stderr."""

    def __init__(self) -> None:
        self._bar = None
        self._stage = None

    def __call__(self, stage: str, done: int, total: int) -> None:
        if stage != self._stage:
            self.close()
            self._stage = stage
            self._bar = click.progressbar(length=total, label=f"{stage:<8}", file=sys.stderr,
                                          show_pos=True)
            self._bar.__enter__()
        self._bar.update(done - self._bar.pos)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)
            self._bar = None


def _print_report(report: BuildReport) -> None:
    loaded = sum(1 for d in report.documents if d[1] == "loaded")
    click.echo(f"built {report.db_path}: {loaded} document(s) loaded, "
               f"{len(report.failed)} failed")
    for document_id, _, error in report.failed:
        click.echo(f"  FAILED {document_id}: {error}", err=True)
    flags = ", ".join(f"{n} {severity}" for severity, n in sorted(report.flag_counts.items()))
    click.echo(f"quality flags: {flags or 'none'}")
    timings = ", ".join(f"{stage} {seconds:.2f}s" for stage, seconds in report.stage_seconds.items())
    click.echo(f"time: {timings} (total {sum(report.stage_seconds.values()):.2f}s)")


def _build(raw_dir: Path, db_path: Path) -> BuildReport:
    progress = _StageProgress()
    try:
        report = build(raw_dir, db_path, progress)
    except (ReferenceDataError, InvariantError, FileNotFoundError) as exc:
        progress.close()
        click.echo(f"build stopped, {db_path} left as it was: {exc}", err=True)
        sys.exit(2)
    finally:
        progress.close()
    _print_report(report)
    return report


@click.group()
def main() -> None:
    """gcmdash: the 2017 Global Compact for Migration consultations, as data."""


@main.command("build")
@click.option("--raw-dir", type=click.Path(path_type=Path), default=None,
              help="Input documents (default data/raw or $GCMDASH_RAW_DIR).")
@click.option("--db", "db_path", type=click.Path(path_type=Path), default=None,
              help="Database to write (default data/gcmdash.duckdb or $GCMDASH_DB).")
def build_command(raw_dir: Path | None, db_path: Path | None) -> None:
    """Build the database from the documents; exit status 1 if any document failed."""
    report = _build(raw_dir or config.raw_dir(), db_path or config.db_path())
    sys.exit(1 if report.failed else 0)


@main.command("serve")
@click.option("--port", type=int, default=8501, show_default=True)
@click.option("--headless/--open-browser", default=None,
              help="Do not open a browser (default: headless when there is no terminal).")
@click.option("--rebuild", is_flag=True, help="Rebuild even if the database is up to date.")
def serve_command(port: int, headless: bool | None, rebuild: bool) -> None:
    """Build the database if it is missing or stale, then run the dashboard."""
    raw_dir, db_path = config.raw_dir(), config.db_path()
    if rebuild or is_stale(raw_dir, db_path):
        click.echo("database missing or stale: building it first")
        _build(raw_dir, db_path)
    if headless is None:
        headless = not sys.stdout.isatty()
    env = {**os.environ, "GCMDASH_DB": str(db_path)}
    command = [sys.executable, "-m", "streamlit", "run", str(APP_PATH),
               "--server.port", str(port), "--server.headless", str(headless).lower(),
               "--browser.gatherUsageStats", "false"]
    sys.exit(subprocess.call(command, env=env))


if __name__ == "__main__":
    main()
