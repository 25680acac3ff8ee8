"""What a reader waits for and sees move, measured in headless Chromium (not a test).

`gcmdash serve` runs on a free port against a copy of the database; every app page (and the
published site's pages with charts) is loaded `runs` times in a fresh tab of a warmed browser
(plotly.js and the app's scripts cached, the server's caches warm, as for a reader moving
between pages), at 1440x900 and 390x844. Per load, from a script that runs before the page's:

- *first chart s*: from navigation start (performance.now()'s origin) to the first
  `.js-plotly-plot` whose SVG is drawn (pages without a chart: no value);
- *first heading s*: to the page's first heading, for the pages without a chart;
- *CLS*: the sum of the PerformanceObserver 'layout-shift' entries without recent input, until
  the page has stopped changing height for 1 s.

The median of the runs is reported. Targets: first chart under 2 s on the seed database,
CLS under 0.1.

    gcmdash bench --browser                       # the project's database, 3 runs, printed
    gcmdash bench --browser --runs 5 --write      # ... and its section of BENCHMARKS.md
"""
from __future__ import annotations

import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
VIEWPORTS = {"1440x900": {"width": 1440, "height": 900}, "390x844": {"width": 390, "height": 844}}
# name -> address after the server's root (the seed's person and cited lines)
APP_PAGES = {
    "overview": "/",
    "participation": "/participation",
    "session 3": "/session?session=Session+3",
    "themes": "/themes",
    "recommendations": "/recommendations",
    "data & method": "/data_method",
    "document, deep link": "/document?doc=003_caee5c70cc5473e9.txt&lines=167-168",
    "person": "/person?id=paola-cyment",
}
SITE_PAGES = ("index", "session-3", "recommendations", "sources")
FIRST_CHART_TARGET_S = 2.0
CLS_TARGET = 0.1

# Runs before any of the page's scripts: layout shifts summed (without recent input), the
# first drawn chart and the first heading timed from navigation start.
OBSERVE = """
window.__gcm = {cls: 0, shifts: 0, firstChart: null, firstHeading: null};
new PerformanceObserver(list => {
  for (const entry of list.getEntries()) {
    if (!entry.hadRecentInput) { window.__gcm.cls += entry.value; window.__gcm.shifts += 1; }
  }
}).observe({type: 'layout-shift', buffered: true});
const __gcmSeen = () => {
  const m = window.__gcm;
  if (m.firstChart === null && document.querySelector('.js-plotly-plot .main-svg'))
    m.firstChart = performance.now();
  if (m.firstHeading === null && document.querySelector('[data-testid="stMain"] h1, main h1, h1'))
    m.firstHeading = performance.now();
};
new MutationObserver(__gcmSeen).observe(document, {childList: true, subtree: true});
"""
SETTLED = """() => {
  const running = document.querySelector('[data-testid="stStatusWidget"], [data-testid="stSkeleton"]');
  const charts = document.querySelectorAll('[data-testid="stPlotlyChart"], .chart').length;
  const drawn = document.querySelectorAll('.js-plotly-plot .main-svg').length;
  const main = document.querySelector('[data-testid="stMainBlockContainer"]') || document.body;
  return [!running && drawn >= charts && !!document.querySelector('h1'),
          Math.ceil(main.getBoundingClientRect().bottom)];
}"""


