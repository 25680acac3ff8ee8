"""Notebooks are paired as text (jupytext percent) and must run top to bottom."""
from __future__ import annotations

from pathlib import Path

import jupytext
import nbformat
import pytest
from nbclient import NotebookClient

from gcmdash import config

NOTEBOOKS = config.ROOT / "notebooks"


@pytest.fixture(scope="module")
def notebook_db(seed_db: Path) -> Path:
    return seed_db


def _execute(path: Path, tmp_path: Path) -> nbformat.NotebookNode:
    notebook = jupytext.read(path)
    client = NotebookClient(notebook, timeout=300, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path)}})
    client.execute()
    nbformat.validate(notebook)
    return notebook


def _text_outputs(notebook: nbformat.NotebookNode) -> str:
    parts = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                raise AssertionError(f"{output['ename']}: {output['evalue']}")
            parts.append(output.get("text", ""))
            parts.append(output.get("data", {}).get("text/plain", ""))
    return "\n".join(parts)


def test_participation_notebook_runs(notebook_db, tmp_path, monkeypatch):
    monkeypatch.setenv("GCMDASH_DB", str(notebook_db))  # the kernel inherits the environment
    notebook = _execute(NOTEBOOKS / "01-participation.py", tmp_path)
    code_cells = [c for c in notebook.cells if c.cell_type == "code"]
    assert code_cells and all(c.execution_count for c in code_cells)
    text = _text_outputs(notebook)
    assert f"Reading {notebook_db}" in text
    assert "Sessions with no participation count in the record: Session 1" in text
    assert "110" in text and "not reported" in text
    figures = [o for c in code_cells for o in c.outputs
               if "application/vnd.plotly.v1+json" in o.get("data", {})]
    assert len(figures) == 3
    assert "No participation counts in the record for: Session 1, Session 2, Session 4, Session 6" in text
    participation = figures[0]["data"]["application/vnd.plotly.v1+json"]
    attended = next(t for t in participation["data"] if t["name"] == "Member States attended")
    assert 110 in attended["y"] and 0 not in attended["y"]
    assert "not reported" in [a["text"] for a in participation["layout"]["annotations"]]


def test_themes_notebook_runs(notebook_db, tmp_path, monkeypatch):
    monkeypatch.setenv("GCMDASH_DB", str(notebook_db))  # the kernel inherits the environment
    notebook = _execute(NOTEBOOKS / "02-themes.py", tmp_path)
    code_cells = [c for c in notebook.cells if c.cell_type == "code"]
    assert code_cells and all(c.execution_count for c in code_cells)
    text = _text_outputs(notebook)
    assert f"Reading {notebook_db}" in text
    assert "17 topics: largest k within 0.1 of the best mean pairwise ARI" in text  # how k was chosen
    assert "73 recommendations, each under exactly one topic" in text
    assert "Topic 1: " in text and "s3-g-03" in text
    assert "161 session x objective cells" in text           # 7 sessions x 23 objectives
    assert "Session 3 (92 units) gaps:" in text
    assert 'matched "alternatives to detention"' in text
    figures = [o for c in code_cells for o in c.outputs
               if "application/vnd.plotly.v1+json" in o.get("data", {})]
    assert len(figures) == 2
    shares, coverage = (f["data"]["application/vnd.plotly.v1+json"]["data"][0] for f in figures)
    assert len(shares["x"]) == 7 and len(coverage["y"]) == 23
