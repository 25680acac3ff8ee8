"""The dashboard in a real browser: `gcmdash serve` on a free port, every page visited in
headless Chromium, no error element anywhere, a screenshot per page in screenshots/.

Needs Debian's chromium at /usr/bin/chromium (.ci/run installs it). Without it the test is
skipped locally and fails under CI (CI=true).
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from benchmarks.browser import free_port
from gcmdash import config

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = config.ROOT / "screenshots"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
# url path -> (screenshot name, the page's title), in the navigation's order
PAGES = {
    "": ("1-overview", "The record of the 2017 GCM consultations"),
    "participation": ("2-participation", "Participation"),
    "session": ("3-session", "Session"),
    "themes": ("4-themes", "Themes"),
    "recommendations": ("5-recommendations", "Recommendations"),
    "data_method": ("6-data-method", "Data & method"),
}
ERRORS = '[data-testid="stException"], [data-testid="stAlertContentError"]'
WIDTH = 1400
VIEWPORT_HEIGHT = 5000  # taller than most pages: everything renders at once

pytestmark = pytest.mark.browser


def _require_chromium() -> None:
    if CHROMIUM.exists():
        return
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{CHROMIUM} is missing under CI: .ci/run should have installed Debian's "
                    "chromium")
    pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium); the browser test runs "
                "in CI")


def _wait_healthy(base: str, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"gcmdash serve exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as response:
                if response.read().strip() == b"ok":
                    return
        except OSError:
            pass
        time.sleep(0.25)
    raise AssertionError(f"the dashboard was not healthy within {timeout:.0f} s")


@pytest.fixture(scope="module")
def server(seed_db: Path, tmp_path_factory):
    """`gcmdash serve` on a free port against a copy of the seed database."""
    _require_chromium()
    db = tmp_path_factory.mktemp("browser") / "gcmdash.duckdb"
    shutil.copy(seed_db, db)
    port = free_port()
    command = ([shutil.which("gcmdash")] if shutil.which("gcmdash")
               else [sys.executable, "-m", "gcmdash.cli"])
    log = (tmp_path_factory.getbasetemp() / "serve.log").open("w")
    process = subprocess.Popen(
        [*command, "serve", "--port", str(port), "--headless"],
        env={**os.environ, "GCMDASH_DB": str(db), "GCMDASH_RAW_DIR": str(config.ROOT / "data" / "raw")},
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(base, process)
        yield base
    finally:
        # serve runs streamlit as a child: end the whole process group it leads.
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=10)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(process.pid, signal.SIGKILL)
        log.close()


@pytest.fixture(scope="module")
def browser(server):
    """One browser context for every page, so plotly.js and the app's scripts load once."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = chromium.new_context(viewport={"width": WIDTH, "height": VIEWPORT_HEIGHT})
        yield context
        context.close()
        chromium.close()


def _main_height(page) -> int:
    """Height of the page's content (the app scrolls inside its own container)."""
    return int(page.evaluate("""() => {
        const block = document.querySelector('[data-testid="stMainBlockContainer"]');
        return block ? Math.ceil(block.getBoundingClientRect().bottom) : 0;
    }"""))


def _wait_rendered(page, timeout: float = 30) -> None:
    """Until the script has finished, every chart is drawn and the height stays put."""
    deadline = time.monotonic() + timeout
    page.wait_for_selector('[data-testid="stAppViewContainer"]', timeout=timeout * 1000)
    last, stable_since = -1, time.monotonic()
    while time.monotonic() < deadline:
        busy = page.evaluate("""() => {
            const running = document.querySelector('[data-testid="stStatusWidget"]');
            const skeleton = document.querySelector('[data-testid="stSkeleton"]');
            const charts = document.querySelectorAll('[data-testid="stPlotlyChart"]').length;
            const drawn = document.querySelectorAll(
                '[data-testid="stPlotlyChart"] .js-plotly-plot .main-svg').length;
            return !!running || !!skeleton || drawn < charts
                || !document.querySelector('[data-testid="stMain"] h1');
        }""")
        height = _main_height(page)
        if busy or height != last:
            last, stable_since = height, time.monotonic()
        elif time.monotonic() - stable_since > 0.5:
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"{page.url} did not finish rendering within {timeout:.0f} s")


def _assert_no_errors(page) -> None:
    errors = page.locator(ERRORS)
    assert errors.count() == 0, [errors.nth(i).inner_text() for i in range(errors.count())]


def _screenshot(page, name: str) -> None:
    """The whole page: the app scrolls inside its own container, so the viewport is tall and
    the screenshot is clipped to the content."""
    height = _main_height(page)
    if height > VIEWPORT_HEIGHT:
        page.set_viewport_size({"width": WIDTH, "height": height})
        _wait_rendered(page)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"),
                    clip={"x": 0, "y": 0, "width": WIDTH, "height": height})


