"""Extraction of every supported format, and of broken and hostile files."""
from __future__ import annotations

import pytest

from gcmdash.extract.formats import MAX_BYTES, extract
from gcmdash.runner.isolate import IsolatedPool, TaskFailed
from gcmdash.parse import parse_document
from tests.conftest import SEED_NAMES
from tests.etl import hostile, pool_tasks
from tests.etl.golden import as_golden

LINE_FIELDS = {"line_start", "line_end"}


def without_lines(value):
    """Parsed records without line numbers (a PDF drops blank lines, so lines shift) and
    without finding messages (they quote text positions)."""
    if isinstance(value, dict):
        return {k: without_lines(v) for k, v in value.items() if k not in LINE_FIELDS}
    if isinstance(value, list):
        return [without_lines(v) for v in value]
    return value


def facts(text, lexicon):
    parsed = as_golden(parse_document(text, lexicon))
    parsed["findings"] = sorted(f["check"] for f in parsed["findings"])
    parsed.pop("classified_by")
    return without_lines(parsed)


@pytest.mark.parametrize("name", SEED_NAMES)
@pytest.mark.parametrize("fmt, make", [("pdf", hostile.pdf_from_text), ("docx", hostile.docx_from_text)])
def test_seed_as_pdf_or_docx_gives_the_same_facts(tmp_path, seed_texts, seed_lexicon, name, fmt, make):
    path = tmp_path / f"{name}.{fmt}"
    path.write_bytes(make(seed_texts[name]))
    extracted = extract(path)
    assert extracted.status == "ok", extracted.error
    assert facts(extracted.text, seed_lexicon) == facts(seed_texts[name], seed_lexicon)
    if fmt == "pdf":
        assert extracted.page_starts[0] == 1 and list(extracted.page_starts) == sorted(extracted.page_starts)


def test_docx_keeps_line_numbers(tmp_path, seed_texts):
    name = "003_caee5c70cc5473e9.txt"
    path = tmp_path / "summary.docx"
    path.write_bytes(hostile.docx_from_text(seed_texts[name]))
    assert extract(path).text.split("\n") == seed_texts[name].split("\n")


@pytest.mark.parametrize("file_name, content, status, reason", [
    ("empty.txt", b"", "no_text", "holds no text"),
    ("empty.pdf", b"", "failed", "not a PDF file"),
    ("random.pdf", bytes(range(256)) * 40, "failed", "not a PDF file"),
    ("random.docx", bytes(range(256)) * 40, "failed", "not a DOCX file (not a zip archive)"),
    ("binary.txt", b"\x00\x01\x00\x02" * 1000, "failed", "binary content"),
    ("sheet.xlsx", b"PK\x03\x04", "failed", "unsupported format '.xlsx'"),
])
def test_broken_files_get_a_status_and_reason(tmp_path, file_name, content, status, reason):
    path = tmp_path / file_name
    path.write_bytes(content)
    extracted = extract(path)
    assert (extracted.status, extracted.text) == (status, None)
    assert reason in extracted.error


def test_truncated_pdf(tmp_path, seed_texts):
    whole = hostile.pdf_from_text(seed_texts["002_11a64b559e8c10d2.txt"])
    path = tmp_path / "truncated.pdf"
    path.write_bytes(whole[: len(whole) // 2])
    extracted = extract(path)
    assert extracted.status == "failed" and extracted.error.startswith("not a readable PDF")


def test_encrypted_pdf(tmp_path):
    path = tmp_path / "secret.pdf"
    path.write_bytes(hostile.encrypted_pdf())
    extracted = extract(path)
    assert (extracted.status, extracted.error) == ("encrypted", "the PDF is encrypted with a password")


def test_pdf_decompression_bomb_is_refused(tmp_path):
    path = tmp_path / "bomb.pdf"
    path.write_bytes(hostile.inflating_pdf(300))
    assert path.stat().st_size < 1_000_000
    extracted = extract(path)
    assert extracted.status == "failed" and "decompression bomb" in extracted.error


def test_docx_zip_bomb_is_refused(tmp_path):
    path = tmp_path / "bomb.docx"
    path.write_bytes(hostile.docx_zip_bomb(300))
    assert path.stat().st_size < 2_000_000
    extracted = extract(path)
    assert extracted.status == "failed" and "zip bomb" in extracted.error


def test_docx_with_doctype_entities_is_refused(tmp_path):
    path = tmp_path / "entities.docx"
    path.write_bytes(hostile.docx_with_entities())
    extracted = extract(path)
    assert extracted.status == "failed" and "DOCTYPE or entities" in extracted.error


def test_html_scripts_are_dropped_and_text_kept(tmp_path):
    path = tmp_path / "note.html"
    path.write_text(hostile.HTML_WITH_SCRIPTS, encoding="utf-8")
    extracted = extract(path)
    assert extracted.status == "ok"
    assert "evil" not in extracted.text and "display:none" not in extracted.text
    assert "alert" not in extracted.text
    assert "17.50-18.00\tClosing remarks by the co-facilitators" in extracted.text.split("\n")
    parsed = parse_document(extracted.text)
    assert (parsed.document_type, parsed.session_number) == ("procedural_note", 4)
    assert [r.rule for r in parsed.format_rules] == ["floor_intervention_minutes"]


def test_text_with_nul_bytes_and_lone_surrogates(tmp_path):
    path = tmp_path / "odd.txt"
    path.write_bytes(b"Procedural Note for the First\x00 Informal Thematic Session\n"
                     b"bad \xed\xa0\x80 surrogate\n")
    extracted = extract(path)
    assert extracted.status == "ok"
    assert extracted.text == ("Procedural Note for the First Informal Thematic Session\n"
                              "bad \ufffd surrogate\n")


def test_cp1252_text_is_detected(tmp_path):
    path = tmp_path / "legacy.txt"
    path.write_bytes("“Contributions of migrants” – Médecins Sans Frontières".encode("cp1252"))
    assert extract(path).text == "“Contributions of migrants” – Médecins Sans Frontières"


def test_very_large_file_is_refused_without_reading_it(tmp_path):
    path = tmp_path / "huge.txt"
    with path.open("wb") as handle:
        handle.truncate(MAX_BYTES + 1)  # sparse: costs no disk
    extracted = extract(path)
    assert extracted.status == "failed" and "the limit is" in extracted.error


def test_isolated_pool_limits_time_and_memory():
    with IsolatedPool(workers=2, timeout_s=1.5, memory_bytes=600 * 1024**2) as pool:
        results = dict(pool.map(pool_tasks.slow, [("quick", 0), ("hangs", 30)]))
        assert results["quick"] == 0
        assert results["hangs"] == TaskFailed("took longer than 1.5 s and was stopped")
        results = dict(pool.map(pool_tasks.allocate, [("big", 4 * 1024**3), ("small", 1000)]))
        assert isinstance(results["big"], TaskFailed) and "memory" in results["big"].reason
        assert results["small"] == 1000
