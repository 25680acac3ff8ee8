"""The browser benchmark's report: its rows, targets and its section of BENCHMARKS.md."""
from __future__ import annotations

from benchmarks import browser


def _rows():
    return [{"page": "overview", "viewport": "1440x900", "first chart s": 1.234,
             "first heading s": 0.8, "CLS": 0.01, "shifts": 2},
            {"page": "person", "viewport": "390x844", "first chart s": None,
             "first heading s": 0.9, "CLS": 0.25, "shifts": 3},
            {"page": "themes", "viewport": "390x844", "first chart s": 2.5,
             "first heading s": 0.9, "CLS": 0.0, "shifts": 0}]


def test_rows_say_which_pages_meet_the_targets():
    text = browser.to_markdown(_rows(), 3, "gcmdash bench --browser --write")
    lines = {line.split(" | ")[0].strip("| "): line for line in text.splitlines()
             if line.startswith("| ") and "viewport" not in line}
    assert lines["overview"].endswith("| 1.23 | 0.80 | 0.010 | 2 | yes |")
    assert lines["person"].endswith("| – | 0.90 | 0.250 | 3 | NO |")  # shifts too much
    assert lines["themes"].endswith("| NO |")  # first chart too late
    assert text.startswith("## browser\n")


def test_the_section_replaces_its_older_self_and_keeps_the_others(tmp_path):
    path = tmp_path / "BENCHMARKS.md"
    path.write_text("# Benchmarks\n\nintro\n\n## pages\n\npages table\n\n## browser\n\nold\n",
                    encoding="utf-8")
    browser.write_section(browser.to_markdown(_rows(), 3, "cmd"), path)
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# Benchmarks\n\nintro\n\n## pages\n\npages table\n\n## browser\n")
    assert "old" not in text and text.count("## browser") == 1 and "| overview |" in text
