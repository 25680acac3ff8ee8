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


def _two_columns(left: list[str], right: list[str], right_x: float = 210) -> bytes:
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=(WIDTH, HEIGHT), invariant=1)
    pdf.setFont("Helvetica", SIZE)
    for column, x in ((left, 40), (right, right_x)):
        y = HEIGHT - 40
        for text in column:
            pdf.drawString(x, y, text)
            y -= LEADING
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


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
