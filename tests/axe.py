"""axe-core for the browser tests: the npm registry's tarball of one pinned version, fetched
once into a cache folder outside the checkout (never committed), checked against the
registry's published integrity, and injected into a Playwright page to run there.

    python3 tests/axe.py     # fetch it into the cache (what .ci/run does); prints the path

The cache is $GCMDASH_AXE_CACHE, else $XDG_CACHE_HOME/gcmdash, else ~/.cache/gcmdash.
"""
from __future__ import annotations

import base64
import hashlib
import io
import os
import sys
import tarfile
import urllib.request
from collections import Counter
from pathlib import Path

VERSION = "4.14.1"
TARBALL = f"https://registry.npmjs.org/axe-core/-/axe-core-{VERSION}.tgz"
# the registry's `dist.integrity` for this version (npm view axe-core@4.14.1 dist.integrity)
INTEGRITY = ("sha512-FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5qb2S4r76ASyFNNtuFoo"
             "JpZe37OgudVGtQ==")
BLOCKING = ("serious", "critical")


def cache_dir() -> Path:
    """Where the fetched axe.min.js is kept."""
    if os.environ.get("GCMDASH_AXE_CACHE"):
        return Path(os.environ["GCMDASH_AXE_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "gcmdash"


def _integrity(data: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


def script_path(fetch: bool = True) -> Path | None:
    """axe.min.js of the pinned version: from the cache, else (with `fetch`) downloaded from the
    registry and checked; None when it is not cached and cannot be fetched."""
    target = cache_dir() / f"axe-core-{VERSION}.min.js"
    if target.exists():
        return target
    if not fetch:
        return None
    try:
        with urllib.request.urlopen(TARBALL, timeout=60) as response:
            data = response.read()
    except OSError:
        return None
    if _integrity(data) != INTEGRITY:
        raise RuntimeError(f"{TARBALL} does not match the registry's integrity {INTEGRITY}")
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
        script = archive.extractfile("package/axe.min.js").read()
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".part")
    partial.write_bytes(script)
    partial.replace(target)
    return target


def run(page, script: Path, ignore: tuple[tuple[str, str], ...] = ()) -> list[dict]:
    """Inject axe into the page and return its violations (axe's default rules: WCAG 2.x A
    and AA and best practices), each {id, impact, help, nodes: [target selectors],
    summaries}. `ignore` are (rule id, CSS selector) pairs: a node of that rule matching the
    selector is left out (a rule without nodes left is dropped); every other rule still sees
    it."""
    page.add_script_tag(path=str(script))
    return page.evaluate("""async (ignore) => {
        const result = await axe.run(document, {resultTypes: ['violations']});
        const ignored = (rule, node) => ignore.some(([id, selector]) => id === rule
            && node.target.length === 1
            && document.querySelector(node.target[0])?.matches(selector));
        return result.violations.map(v => {
            const nodes = v.nodes.filter(n => !ignored(v.id, n));
            return {id: v.id, impact: v.impact, help: v.help,
                    nodes: nodes.map(n => n.target.join(' ')),
                    summaries: nodes.slice(0, 3).map(n => n.failureSummary)};
        }).filter(v => v.nodes.length);
    }""", [list(pair) for pair in ignore])


def blocking(violations: list[dict]) -> list[dict]:
    """The violations a test fails on: impact serious or critical."""
    return [v for v in violations if v["impact"] in BLOCKING]


def failing(violations: list[dict], tolerated: dict[str, str]) -> list[dict]:
    """The violations a page test fails on: every serious and critical one, and every
    moderate or minor one whose rule is not in `tolerated` (rule id -> why it stays)."""
    return [v for v in violations
            if v["impact"] in BLOCKING or v["id"] not in tolerated]


def counts(violations: list[dict]) -> Counter:
    """Nodes per rule id of serious and critical violations."""
    return Counter({v["id"]: len(v["nodes"]) for v in blocking(violations)})


if __name__ == "__main__":
    path = script_path()
    if path is None:
        sys.exit(f"could not fetch {TARBALL}")
    print(path)
