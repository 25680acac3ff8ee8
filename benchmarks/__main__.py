"""`python -m benchmarks` (what `gcmdash bench` runs): named benchmarks, printed; `--write`
puts them in BENCHMARKS.md. Lives outside the import package so that editing a benchmark never
changes the code fingerprint of the database."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from benchmarks import bench
from gcmdash import config


def _sizes_help() -> str:
    return "; ".join(f"{name}: {item.size_means} (default {','.join(map(str, item.quick_sizes))})"
                     for name, item in bench.BENCHMARKS.items())


@click.command(name="bench", help=(
    "Time and measure peak memory of named benchmarks at several sizes (not a test). "
    "Without options every benchmark runs once at a small size and the tables are printed; "
    "BENCHMARKS.md is rewritten only with --write."))
@click.option("--only", "names", multiple=True,
              help="Benchmark to run (repeatable; default all). See --list.")
@click.option("--sizes", default=None,
              help="Comma-separated sizes; what a size counts depends on the benchmark: "
                   + _sizes_help() + ".")
@click.option("--db", "db_path", type=click.Path(path_type=Path), default=None,
              help="Built database the synthetic inputs are generated from (default the "
                   "project's database).")
@click.option("--write", "write", is_flag=True,
              help="Also rewrite these benchmarks' sections of BENCHMARKS.md (others kept).")
@click.option("--output", type=click.Path(path_type=Path), default=None,
              help="Markdown file --write rewrites (default BENCHMARKS.md in the checkout).")
@click.option("--list", "list_only", is_flag=True, help="List the benchmarks and exit.")
@click.option("--browser", "in_browser", is_flag=True,
              help="Instead: time to first chart and layout shift of every page in headless "
                   "Chromium (benchmarks/browser.py); with --write, its section of "
                   "BENCHMARKS.md.")
@click.option("--runs", type=int, default=3, show_default=True,
              help="With --browser: loads per page (median).")
def bench_cli(names: tuple[str, ...], sizes: str | None, db_path: Path | None, write: bool,
              output: Path | None, list_only: bool, in_browser: bool, runs: int) -> None:
    if in_browser:
        target = (output or config.ROOT / "BENCHMARKS.md") if write or output else None
        _browser(db_path or config.db_path(), runs, target)
        return
    if list_only:
        for name, item in bench.BENCHMARKS.items():
            click.echo(f"{name}: {item.description} (size = {item.size_means})")
        return
    chosen = list(names) or list(bench.BENCHMARKS)
    try:
        if sizes is None:
            results = []
            for name in chosen:
                item = bench.BENCHMARKS.get(name)
                results += bench.run([name], list(item.quick_sizes) if item else [0],
                                     db_path or config.db_path(), progress=click.echo)
        else:
            results = bench.run(chosen, [int(s) for s in sizes.split(",") if s.strip()],
                                db_path or config.db_path(), progress=click.echo)
    except (ValueError, FileNotFoundError, RuntimeError) as exc:
        click.echo(str(exc), err=True)
        sys.exit(1)
    click.echo(bench.to_markdown(results))
    if write or output is not None:
        target = output or config.ROOT / "BENCHMARKS.md"
        bench.write_markdown(results, target)
        click.echo(f"wrote {target} (sections of other benchmarks kept)")


def _browser(db_path: Path, runs: int, output: Path | None) -> None:
    from benchmarks import browser

    if not db_path.exists():
        click.echo(f"no database at {db_path}: run `gcmdash build` first", err=True)
        sys.exit(1)
    try:
        rows = browser.measure(db_path, runs)
    except RuntimeError as exc:
        click.echo(str(exc), err=True)
        sys.exit(1)
    section = browser.to_markdown(rows, runs, "gcmdash bench --browser"
                                  + (f" --runs {runs}" if runs != 3 else "") + " --write")
    click.echo(section)
    if output is not None:
        browser.write_section(section, output)
        click.echo(f"wrote {output} (other sections kept)")


if __name__ == "__main__":
    bench_cli()