def free_port() -> int:
    """A local TCP port nobody listens on now, for a `gcmdash serve` to take."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serving(db_path: Path):
    """`gcmdash serve` on a free port against a copy of `db_path`; yields its address."""
    with tempfile.TemporaryDirectory(prefix="gcmdash-bench-browser-") as folder:
        db = Path(folder) / "gcmdash.duckdb"
        shutil.copy(db_path, db)
        port = free_port()
        from gcmdash import config

        env = {**os.environ, "GCMDASH_DB": str(db),
               "GCMDASH_RAW_DIR": os.environ.get("GCMDASH_RAW_DIR",
                                                 str(config.ROOT / "data" / "raw"))}
        with (Path(folder) / "serve.log").open("w") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "gcmdash.cli", "serve", "--port", str(port),
                 "--headless"], env=env, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True)
            base = f"http://127.0.0.1:{port}"
            try:
                _wait_healthy(base, process)
                yield base
            finally:
                try:
                    os.killpg(process.pid, signal.SIGTERM)
                    process.wait(timeout=10)
                except (ProcessLookupError, subprocess.TimeoutExpired):
                    os.killpg(process.pid, signal.SIGKILL)


def _wait_healthy(base: str, process: subprocess.Popen, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gcmdash serve exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as response:
                if response.read().strip() == b"ok":
                    return
        except OSError:
            pass
        time.sleep(0.25)
    raise RuntimeError(f"the dashboard was not healthy within {timeout:.0f} s")


def load(context, url: str, timeout: float = 60) -> dict:
    """One load of `url` in a fresh tab: first chart and first heading (s from navigation
    start, None if never) and the cumulative layout shift until the page settled."""
    page = context.new_page()
    try:
        page.goto(url)
        deadline = time.monotonic() + timeout
        last, stable_since = -1, time.monotonic()
        while time.monotonic() < deadline:
            done, height = page.evaluate(SETTLED)
            if not done or height != last:
                last, stable_since = height, time.monotonic()
            elif time.monotonic() - stable_since > 1.0:
                break
            page.wait_for_timeout(100)
        else:
            raise RuntimeError(f"{url} did not settle within {timeout:.0f} s")
        found = page.evaluate("() => window.__gcm")
    finally:
        page.close()
    ms = 1000.0
    return {"first chart s": None if found["firstChart"] is None else found["firstChart"] / ms,
            "first heading s": (None if found["firstHeading"] is None
                                else found["firstHeading"] / ms),
            "CLS": found["cls"], "shifts": found["shifts"]}


def _median(values: list) -> float | None:
    present = [v for v in values if v is not None]
    return statistics.median(present) if present else None


def measure(db_path: Path, runs: int = 3, site: bool = True) -> list[dict]:
    """Rows {page, viewport, first chart s, first heading s, CLS, shifts} (medians of `runs`
    loads) for every app page, and the published site's pages when `site`."""
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():
        raise RuntimeError(f"{CHROMIUM} is missing (apt-get install chromium)")
    rows = []
    with tempfile.TemporaryDirectory(prefix="gcmdash-bench-site-") as out, \
            serving(db_path) as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        targets = [(name, base + path) for name, path in APP_PAGES.items()]
        if site:
            from gcmdash.site.publish import publish

            publish(db_path, Path(out), images=False, notice=lambda _: None)
            targets += [(f"site: {name}", (Path(out) / f"{name}.html").as_uri())
                        for name in SITE_PAGES]
        for viewport, size in VIEWPORTS.items():
            context = browser.new_context(viewport=size)
            context.add_init_script(OBSERVE)
            for _, url in targets:  # warm: scripts cached, server caches filled
                load(context, url)
            for name, url in targets:
                loads = [load(context, url) for _ in range(runs)]
                rows.append({"page": name, "viewport": viewport,
                             **{k: _median([r[k] for r in loads])
                                for k in ("first chart s", "first heading s", "CLS", "shifts")}})
            context.close()
        browser.close()
    return rows


def _cell(value: float | None, digits: int) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def to_markdown(rows: list[dict], runs: int, command: str) -> str:
    """The '## browser' section of BENCHMARKS.md."""
    doc = __doc__.split("\n\n")
    lines = ["## browser", "", " ".join(" ".join(doc[1:3]).split()), "",
             f"Command: `{command}`", "",
             "| page | viewport | first chart s | first heading s | CLS | layout shifts | "
             "meets targets |", "|---|---|---:|---:|---:|---:|---|"]
    for r in rows:
        chart_ok = r["first chart s"] is None or r["first chart s"] < FIRST_CHART_TARGET_S
        ok = chart_ok and r["CLS"] < CLS_TARGET
        lines.append(f"| {r['page']} | {r['viewport']} | {_cell(r['first chart s'], 2)} | "
                     f"{_cell(r['first heading s'], 2)} | {_cell(r['CLS'], 3)} | "
                     f"{_cell(r['shifts'], 0)} | {'yes' if ok else 'NO'} |")
    lines += ["", f"Median of {runs} loads per page; targets: first chart under "
              f"{FIRST_CHART_TARGET_S:g} s, CLS under {CLS_TARGET:g}. Machine load when "
              f"measured (1-minute average): {os.getloadavg()[0]:.1f}.", ""]
    return "\n".join(lines)


def write_section(section: str, path: Path) -> None:
    """Put the section into `path`, replacing an older '## browser' and keeping the rest."""
    from benchmarks.bench import _sections

    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n\n"
    sections = _sections(text)
    header = text.split("\n## ", 1)[0].rstrip("\n") + "\n\n"
    sections["browser"] = section
    path.write_text(header + "".join(s.rstrip("\n") + "\n\n" for s in sections.values())
                    .rstrip("\n") + "\n", encoding="utf-8")
