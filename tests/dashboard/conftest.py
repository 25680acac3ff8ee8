"""A tiny database built once per test session from the repository's seed documents."""
from __future__ import annotations

from pathlib import Path

import duckdb
import pytest


@pytest.fixture(scope="session")
def built_db(seed_db: Path) -> Path:
    """The seed database (tests/conftest.py), under the name the dashboard tests use."""
    return seed_db


@pytest.fixture(scope="session")
def con(built_db: Path):
    connection = duckdb.connect(str(built_db), read_only=True)
    yield connection
    connection.close()


@pytest.fixture
def db_env(built_db: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point the app (gcmdash.config.db_path) at the built database."""
    monkeypatch.setenv("GCMDASH_DB", str(built_db))
    return built_db
