"""`python -m tests.corpus.report [--details]`: the corpus fidelity table for today's code."""
from __future__ import annotations

import argparse

from tests.corpus.fidelity import format_details, format_table, measure


def main(argv: list[str] | None = None) -> int:
    """Build the development corpus, print the fidelity table (and every miss with --details)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--details", action="store_true", help="list every fact not read right")
    parser.add_argument("--with-seeds", action="store_true",
                        help="build the corpus beside the seed documents of data/raw")
    args = parser.parse_args(argv)
    fidelity = measure(with_seeds=args.with_seeds)
    print(format_table(fidelity))
    if args.details:
        print(format_details(fidelity))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
