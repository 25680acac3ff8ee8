"""`gcmdash build | add | remove | serve | publish | topics | bench | inspect`: wiring only; the work is in the library functions
it calls."""
from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import click

from gcmdash import config
from gcmdash.runner.names import shown_name

if TYPE_CHECKING:  # the commands import what they use: `gcmdash --help` loads no heavy library
    from gcmdash.runner.build import BuildReport

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


def _print_report(report: BuildReport, original_names: dict[str, str]) -> None:
    loaded = sum(1 for d in report.documents if d[1] == "loaded")
    duplicates = [d for d in report.documents if d[1] == "duplicate"]
    partial = (f", {len(report.partial)} partial (loaded with facts missing)"
               if report.partial else "")
    click.echo(f"built {report.db_path}: {loaded} document(s) loaded, "
               f"{len(report.failed)} failed, {len(duplicates)} duplicate(s){partial}")
    for document_id, status, error in report.partial + report.failed + duplicates:
        added_as = f" ({original_names[document_id]})" if document_id in original_names else ""
        click.echo(shown_name(f"  {status.upper().replace('_', ' ')} {document_id}{added_as}: "
                              f"{error}"), err=True)
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
    for notice in report.notices:
        click.echo(shown_name(f"note: {notice}"), err=True)


@contextlib.contextmanager
def _terminate_as_exit() -> Iterator[None]:
    """SIGTERM ends the command as an exception would: the build's clean-up runs (its temporary
    file removed, its workers stopped) and the previous database stays."""
    def stop(signum: int, frame: object) -> None:  # noqa: ARG001
        raise SystemExit(128 + signum)

    try:
        previous = signal.signal(signal.SIGTERM, stop)
    except ValueError:  # not the main thread (the CLI called from a test's thread)
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _stop_unless_documents(raw_dir: Path, db_path: Path) -> None:
    """A build of nothing is a mistake (wrong folder, nothing added yet), never an empty database."""
    from gcmdash.extract.formats import SUPPORTED_SUFFIXES, discover

    try:
        files = discover(raw_dir)
    except FileNotFoundError as exc:
        click.echo(f"build stopped, {db_path} left as it was: {exc}", err=True)
        sys.exit(2)
    if not any(f.suffix.lower() in SUPPORTED_SUFFIXES for f in files):
        others = f" ({len(files)} file(s) of other types)" if files else ""
        click.echo(f"warning: no documents in {raw_dir}{others}; accepted: "
                   f"{', '.join(SUPPORTED_SUFFIXES)}. Nothing built, {db_path} left as it was "
                   "(`gcmdash add FILE...` copies documents in).", err=True)
        sys.exit(2)


@contextlib.contextmanager
def _map_engine(engine: str, scheduler: str | None, workers: int | None) -> Iterator[object]:
    """None for the local engine; an open gcmdash.runner.dask_engine.DaskEngine for dask."""
    if engine == "local":
        yield None
        return
    from gcmdash.runner.dask_engine import DaskEngine

    with DaskEngine(scheduler, workers) as dask_engine:
        yield dask_engine


def _build(raw_dir: Path, db_path: Path, workers: int | None = None,
           use_cache: bool = True, topic_view: str | None = None,
           retry_failed: bool = False, engine: str = "local",
           scheduler: str | None = None) -> BuildReport:
    from gcmdash.derive.checks import InvariantError
    from gcmdash.load.reference import ReferenceDataError
    from gcmdash.runner.add import read_manifest
    from gcmdash.runner.build import BuildError, BuildLocked, build
    from gcmdash.runner.dask_engine import DaskMissing, SchedulerUnreachable
    from gcmdash.topics.embeddings import EmbeddingModelMissing

    _stop_unless_documents(raw_dir, db_path)
    progress = _StageProgress()
    try:
        with _terminate_as_exit(), _map_engine(engine, scheduler, workers) as map_engine:
            report = build(raw_dir, db_path, progress, workers=workers,
                           cache_dir=config.cache_dir() if use_cache else None,
                           topic_view=topic_view, retry_failed=retry_failed,
                           engine=map_engine)
    except (ReferenceDataError, InvariantError, FileNotFoundError, BuildError,
            EmbeddingModelMissing, DaskMissing, SchedulerUnreachable) as exc:
        progress.close()
        click.echo(f"build stopped, {db_path} left as it was: {exc}", err=True)
        sys.exit(3 if isinstance(exc, BuildLocked) else 2)
    finally:
        progress.close()
    _print_report(report, read_manifest(raw_dir))
    return report


def _exit_status(report: BuildReport) -> int:
    """1 when a document failed; 4 when none failed but one is partial (facts missing)."""
    return 1 if report.failed else 4 if report.partial else 0


