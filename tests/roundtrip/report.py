"""Print the round-trip table (Markdown, for the README): per rendering, the share of the .txt
facts the pipeline reproduces, and whether each loss is flagged.

    python -m tests.roundtrip.report [--detail] [--only NAME ...] [--out DIR]

Renders every seed with every rendering whose tools are on PATH (the others are listed as
skipped) into a temporary folder, or into --out to keep the files for a look.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from collections import Counter
from pathlib import Path

from tests.conftest import SEED_NAMES
from tests.roundtrip.facts import TEXT_KINDS, DocumentResult, build_rendering
from tests.roundtrip.render import RENDERINGS, ToolMissing, render


def summary_row(name: str, results: list[DocumentResult]) -> str:
    expected = sum(len(r.diff.reproduced) + len(r.diff.wrong) + len(r.diff.missed) for r in results)
    core = sum(r.diff.count("reproduced") + r.diff.count("wrong") + r.diff.count("missed")
               for r in results)
    reproduced = sum(r.diff.count("reproduced") for r in results)
    missed = sum(r.diff.count("missed") for r in results)
    wrong = sum(r.diff.count("wrong") for r in results)
    extra = sum(r.diff.count("extra") for r in results)
    text_total = expected - core
    text_ok = sum(r.diff.count("reproduced", text=True) for r in results)
    losing = [r for r in results if r.lost]
    silent = [r for r in losing if r.silent_loss]
    if not losing:
        flagged = "no loss"
    elif not silent:
        flagged = f"yes ({len(losing)} doc{'s' * (len(losing) > 1)})"
    else:
        flagged = (f"**no**: {len(silent)} of {len(losing)} losing docs say `loaded` "
                   f"({', '.join(r.seed[:3] for r in silent)})")
    share = 100.0 * reproduced / core if core else 100.0
    return (f"| {name} | {core} | {reproduced} ({share:.0f}%) | {missed} | {wrong} | {extra} | "
            f"{text_ok}/{text_total} | {flagged} |")


HEADER = ("| rendering | .txt facts | reproduced | missed | wrong | extra | free text equal "
          "| loss flagged |\n|---|---|---|---|---|---|---|---|")


def detail_lines(name: str, results: list[DocumentResult]) -> list[str]:
    out = []
    for r in results:
        if not r.lost:
            continue
        out.append(f"- {name} {r.seed}: status `{r.status}`, {r.diff.count('missed')} missed, "
                   f"{r.diff.count('wrong')} wrong{'; says: ' + '; '.join(r.reasons)[:300] if r.reasons else ''}")
        for fact in r.diff.missed:
            if fact.kind not in ("agenda_text", "area_text"):
                out.append(f"  - missed {fact.label()}")
        for fact, got in r.diff.wrong:
            if fact.kind not in ("agenda_text", "area_text"):
                out.append(f"  - wrong {fact.label()}: {fact.value or fact.key} -> {got.value or got.key}"[:400])
    return out


def silent_loss_reason(name: str, result: DocumentResult) -> str:
    """The strict-xfail reason for a document that loses facts without saying so."""
    lost = [f for f in result.diff.missed] + [e for e, _ in result.diff.wrong]
    kinds = Counter(f.kind for f in lost if f.kind not in TEXT_KINDS)
    core = sum(result.diff.count(w) for w in ("reproduced", "wrong", "missed"))
    first = next((f.label() for f in lost if f.kind not in TEXT_KINDS), "")
    parts = ", ".join(f"{n} {kind}" for kind, n in kinds.most_common())
    return (f"{name} loses {result.lost} of {core} facts silently on {result.seed[:3]} "
            f"({parts}; first: {first[:70]})")


def xfail_lines(name: str, results: list[DocumentResult]) -> list[str]:
    return [f"    ({name!r}, {r.seed[:3]!r}):\n        {silent_loss_reason(name, r)!r},"
            for r in results if r.silent_loss]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--detail", action="store_true", help="list every fact lost")
    parser.add_argument("--only", nargs="*", help="rendering names")
    parser.add_argument("--xfail-table", action="store_true",
                        help="print KNOWN_SILENT_LOSS for tests/roundtrip/test_roundtrip.py")
    parser.add_argument("--out", type=Path, help="keep the rendered files here")
    args = parser.parse_args(argv)
    chosen = [r for r in RENDERINGS if not args.only or r.name in args.only]
    with tempfile.TemporaryDirectory(prefix="gcmdash-roundtrip-") as tmp:
        root = args.out or Path(tmp)
        rows, skipped, details, xfails = [], [], [], []
        for rendering in chosen:
            try:
                files = render(rendering, root / rendering.name, SEED_NAMES)
            except ToolMissing as missing:
                skipped.append(str(missing))
                continue
            results = build_rendering(files)
            rows.append(summary_row(rendering.name, results))
            details += detail_lines(rendering.name, results)
            xfails += xfail_lines(rendering.name, results)
    print(HEADER)
    print("\n".join(rows))
    for reason in skipped:
        print(f"\nskipped: {reason}")
    if args.xfail_table:
        print("\nKNOWN_SILENT_LOSS: dict[tuple[str, str], str] = {\n" + "\n".join(xfails) + "\n}")
    if args.detail and details:
        print("\n" + "\n".join(details))
    return 0


if __name__ == "__main__":
    sys.exit(main())
