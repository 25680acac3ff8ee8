"""The PDF layout reader (extract/pdf_layout.py) on PDFs drawn here, word by word where it matters."""
from __future__ import annotations

import io

from gcmdash.extract.formats import extract

WIDTH, HEIGHT, SIZE, LEADING = 400, 500, 10, 12


def _pdf(pages: list[list[tuple[float, str]]], discs: bool = False) -> bytes:
    """Pages of (x, text) lines drawn top down at one leading; '' is a blank line. With
    `discs`, a line starting with '* ' is drawn with a filled disc for its bullet instead."""
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=(WIDTH, HEIGHT), invariant=1)
    for lines in pages:
        y = HEIGHT - 40
        for x, text in lines:
            pdf.setFont("Helvetica", SIZE)
            if discs and text.startswith("* "):
                pdf.circle(x - 8, y + 3, 1.5, stroke=0, fill=1)
                text = text[2:]
            pdf.drawString(x, y, text)
            y -= LEADING
        pdf.drawString(WIDTH / 2, 20, f"Page {pages.index(lines) + 1} of {len(pages)}")
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _fill(words: str, x: float, right: float = WIDTH - 40) -> list[tuple[float, str]]:
    """`words` wrapped greedily between x and `right`, as a layout would."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    lines, line = [], ""
    for word in words.split():
        candidate = f"{line} {word}".strip()
        if stringWidth(candidate, "Helvetica", SIZE) > right - x and line:
            lines.append((x, line))
            line = word
        else:
            line = candidate
    return lines + [(x, line)]


PARAGRAPH = ("This panel will examine existing bilateral, regional and sub-regional cooperation "
             "mechanisms, including Regional Consultative Processes and inter-regional fora.")
FIRST = "Gregory Maniatis, Columbia University, MPI, Soros, former senior advisor to SRSG Sutherland"
SECOND = "Ms. Margareta Wahlström, Chairperson of the Board, Dag Hammarskjöld Foundation"


def _read(tmp_path, data: bytes) -> list[str]:
    path = tmp_path / "layout.pdf"
    path.write_bytes(data)
    document = extract(path)
    assert document.status == "ok", document.error
    return [line for line in document.text.split("\n") if line.strip()]


def test_wrapped_paragraph_and_indented_items_without_glyphs(tmp_path):
    """Wrapped lines join; an indented block is a list item however it wraps; a line that ends
    short ends its item; the page footer is dropped."""
    page = _fill(PARAGRAPH, 50) + _fill(FIRST, 80) + _fill(SECOND, 80) + [(50, "Moderated by Mr. X")]
    lines = _read(tmp_path, _pdf([page, [(50, "Second page.")], [(50, "Third page.")]]))
    assert lines == [PARAGRAPH, f"• {FIRST}", f"• {SECOND}", "Moderated by Mr. X", "Second page.",
                     "Third page."]


def test_bullets_drawn_as_discs_open_items(tmp_path):
    """A browser draws list bullets as filled discs: each starts an item, even after a line
    that reached the right edge."""
    long = "Emphasize the obligation of each State under customary law to readmit its nationals"
    page = [(50, "Concrete issues and recommendations presented for consideration included:")]
    page += [(60, f"* {text}") for _, text in _fill(long, 60)[:1]]
    page += [(60, "* Ensure that returns are carried out safely")]
    first_line = _fill(long, 60)[0][1]
    lines = _read(tmp_path, _pdf([page], discs=True))
    assert lines[1:] == [f"• {first_line}", "• Ensure that returns are carried out safely"]


def test_two_columns_read_left_then_right_and_a_paragraph_goes_on(tmp_path):
    """A band with a clear gutter is read as two columns; a paragraph broken by the column break
    stays one; a table row's cells are tab-separated."""
    text = " ".join(f"word{n}" for n in range(60))
    left = _fill(text, 40, 190)
    cut = len(left) // 2
    right = [(210, line) for _, line in left[cut:]]
    left = left[:cut]
    rows = max(len(left), len(right))
    page = [(40, "10.00-10.15")]
    lines = []
    for i in range(rows):
        lines.append((left[i] if i < len(left) else None, right[i] if i < len(right) else None))
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=(WIDTH, HEIGHT), invariant=1)
    pdf.setFont("Helvetica", SIZE)
    y = HEIGHT - 40
    for l, r in lines:
        if l:
            pdf.drawString(l[0], y, l[1])
        if r:
            pdf.drawString(r[0], y, r[1])
        y -= LEADING
    y -= 2 * LEADING
    pdf.drawString(40, y, page[0][1])
    pdf.drawString(120, y, "Opening segment")
    pdf.save()
    out = _read(tmp_path, buffer.getvalue())
    assert out == [text, "10.00-10.15\tOpening segment"]


