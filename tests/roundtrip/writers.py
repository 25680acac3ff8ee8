"""More writers of the seeds' structure, as new users' own tools and habits lay documents out
(issue 14's held-out renderings): Word's own list numbering, bold paragraphs instead of heading
styles with typed bullets, a CMS's web page, Markdown in its other dialects, and the seed text
saved in the encodings and line endings Windows editors use. Each keeps the document's text; the
renderings that feed them to real tools are in render.py.
"""
from __future__ import annotations

import html
import re
from pathlib import Path

from tests.roundtrip.model import HEADING, ITEM, PARA, TABLE, Block, SeedModel

# a heading a word processor would number itself: 'a. Border management', '2. Panel on …', 'II. Format'
_NUMBERED_HEADING_RE = re.compile(r"^(?:(?P<letter>[a-z])|(?P<digit>\d{1,2})|(?P<roman>[IVX]+))\.\s+(?P<rest>\S.*)$",
                                  re.S)


def _numbered(block: Block) -> tuple[str, str] | None:
    """(numbering format, the heading without its label) for a heading Word would number."""
    if block.kind != HEADING:
        return None
    match = _NUMBERED_HEADING_RE.match(block.text)
    if not match:
        return None
    fmt = ("lowerLetter" if match.group("letter") else "decimal" if match.group("digit")
           else "upperRoman")
    return fmt, match.group("rest")


# --- DOCX with Word's numbering (numbering.xml), not typed labels ---------------------------------
class _WordNumbering:
    """Adds abstract numbering definitions and numbering instances to a python-docx document."""

    def __init__(self, document) -> None:
        from docx.oxml.ns import qn

        self.qn = qn
        self.root = document.part.numbering_part.element
        self.next_abstract = 9000
        self.next_num = 9000

    def list_of(self, fmt: str) -> int:
        """A new numbering instance (numId) of one level in `fmt` ('bullet' draws a disc)."""
        from lxml import etree

        qn = self.qn
        abstract = etree.SubElement(self.root, qn("w:abstractNum"))
        abstract.set(qn("w:abstractNumId"), str(self.next_abstract))
        lvl = etree.SubElement(abstract, qn("w:lvl"))
        lvl.set(qn("w:ilvl"), "0")
        for tag, value in (("w:start", "1"), ("w:numFmt", fmt),
                           ("w:lvlText", "•" if fmt == "bullet" else "%1."), ("w:lvlJc", "left")):
            etree.SubElement(lvl, qn(tag)).set(qn("w:val"), value)
        ppr = etree.SubElement(lvl, qn("w:pPr"))
        ind = etree.SubElement(ppr, qn("w:ind"))
        ind.set(qn("w:left"), "720")
        ind.set(qn("w:hanging"), "360")
        # abstractNum elements must precede num elements
        first_num = self.root.find(qn("w:num"))
        if first_num is not None:
            first_num.addprevious(abstract)
        num = etree.SubElement(self.root, qn("w:num"))
        num.set(qn("w:numId"), str(self.next_num))
        etree.SubElement(num, qn("w:abstractNumId")).set(qn("w:val"), str(self.next_abstract))
        self.next_abstract += 1
        self.next_num += 1
        return self.next_num - 1

    def number(self, paragraph, num_id: int) -> None:
        from lxml import etree

        qn = self.qn
        ppr = paragraph._p.get_or_add_pPr()
        numpr = etree.SubElement(ppr, qn("w:numPr"))
        etree.SubElement(numpr, qn("w:ilvl")).set(qn("w:val"), "0")
        etree.SubElement(numpr, qn("w:numId")).set(qn("w:val"), str(num_id))


def _add_runs(paragraph, text: str, bold: bool) -> None:
    lines = text.split("\n")
    for n, line in enumerate(lines):
        run = paragraph.add_run(line)
        run.bold = bold or None
        if n < len(lines) - 1:
            run.add_break()


