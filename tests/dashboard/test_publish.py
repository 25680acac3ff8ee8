"""The published site: deterministic files, the charts' numbers in plain tables and CSVs, every
text escaped, and every page drawn offline in headless Chromium (from a static server and from
file://) with no console error and no request leaving the machine."""
from __future__ import annotations

import csv
import html
import json
import os
import re
from pathlib import Path

import pandas as pd
import pytest

from gcmdash import config
from gcmdash.site import publish

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
SCREENSHOTS = config.ROOT / "screenshots"
PAGES = ["index.html", *(f"session-{n}.html" for n in range(1, 8)), "sources.html"]


@pytest.fixture(scope="module")
def site(built_db: Path, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("site") / "site"
    publish.publish(built_db, out, images=False, notice=lambda _: None)
    return out


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


def _table(page: str, table_id: str) -> pd.DataFrame:
    """One <table id=...> of a page as text cells (header row first)."""
    match = re.search(rf'<table id="{table_id}">(.*?)</table>', page, re.S)
    assert match, table_id
    rows = re.findall(r"<tr>(.*?)</tr>", match.group(1), re.S)
    cells = [[_unescape(re.sub(r"</?a\b[^>]*>", "", c))  # a source cell's link: its text
              for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", r, re.S)]
             for r in rows]
    return pd.DataFrame(cells[1:], columns=cells[0])


def _unescape(text: str) -> str:
    return html.unescape(text)


def test_publishing_twice_writes_identical_files(site: Path, built_db: Path, tmp_path: Path):
    again = tmp_path / "again"
    publish.publish(built_db, again, images=False, notice=lambda _: None)
    first, second = _files(site), _files(again)
    assert sorted(first) == sorted(second)
    assert [name for name in first if first[name] != second[name]] == []
    assert {"index.html", "sources.html", "assets/plotly.min.js", "assets/site.js",
            "data/participation.csv", *(f"session-{n}.html" for n in range(1, 8))} <= set(first)
    # plotly.js shipped once; no page loads anything from elsewhere
    assert len([n for n in first if n.endswith(".js") and "plotly" in n]) == 1
    for name in PAGES:
        assert not re.search(r'(src|href)="(https?:)?//', first[name].decode()), name


def test_index_shows_participation_numbers_and_matching_csv(site: Path):
    index = (site / "index.html").read_text()
    table = _table(index, "table-participation")
    by_session = table.set_index("Session")
    assert by_session.loc["Session 3", "Member States attended"] == "110"
    assert by_session.loc["Session 1", "Member States attended"] == "not reported"
    assert by_session.loc["Session 5", "Member State interventions"] == "over 120"
    assert "Source" in table.columns
    with (site / "data" / "participation.csv").open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    assert rows == [list(table.columns)] + table.values.tolist()
    full = re.search(r'<meta name="gcmdash-input-fingerprint" content="([0-9a-f]{64})">',
                     index).group(1)
    assert f"data version {full[:12]} (see Sources and method)" in index
    assert ("<footer><p>Cite this page: gcmdash: the record of the 2017 consultations on the "
            "Global Compact for Migration, “Session 3: informal thematic session”, data version "
            f"{full[:12]}.</p>") in (site / "session-3.html").read_text()
    assert full not in index.split("<title>")[1]  # the page itself shows the short form only
    assert f"Data version {full[:12]}: " in (site / "sources.html").read_text()
    assert f"input fingerprint, {full}." in (site / "sources.html").read_text()
    for heading in ("Participation across sessions", "Panel composition",
                    "Themes across sessions", "GCM objectives coverage"):
        assert f"<strong>{heading}</strong>" in index


def test_one_session_participation_reads_as_a_record_on_a_phone(site: Path):
    """Its one row has nine columns: stacked (site.css) rather than scrolled sideways."""
    page = (site / "session-3.html").read_text()
    assert re.search(r'<table id="table-session-3-participation" class="stack"', page)
    assert 'data-label="Member States attended" role="cell">110</td>' in page
    # across sessions it stays a table to compare down the columns
    assert re.search(r'<table id="table-participation">', (site / "index.html").read_text())


def test_every_text_is_escaped_and_scripts_are_only_ours(site: Path):
    for name in PAGES:
        text = (site / name).read_text()
        charts = len(re.findall(r'<div class="chart" id="chart-', text))
        scripts = re.findall(r"<script\b[^>]*>", text)
        json_blocks = [s for s in scripts if 'type="application/json"' in s]
        assert len(json_blocks) == charts, name
        assert len(scripts) == charts + (2 if charts else 0), name
        # the JSON holds no literal '<' that could close its element
        for body in re.findall(r'<script type="application/json"[^>]*>(.*?)</script>', text,
                               re.S):
            assert "<" not in body
            json.loads(body)


def test_each_chart_box_holds_its_chart_height_before_it_is_drawn(site: Path):
    """The box a chart is drawn into is as tall as the chart in either scheme (site.css applies
    the height when scripts run), so drawing it moves nothing: no layout shift."""
    assert "@media (scripting:enabled){.chart{height:var(--chart-height)}}" in publish.STYLE
    boxes = 0
    for name in PAGES:
        text = (site / name).read_text()
        found = re.findall(r'<div class="chart" id="(chart-[a-z0-9-]+)" '
                           r'style="--chart-height:(\d+)px"[^>]*></div>'
                           r'<script type="application/json" data-chart="([^"]+)">(.*?)</script>',
                           text, re.S)
        assert len(found) == text.count('<div class="chart"'), name
        for chart_id, height, data_chart, body in found:
            figure = json.loads(body)
            assert data_chart == chart_id
            assert int(height) == figure["layout"]["height"] == figure["dark"]["layout"][
                "height"], (name, chart_id)
            boxes += 1
    assert boxes >= 13


def test_escaping_of_record_text():
    df = pd.DataFrame({"Session": ["<script>alert(1)</script>"],
                       "Count": [None], "Source": ['a "b" & c']})
    out = publish.table_html(df)
    assert "<script>" not in out and "&lt;script&gt;" in out
    assert "not reported" in out and "&quot;b&quot; &amp; c" in out
    assert publish.csv_bytes(df).decode("utf-8-sig").splitlines()[1] == \
        '<script>alert(1)</script>,not reported,"a ""b"" & c"'


def test_every_session_page_and_the_sources_page(site: Path):
    seven = (site / "session-7.html").read_text()
    assert "Stocktaking meeting" in seven and "The record holds little" in seven
    # Session 3 has its procedural note, programme and summary: lacking a letter, a panel page
    # or news about it does not make its record thin.
    three = (site / "session-3.html").read_text()
    assert "The record holds little" not in three and "The record holds nothing" not in three
    sources = (site / "sources.html").read_text()
    for heading in ("Gaps and conflicts in the record", "Data dictionary",
                    "The topic model&#x27;s provenance"):
        assert heading in sources
    assert "<th scope=\"row\">recommendations</th>" in sources  # the data dictionary
    assert "informal thematic session" in (site / "session-3.html").read_text()


# --------------------------------------------------------------------------- in a browser

def _numbers(text: str) -> list[float]:
    return [float(n) for n in re.findall(r"\d+(?:\.\d+)?", text)]


def _chart_numbers(value, found: set[float]) -> set[float]:
    """Every number a figure holds: numeric values and the numbers written in its texts."""
    if isinstance(value, bool):
        return found
    if isinstance(value, (int, float)):
        found.add(float(value))
    elif isinstance(value, str):
        found.update(_numbers(value))
    elif isinstance(value, list):
        for v in value:
            _chart_numbers(v, found)
    elif isinstance(value, dict):
        for v in value.values():
            _chart_numbers(v, found)
    return found


def _close_enough(number: float, text: str, candidates: set[float]) -> bool:
    decimals = len(text.partition(".")[2])
    tolerance = 0.5 * 10 ** -decimals + 1e-9
    return any(abs(number - c) <= tolerance or abs(number - 100 * c) <= 0.5 + 1e-9
               and "%" in text for c in candidates)


@pytest.fixture(scope="module")
def static_server(site: Path):
    """`python -m http.server` on a free port, serving the site."""
    import socket
    import subprocess
    import sys
    import time
    import urllib.request

    if not CHROMIUM.exists():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{CHROMIUM} is missing under CI")
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1",
         "--directory", str(site)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                urllib.request.urlopen(f"{base}/index.html", timeout=2).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


def _open(context, url: str, allowed: tuple[str, ...]):
    """Open url; returns (page, problems): console errors, page errors, requests elsewhere."""
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}")
            if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("request", lambda r: None if r.url.startswith(allowed)
            else problems.append(f"request leaving the site: {r.url}"))
    page.goto(url, wait_until="load")
    page.wait_for_function("""() => [...document.querySelectorAll('.chart')]
        .every(el => el.querySelector('svg.main-svg'))""", timeout=30000)
    page.wait_for_timeout(200)
    return page, problems


def _check_charts(page) -> int:
    """Each chart drew, and every number of its table is in the figure it drew."""
    charts = page.evaluate("""() => [...document.querySelectorAll('.chart')].map(el => ({
        id: el.id,
        svg: el.querySelectorAll('svg.main-svg').length,
        figure: JSON.stringify({data: el.data, layout: el.layout}),
        cells: [...document.querySelectorAll('#table-' + el.id.slice(6) + ' td:not(.src)')]
            .map(td => td.innerText)}))""")
    for chart in charts:
        assert chart["svg"] >= 1, chart["id"]
        found = _chart_numbers(json.loads(chart["figure"]), set())
        missing = [(cell, n) for cell in chart["cells"] for n, text in
                   zip(_numbers(cell), re.findall(r"\d+(?:\.\d+)?%?", cell))
                   if not _close_enough(n, text, found)]
        assert missing == [], (chart["id"], missing[:10])
    return len(charts)


@pytest.mark.browser
def test_every_page_draws_offline_in_chromium(site: Path, static_server: str):
    from playwright.sync_api import sync_playwright

    SCREENSHOTS.mkdir(exist_ok=True)
    allowed_http = (f"{static_server}/", "data:")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        try:
            drawn = 0
            for name in PAGES:
                page, problems = _open(context, f"{static_server}/{name}", allowed_http)
                assert problems == [], (name, problems)
                drawn += _check_charts(page)
                if name == "index.html":
                    assert page.locator("#table-participation").inner_text().count(
                        "not reported") > 0
                page.screenshot(path=str(SCREENSHOTS / f"site-{name[:-5]}.png"),
                                full_page=True)
                page.close()
            assert drawn >= 5 + 7 + 1  # index: participation, women, panels, themes x 2
            # the same site opened from disk
            page, problems = _open(context, (site / "index.html").as_uri(),
                                   ("file://", "data:"))
            assert problems == [], problems
            assert _check_charts(page) == 5
            page.close()
        finally:
            context.close()
            browser.close()


# Runs before the page's scripts: layout shifts summed, and for each Plotly.newPlot the chart
# and the frame it was drawn in (a requestAnimationFrame counter).
DRAW_ORDER = """
window.__shifts = 0; window.__frame = 0; window.__drawn = [];
new PerformanceObserver(list => {
  for (const e of list.getEntries()) { if (!e.hadRecentInput) window.__shifts += e.value; }
}).observe({type: 'layout-shift', buffered: true});
(function tick() { window.__frame += 1; requestAnimationFrame(tick); })();
let plotly;
Object.defineProperty(window, 'Plotly', {configurable: true, get() { return plotly; },
  set(value) {
    const newPlot = value.newPlot;
    value.newPlot = function (target, ...rest) {
      window.__drawn.push([target.id, window.__frame, target.getBoundingClientRect().height]);
      return newPlot.call(this, target, ...rest);
    };
    plotly = value;
  }});
"""
ALL_DRAWN = """() => [...document.querySelectorAll('.chart')]
    .every(el => el.querySelector('svg.main-svg'))"""


@pytest.mark.browser
@pytest.mark.parametrize("viewport", [{"width": 1440, "height": 900},
                                      {"width": 390, "height": 844}], ids=["desktop", "phone"])
def test_charts_draw_one_a_frame_in_view_first_and_shift_nothing(site: Path, static_server: str,
                                                                 viewport):
    """Each chart is drawn in a frame of its own, the ones in view first (a reader landing on
    a chart by its link sees it first), then the rest down the page; each box was already its
    chart's height, so the page does not shift (cumulative layout shift 0)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(viewport=viewport)
        context.add_init_script(DRAW_ORDER)
        try:
            for name, first in (("session-3.html", "chart-session-3-participation"),
                                ("index.html#gcm-objectives", "chart-gcm-objectives")):
                page = context.new_page()
                page.goto(f"{static_server}/{name}", wait_until="load")
                page.wait_for_function(ALL_DRAWN, timeout=60000)
                page.wait_for_timeout(300)
                drawn = page.evaluate("window.__drawn")
                ids = page.evaluate("[...document.querySelectorAll('.chart')].map(el => el.id)")
                assert drawn[0][0] == first, (name, drawn)
                assert sorted(d[0] for d in drawn) == sorted(ids)  # every chart, once
                later = [d[0] for d in drawn[1:]]
                assert later == sorted(later, key=ids.index), (name, drawn)  # down the page
                frames = [d[1] for d in drawn]
                assert frames == sorted(set(frames)), (name, drawn)  # one chart a frame
                heights = page.evaluate("""[...document.querySelectorAll('.chart')].map(el =>
                    [el.id, el.getBoundingClientRect().height, el.layout.height])""")
                before = {d[0]: d[2] for d in drawn}
                assert all(before[i] == h == layout for i, h, layout in heights), heights
                assert page.evaluate("window.__shifts") == 0, name
                page.close()
        finally:
            context.close()
            browser.close()


@pytest.mark.browser
def test_without_plotly_the_chart_boxes_give_their_room_back(site: Path, static_server: str):
    """If plotly.js does not load, no empty chart-tall box is left: the tables stand."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1440, "height": 900})
        page.route("**/plotly.min.js", lambda route: route.abort())
        page.goto(f"{static_server}/session-3.html", wait_until="load")
        heights = page.evaluate(
            "[...document.querySelectorAll('.chart')].map(el => el.getBoundingClientRect().height)")
        assert heights and all(h == 120 for h in heights), heights  # the min-height alone
        browser.close()
