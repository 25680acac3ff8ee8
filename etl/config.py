"""Every path the project uses, in one place; each overridable by one environment variable."""
from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _path_from_env(variable: str, default: Path) -> Path:
    value = os.environ.get(variable)
    return Path(value).expanduser().resolve() if value else default


def raw_dir() -> Path:
    """Immutable input documents (GCMDASH_RAW_DIR)."""
    return _path_from_env("GCMDASH_RAW_DIR", ROOT / "data" / "raw")


def reference_dir() -> Path:
    """Curated public-record CSVs, each row with its source URL (GCMDASH_REFERENCE_DIR)."""
    return _path_from_env("GCMDASH_REFERENCE_DIR", ROOT / "data" / "reference")


def cache_dir() -> Path:
    """Per-document extraction and parse cache for incremental builds (GCMDASH_CACHE_DIR)."""
    return _path_from_env("GCMDASH_CACHE_DIR", ROOT / "data" / ".cache")


def db_path() -> Path:
    """The one build artefact (GCMDASH_DB)."""
    return _path_from_env("GCMDASH_DB", ROOT / "data" / "gcmdash.duckdb")


SCHEMA_PATH = Path(__file__).resolve().parent / "schema.sql"

# File endings the build reads; anything else in data/raw is listed as failed with a reason.
TEXT_SUFFIXES = (".txt", ".md")
