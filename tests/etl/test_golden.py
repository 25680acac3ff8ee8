"""Each seed document parses into exactly its reviewed golden records."""
from __future__ import annotations

import json
import os

import pytest

from gcmdash.parse import parse_document
from tests.conftest import SEED_NAMES
from tests.etl.golden import as_golden, dump, golden_path


@pytest.mark.parametrize("name", SEED_NAMES)
def test_document_matches_golden(name, seed_texts, seed_lexicon):
    parsed = as_golden(parse_document(seed_texts[name], seed_lexicon))
    path = golden_path(name)
    if os.environ.get("GCMDASH_WRITE_GOLDEN"):
        path.write_text(dump(parsed), encoding="utf-8")
    expected = json.loads(path.read_text(encoding="utf-8"))
    for section in expected:
        assert parsed[section] == expected[section], f"{name}: {section} differs from golden"
    assert parsed == expected
