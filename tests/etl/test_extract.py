"""Extraction of every supported format, and of broken and hostile files."""
from __future__ import annotations

import io
import zipfile

import pytest

from gcmdash.extract.formats import MAX_BYTES, extract
from gcmdash.parse import parse_document
from gcmdash.runner.isolate import IsolatedPool, TaskFailed
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


@pytest.mark.parametrize(("padding", "encoding"), [(5000, "utf-8"), (0, "utf-16"),
                                                   (70_000, "utf-16")])
def test_docx_doctype_found_behind_a_long_comment_or_in_utf16(tmp_path, padding, encoding):
    """The DOCTYPE check reads the parsed XML, not the part's first 4 KB (issue 20)."""
    data = hostile.docx_with_entities(padding, encoding)
    head = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml")[:4096]
    assert b"<!DOCTYPE" not in head and b"<!ENTITY" not in head  # a byte search would miss it
    path = tmp_path / "entities.docx"
    path.write_bytes(data)
    extracted = extract(path)
    assert extracted.status == "failed" and "DOCTYPE or entities" in extracted.error


def test_docx_with_a_long_comment_and_no_doctype_is_read(tmp_path):
    original = hostile.docx_from_text("Procedural Note for the Third Informal Thematic Session")
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(original)) as source, \
            zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "word/document.xml":
                head, _, rest = data.partition(b"?>")
                data = head + b"?><!--" + b"x" * 10_000 + b"-->" + rest
            archive.writestr(info, data)
    path = tmp_path / "commented.docx"
    path.write_bytes(buffer.getvalue())
    extracted = extract(path)
    assert extracted.status == "ok" and "Third Informal Thematic Session" in extracted.text


def test_each_pdf_limit_gives_its_own_reason(tmp_path):
    """Every pypdf limit was reported as a decompression bomb (issue 20): a stream with
    over-wide predictor rows says so, and each limit's own message is kept."""
    path = tmp_path / "wide.pdf"
    path.write_bytes(hostile.pdf_with_wide_rows())
    extracted = extract(path)
    assert extracted.status == "failed"
    assert "bomb" not in extracted.error and "rows or columns" in extracted.error
    from gcmdash.extract.formats import pdf_limit_reason

    cases = {"Limit reached while decompressing. 12 bytes remaining.": "decompression bomb",
             "Row length of 99999 exceeds defined limit of 50000.": "rows or columns",
             "Maximum page tree page entry limit exceeded!": "page tree",
             "Maximum outline depth reached: 41 > 40.": "outline",
             "Exceeded maximum number of fields allowed.": "form fields",
             "Declared size 9999999 exceeds allowed limit of 100!": "larger than the limit",
             "Something new.": "a reader safety limit"}
    for message, reason in cases.items():
        assert reason in pdf_limit_reason(message) and message in pdf_limit_reason(message)


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


def test_cp1252_english_with_curly_quotes_is_not_read_as_a_dos_code_page(tmp_path):
    """A short English text in Windows-1252 with a few curly quotes, which the detector takes
    for cp852 or cp775 (the IOM’s read as 'IOMĺs', vis-à-vis as 'vis-Ó-vis')."""
    text = ("Support programmes, such as the IOM’s Assisted Voluntary Return programmes\r\n"
            "Review regularly the impacts of migration policies vis-à-vis other policies\r\n"
            "H.E. Mr. Jürg Lauber, Ms. Margareta Wahlström, Médecins Sans Frontières\r\n")
    path = tmp_path / "ansi.txt"
    path.write_bytes(text.encode("cp1252"))
    assert extract(path).text == text.replace("\r\n", "\n")


def test_cyrillic_in_its_own_code_page_is_still_detected(tmp_path):
    text = ("Глобальный договор о безопасной, упорядоченной и легальной миграции. "
            "Процедурная записка для третьей неофициальной тематической сессии.\n") * 4
    path = tmp_path / "cyrillic.txt"
    path.write_bytes(text.encode("cp1251"))
    assert extract(path).text == text


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