def _placed(pages: list[list[tuple]]) -> bytes:
    """Pages of (x, line index from the top, text[, font]) runs: a fractional index places a
    run between two lines, as a layout that centres a cell's text in its row does."""
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=(WIDTH, HEIGHT), invariant=1)
    for runs in pages:
        for x, index, text, *font in runs:
            pdf.setFont(font[0] if font else "Helvetica", SIZE)
            pdf.drawString(x, HEIGHT - 40 - index * LEADING, text)
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _two_columns(left: list[str], right: list[str], right_x: float = 210) -> bytes:
    return _placed([[(x, i, text) for column, x in ((left, 40), (right, right_x))
                     for i, text in enumerate(column)]])


def test_a_left_column_longer_than_the_right_goes_on_before_it(tmp_path):
    """Columns that are not balanced (the left one runs further down the page, as a document's
    last page or a column broken a line late): the left column's last lines are read before
    the right column, not after both as a line of their own."""
    text = " ".join(f"word{n}" for n in range(70))
    wrapped = [line for _, line in _fill(text, 40, 190)]
    left, right = wrapped[:9], wrapped[9:14]
    lines = _read(tmp_path, _two_columns(left, right))
    assert lines == [" ".join(wrapped[:14])]


def test_a_right_column_opening_inside_a_cell_keeps_its_offset():
    """The right column is moved under the left one by the shift that lines up most of their
    line starts, not by their leftmost starts: a left column that opens inside a table cell
    (no line at the table's edge, x=133) is shifted so the right column's time cell (x=310)
    lands on the table's edge (x=58), not inside the cell."""
    from gcmdash.extract.pdf_layout import Line, Word, _column_offset

    def line(x: float, top: float) -> Line:
        word = Word("text", x, x + 40, top, top + SIZE, SIZE, False)
        return Line([word], [[word]])

    left = [line(133, 12 * n) for n in range(8)] + [line(145, 100), line(145, 112)]
    right = [line(385, 0), line(397, 12), line(310, 24), line(385, 24), line(385, 36)]
    assert _column_offset(left, right) == 252


def _drawn(rows: list[list[tuple[float, str, str]]]) -> bytes:
    """One page of lines top down at one leading, each line a list of (x, font, text) runs."""
    return _placed([[(x, i, text, font) for i, runs in enumerate(rows) for x, font, text in runs]])


def test_a_table_with_a_narrow_first_column_is_not_read_as_two_columns(tmp_path):
    """An agenda table whose time column holds one line per row while the concept column wraps
    over many (LibreOffice's narrow cells) leaves a clear gutter, as two columns would: it is
    read as rows, each time beside its own concept, not all the times then all the concepts."""
    first = _fill("Opening segment with welcome remarks by the co-facilitators and by the "
                  "Secretary-General of the intergovernmental conference", 170, 330)
    second = _fill("International cooperation and governance of migration in all its "
                   "dimensions, with the commitments of the 2030 Agenda", 170, 330)
    rows = [[(40, "Helvetica", "ANNEX 1: The agenda")], [],
            [(40, "Helvetica", "Time"), (170, "Helvetica", "Concept")]]
    rows += [[(40, "Helvetica", "10.00-10.15")] * (i == 0) + [(x, "Helvetica", t)]
             for i, (x, t) in enumerate(first)]
    rows += [[(40, "Helvetica", "10.15-13.00")] * (i == 0) + [(x, "Helvetica", t)]
             for i, (x, t) in enumerate(second)]
    lines = _read(tmp_path, _drawn(rows))
    assert lines == ["ANNEX 1: The agenda", "Time\tConcept",
                     "10.00-10.15\t" + " ".join(t for _, t in first),
                     "10.15-13.00\t" + " ".join(t for _, t in second)]


