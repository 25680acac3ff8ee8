"""The code fingerprint covers only the code that shapes the data: editing a page, the CLI, the
site, the runner's orchestration or a benchmark keeps the database (and its cache); editing a
parser, the schema or the vocabulary makes it stale."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from gcmdash.config import PACKAGE_DIR, ROOT
from gcmdash.runner import build as build_module
from gcmdash.runner.build import DATA_CODE, EXTRACT_CODE, code_fingerprint, is_stale
from tests.conftest import SEED_DIR


@pytest.fixture
def package_copy(tmp_path, monkeypatch) -> Path:
    """A copy of src/gcmdash the fingerprint reads instead of the real one."""
    copy = tmp_path / "gcmdash"
    shutil.copytree(PACKAGE_DIR, copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(build_module, "_PACKAGE_DIR", copy)
    return copy


def _append_comment(path: Path) -> None:
    path.write_text(path.read_text(encoding="utf-8") + "\n# an edit\n", encoding="utf-8")


@pytest.mark.parametrize("edited", ["cli.py", "app/app_pages/overview.py", "app/streamlit_app.py",
                                    "site/publish.py", "views/sections.py",
                                    "runner/build.py", "config.py"])
def test_editing_code_that_does_not_shape_the_data_keeps_the_fingerprint(package_copy, edited):
    before = code_fingerprint(), code_fingerprint(EXTRACT_CODE)
    _append_comment(package_copy / edited)
    assert (code_fingerprint(), code_fingerprint(EXTRACT_CODE)) == before


@pytest.mark.parametrize("edited", ["parse/summary.py", "load/database.py", "derive/checks.py",
                                    "topics/model.py", "records.py", "vocab.py", "provenance.py",
                                    "schema.sql"])
def test_editing_code_that_shapes_the_data_changes_the_fingerprint(package_copy, edited):
    before = code_fingerprint()
    extract_before = code_fingerprint(EXTRACT_CODE)
    _append_comment(package_copy / edited)
    assert code_fingerprint() != before
    # a parser change keeps the extraction cache: extractions depend on extract/ alone
    assert code_fingerprint(EXTRACT_CODE) == extract_before


def test_editing_extraction_changes_both_fingerprints(package_copy):
    before = code_fingerprint(), code_fingerprint(EXTRACT_CODE)
    _append_comment(package_copy / "extract" / "text.py")
    after = code_fingerprint(), code_fingerprint(EXTRACT_CODE)
    assert after[0] != before[0] and after[1] != before[1]


def test_every_data_code_part_exists():
    assert all((PACKAGE_DIR / part).exists() for part in DATA_CODE), DATA_CODE


def test_a_page_cli_or_benchmark_edit_does_not_make_the_database_stale(seed_db, tmp_path,
                                                                         monkeypatch):
    raw = tmp_path / "raw"
    shutil.copytree(SEED_DIR, raw)
    db = tmp_path / "copy.duckdb"
    shutil.copy(seed_db, db)
    assert not is_stale(raw, db)
    copy = tmp_path / "gcmdash"
    shutil.copytree(PACKAGE_DIR, copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(build_module, "_PACKAGE_DIR", copy)
    for edited in ("cli.py", "app/app_pages/themes.py", "site/publish.py"):
        _append_comment(copy / edited)
    assert (ROOT / "benchmarks" / "bench.py").exists()  # outside the package: never hashed
    assert not is_stale(raw, db)
    _append_comment(copy / "parse" / "programme.py")
    assert is_stale(raw, db)


def test_a_build_beside_an_odd_entry_is_not_stale_right_after(tmp_path):
    """The build's input fingerprint names the entries it refused (here a FIFO) as is_stale
    does, so a database built beside one is not rebuilt on every start."""
    import os

    from gcmdash.runner.build import build

    raw = tmp_path / "raw"
    shutil.copytree(SEED_DIR, raw)
    os.mkfifo(raw / "pipe.txt")
    db = tmp_path / "gcmdash.duckdb"
    report = build(raw, db)
    assert ("pipe.txt", "failed") in {(d[0], d[1]) for d in report.documents}
    assert not is_stale(raw, db)