class _Commands(click.Group):
    """The command group; an unexpected error is one line on stderr and exit status 70, its
    traceback only with --debug."""

    def invoke(self, ctx: click.Context) -> object:
        """Run the command, turning an unexpected exception into a message."""
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit,
                KeyboardInterrupt):
            raise
        except Exception as exc:
            if ctx.params.get("debug"):
                raise
            click.echo(f"gcmdash: stopped by an unexpected error: {type(exc).__name__}: "
                       f"{str(exc).strip().splitlines()[0] if str(exc).strip() else ''}\n"
                       "Run the same command as `gcmdash --debug ...` to see where it "
                       "happened.", err=True)
            sys.exit(70)


@click.group(cls=_Commands)
@click.option("--debug", is_flag=True,
              help="Show the traceback of an unexpected error instead of a one-line message.")
def main(debug: bool) -> None:  # noqa: ARG001 - read by _Commands.invoke
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
@click.option("--topic-view", type=click.Choice(config.TOPIC_VIEWS), default=None,
              help="Topics from words (default) or from sentence embeddings (semantic: needs "
                   "pip install 'gcmdash[embeddings]'); default $GCMDASH_TOPIC_VIEW or words.")
@click.option("--retry-failed", is_flag=True,
              help="Run again the documents whose failure is cached (out of processor time or "
                   "memory, or an error, in an earlier build); by default they are not retried.")
@click.option("--engine", type=click.Choice(["local", "dask"]), default="local",
              help="Where documents are extracted and parsed: this machine's worker processes "
                   "(default), or a Dask cluster (needs pip install 'gcmdash[dask]'; a full "
                   "build, without the cache).")
@click.option("--scheduler", metavar="ADDRESS", default=None,
              help="With --engine dask: the address of a running Dask scheduler, e.g. "
                   "tcp://10.0.0.5:8786 (default: a local cluster of --workers processes).")
def build_command(raw_dir: Path | None, db_path: Path | None, workers: int | None,
                  no_cache: bool, topic_view: str | None, retry_failed: bool, engine: str,
                  scheduler: str | None) -> None:
    """Build the database from the documents. Exit status 0 when every document was loaded
    whole, 1 if any document failed, 3 if none failed but some are partial (loaded with facts
    missing; the summary lists them and what they miss)."""
    if scheduler and engine != "dask":
        raise click.UsageError("--scheduler needs --engine dask")
    report = _build(raw_dir or config.raw_dir(), db_path or config.db_path(), workers,
                    use_cache=not no_cache, topic_view=topic_view,
                    retry_failed=retry_failed, engine=engine, scheduler=scheduler)
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
        click.echo(shown_name(f"{result.source}: {result.message}"))
    refused = any(r.stored_as is None for r in results)
    if no_build:
        sys.exit(1 if refused else 0)
    if not any(r.new for r in results):
        click.echo(f"nothing new in {raw_dir}: the database was not rebuilt")
        sys.exit(1 if refused else 0)
    report = _build(raw_dir, config.db_path())
    sys.exit(1 if refused else _exit_status(report))


@main.command("remove")
@click.argument("names", nargs=-1, required=True)
@click.option("--no-build", is_flag=True, help="Only take the files out; do not rebuild.")
def remove_command(names: tuple[str, ...], no_build: bool) -> None:
    """Take documents out of data/raw, by the name `add` showed (stored, e.g. 3f2a….pdf) or
    the original file name, then rebuild. Exit status 1 if a name matched no document."""
    from gcmdash.runner.add import remove_files

    raw_dir = config.raw_dir()
    results = remove_files(list(names), raw_dir)
    for result in results:
        click.echo(shown_name(f"{result.name}: {result.message}"), err=not result.removed)
    missed = any(not r.removed for r in results)
    if no_build or not any(r.removed for r in results):
        sys.exit(1 if missed else 0)
    report = _build(raw_dir, config.db_path())
    sys.exit(1 if missed else _exit_status(report))


@main.command("serve")
@click.option("--port", type=int, default=8501, show_default=True)
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; 0.0.0.0 serves every network interface.")
@click.option("--headless/--open-browser", default=None,
              help="Do not open a browser (default: headless when there is no terminal).")
@click.option("--rebuild", is_flag=True, help="Rebuild even if the database is up to date.")
def serve_command(port: int, host: str, headless: bool | None, rebuild: bool) -> None:
    """Build the database if it is missing or stale, then run the dashboard until SIGTERM or
    Ctrl-C, which stop its server too."""
    from gcmdash.runner.build import is_stale

    raw_dir, db_path = config.raw_dir(), config.db_path()
    if not raw_dir.is_dir():
        if not db_path.exists():
            click.echo(f"no input folder {raw_dir} and no database {db_path}: put the documents "
                       "there (or set GCMDASH_RAW_DIR) and run again", err=True)
            sys.exit(2)
        click.echo(f"note: no input folder {raw_dir}; serving {db_path} as it is", err=True)
    elif rebuild or is_stale(raw_dir, db_path, cache_dir=config.cache_dir()):
        click.echo("database missing or stale: building it first")
        _build(raw_dir, db_path)
    if headless is None:
        headless = not sys.stdout.isatty()
    env = {**os.environ, "GCMDASH_DB": str(db_path)}
    command = [sys.executable, "-m", "streamlit", "run", str(APP_PATH),
               "--server.port", str(port), "--server.address", host,
               "--server.headless", str(headless).lower(),
               "--browser.gatherUsageStats", "false", "--client.toolbarMode", "viewer"]
    sys.exit(run_until_signalled(command, env))


