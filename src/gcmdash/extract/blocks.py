"""Structured formats -> blocks -> one numbered text, the same shape for every format.

HTML and DOCX carry their structure (headings, paragraphs, list items with their numbering,
table rows with cells); it is read from the format, never guessed from line breaks, then written
out one block per line: a paragraph however long on one line, a list item with its bullet glyph
or its ordered-list label ('a. Overarching frameworks'), a table row as its cells' first blocks
joined by tabs and the rest of each cell on the lines below (its list items as entries
'• H.E. Mr. …'). The parsers read that text; a block's line is the line they cite.
"""
from __future__ import annotations

import re
from html.parser import HTMLParser

from gcmdash.extract.text_blocks import unwrap_lines
from gcmdash.records import Block

BULLET = "•"
_INLINE_BULLET_RE = re.compile(r"\s[•▪◦●‣∙■□➢✓\uf0a7\uf0b7\uf0d8\uf0fc]\s")
_SPACE_RE = re.compile(r"[ \t\r\n\u00a0]+")


def ordered_label(style: str, number: int) -> str:
    """The label an ordered list shows for its item `number` (1-based): 'a.', 'B.', 'iv.', '3.'."""
    if style in ("a", "A", "lowerLetter", "upperLetter"):
        label = ""
        n = number
        while n > 0:
            n, rest = divmod(n - 1, 26)
            label = chr(ord("a") + rest) + label
        return (label.upper() if style in ("A", "upperLetter") else label) + "."
    if style in ("i", "I", "lowerRoman", "upperRoman"):
        roman = _roman(number)
        return (roman if style in ("I", "upperRoman") else roman.lower()) + "."
    return f"{number}."


def _roman(number: int) -> str:
    out = ""
    for value, letters in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"),
                           (90, "XC"), (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"),
                           (4, "IV"), (1, "I")):
        while number >= value:
            out += letters
            number -= value
    return out


def _item_line(block: Block) -> str:
    return f"{block.marker or BULLET} {block.text}"


def _cell_lines(cell: tuple[Block, ...]) -> tuple[str, list[str]]:
    """A cell's first line (its first block) and the lines of the rest. A paragraph with
    bullet glyphs inside (a cell whose list was flattened into one paragraph) is split at
    them: each glyph starts an entry again."""
    lines: list[str] = []
    for block in cell:
        text = _SPACE_RE.sub(" ", block.text).strip()
        if not text:
            continue
        if block.kind == "list_item":
            lines.append(f"{block.marker or BULLET} {text}")
            continue
        head, *items = _INLINE_BULLET_RE.split(text)
        lines += [head.strip()] if head.strip() else []
        lines += [f"{BULLET} {item.strip()}" for item in items if item.strip()]
    return (lines[0], lines[1:]) if lines else ("", [])


def render(blocks: list[Block], spaced: bool = True) -> str:
    """The blocks as text, one block per line (a table row over as many lines as its cells
    hold). `spaced`: a blank line after each heading and paragraph, none inside a list or a
    table; otherwise the blocks' own lines only (a DOCX keeps its empty paragraphs, so a
    document written one paragraph per line keeps its line numbers)."""
    out: list[str] = []
    previous = None
    for block in blocks:
        if block.kind == "page_break":
            continue
        if spaced and previous is not None and (previous in ("heading", "paragraph")
                                                or block.kind != previous):
            out.append("")
        if block.kind == "table_row":
            firsts, rest = zip(*(_cell_lines(c) for c in block.cells)) if block.cells else ((), ())
            out.append("\t".join(f for f in firsts if f))
            out += [line for lines in rest for line in lines]
        elif block.kind == "list_item":
            out.append(_item_line(block))
        else:
            out.append(block.text)
        previous = block.kind
    return "\n".join(out)


# --- HTML ---------------------------------------------------------------------------------------
_SKIP_TAGS = {"script", "style", "noscript", "template", "head", "svg", "iframe", "object"}
_PARAGRAPH_TAGS = {"p", "div", "blockquote", "pre", "dt", "dd", "title", "figcaption", "address",
                   "section", "article", "header", "footer", "main", "nav", "aside", "figure",
                   "hr", "table", "ul", "ol", "body", "html"}
