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
def bench_cli(names: tuple[str, ...], sizes: str | None, db_path: Path | None, write: bool,
              output: Path | None, list_only: bool) -> None:
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


if __name__ == "__main__":
    bench_cli()