# --- structure, not line breaks (issue 14) -----------------------------------------------------
def _extract_bytes(tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(data)
    extracted = extract(path)
    assert extracted.status == "ok", extracted.error
    return extracted.text


def test_html_ordered_list_keeps_its_letters_and_list_items_their_glyph(tmp_path):
    html = ("<h2>Areas of discussion</h2><ol type='a'><li>Overarching frameworks</li>"
            "<li><p>Coherence of migration policies</p></li></ol><ul><li>Reaffirm the right"
            "</li></ul><ol start='3'><li>Third</li></ol>")
    lines = _extract_bytes(tmp_path, "a.html", html.encode()).split("\n")
    assert [l for l in lines if l] == ["Areas of discussion", "a. Overarching frameworks",
                                       "b. Coherence of migration policies", "• Reaffirm the right",
                                       "3. Third"]


def test_html_paragraph_is_one_line_however_the_source_wraps(tmp_path):
    html = "<p><strong>PANEL 1: International cooperation and governance of migration in\n   all its dimensions</strong></p>"
    text = _extract_bytes(tmp_path, "w.html", html.encode())
    assert text == "PANEL 1: International cooperation and governance of migration in all its dimensions"


def test_html_table_cell_title_description_and_people_on_their_own_lines(tmp_path):
    html = ("<table><tr><td>10.15-13.00</td><td><strong>PANEL 1: Human rights</strong> This panel "
            "will explore means.<ul><li>Gregory Maniatis, Columbia University</li></ul></td>"
            "<td>Room XIX</td></tr></table>")
    text = _extract_bytes(tmp_path, "t.html", html.encode())
    assert text.split("\n") == ["10.15-13.00\tPANEL 1: Human rights\tRoom XIX",
                                "This panel will explore means.",
                                "• Gregory Maniatis, Columbia University"]


def test_flattened_cell_list_splits_at_its_glyphs(tmp_path):
    html = ("<table><tr><td>10.00-10.05</td><td>Welcome remarks ▪ H.E. Mr. Jürg Lauber, Switzerland "
            "▪ Ms. Louise Arbour, Secretary-General</td></tr></table>")
    assert _extract_bytes(tmp_path, "f.html", html.encode()).split("\n") == [
        "10.00-10.05\tWelcome remarks", "• H.E. Mr. Jürg Lauber, Switzerland",
        "• Ms. Louise Arbour, Secretary-General"]


def test_markdown_tables_headings_items_and_hard_breaks(tmp_path):
    md = ("### a. Overarching frameworks\n\n- Reaffirm the right\n\n**Geneva, 8-9 May 2017**\\\n"
          "| Time | Concept |\n|---|---|\n| 13:00 – 15:00 | **Lunch** Space for Side-Events |\n")
    assert _extract_bytes(tmp_path, "m.md", md.encode()).split("\n") == [
        "a. Overarching frameworks", "", "• Reaffirm the right", "", "**Geneva, 8-9 May 2017**",
        "Time\tConcept", "13:00 – 15:00\tLunch", "Space for Side-Events", ""]


def test_docx_styles_numbering_and_bold_cell_titles(tmp_path):
    import io

    import docx

    document = docx.Document()
    document.add_heading("Areas of discussion", level=2)
    document.add_paragraph("Reaffirm the right", style="List Bullet")
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "10.15-13.00"
    cell = table.cell(0, 1).paragraphs[0]
    cell.add_run("PANEL 1: Human rights").bold = True
    cell.add_run(" This panel will explore means.")
    table.cell(0, 1).add_paragraph("Gregory Maniatis, Columbia University", style="List Bullet")
    buffer = io.BytesIO()
    document.save(buffer)
    assert _extract_bytes(tmp_path, "d.docx", buffer.getvalue()).split("\n") == [
        "Areas of discussion", "• Reaffirm the right", "10.15-13.00\tPANEL 1: Human rights",
        "This panel will explore means.", "• Gregory Maniatis, Columbia University"]


def test_print_headers_and_footers_are_dropped():
    from gcmdash.extract.formats import drop_running_lines

    pages = [f"Body text of page {n}.\nMore text {n}\n12/1/26, 9:31 PM Day 1: Monday 19 June 2017\n"
             f"ﬁle:///tmp/out/source.html {n}/3" for n in (1, 2, 3)]
    assert drop_running_lines(pages) == [f"Body text of page {n}.\nMore text {n}" for n in (1, 2, 3)]
    assert drop_running_lines(["Intro\nPage 2 of 5", "A title\nbody"]) == ["Intro", "A title\nbody"]


def test_html_layout_table_nested_agenda_and_site_furniture(tmp_path):
    """A CMS page: navigation, the content in a layout table's cell holding the agenda table,
    a footer. The content comes out in order, the agenda as rows, the furniture not at all."""
    page = ('<div id="nav"><a href="/">Home</a> | <a>News</a></div><table><tr>'
            '<td class="sidebar"><a>Related documents</a></td><td class="content">'
            '<div><strong>ANNEX 1: Agenda</strong></div><div>Day&nbsp;1</div>'
            '<table><tr><td>10.00-10.15</td><td><strong>Opening segment</strong><br>'
            '&bull;&nbsp;Welcome remarks</td></tr></table>'
            '<div>The co&ndash;facilitators&rsquo; closing</div></td></tr></table>'
            '<footer>&copy; 2017 Site owner</footer>')
    lines = [line for line in _extract_bytes(tmp_path, "cms.html", page.encode()).split("\n") if line]
    assert lines == ["ANNEX 1: Agenda", "Day 1", "10.00-10.15\tOpening segment",
                     "• Welcome remarks", "The co–facilitators’ closing"]


def test_html_generated_section_numbers_and_toc_are_not_text(tmp_path):
    page = ('<nav id="TOC" role="doc-toc"><ul><li><a href="#a">0.1 a. Border management</a></li>'
            '</ul></nav><h3 id="a"><span class="header-section-number">0.1</span> a. Border '
            'management</h3><p>It was undisputed.</p>')
    lines = [line for line in _extract_bytes(tmp_path, "toc.html", page.encode()).split("\n") if line]
    assert lines == ["a. Border management", "It was undisputed."]


def test_markdown_setext_headings(tmp_path):
    md = "II. Format\n==========\n\nThe session will be held.\n\nDay 1\n-----\n"
    assert _extract_bytes(tmp_path, "s.md", md.encode()).split("\n") == [
        "II. Format", "", "", "The session will be held.", "", "Day 1", "", ""]


@pytest.mark.parametrize("text", [
    "Letter from Mr. Łukasz Wróblewski of Wrocław to the co-facilitators, 12 October 2017.\n",
    "Panel 2: Ms. Věra Čermáková and Mr. Jiří Dvořák on smuggling of migrants, Vienna.\n",
    # Every Hungarian word also reads as some Western alphabet ('Gyõzõ', 'Szûcs'), but not
    # all of them as one.
    "Statement by Mr. Győző Szűcs, Permanent Mission of Hungary, New York.\n",
])
def test_central_european_text_with_few_accents_is_read_as_windows_1250(tmp_path, text):
    """Mostly-English text from a Polish or Czech office in Windows-1250: read as Windows-1252
    its names come out as 'Wroc³aw' and 'Dvoøák', a wrong fact with no flag."""
    path = tmp_path / "letter.txt"
    path.write_bytes(text.encode("cp1250"))
    assert extract(path).text == text


@pytest.mark.parametrize("text", [
    "The session in Genève opened; vis-à-vis other policies, Ms. Hélène Bèrenger spoke.\n",
    "Mr. Jørgen Søreide and Ms. Åse Ødegård spoke; Señor Peña of México closed.\n",
])
def test_western_text_the_central_european_code_page_also_reads_stays_windows_1252(tmp_path, text):
    path = tmp_path / "ansi.txt"
    path.write_bytes(text.encode("cp1252"))
    assert extract(path).text == text