# a site's furniture around the content: navigation, breadcrumbs, menus, sidebars, footers
_BOILERPLATE_TAGS = {"nav", "footer"}
_BOILERPLATE_ROLES = {"navigation", "contentinfo", "search"}
_BOILERPLATE_NAME_RE = re.compile(r"^(?:site-|page-|main-|top-)?(?:nav|navbar|navigation|menu|"
                                  r"breadcrumbs?|footer|sidebar|skip-?link)$", re.IGNORECASE)
_SECTION_NUMBER_CLASSES = {"header-section-number", "toc-section-number", "section-number"}
_VOID_TAGS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
              "source", "track", "wbr"}
_BREAK = "\u2028"  # a <br> inside a block, until the block ends and its lines are read
_HEADINGS = {f"h{n}": n for n in range(1, 7)}


def _is_furniture(tag: str, attributes: dict) -> bool:
    """A site's navigation, breadcrumb, menu, sidebar or footer, by its tag, ARIA role, id or
    class (one whole class name: 'nav', 'site-footer'; not 'navigation-notes-body')."""
    if tag in _BOILERPLATE_TAGS or (attributes.get("role") or "") in _BOILERPLATE_ROLES:
        return True
    names = [attributes.get("id") or ""] + (attributes.get("class") or "").split()
    if tag == "span" and any(name in _SECTION_NUMBER_CLASSES for name in names):
        return True  # a converter's generated heading number ('0.3.1'), not the document's text
    return any(_BOILERPLATE_NAME_RE.match(name) for name in names if name)


class _Table:
    """An open HTML table: its rows so far, and the row and cell it was opened in."""

    def __init__(self, outer_row, outer_cell, layout: bool) -> None:
        self.rows: list[Block] = []
        self.outer_row, self.outer_cell = outer_row, outer_cell
        self.layout = layout

    def holds_structure(self) -> bool:
        return any(b.kind in ("table_row", "heading") for row in self.rows for cell in row.cells
                   for b in cell)


