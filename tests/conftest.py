from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from gcmdash.config import ROOT
from gcmdash.extract.formats import discover, extract
from gcmdash.extract.text import HyphenLexicon
from gcmdash.runner.build import build

SEED_DIR = ROOT / "data" / "raw"
SEED_NAMES = [p.name for p in discover(SEED_DIR)]


@pytest.fixture(scope="session")
def seed_texts() -> dict[str, str]:
    return {p.name: extract(p).text for p in discover(SEED_DIR)}


@pytest.fixture(scope="session")
def seed_lexicon(seed_texts) -> HyphenLexicon:
    return HyphenLexicon.from_texts(list(seed_texts.values()))


@pytest.fixture(scope="session")
def seed_db(tmp_path_factory) -> Path:
    """A database built once from the seed documents, shared read-only by the tests."""
    path = tmp_path_factory.mktemp("db") / "gcmdash.duckdb"
    build(SEED_DIR, path)
    return path


@pytest.fixture()
def raw(tmp_path):
    """A copy of the seed documents in tmp_path/raw, to add to or change."""
    folder = tmp_path / "raw"
    shutil.copytree(SEED_DIR, folder)
    return folder


@pytest.fixture()
def cli_env(raw, tmp_path, monkeypatch):
    """The CLI's folders in tmp_path (inputs: `raw`); returns the database path."""
    monkeypatch.setenv("GCMDASH_RAW_DIR", str(raw))
    monkeypatch.setenv("GCMDASH_DB", str(tmp_path / "a.duckdb"))
    monkeypatch.setenv("GCMDASH_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "a.duckdb"


def separate_streams_runner() -> CliRunner:
    """A CliRunner whose result has .stderr apart from .stdout (click 8.1 needs asking)."""
    try:
        return CliRunner(mix_stderr=False)
    except TypeError:  # click >= 8.2 always keeps them apart
        return CliRunner()