def _click_cell(page, chart_index: int, x_category: str, y_prefix: str) -> None:
    """Click the heat-map cell at (x_category, the row starting with y_prefix)."""
    x, y = page.locator('[data-testid="stPlotlyChart"]').nth(chart_index).evaluate("""
        (el, [xCategory, yPrefix]) => {
            const gd = el.querySelector('.js-plotly-plot');
            const xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis;
            const box = gd.getBoundingClientRect();
            const column = xa._categories.find(c => c.startsWith(xCategory + '<br>'));
            const row = ya._categories.find(c => c.startsWith(yPrefix));
            return [box.left + xa._offset + xa.d2p(column),
                    box.top + ya._offset + ya.d2p(row)];
        }""", [x_category, y_prefix])
    page.mouse.move(x, y)
    page.mouse.click(x, y)


def _check(page, name: str, title: str) -> None:
    _wait_rendered(page)
    _assert_no_errors(page)
    assert page.locator('[data-testid="stMain"] h1').first.inner_text() == title
    _screenshot(page, name)


def test_every_page_renders_without_errors(server, browser):
    """Open the app, then go to every page through the top navigation (the app stays loaded,
    as for a reader): each page is drawn without an error element and photographed."""
    SCREENSHOTS.mkdir(exist_ok=True)
    page = browser.new_page()
    try:
        page.goto(server)
        for path, (name, title) in PAGES.items():
            if path:
                page.locator(f'[data-testid="stTopNav"] a[href$="/{path}"]').click()
                page.wait_for_url(f"{server}/{path}")
                page.wait_for_function(
                    "(t) => document.querySelector('[data-testid=\"stMain\"] h1')"
                    "?.innerText === t", arg=title)
            _check(page, name, title)
            if name == "1-overview":
                assert page.get_by_text("The consultations, 2017").count() >= 1
            if name == "2-participation":
                assert page.get_by_text("over 120").count() >= 1
                assert page.get_by_text("not reported").count() >= 1
            if name == "3-session":
                assert page.get_by_text("Session 3 · Geneva, 19–20 June 2017").count() == 1
            if name == "5-recommendations":
                assert page.get_by_text("73 recommendation(s)").count() == 1
    finally:
        page.close()


def _units_in_cell(db: Path, objective: int, session_number: int) -> int:
    import duckdb

    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute("SELECT unit_count FROM coverage WHERE objective = ? AND "
                           "session_number = ?", [objective, session_number]).fetchone()[0]


def test_a_shared_link_reopens_the_view_and_a_clicked_cell_goes_into_the_url(
        server, browser, seed_db):
    detention, returns = _units_in_cell(seed_db, 13, 3), _units_in_cell(seed_db, 21, 3)
    page = browser.new_page()
    try:
        page.goto(f"{server}/themes?objective_cell=Objective+13+%C3%97+Session+3")
        _wait_rendered(page)
        _assert_no_errors(page)
        # The cell named in the link lists the texts behind it ...
        assert page.get_by_text(
            f"Objective 13 × Session 3: {detention} text unit(s)").count() == 1
        # ... and clicking another cell of the matrix (a plotly selection event) lists its
        # texts and puts it in the URL.
        _click_cell(page, 1, "S3", "21 ")
        page.get_by_text(f"Objective 21 × Session 3: {returns} text unit(s)").wait_for(
            timeout=15000)
        _wait_rendered(page)
        _assert_no_errors(page)
        assert "objective_cell=Objective+21" in page.url.replace("%20", "+")
    finally:
        page.close()


# --------------------------------------------------------------------------- issue 16

PHONE = {"width": 390, "height": 844}


def test_the_toolbar_is_in_viewer_mode(server, browser):
    """Readers get no Deploy button and no developer entries (Rerun, Clear cache) in the
    menu."""
    page = browser.new_page()
    try:
        page.goto(f"{server}/")  # the default page (Overview) is served at the root
        # the toolbar is there from the first paint; no need to wait for every chart
        page.locator('[data-testid="stMain"] h1').first.wait_for(timeout=60000)
        page.locator('[data-testid="stMainMenu"]').wait_for(timeout=60000)
        assert page.locator('[data-testid="stAppDeployButton"]').count() == 0
        page.locator('[data-testid="stMainMenu"]').click()
        menu = page.locator('[data-testid="stMainMenuList"]')
        menu.wait_for(timeout=5000)
        entries = menu.inner_text()
        assert "Print" in entries or "Settings" in entries, entries  # the menu did open
        assert "Clear cache" not in entries and "Rerun" not in entries, entries
        assert "Deploy" not in entries, entries
    finally:
        page.close()


@pytest.fixture(scope="module")
def published(seed_db: Path, tmp_path_factory) -> Path:
    from gcmdash.site.publish import publish

    out = tmp_path_factory.mktemp("site")
    publish(seed_db, out, images=False, notice=lambda _: None)
    return out