class HtmlBlocks(HTMLParser):
    """HTML -> blocks. Text only: nothing is rendered, fetched or executed."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[Block] = []
        self._skip = 0
        self._furniture: list[list] = []  # [tag, depth] of the boilerplate element being skipped
        self._text: list[str] = []
        self._kind = "paragraph"
        self._level = 0
        self._marker: str | None = None
        self._lists: list[list] = []  # [ordered style or None, next number]
        self._row: list[list[Block]] | None = None
        self._cell: list[Block] | None = None
        self._tables: list[_Table] = []  # the tables open, innermost last
        self._path: list[str] = []
        self._cell_title = False

    # a block ends at every structural tag; the text gathered so far becomes one block
    def _flush(self) -> None:
        """The text gathered so far as blocks: its <br> lines joined where a layout wrapped
        them (text_blocks.unwrap_lines), a block each where they were hard breaks."""
        lines = [_SPACE_RE.sub(" ", line).strip() for line in "".join(self._text).split(_BREAK)]
        self._text = []
        path = "/".join(self._path[-4:])
        for text in unwrap_lines(lines):
            block = Block(self._kind, text, self._level, self._marker, path=path)
            (self._cell if self._cell is not None else self.blocks).append(block)
            self._kind, self._level, self._marker = "paragraph", 0, None

    def handle_starttag(self, tag, attrs):
        """An opening tag ends the block before it and says what the next one is."""
        if self._furniture:
            if tag == self._furniture[-1][0]:
                self._furniture[-1][1] += 1
            return
        if tag not in _VOID_TAGS and _is_furniture(tag, dict(attrs)):
            self._flush()
            self._furniture.append([tag, 1])
            return
        if tag in _SKIP_TAGS:
            self._skip += 1
        elif tag == "br":
            self._text.append(_BREAK)  # a line break, read with its block's other lines
        else:
            self._open(tag, dict(attrs))
            if tag != "hr":
                self._path.append(tag)

    def _open(self, tag: str, attributes: dict) -> None:
        if tag in _HEADINGS:
            self._flush()
            self._kind, self._level = "heading", _HEADINGS[tag]
        elif tag in ("ul", "ol"):
            self._start_list(tag, attributes)
        elif tag == "li":
            self._start_item(attributes)
        elif tag == "table":
            self._flush()
            self._tables.append(_Table(self._row, self._cell,
                                       attributes.get("role") in ("presentation", "none")))
            self._row, self._cell = None, None
        elif tag == "tr":
            self._flush()
            self._row = []
        elif tag in ("td", "th"):
            self._flush()
            self._cell = []
        elif tag in _PARAGRAPH_TAGS:
            self._flush()
        elif tag in ("b", "strong") and self._cell == [] and not "".join(self._text).strip():
            self._cell_title = True  # a cell opening in bold: its title, a block of its own

    def _start_list(self, tag: str, attributes: dict) -> None:
        self._flush()
        style = (attributes.get("type") or "1") if tag == "ol" else None
        start = attributes.get("start") or "1"
        self._lists.append([style, int(start) if start.isdigit() else 1])

    def _start_item(self, attributes: dict) -> None:
        self._flush()
        self._kind, self._level = "list_item", len(self._lists)
        if self._lists and self._lists[-1][0] is not None:
            value = attributes.get("value")
            if value and value.isdigit():
                self._lists[-1][1] = int(value)
            self._marker = ordered_label(self._lists[-1][0], self._lists[-1][1])
            self._lists[-1][1] += 1
        else:
            self._marker = BULLET

    def handle_endtag(self, tag):
        """A closing tag ends its block (item, cell, row, list)."""
        if self._furniture:
            self._close_furniture(tag)
            return
        if tag in _SKIP_TAGS:
            self._skip = max(0, self._skip - 1)
            return
        if tag in _HEADINGS or tag == "li" or tag in _PARAGRAPH_TAGS:
            self._flush()
        elif tag in ("b", "strong") and self._cell_title:
            self._cell_title = False
            self._flush()
        if tag in ("ul", "ol") and self._lists:
            self._lists.pop()
        elif tag in ("td", "th") and self._cell is not None:
            self._end_cell()
        elif tag == "tr" and self._row is not None:
            self._end_row()
        elif tag == "table" and self._tables:
            self._end_table()
        if tag in self._path:
            del self._path[len(self._path) - 1 - self._path[::-1].index(tag):]

    def _end_cell(self) -> None:
        self._flush()
        if self._row is not None:
            self._row.append(self._cell)
        self._cell = None

    def _close_furniture(self, tag: str) -> None:
        if tag == self._furniture[-1][0]:
            self._furniture[-1][1] -= 1
            if not self._furniture[-1][1]:
                self._furniture.pop()

    def _end_row(self) -> None:
        if self._cell is not None:
            self._end_cell()
        cells = tuple(tuple(c) for c in self._row)
        if any(cells):
            row = Block("table_row", cells=cells, path="tr")
            (self._tables[-1].rows if self._tables else self.blocks).append(row)
        self._row = None

    def _end_table(self) -> None:
        """A table's rows go where the table stood; a layout table's (one holding a heading or
        another table, or marked presentational) are unpacked into its cells' blocks, cell
        after cell, as the page reads."""
        self._flush()
        if self._row is not None:
            self._end_row()
        table = self._tables.pop()
        self._row, self._cell = table.outer_row, table.outer_cell
        container = self._cell if self._cell is not None else self.blocks
        if table.layout or table.holds_structure():
            container.extend(b for row in table.rows for cell in row.cells for b in cell)
        else:
            container.extend(table.rows)

    def handle_data(self, data):
        """Text, outside scripts, styles and the site's furniture."""
        if not self._skip and not self._furniture:
            self._text.append(data)

    def close(self) -> None:
        """Finish the document: a row or cell left open still counts."""
        super().close()
        self._flush()
        while self._tables:
            self._end_table()
        if self._row is not None:
            self._end_row()


