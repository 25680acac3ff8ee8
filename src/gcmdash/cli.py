"""`gcmdash build | serve | publish | topics | bench`: wiring only; the work is in the library functions
it calls."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import click

from gcmdash import config
from gcmdash.runner.build import BuildReport, build, is_stale
from gcmdash.derive.checks import InvariantError
from gcmdash.load.reference import ReferenceDataError

APP_PATH = config.APP_ENTRYPOINT


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
    duplicates = [d for d in report.documents if d[1] == "duplicate"]
    partial = (f", {len(report.partial)} partial (loaded with facts missing)"
               if report.partial else "")
    click.echo(f"built {report.db_path}: {loaded} document(s) loaded, "
               f"{len(report.failed)} failed, {len(duplicates)} duplicate(s){partial}")
    for document_id, status, error in report.partial + report.failed + duplicates:
        click.echo(f"  {status.upper().replace('_', ' ')} {document_id}: {error}", err=True)
    if report.reused:
        click.echo(f"incremental: {report.reused} unchanged document(s) taken from the previous "
                   f"database{', and its topic model' if report.topics_reused else ''}")
    if any(report.cache_hits.values()):
        click.echo(f"cache: {report.cache_hits.get('extract', 0)} extraction(s) and "
                   f"{report.cache_hits.get('parse', 0)} parse(s) reused")
    flags = ", ".join(f"{n} {severity}" for severity, n in sorted(report.flag_counts.items()))
    click.echo(f"quality flags: {flags or 'none'}")
    timings = ", ".join(f"{stage} {seconds:.2f}s" for stage, seconds in report.stage_seconds.items())
    click.echo(f"time: {timings} (total {sum(report.stage_seconds.values()):.2f}s)")


def _build(raw_dir: Path, db_path: Path, workers: int | None = None,
           use_cache: bool = True) -> BuildReport:
    progress = _StageProgress()
    try:
        report = build(raw_dir, db_path, progress, workers=workers,
                       cache_dir=config.cache_dir() if use_cache else None)
    except (ReferenceDataError, InvariantError, FileNotFoundError) as exc:
        progress.close()
        click.echo(f"build stopped, {db_path} left as it was: {exc}", err=True)
        sys.exit(2)
    finally:
        progress.close()
    _print_report(report)
    return report


def _exit_status(report: BuildReport) -> int:
    return 1 if report.failed else 3 if report.partial else 0


@click.group()
def main() -> None:
    """gcmdash: the 2017 Global Compact for Migration consultations, as data."""


@main.command("build")
@click.option("--raw-dir", type=click.Path(path_type=Path), default=None,
              help="Input documents (default data/raw or $GCMDASH_RAW_DIR).")
@click.option("--db", "db_path", type=click.Path(path_type=Path), default=None,
              help="Database to write (default data/gcmdash.duckdb or $GCMDASH_DB).")
@click.option("--workers", type=click.IntRange(1, 64), default=None,
              help="Documents extracted and parsed at once, each in its own limited process "
                   "(default: number of cores, at most 4).")
@click.option("--no-cache", is_flag=True,
              help="Re-extract and re-parse every document (default: reuse unchanged ones).")
def build_command(raw_dir: Path | None, db_path: Path | None, workers: int | None,
                  no_cache: bool) -> None:
    """Build the database from the documents. Exit status 0 when every document was loaded
    whole, 1 if any document failed, 3 if none failed but some are partial (loaded with facts
    missing; the summary lists them and what they miss)."""
    report = _build(raw_dir or config.raw_dir(), db_path or config.db_path(), workers,
                    use_cache=not no_cache)
    sys.exit(_exit_status(report))


@main.command("add")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--no-build", is_flag=True, help="Only copy the files in; do not rebuild.")
def add_command(files: tuple[Path, ...], no_build: bool) -> None:
    """Copy documents into data/raw under safe names (the original name is kept as metadata),
    then rebuild. Exit status 1 if a file was refused or a document failed, 3 if some are partial."""
    from gcmdash.runner.add import add_files

    raw_dir = config.raw_dir()
    results = add_files(list(files), raw_dir)
    for result in results:
        click.echo(f"{result.source}: {result.message}")
    refused = any(r.stored_as is None for r in results)
    if no_build:
        sys.exit(1 if refused else 0)
    report = _build(raw_dir, config.db_path())
    sys.exit(1 if refused else _exit_status(report))


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


@main.command("publish")
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=Path("site"),
              show_default=True, help="Folder to write the static site into.")
@click.option("--db", "db_path", type=click.Path(path_type=Path), default=None,
              help="Database to read (default data/gcmdash.duckdb or $GCMDASH_DB).")
@click.option("--images/--no-images", default=None,
              help="PNG/SVG of each chart (default: when kaleido and a Chromium are found).")
def publish_command(out_dir: Path, db_path: Path | None, images: bool | None) -> None:
    """Write the published charts as an offline static site (any static host, or from disk)."""
    from gcmdash.site.publish import publish

    try:
        written = publish(db_path or config.db_path(), out_dir, images=images, notice=click.echo)
    except FileNotFoundError as exc:
        click.echo(str(exc), err=True)
        sys.exit(1)
    click.echo(f"wrote {len(written)} files to {out_dir}; open {out_dir / 'index.html'}")


@main.command("topics")
@click.option("--db", "db_path", type=click.Path(path_type=Path), default=None,
              help="Database to read (default data/gcmdash.duckdb or $GCMDASH_DB).")
@click.option("--evaluate", is_flag=True,
              help="Score the topics against each summary's area letters (ARI, AMI), with "
                   "stability across seeds and subsamples and the fit time.")
@click.option("--sensitivity", is_flag=True,
              help="ARI by objective-term weight, corpus variant and seed (about a minute).")
def topics_command(db_path: Path | None, evaluate: bool, sensitivity: bool) -> None:
    """Show the topics of the built database and the model that drew them."""
    from gcmdash import topics

    db_path = db_path or config.db_path()
    try:
        if sensitivity:
            text = topics.sensitivity_database(db_path)
        elif evaluate:
            text = topics.evaluate_database(db_path)
        else:
            text = topics.describe_topics(db_path)
    except FileNotFoundError as exc:
        click.echo(str(exc), err=True)
        sys.exit(1)
    click.echo(text)


@main.command("bench", add_help_option=False,
              context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
@click.argument("arguments", nargs=-1, type=click.UNPROCESSED)
def bench_command(arguments: tuple[str, ...]) -> None:
    """Benchmarks (not a test): run from a source checkout; `gcmdash bench --help` for options."""
    if not (config.ROOT / "benchmarks" / "__main__.py").exists():
        click.echo("gcmdash bench runs from a source checkout (the benchmarks/ folder beside "
                   "src/); this installation has none.", err=True)
        sys.exit(1)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        filter(None, [str(config.ROOT), os.environ.get("PYTHONPATH", "")]))}
    completed = subprocess.run([sys.executable, "-m", "benchmarks", *arguments],
                               cwd=config.ROOT, env=env, check=False)
    sys.exit(completed.returncode)


if __name__ == "__main__":
    main()