def to_docx_numbered(model: SeedModel, path: Path) -> None:
    """Headings in Heading styles whose letters, numbers and Roman numerals are Word's list
    numbering (one list per kind, numbered on through the document as Word does), bullets from
    a bullet numbering definition, the agenda in a table whose items are bulleted too."""
    import docx

    document = docx.Document()
    numbering = _WordNumbering(document)
    lists: dict[str, int] = {}
    bullets = numbering.list_of("bullet")

    def add(container, block: Block, first=None) -> None:
        numbered = _numbered(block)
        if numbered:
            fmt, text = numbered
            paragraph = container.add_paragraph(style=f"Heading {block.level}")
            if fmt not in lists:
                lists[fmt] = numbering.list_of(fmt)
            numbering.number(paragraph, lists[fmt])
            _add_runs(paragraph, text, False)
            return
        if block.kind == HEADING:
            paragraph = container.add_paragraph(style=f"Heading {block.level}")
        elif block.kind == ITEM:
            paragraph = container.add_paragraph()
            numbering.number(paragraph, bullets)
        else:
            paragraph = first if first is not None else container.add_paragraph()
        _add_runs(paragraph, block.text, block.bold)

    write_docx_body(document, model, add)
    document.save(str(path))


def write_docx_body(document, model: SeedModel, add) -> None:
    """The model's blocks into a DOCX body: `add(container, block, first)` writes a block
    (first: the cell's own empty paragraph to fill, or None); tables as Word tables."""
    for block in model.blocks:
        if block.kind != TABLE:
            add(document, block)
            continue
        width = max(len(r) for r in block.rows)
        table = document.add_table(rows=len(block.rows), cols=width)
        table.style = "Table Grid"
        for row, cells in zip(table.rows, block.rows):
            for cell, blocks in zip(row.cells, cells):
                for n, inner in enumerate(blocks):
                    first = cell.paragraphs[0] if n == 0 and inner.kind == PARA else None
                    add(cell, inner, first)


# --- DOCX typed by hand: bold paragraphs for headings, "•<tab>" bullets ---------------------------
def to_docx_plain(model: SeedModel, path: Path) -> None:
    """Every paragraph in the Normal style: headings are bold (and larger) runs, bullets a
    typed '•' and a tab, the agenda a table of such paragraphs."""
    import docx
    from docx.shared import Pt

    document = docx.Document()

    def add(container, block: Block, first=None) -> None:
        paragraph = first if first is not None else container.add_paragraph()
        if block.kind == HEADING:
            lines = block.text.split("\n")
            for n, line in enumerate(lines):
                run = paragraph.add_run(line)
                run.bold = True
                run.font.size = Pt(14 - block.level)
                if n < len(lines) - 1:
                    run.add_break()
        elif block.kind == ITEM:
            paragraph.add_run("•\t" + block.text.replace("\n", " "))
        else:
            _add_runs(paragraph, block.text, block.bold)

    write_docx_body(document, model, add)
    document.save(str(path))


# --- a CMS's web page ---------------------------------------------------------------------------
_ENTITIES = str.maketrans({"–": "&ndash;", "—": "&mdash;", "’": "&rsquo;", "‘": "&lsquo;",
                           "“": "&ldquo;", "”": "&rdquo;", "\u00a0": "&nbsp;", "é": "&eacute;"})


def _cms_text(text: str) -> str:
    """Escaped as a CMS stores it: named entities for typography, &nbsp; after honorifics."""
    escaped = html.escape(text, quote=False).translate(_ENTITIES)
    escaped = re.sub(r"\b(Mr\.|Ms\.|H\.E\.|Prof\.|Dr\.) ", r"\1&nbsp;", escaped)
    return "<br>\n".join(escaped.split("\n"))


def _cms_blocks(blocks) -> str:
    out: list[str] = []
    for block in blocks:
        text = _cms_text(block.text)
        if block.kind == HEADING:
            out.append(f'<div class="field-title title-{block.level}"><strong>{text}</strong></div>')
        elif block.kind == ITEM:
            out.append(f'<div class="list-entry">&bull;&nbsp;{text}</div>')
        elif block.kind == PARA:
            out.append(f'<div class="text">{"<b>" + text + "</b>" if block.bold else text}</div>')
        elif block.kind == TABLE:
            rows = []
            for row in block.rows:
                cells = "".join(f'<td valign="top">{_cms_cell(cell)}</td>' for cell in row)
                rows.append(f"<tr>{cells}</tr>")
            out.append('<table width="100%" border="0" cellpadding="4">\n' + "\n".join(rows)
                       + "\n</table>")
    return "\n".join(out)


def _cms_cell(cell) -> str:
    """A cell as a rich-text editor writes it: one run of text with <br> between its blocks,
    a bold title, items as '&bull;' lines."""
    parts = []
    for block in cell:
        text = _cms_text(block.text)
        if block.kind == ITEM:
            parts.append(f"&bull;&nbsp;{text}")
        elif block.bold:
            parts.append(f"<strong>{text}</strong>")
        else:
            parts.append(text)
    return "<br>\n".join(parts)


