"""Accessibility in a real browser: axe-core (tests/axe.py, from the npm registry) injected by
Playwright into every app page and every page of the published site, at 1440x900 and
390x844, in light and dark colour schemes. A page fails on any violation of impact serious or
critical, on any moderate or minor one not in TOLERATED, and on any console error. Each run's violations are written as JSON beside the
screenshots ($GCMDASH_SHOTS, default screenshots/a11y/), so counts can be compared.
"""
from __future__ import annotations

import functools
import http.server
import json
import os
import threading
from pathlib import Path

import pytest

from gcmdash import config
from tests import axe
from tests.test_browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    _assert_no_errors,
    _wait_rendered,
)
from tests.test_browser import server as server  # noqa: F401 - the module's fixture

pytestmark = pytest.mark.browser

SHOTS = Path(os.environ.get("GCMDASH_SHOTS") or config.ROOT / "screenshots" / "a11y")
VIEWPORTS = {"desktop": {"width": 1440, "height": 900}, "phone": {"width": 390, "height": 844}}
SCHEMES = ("light", "dark")
# name -> address (after the server's root); the person and the cited lines are the seed's
APP_PAGES = {
    "overview": "/",
    "participation": "/participation",
    "session": "/session?session=Session+3",
    "themes": "/themes",
    "recommendations": "/recommendations",
    "data-method": "/data_method",
    "documents": "/document",
    "document-deep-link": "/document?doc=003_caee5c70cc5473e9.txt&lines=167-168",
    "person": "/person?id=paola-cyment",
}
# Streamlit's front end probes /<page>/_stcore/health and host-config before the root ones:
# a 404 from those probes is Streamlit's, not the page's.
STREAMLIT_PROBES = ("/_stcore/health", "/_stcore/host-config")
# Parts of Streamlit's own widgets axe flags and no page or theme setting can change, each
# with why; they are reported, not fixed: (rule id, selector) -> reason. Only that rule is
# waived for those nodes; every other rule still checks them.
STREAMLIT_EXCLUSIONS: dict[tuple[str, str], str] = {
    ("scrollable-region-focusable", '[data-testid="stTable"] > div'):
        "st.table's own scroll box: a table wider than a 390 px phone scrolls sideways in it, "
        "and Streamlit gives the box no tabindex (nor a way to add one)",
    ("scrollable-region-focusable",
     '[data-testid="stTable"] td [data-testid="stMarkdownContainer"]'):
        "st.table's cells scroll a word longer than the cell (a 64-character fingerprint) in "
        "a box of their own, without a tabindex",
}

# Moderate and minor rules a page may still break, each with why (rule id -> reason). Empty:
# every one axe reported was ours and is fixed (heading-order on the document, person and
# recommendations pages; landmark-unique on the site's session pages; empty-table-header on
# the cited lines), and none came from Streamlit's own markup. A rule added here is waived
# for moderate and minor findings only: serious and critical ones always fail.
TOLERATED: dict[str, str] = {}


@pytest.fixture(scope="module")
def axe_script() -> Path:
    path = axe.script_path()
    if path is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"axe-core {axe.VERSION} could not be fetched ({axe.TARBALL}); .ci/run "
                        "fetches it with `python3 tests/axe.py`")
        pytest.skip(f"axe-core {axe.VERSION} is not cached and could not be fetched")
    return path


@pytest.fixture(scope="module")
def chromium():
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def contexts(chromium):
    """One browser context per (viewport, colour scheme), shared by the module's pages."""
    made = {(v, s): chromium.new_context(viewport=size, color_scheme=s)
            for v, size in VIEWPORTS.items() for s in SCHEMES}
    yield made
    for context in made.values():
        context.close()


@pytest.fixture(scope="module")
def published_site(seed_db: Path, tmp_path_factory) -> Path:
    from gcmdash.site.publish import publish

    out = tmp_path_factory.mktemp("a11y-site")
    publish(seed_db, out, images=False, notice=lambda _: None)
    return out


