"""`gcmdash inspect FILE...`: kind, session and evidence, every fact with its line, what the
kind usually holds that the file did not yield; nothing written."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

from gcmdash.cli import main
from tests.conftest import separate_streams_runner

CORPUS = Path(__file__).resolve().parents[1] / "corpus" / "documents"


def test_inspect_shows_kind_session_evidence_and_each_fact_with_its_line(tmp_path):
    letter = shutil.copy(CORPUS / "pga_letter_s5_procedural_note.txt", tmp_path / "letter.txt")
    before = sorted(p.name for p in tmp_path.iterdir())
    result = separate_streams_runner().invoke(main, ["inspect", str(letter)])
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "letter.txt: letter, session 5 (loaded)"
    assert lines[1].startswith("  classified by: letter: 'Excellency,' (line 5)")
    assert "procedural_note 'Procedural Note for' (line 9)" in lines[1]
    assert "    line 9: session 5 city = Vienna" in lines
    assert "    line 15: moderator (panel 1): H.E. Ambassador Rafael Mariano Grossi" in lines
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # no database, no cache


def test_inspect_names_what_the_kind_usually_holds_and_fails_a_file_it_cannot_read(tmp_path):
    news = tmp_path / "news.txt"
    news.write_text("Sessions move on\n\n3 July 2017\n\nOver 300 participants attended the "
                    "fourth informal thematic session.\n", encoding="utf-8")
    unknown = tmp_path / "note.txt"
    unknown.write_text("Nothing about any session here.\n", encoding="utf-8")
    result = separate_streams_runner().invoke(main, ["inspect", str(news), str(unknown)])
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0] == "news.txt: news item, session 4 (partial)"
    assert "    line 5: participation participants = 300 (more_than)" in result.stdout
    assert "  not yielded (a news item usually holds them): place and dates" in result.stdout
    assert "  gap: a news item gives sessions, none was read" in result.stdout
    assert "note.txt: failed: no session found" in result.stderr
    assert "it opens 'Nothing about any session here.'" in result.stderr


def test_inspect_parses_in_isolated_workers_a_file_over_its_limit_fails_alone(tmp_path, monkeypatch):
    """A file that takes too long to parse (here: over a one-second processor-time limit) is
    one line on stderr; the other files are still reported, and the command returns."""
    from gcmdash.runner import inspect as inspect_module

    monkeypatch.setattr(inspect_module, "PARSE_CPU_S", 1.0)
    line = ("Panel 1: H.E. Mr. Ab Cd, Permanent Representative of X, and Ms. Ef Gh, over 300 "
            "participants of the fourth informal thematic session\n")
    heavy = tmp_path / "heavy.txt"
    # a programme of work, so the agenda reader goes through every line: over 10 s of processor
    # time in one process (a text no parser reads is classified in a fraction of a second now)
    heavy.write_text("Organization of work\n\nThird informal thematic session\n\n"
                     + line * 110_000, encoding="utf-8")
    letter = shutil.copy(CORPUS / "pga_letter_s5_procedural_note.txt", tmp_path / "letter.txt")
    result = separate_streams_runner().invoke(main, ["inspect", str(heavy), str(letter)])
    assert result.exit_code == 1, result.stdout[:300]
    errors = result.stderr.splitlines()
    assert len(errors) == 1 and errors[0].startswith("heavy.txt: failed: "), result.stderr
    assert errors[0] == "heavy.txt: failed: used more than 1 s of processor time and was stopped"
    assert result.stdout.splitlines()[0] == "letter.txt: letter, session 5 (loaded)"
    assert "    line 9: session 5 city = Vienna" in result.stdout.splitlines()


def test_inspect_refuses_a_file_that_would_block_and_carries_on(tmp_path):
    """A named pipe would block whoever opens it for reading: one line on stderr, the other
    file still reported."""
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    news = tmp_path / "news.txt"
    news.write_text("Sessions move on\n\n3 July 2017\n\nOver 300 participants attended the "
                    "fourth informal thematic session.\n", encoding="utf-8")
    result = separate_streams_runner().invoke(main, ["inspect", str(fifo), str(news)])
    assert result.exit_code == 1
    errors = result.stderr.splitlines()
    assert len(errors) == 1 and errors[0].startswith("pipe.txt: not read: "), result.stderr
    assert result.stdout.splitlines()[0] == "news.txt: news item, session 4 (partial)"
