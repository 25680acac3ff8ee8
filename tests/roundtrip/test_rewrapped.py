"""The seeds as plain text wrapped at other widths, with and without bullet glyphs (issue 14):
a parser that reads blocks, not physical lines, gives every golden fact from each.

Unlike the other renderings, these lose no word and no structure a reader could see: the facts
must come back exactly, not merely be flagged when lost.
"""
from __future__ import annotations

import pytest

from tests.conftest import SEED_NAMES
from tests.roundtrip.facts import build_rendering
from tests.roundtrip.model import seed_model
from tests.roundtrip.render import to_rewrapped_text

pytestmark = pytest.mark.roundtrip

WIDTHS = (40, 60, 100, 100_000)  # 100 000: every paragraph and list item on one line

# (width, glyphs, seed prefix) -> why the facts still differ: none today
KNOWN: dict[tuple[int, bool, str], str] = {}


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    root = tmp_path_factory.mktemp("rewrapped")
    out = {}
    for width in WIDTHS:
        for glyphs in (True, False):
            folder = root / f"w{width}{'' if glyphs else '-noglyphs'}"
            folder.mkdir()
            files = {}
            for seed in SEED_NAMES:
                files[seed] = folder / seed
                files[seed].write_text(to_rewrapped_text(seed_model(seed), width, glyphs),
                                       encoding="utf-8")
            out[width, glyphs] = {r.seed: r for r in build_rendering(files)}
    return out


CASES = [pytest.param(width, glyphs, seed, id=f"w{width}-{'glyphs' if glyphs else 'noglyphs'}-{seed[:3]}",
                      marks=[pytest.mark.xfail(strict=True, reason=KNOWN[width, glyphs, seed[:3]])]
                      if (width, glyphs, seed[:3]) in KNOWN else [])
         for width in WIDTHS for glyphs in (True, False) for seed in SEED_NAMES]


@pytest.mark.parametrize(("width", "glyphs", "seed"), CASES)
def test_rewrapped_seed_gives_every_golden_fact(results, width, glyphs, seed):
    result = results[width, glyphs][seed]
    lost = ([f.label() for f in result.diff.missed]
            + [f"{e.label()} (read as {g.label()})" for e, g in result.diff.wrong])
    assert (result.status, lost, [f.label() for f in result.diff.extra]) == ("loaded", [], [])


def test_without_glyphs_the_items_are_told_apart_by_blank_lines_only():
    text = to_rewrapped_text(seed_model(SEED_NAMES[3]), 60, glyphs=False)
    assert "•" not in text and "\n  " not in text
    assert "\n\nReaffirm the sovereign right of States" in text
