"""Every path the project uses, in one place; each overridable by one environment variable."""
from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
ROOT = PACKAGE_DIR.parents[1]  # the checkout: src/gcmdash -> src -> root
APP_DIR = PACKAGE_DIR / "app"
APP_ENTRYPOINT = APP_DIR / "streamlit_app.py"
APP_PAGES_DIR = APP_DIR / "app_pages"


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


SCHEMA_PATH = PACKAGE_DIR / "schema.sql"

# File endings the build reads; anything else in data/raw is listed as failed with a reason.
TEXT_SUFFIXES = (".txt", ".md")


TOPIC_VIEWS = ("words", "semantic")


def topic_view() -> str:
    """The topic model's view: "words" (the default install) or "semantic" (sentence
    embeddings, needs the embeddings extra), from $GCMDASH_TOPIC_VIEW."""
    view = os.environ.get("GCMDASH_TOPIC_VIEW", "words").strip() or "words"
    if view not in TOPIC_VIEWS:
        raise ValueError(f"GCMDASH_TOPIC_VIEW={view!r}: expected one of {', '.join(TOPIC_VIEWS)}")
    return view