def test_a_cells_bold_title_ends_where_its_plain_description_starts_on_the_line(tmp_path):
    """A panel's bold title and its plain description printed in one paragraph of a cell
    (pandoc's HTML in Chromium): the title ends at the last bold word, not at the line's end."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    title_end = "dimensions"
    x = 120 + stringWidth(title_end + " ", "Helvetica-Bold", SIZE)
    rows = [[(40, "Helvetica", "10.15-13.00"), (120, "Helvetica-Bold", "PANEL 1: International")],
            [(120, "Helvetica-Bold", "cooperation in all its")],
            [(120, "Helvetica-Bold", title_end), (x, "Helvetica", "To implement the")],
            [(120, "Helvetica", "commitments of the 2030 Agenda")],
            [(40, "Helvetica", "13.00-15.00"), (120, "Helvetica-Bold", "Lunch")]]
    lines = _read(tmp_path, _drawn(rows))
    assert lines == ["10.15-13.00\tPANEL 1: International cooperation in all its dimensions",
                     "To implement the commitments of the 2030 Agenda", "13.00-15.00\tLunch"]


def test_a_line_ending_short_before_words_joined_by_a_no_break_space_goes_on():
    """'Moderated by' ends its line short because 'Dr. Omar' (a no-break space between them,
    as LibreOffice keeps it) did not fit whole: the paragraph goes on, though 'Dr.' alone would
    have fitted. Without the no-break space the short line ends the paragraph."""
    from gcmdash.extract.pdf_layout import Line, Word, cell_blocks

    def line(top: float, *words: tuple[str, float, float], glued: str = "") -> Line:
        placed = [Word(text, x0, x1, top, top + SIZE, SIZE, False, glued=text == glued)
                  for text, x0, x1 in words]
        return Line(placed, [placed])

    def lines(glued: str) -> list[Line]:
        return [line(0, ("Ms.", 40, 58), ("Nancy", 61, 90), ("Caldera,", 93, 130),
                     ("International", 133, 190)),
                line(12, ("Affairs", 40, 72), ("Director,", 75, 115), ("Mexico", 118, 150),
                     ("and", 153, 171)),
                line(24, ("Moderated", 40, 100), ("by", 103, 150)),
                line(36, ("Dr.", 40, 55), ("Omar", 58, 86), ("Alnuaimi", 89, 130), glued=glued)]

    assert [b.text for b in cell_blocks(lines("Dr."), SIZE)] == [
        "Ms. Nancy Caldera, International Affairs Director, Mexico and Moderated by Dr. Omar "
        "Alnuaimi"]
    assert len(cell_blocks(lines(""), SIZE)) == 2


OPENING = ["Opening segment with", "welcome remarks by the", "co-facilitators and by", "the Secretary-General",
           "of the conference"]
PANEL = ["PANEL 1: International", "cooperation and", "governance of migration"]


def test_a_table_whose_cells_are_centred_in_their_rows_is_read_row_by_row(tmp_path):
    """Chromium and LibreOffice may centre a cell's text in its row: each time then sits beside
    the middle of its concept, below the concept's first line, and a narrow time cell wraps after
    its dash ('10.00-' over '10.15'). Rows are rebuilt from where each time sits; a row of three
    cells keeps its third cell apart."""
    runs = [(40, 0, "Time"), (120, 0, "Concept")]
    runs += [(120, 1 + i, text) for i, text in enumerate(OPENING)]
    runs += [(40, 2.5, "10.00-"), (40, 3.5, "10.15")]
    runs += [(120, 6 + i, text) for i, text in enumerate(PANEL)]
    runs += [(40, 7, "10.15-13.00")]
    runs += [(40, 10, "13.00-15.00"), (120, 10, "Lunch"), (250, 9.5, "Space for Side"),
             (250, 10.5, "Events")]
    lines = _read(tmp_path, _placed([runs]))
    assert lines == ["Time\tConcept", "10.00-10.15\t" + " ".join(OPENING),
                     "10.15-13.00\t" + " ".join(PANEL), "13.00-15.00\tLunch\tSpace for Side Events"]


def test_a_table_header_printed_again_at_a_page_top_is_dropped(tmp_path):
    """A browser prints a table's header row again on each page the table goes on to: the
    repeat is dropped, and the row the page broke goes on after it. A row of times that opens a
    page as it appeared on an earlier one (the same closing remarks on both days) stays."""
    intro = [(40, i, text) for i, (_, text) in enumerate(_fill(PARAGRAPH, 40))]
    first = intro + [(40, 5, "Time"), (120, 5, "Concept"), (40, 6, "17.50-18.00"),
                     (120, 6, "Closing remarks"), (40, 8, "Day 2"), (40, 9, "Time"),
                     (120, 9, "Concept"), (40, 10, "10.15-13.00")]
    first += [(120, 10 + i, text) for i, text in enumerate(PANEL[:2])]
    second = [(40, 0, "Time"), (120, 0, "Concept"), (120, 1, PANEL[2])]
    second += [(40, 2, "15.00-17.50"), (120, 2, "SUMMARY PANEL"), (120, 3, "of the session")]
    third = [(40, 0, "17.50-18.00"), (120, 0, "Closing remarks"), (40, 2, "ANNEX 2")] + \
        [(40, 3 + i, text) for i, (_, text) in enumerate(_fill(SECOND, 40))]
    fourth = [(40, 0, "ANNEX 3")] + [(40, 1 + i, t) for i, (_, t) in enumerate(_fill(FIRST, 40))]
    # on three pages, the header at page 1's foot and page 2's head, and the closing remarks
    # in the middle of page 1 and at page 3's head, repeat on two of three: not running lines
    for pages in ([first, second, third, fourth], [first, second, third]):
        lines = _read(tmp_path, _placed(pages))
        assert lines[lines.index("Day 2"):lines.index("ANNEX 2")] == [
            "Day 2", "Time\tConcept", "10.15-13.00\t" + " ".join(PANEL),
            "15.00-17.50\tSUMMARY PANEL of the session", "17.50-18.00\tClosing remarks"]
        assert lines[:lines.index("Day 2")] == [
            PARAGRAPH, "Time\tConcept", "17.50-18.00\tClosing remarks"]


def test_a_range_of_numbers_broken_after_its_dash_joins_without_a_space():
    from gcmdash.extract.text import join_wrapped

    assert join_wrapped(["10.00-", "10.15"]) == "10.00-10.15"
    assert join_wrapped(["whole-of-", "government"]) == "whole-of-government"
    assert join_wrapped(["items 3 -", "4"]) == "items 3 - 4"