def run_until_signalled(command: list[str], env: dict[str, str]) -> int:
    """Run command as a child that SIGTERM and SIGINT of this process stop too (forwarded,
    then waited for; killed if it has not stopped 10 s later), and that dies with this
    process if it is killed outright. Returns 0 when a signal stopped it, else its exit
    status (128 + signal if something else signalled it)."""
    from gcmdash.runner.isolate import parent_death_hook

    # its own session: Ctrl-C reaches it once, forwarded, not twice
    process = subprocess.Popen(command, env=env, start_new_session=True,
                               preexec_fn=parent_death_hook(os.getpid()))  # noqa: PLW1509
    received: list[int] = []

    def forward(signum: int, frame: object) -> None:  # noqa: ARG001
        received.append(signum)
        with contextlib.suppress(ProcessLookupError):
            process.send_signal(signum)

    handlers = {s: signal.signal(s, forward) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        code = process.wait()
    finally:
        if process.poll() is None:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        for signum, handler in handlers.items():
            signal.signal(signum, handler)
    if received:
        return 0  # stopped as asked (Streamlit's own status on a signal varies)
    return code if code >= 0 else 128 - code


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
@click.option("--evaluate-file", "labelled_csv", type=click.Path(path_type=Path), default=None,
              help="Score the model and the plain TF-IDF baselines against your own grouping: "
                   "a CSV with columns `text` and `group` (no database needed).")
def topics_command(db_path: Path | None, evaluate: bool, sensitivity: bool,
                   labelled_csv: Path | None) -> None:
    """Show the topics of the built database and the model that drew them."""
    from gcmdash.topics import evaluation
    from gcmdash.views import queries, topic_report

    if labelled_csv is not None:
        _evaluate_file(labelled_csv)
        return
    try:
        with queries.open_database(db_path or config.db_path()) as con:
            if not (evaluate or sensitivity):
                click.echo(topic_report.describe_topics(con))
                return
            units, labels = queries.text_units(con), queries.recommendation_areas(con)
    except FileNotFoundError as exc:
        click.echo(str(exc), err=True)
        sys.exit(1)
    with _StepProgress("sensitivity" if sensitivity else "evaluate") as progress:
        if sensitivity:
            text = evaluation.format_sensitivity(
                evaluation.sensitivity(units, labels, progress=progress))
        else:
            text = evaluation.format_evaluation(
                evaluation.evaluate(units, labels, progress=progress))
    click.echo(text)


def _evaluate_file(path: Path) -> None:
    """`gcmdash topics --evaluate-file`: the labelled CSV checked, then scored."""
    from gcmdash.topics import labelled

    try:
        frame = labelled.read_labelled_texts(path)
    except labelled.LabelledTextsError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    with _StepProgress("evaluate-file") as progress:
        report = labelled.evaluate_labelled(frame, progress=progress)
    click.echo(labelled.format_labelled(report))


class _StepProgress:
    """Progress on stderr for a long computation that reports (done, total, step): a bar on a
    terminal, one line per step otherwise (a log keeps every line)."""

    def __init__(self, label: str) -> None:
        self._label, self._bar = label, None
        self._on_terminal = sys.stderr.isatty()

    def __enter__(self) -> _StepProgress:
        return self

    def __call__(self, done: int, total: int, step: str) -> None:
        if not self._on_terminal:
            click.echo(f"{self._label} [{done}/{total}] {step}", err=True)
            return
        if self._bar is None:
            self._bar = click.progressbar(length=total, label=self._label, file=sys.stderr,
                                          show_pos=True, show_eta=True,
                                          item_show_func=lambda item: item)
            self._bar.__enter__()
        self._bar.update(done - self._bar.pos, step)

    def __exit__(self, *exc_info: object) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)


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


@main.command("inspect")
@click.argument("files", nargs=-1, required=True,
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
def inspect_command(files: tuple[Path, ...]) -> None:
    """What the build reads from FILES, without adding them: kind and session with the
    evidence, every fact with its line, and what a document of its kind usually holds that
    this one did not yield. Writes nothing; exit 1 when a file cannot be read."""
    from gcmdash.runner.inspect import inspect_files

    inspections = inspect_files(list(files))
    for inspection in inspections:
        for line in inspection.lines:
            click.echo(line, err=inspection.failed)
    sys.exit(1 if any(i.failed for i in inspections) else 0)


if __name__ == "__main__":
    main()
