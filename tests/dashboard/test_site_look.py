"""The published site in light and dark: text at WCAG AA contrast in both schemes, charts drawn
on the matching palette, and each chart downloadable as PNG and SVG, drawn offline."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from gcmdash.site import publish
from gcmdash.views import charts
from tests.dashboard.test_charts import _contrast

CHROMIUM = Path("/usr/bin/chromium")
TEXTS = ("text", "link", "muted", "note")
GROUNDS = ("background", "head", "cited", "warning")


@pytest.mark.parametrize("palette", [publish.SITE_LIGHT, publish.SITE_DARK],
                         ids=["light", "dark"])
def test_site_text_meets_wcag_aa_in_both_schemes(palette):
    for text in TEXTS:
        for ground in GROUNDS:
            ratio = _contrast(palette[text], palette[ground])
            assert ratio >= 4.5, (text, ground, round(ratio, 2))
    # the line a citation opens at: its text on the strongest highlight
    assert _contrast(palette["text"], palette["target"]) >= 4.5


def test_the_stylesheet_holds_both_palettes():
    light = publish.STYLE.lower()
    for key in ("background", "text", "link", "head", "cited", "target", "warning"):
        colour = publish.SITE_LIGHT[key]
        short = colour if colour != "#ffffff" else "#fff"
        assert colour in light or short in light, key
    dark = publish.DARK_STYLE
    assert dark.startswith("@media (prefers-color-scheme:dark)")
    for key in ("background", "text", "link", "muted", "head", "cited"):
        assert publish.SITE_DARK[key] in dark, key
    # the dark page and the charts drawn on it share one background
    assert publish.SITE_DARK["background"] == charts.DARK.background


@pytest.fixture(scope="module")
def site(built_db: Path, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("look") / "site"
    publish.publish(built_db, out, images=False, notice=lambda _: None)
    return out


def _figures(page: Path) -> list[dict]:
    return [json.loads(body) for body in re.findall(
        r'<script type="application/json" data-chart[^>]*>(.*?)</script>', page.read_text(),
        re.S)]


def test_every_site_chart_carries_a_dark_variant_and_its_file_name(site):
    figures = _figures(site / "index.html")
    assert len(figures) == 5
    for figure in figures:
        light, dark = figure["layout"], figure["dark"]["layout"]
        assert light["paper_bgcolor"] == charts.LIGHT.background
        assert dark["paper_bgcolor"] == charts.DARK.background
        assert dark["xaxis"]["tickfont"]["color"] == charts.DARK.ticks
        assert light["xaxis"]["tickfont"]["color"] == charts.LIGHT.ticks
        assert len(figure["dark"]["data"]) == len(figure["data"])
        assert re.fullmatch(r"gcm-[a-z0-9-]+", figure["image"]["filename"])
    assert "prefers-color-scheme:dark" in (site / "assets" / "site.css").read_text()


@pytest.mark.browser
def test_the_site_draws_dark_and_downloads_png_and_svg_offline(site):
    if not CHROMIUM.exists():
        pytest.skip("no Chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM),
                                    args=["--no-sandbox", "--disable-gpu"])
        context = browser.new_context(viewport={"width": 390, "height": 844},
                                      color_scheme="dark", accept_downloads=True)
        page = context.new_page()
        leaving: list[str] = []
        page.on("request", lambda r: None if r.url.startswith(("file://", "data:", "blob:"))
                else leaving.append(r.url))
        page.goto((site / "index.html").as_uri(), wait_until="load")
        page.wait_for_function("""() => [...document.querySelectorAll('.chart')]
            .every(el => el.querySelector('svg.main-svg'))""", timeout=30000)
        background = page.evaluate("getComputedStyle(document.body).backgroundColor")
        assert background == "rgb(14, 17, 23)"  # charts.DARK.background
        paper = page.evaluate("document.querySelector('.chart').layout.paper_bgcolor")
        assert paper.lower() == charts.DARK.background.lower()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        figure = page.locator("figure#participation")
        for label, suffix in (("PNG", ".png"), ("SVG", ".svg")):
            with page.expect_download(timeout=30000) as download:
                figure.get_by_role("button", name=f"Download the chart as {label}",
                                   exact=True).click()
            saved = download.value
            assert saved.suggested_filename == "gcm-participation-one-measure-per-panel" + suffix
            head = Path(saved.path()).read_bytes()[:200]
            assert head.startswith(b"\x89PNG") if suffix == ".png" else b"<svg" in head
        assert leaving == []
        context.close()
        browser.close()


@pytest.mark.browser
def test_a_theme_switch_while_the_charts_draw_reaches_every_chart(site):
    """The charts draw one a frame: a reader switching to dark meanwhile gets every chart on
    the dark palette, those drawn already and those still to come."""
    if not CHROMIUM.exists():
        pytest.skip("no Chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM),
                                    args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 1440, "height": 900}, color_scheme="light")
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto((site / "index.html").as_uri(), wait_until="commit")
        page.wait_for_function("() => document.querySelector('.chart svg.main-svg')",
                               timeout=30000)
        page.emulate_media(color_scheme="dark")
        page.wait_for_function("""() => [...document.querySelectorAll('.chart')]
            .every(el => el.querySelector('svg.main-svg'))""", timeout=30000)
        page.wait_for_timeout(300)
        papers = page.evaluate(
            "[...document.querySelectorAll('.chart')].map(el => el.layout.paper_bgcolor)")
        assert len(papers) == 5
        assert {p.lower() for p in papers} == {charts.DARK.background.lower()}
        assert errors == []
        browser.close()