def html_blocks(html: str) -> list[Block]:
    """The blocks of an HTML document, in reading order."""
    parser = HtmlBlocks()
    parser.feed(html)
    parser.close()
    return parser.blocks


# --- DOCX ---------------------------------------------------------------------------------------
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_HEADING_STYLE_RE = re.compile(r"^(?:Heading|Titre|Überschrift)\s*(\d)$", re.IGNORECASE)


class _Numbering:
    """List labels from a DOCX's numbering part: (numId, ilvl) -> format, and running counters."""

    def __init__(self, document) -> None:
        self.formats: dict[tuple[str, str], str] = {}
        self.counters: dict[tuple[str, str], int] = {}
        try:
            root = document.part.numbering_part.element
        except (KeyError, NotImplementedError, AttributeError):
            return
        abstract = {}
        for node in root.iter(f"{_W}abstractNum"):
            levels = {}
            for lvl in node.iter(f"{_W}lvl"):
                fmt = lvl.find(f"{_W}numFmt")
                levels[lvl.get(f"{_W}ilvl")] = fmt.get(f"{_W}val") if fmt is not None else "decimal"
            abstract[node.get(f"{_W}abstractNumId")] = levels
        for num in root.iter(f"{_W}num"):
            ref = num.find(f"{_W}abstractNumId")
            if ref is not None:
                for ilvl, fmt in abstract.get(ref.get(f"{_W}val"), {}).items():
                    self.formats[(num.get(f"{_W}numId"), ilvl)] = fmt

    def marker(self, num_id: str, ilvl: str) -> str:
        fmt = self.formats.get((num_id, ilvl), "bullet")
        if fmt in ("bullet", "none"):
            return BULLET
        key = (num_id, ilvl)
        self.counters[key] = self.counters.get(key, 0) + 1
        for (other, level) in list(self.counters):  # a new item restarts its deeper levels
            if other == num_id and level > ilvl:
                del self.counters[(other, level)]
        return ordered_label(fmt, self.counters[key])


def _paragraph_block(paragraph, numbering: _Numbering, path: str) -> Block:
    raw = paragraph.text
    text = _SPACE_RE.sub(" ", raw).strip()
    if not text:
        return Block("paragraph", raw, path=path)  # an empty line stays a line
    ppr = paragraph._p.pPr
    num = ppr.numPr if ppr is not None else None
    try:
        style = paragraph.style.name if paragraph.style is not None else ""
    except (KeyError, AttributeError):
        style = ""
    if num is not None and num.numId is not None and num.numId.val not in (None, 0):
        ilvl = str(num.ilvl.val) if num.ilvl is not None else "0"
        return Block("list_item", text, int(ilvl) + 1, numbering.marker(str(num.numId.val), ilvl),
                     path=path)
    if style.startswith("List"):
        return Block("list_item", text, 1, BULLET, path=path)
    heading = _HEADING_STYLE_RE.match(style)
    if heading or style == "Title":
        return Block("heading", text, int(heading.group(1)) if heading else 1, path=path)
    return Block("paragraph", raw, path=path)  # as written: tabs and a leading space are layout


def _cell_blocks(paragraph, numbering: _Numbering, path: str) -> list[Block]:
    """A cell paragraph's blocks: one opening in bold and going on in plain text ('PANEL 1: …'
    then its description) is its title and a paragraph, as a cell title is in HTML."""
    block = _paragraph_block(paragraph, numbering, path)
    runs = [run for run in paragraph.runs if run.text.strip()]
    if block.kind != "paragraph" or len(runs) < 2 or not runs[0].bold:
        return [block]
    lead = next((i for i, run in enumerate(runs) if not run.bold), None)
    if lead is None:
        return [block]
    title = _SPACE_RE.sub(" ", "".join(run.text for run in runs[:lead])).strip()
    rest = _SPACE_RE.sub(" ", "".join(run.text for run in runs[lead:])).strip()
    return [Block("paragraph", title, path=path), Block("paragraph", rest, path=path)]


