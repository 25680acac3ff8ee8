"""Browser Back and Forward restore the view: the Session, Person and Documents pages keep
their choice in the URL (each pick a history entry), and read it on every run."""
from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

import pytest

from tests.test_browser import _assert_no_errors, _wait_rendered
from tests.test_browser import browser as browser  # noqa: F401 - the module's fixtures
from tests.test_browser import server as server  # noqa: F401

pytestmark = pytest.mark.browser


def _choose(page, label: str, option: str) -> None:
    """Pick `option` in the selectbox labelled `label` (a combobox), as a reader does."""
    box = page.get_by_role("combobox", name=label, exact=True)
    box.click(timeout=60000)
    box.fill(option)  # the list is virtualised: typing brings a far option into it
    page.get_by_role("option").filter(has_text=re.compile(f"^{re.escape(option)}$")).click()


def _query(page, name: str) -> str | None:
    return parse_qs(urlparse(page.url).query).get(name, [None])[0]


def _wait_heading(page, selector: str, text: str) -> None:
    page.wait_for_function(
        "([s, t]) => [...document.querySelectorAll(s)].some(e => e.innerText.startsWith(t))",
        arg=[selector, text], timeout=120000)
    _wait_rendered(page, timeout=120)
    _assert_no_errors(page)


def _shown(page, label: str) -> str:
    return page.get_by_role("combobox", name=label, exact=True).input_value()


def test_back_and_forward_step_through_the_sessions_chosen(server, browser):  # noqa: F811
    page = browser.new_page()
    try:
        page.goto(f"{server}/session")
        _wait_heading(page, '[data-testid="stMain"] h2', "Session 3 ·")
        _choose(page, "Session", "Session 2")
        _wait_heading(page, '[data-testid="stMain"] h2', "Session 2 ·")
        assert _query(page, "session") == "Session 2"
        _choose(page, "Session", "Session 5")
        _wait_heading(page, '[data-testid="stMain"] h2', "Session 5 ·")
        assert _query(page, "session") == "Session 5"
        page.go_back()
        _wait_heading(page, '[data-testid="stMain"] h2', "Session 2 ·")
        assert _query(page, "session") == "Session 2" and _shown(page, "Session") == "Session 2"
        page.go_forward()
        _wait_heading(page, '[data-testid="stMain"] h2', "Session 5 ·")
        assert _query(page, "session") == "Session 5" and _shown(page, "Session") == "Session 5"
        page.go_back()
        page.go_back()
        _wait_heading(page, '[data-testid="stMain"] h2', "Session 3 ·")  # the default again
    finally:
        page.close()


def test_back_and_forward_step_through_the_people_chosen(server, browser):  # noqa: F811
    page = browser.new_page()
    try:
        page.goto(f"{server}/person?id=paola-cyment")
        _wait_heading(page, '[data-testid="stMain"] h1', "Paola Cyment")
        _choose(page, "Person", "Omar Hilale")
        _wait_heading(page, '[data-testid="stMain"] h1', "Omar Hilale")
        assert _query(page, "id") == "omar-hilale"
        _choose(page, "Person", "Sharon Moshavi")
        _wait_heading(page, '[data-testid="stMain"] h1', "Sharon Moshavi")
        page.go_back()
        _wait_heading(page, '[data-testid="stMain"] h1', "Omar Hilale")
        assert _query(page, "id") == "omar-hilale" and _shown(page, "Person") == "Omar Hilale"
        page.go_back()
        _wait_heading(page, '[data-testid="stMain"] h1', "Paola Cyment")
        page.go_forward()
        _wait_heading(page, '[data-testid="stMain"] h1', "Omar Hilale")
    finally:
        page.close()


def test_back_and_forward_step_through_the_documents_opened(server, browser):  # noqa: F811
    page = browser.new_page()
    try:
        page.goto(f"{server}/document?doc=003_caee5c70cc5473e9.txt&lines=167-168")
        first = "Co-facilitators' summary, session 3"
        _wait_heading(page, '[data-testid="stMain"] h1', first)
        assert page.get_by_text("The cited lines 167–168, in context").count() == 1
        second = "Programme of work, session 3"
        _choose(page, "Document", second)
        _wait_heading(page, '[data-testid="stMain"] h1', second)
        assert _query(page, "doc") == "001_bab7ddbf46844fd5.txt" and _query(page, "lines") is None
        page.go_back()
        _wait_heading(page, '[data-testid="stMain"] h1', first)
        # the deep link's cited lines come back with it
        assert _query(page, "lines") == "167-168"
        assert page.get_by_text("The cited lines 167–168, in context").count() == 1
        page.go_forward()
        _wait_heading(page, '[data-testid="stMain"] h1', second)
    finally:
        page.close()