def to_cms_html(model: SeedModel) -> str:
    """The page as a content-management system publishes it: the content in <div>s with <br>
    lines, typography as entities, inside a layout table between a navigation bar, a breadcrumb
    and a footer (the boilerplate every page of the site repeats)."""
    nav = ('<div id="nav"><a href="/">Home</a> | <a href="/about">About</a> | '
           '<a href="/news">News &amp; events</a> | <a href="/contact">Contact us</a></div>\n'
           '<div class="breadcrumb"><a href="/">Home</a> &rsaquo; <a href="/docs">Documents</a></div>')
    footer = ('<div id="footer">&copy; 2017 Site owner &middot; <a href="/terms">Terms of use</a>'
              ' &middot; <a href="/privacy">Privacy notice</a></div>')
    return ('<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN">\n<html><head>'
            '<meta http-equiv="Content-Type" content="text/html; charset=utf-8">\n'
            f"<title>{html.escape(model.title)} | Documents</title></head>\n<body>\n{nav}\n"
            '<table width="100%" border="0"><tr>\n<td width="20%" valign="top" class="sidebar">'
            '<a href="/docs/1">Related documents</a><br><a href="/docs/2">Press releases</a></td>\n'
            f'<td valign="top" class="content">\n{_cms_blocks(model.blocks)}\n</td>\n</tr></table>\n'
            f"{footer}\n</body></html>\n")


# --- Markdown in its other dialect --------------------------------------------------------------
def to_markdown_setext(model: SeedModel) -> str:  # noqa: C901 - one branch per block shape
    """Markdown as another editor writes it: Setext headings (=== under level 1, --- under
    level 2, ATX below), '*' and '+' bullets taking turns by list, numbered sub-headings as a
    '1)' list, hard line breaks as two trailing spaces, paragraphs wrapped at 76 characters (soft
    breaks), the agenda as a pipe table."""
    import textwrap

    from tests.roundtrip.render import to_markdown

    out: list[str] = []
    bullet_marks = "*+"
    lists = 0
    previous = None
    for block in model.blocks:
        numbered = _numbered(block)
        if numbered and numbered[0] == "decimal" and block.level >= 3:  # '1) Panel on …'
            out.append(f"{block.text.split('.', 1)[0]}) {numbered[1]}")
        elif block.kind == HEADING and "\n" not in block.text and block.level <= 2:
            out.append(f"{block.text}\n{('=' if block.level == 1 else '-') * len(block.text)}")
        elif block.kind == HEADING and "\n" not in block.text:
            out.append(f"{'#' * block.level} {block.text}")
        elif block.kind == HEADING:
            out.append("  \n".join(f"**{line}**" for line in block.text.split("\n")))
        elif block.kind == PARA:
            lines = [textwrap.fill(line, 76, break_on_hyphens=False, break_long_words=False)
                     for line in block.text.split("\n")]
            out.append("  \n".join(lines))
        elif block.kind == ITEM:
            if previous != ITEM:
                lists += 1
            mark = bullet_marks[lists % 2]
            text = textwrap.fill(block.text.replace("\n", " "), 74, break_on_hyphens=False,
                                 break_long_words=False, subsequent_indent="  ")
            if previous == ITEM:
                out[-1] += f"\n{mark} {text}"
            else:
                out.append(f"{mark} {text}")
        elif block.kind == TABLE:
            table = to_markdown(SeedModel(model.name, model.title, [block])).strip()
            out.append(table)
        previous = block.kind
    return "\n\n".join(out) + "\n"


# --- the seed text as Windows saves it ----------------------------------------------------------
def windows_text(text: str, encoding: str) -> bytes:
    """The text with CRLF line ends in `encoding`: 'utf-8-sig' (Notepad's UTF-8 with a BOM),
    'utf-16' (its 'Unicode', little-endian with a BOM), or 'cp1252' (its 'ANSI'), where the
    one glyph the code page lacks (the square bullet '▪') is saved as the bullet it has."""
    crlf = text.replace("\r\n", "\n").replace("\n", "\r\n")
    if encoding == "cp1252":
        crlf = crlf.replace("▪", "•")
    return crlf.encode(encoding)