def docx_blocks(document) -> list[Block]:
    """The blocks of a python-docx Document: body paragraphs and tables in order."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    numbering = _Numbering(document)
    blocks: list[Block] = []
    for index, element in enumerate(document.element.body.iterchildren()):
        tag = element.tag.rsplit("}", 1)[-1]
        if tag == "p":
            blocks.append(_paragraph_block(Paragraph(element, document), numbering,
                                           f"body/p[{index}]"))
        elif tag == "tbl":
            for r, row in enumerate(Table(element, document).rows):
                cells = []
                seen = set()
                for cell in row.cells:
                    if id(cell._tc) in seen:  # a merged cell is listed once per grid column
                        continue
                    seen.add(id(cell._tc))
                    cells.append(tuple(b for p in cell.paragraphs for b in _cell_blocks(
                        p, numbering, f"body/tbl[{index}]/tr[{r}]") if b.text.strip()))
                if any(cells):
                    blocks.append(Block("table_row", cells=tuple(cells),
                                        path=f"body/tbl[{index}]/tr[{r}]"))
    return blocks


# --- Markdown -----------------------------------------------------------------------------------
_MD_HEADING_RE = re.compile(r"^ {0,3}(#{1,6})\s+(.*?)(?:\s+#+)?\s*$")
_MD_ITEM_RE = re.compile(r"^(\s*)[-*+]\s+(\S.*)$")
_MD_TABLE_SEPARATOR_RE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")
_MD_SETEXT_RE = re.compile(r"^ {0,3}([=-])\1{2,}\s*$")
_MD_HARD_BREAK_RE = re.compile(r"\\(?=\s|$)")
_MD_BOLD_START_RE = re.compile(r"^\*\*(.+?)\*\*\s*(.*)$")


def _md_cell(text: str) -> tuple[Block, ...]:
    text = text.strip()
    bold = _MD_BOLD_START_RE.match(text)
    if bold:  # a cell opening in bold: its title, a block of its own
        return tuple(Block("paragraph", t) for t in (bold.group(1), bold.group(2)) if t)
    return (Block("paragraph", text),) if text else ()


def markdown_blocks(text: str) -> list[Block]:
    """The blocks of a Markdown text, one per source line (so its line numbers hold) except
    tables: ATX headings without their hashes, '-' items with a bullet glyph, pipe-table rows
    as rows of cells (their separator line dropped). Emphasis marks are left to the parsers."""
    blocks: list[Block] = []
    for number, line in enumerate(text.split("\n"), 1):
        path = f"line {number}"
        underline = _MD_SETEXT_RE.match(line)
        if underline and blocks and blocks[-1].kind == "paragraph" and blocks[-1].text.strip():
            # a Setext heading: the line above, underlined; the underline stays an empty line
            blocks[-1] = Block("heading", blocks[-1].text.strip(),
                               1 if underline.group(1) == "=" else 2, path=blocks[-1].path)
            blocks.append(Block("paragraph", "", path=path))
            continue
        heading = _MD_HEADING_RE.match(line)
        item = _MD_ITEM_RE.match(line)
        if heading:
            blocks.append(Block("heading", heading.group(2), len(heading.group(1)), path=path))
        elif line.lstrip().startswith("|") and line.rstrip().endswith("|") and line.count("|") >= 2:
            if _MD_TABLE_SEPARATOR_RE.match(line):
                continue
            cells = re.split(r"(?<!\\)\|", line.strip()[1:-1])
            blocks.append(Block("table_row", cells=tuple(_md_cell(c) for c in cells), path=path))
        elif item:
            blocks.append(Block("list_item", item.group(2), len(item.group(1)) // 2 + 1, BULLET,
                                path=path))
        else:  # a backslash before a line end or a space is a hard break: layout, not text
            blocks.append(Block("paragraph", _MD_HARD_BREAK_RE.sub("", line), path=path))
    return blocks