@pytest.fixture(scope="module")
def phone_browser(browser, published):
    """A phone-sized context of the module's browser (one Playwright per process)."""
    context = browser.browser.new_context(viewport=PHONE)
    yield context
    context.close()


SITE_PAGES = ("index", "session-3", "session-4", "recommendations", "sources")


@pytest.mark.parametrize("name", SITE_PAGES)
def test_the_published_site_fits_a_phone(published, phone_browser, name):
    """At 390 px no page of the site scrolls sideways (the navigation wraps), no console
    error, and no chart offers plotly's send-to-cloud button."""
    page = phone_browser.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto((published / f"{name}.html").as_uri())
        page.wait_for_load_state("load")
        charts = page.locator(".chart").count()
        if charts:
            page.wait_for_function(
                "(n) => document.querySelectorAll('.chart .main-svg').length >= n", arg=charts)
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"{name}.html is {width} px wide"
        nav = page.locator("nav").bounding_box()
        assert nav["width"] <= PHONE["width"] and nav["height"] > 40  # wrapped, not cut
        if charts:
            assert page.locator(".modebar-btn").count() > 0  # the modebar is there ...
            assert page.locator('.modebar-btn[data-title*="Cloud"], '
                                '.modebar-btn[data-title*="Chart Studio"]').count() == 0
        assert errors == []
        SCREENSHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"site-{name}-390.png"), full_page=True)
    finally:
        page.close()


# A session's record as one block at 390 px: the longest title (about 230 characters) wraps to
# nine lines of the value column, the other seven fields take one or two lines each; 450 px is
# about half the 844 px screen, so a whole session reads within one screen. Laid out as a table
# the seven sessions stood in columns 4.5 rem wide, 186-344 px a row, in a table 1,095 px wide
# that had to be scrolled sideways to read one row.
SESSION_ROW_MAX_PX = 450


def test_the_site_sessions_table_reads_on_a_phone(published, phone_browser):
    """At 390 px the sessions table is one block per session, each value beside its column's
    name and at least half the block wide: nothing scrolls sideways, neither the page nor the
    table's own box, and no row is taller than SESSION_ROW_MAX_PX."""
    page = phone_browser.new_page()
    try:
        page.goto((published / "index.html").as_uri())
        page.wait_for_load_state("load")
        assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
        table = page.locator("#table-sessions")
        box = table.evaluate("""(t) => {
            const wrap = t.parentElement;
            const rows = [...t.querySelectorAll('tbody tr')].map(r => {
                const own = r.getBoundingClientRect();
                const cells = [...r.querySelectorAll('td')].map(td => {
                    const style = getComputedStyle(td);
                    return td.getBoundingClientRect().width - parseFloat(style.paddingLeft);
                });
                return {height: own.height, width: own.width, narrowest: Math.min(...cells),
                        label: getComputedStyle(r.querySelector('td'), '::before').content};
            });
            return {rows, scroll: wrap.scrollWidth, client: wrap.clientWidth};
        }""")
        assert len(box["rows"]) == 7
        assert box["scroll"] <= box["client"], box  # the table's box does not scroll either
        for row in box["rows"]:
            assert row["height"] <= SESSION_ROW_MAX_PX, box["rows"]
            assert row["narrowest"] >= row["width"] / 2, box["rows"]  # values not squeezed
            assert row["label"] == '"Dates"'  # each value said with its column's name
        # the table stays a table for a screen reader (roles written out, head kept, hidden)
        assert table.get_attribute("role") == "table"
        assert page.locator("#table-sessions thead th").first.inner_text() == "Session"
        assert page.get_by_role("columnheader", name="Dates").count() == 1
        page.screenshot(path=str(SCREENSHOTS / "site-sessions-table-390.png"), full_page=True)
    finally:
        page.close()


def test_the_site_searches_recommendations_without_a_server(published, phone_browser):
    """The recommendations page filters as one types, word forms matching, and writes what it
    finds as text (a typed tag stays text)."""
    page = phone_browser.new_page()
    try:
        page.goto((published / "recommendations.html").as_uri())
        count = page.locator("#rec-count")
        assert count.inner_text().startswith("73 recommendation(s)")
        page.fill("#rec-q", "detentions")
        found = page.locator("#rec-results li")
        assert found.count() >= 1
        assert count.inner_text() == f"{found.count()} of 73 recommendation(s) match."
        assert all("detention" in found.nth(i).inner_text().lower()
                   for i in range(found.count()))
        page.fill("#rec-q", "")
        page.select_option("#rec-objective", "13")
        by_objective = found.count()
        assert by_objective == page.locator("#objective-13 + ol li").count() >= 1
        page.fill("#rec-q", "<img src=x onerror=alert(1)>")
        assert count.inner_text() == "0 of 73 recommendation(s) match."
        assert page.locator("#rec-results img").count() == 0
    finally:
        page.close()