@pytest.fixture(scope="module")
def site_server(published_site: Path):
    """The published folder over HTTP, as readers get it (axe reads the stylesheets, which
    file:// pages may not fetch)."""
    handler = functools.partial(_QuietHandler, directory=str(published_site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:  # noqa: D102 - the test's output stays readable
        pass


def _console_errors(page) -> list[str]:
    errors: list[str] = []

    def on_console(message) -> None:
        url = (message.location or {}).get("url", "")
        if message.type == "error" and not any(p in url for p in STREAMLIT_PROBES):
            errors.append(f"{message.text} ({url})")

    page.on("console", on_console)
    page.on("pageerror", lambda e: errors.append(str(e)))
    return errors


def _record(name: str, viewport: str, scheme: str, violations: list[dict]) -> None:
    folder = SHOTS / "axe"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}-{viewport}-{scheme}.json").write_text(
        json.dumps(violations, indent=1), encoding="utf-8")


def _full_screenshot(page, path: Path) -> None:
    """The app scrolls inside its own container: grow the viewport to the content first."""
    size = page.viewport_size
    height = int(page.evaluate("""() => {
        const block = document.querySelector('[data-testid="stMainBlockContainer"]');
        return Math.ceil(block ? block.getBoundingClientRect().bottom
                               : document.documentElement.scrollHeight);
    }"""))
    if height > size["height"]:
        page.set_viewport_size({"width": size["width"], "height": min(height, 12000)})
        page.wait_for_timeout(500)
    page.screenshot(path=str(path))
    page.set_viewport_size(size)


def _summary(violations: list[dict]) -> str:
    return "\n".join(f"{v['id']} ({v['impact']}, {len(v['nodes'])}): {v['help']}; "
                     f"{v['nodes'][:3]} {v['summaries'][:1]}" for v in violations)


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("name", APP_PAGES)
def test_app_page_has_no_axe_violation(server, contexts, axe_script, name, viewport,  # noqa: F811
                                           scheme):
    page = contexts[(viewport, scheme)].new_page()
    errors = _console_errors(page)
    try:
        page.goto(server + APP_PAGES[name])
        _wait_rendered(page, timeout=60)
        _assert_no_errors(page)
        violations = axe.run(page, axe_script, tuple(STREAMLIT_EXCLUSIONS))
        _record(f"app-{name}", viewport, scheme, violations)
        SHOTS.mkdir(parents=True, exist_ok=True)
        _full_screenshot(page, SHOTS / f"app-{name}-{viewport}-{scheme}.png")
        failing = axe.failing(violations, TOLERATED)
        assert failing == [], _summary(failing)
        assert errors == []
    finally:
        page.close()


def _site_pages() -> list[str]:
    """Every page `gcmdash publish` writes, by name: the fixed pages, the sessions and one per
    document of the seed corpus (as site.publish names them)."""
    from gcmdash.extract.formats import discover

    documents = [f"document-{p.name}" for p in discover(config.ROOT / "data" / "raw")]
    return ["index", "sources", "recommendations",
            *(f"session-{n}" for n in range(1, 8)), *documents]


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("name", _site_pages())
def test_site_page_has_no_axe_violation(published_site, site_server, contexts, axe_script,
                                            name, viewport, scheme):
    path = published_site / f"{name}.html"
    assert path.exists(), sorted(p.name for p in published_site.glob("*.html"))
    page = contexts[(viewport, scheme)].new_page()
    errors = _console_errors(page)
    try:
        page.goto(f"{site_server}/{name}.html")
        page.wait_for_load_state("load")
        charts = page.locator(".chart").count()
        if charts:
            page.wait_for_function(
                "(n) => document.querySelectorAll('.chart .main-svg').length >= n", arg=charts)
        violations = axe.run(page, axe_script)
        _record(f"site-{name}", viewport, scheme, violations)
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"site-{name}-{viewport}-{scheme}.png"),
                        full_page=True)
        failing = axe.failing(violations, TOLERATED)
        assert failing == [], _summary(failing)
        assert errors == []
    finally:
        page.close()


def test_every_published_page_is_checked(published_site):
    """The list above is the site: a page publish adds is not left unchecked."""
    assert sorted(p.stem for p in published_site.glob("*.html")) == sorted(_site_pages())

