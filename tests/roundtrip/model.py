"""The structure of each seed document, read back from its .txt, for the renderers to lay out again.

The seeds are what Word and PDF files became as text; a rendering is meant to be the same document
in another layout, so it needs the document's structure: headings, paragraphs, list items, agenda
table rows. The Markdown-ish seeds carry it in their markup (`**...**`, `##`, tab rows, `<b>`,
`<li>`, `<span>`). The PDF-extracted seeds lost it with the layout, so it is reconstructed here from
line shapes and, where line shapes cannot tell, from the golden records' line ranges (which lines
are one recommendation, one person, one area heading, one agenda title). The text stays the
seed's text: only line breaks that a layout made are undone, and repeated page furniture (footer
URLs) is left out; the text's own quirks (lost hyphens, `10.0010.15`) stay.
"""
from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass, field
from functools import cache

from gcmdash.extract.formats import extract
from gcmdash.extract.text import join_wrapped, squash_spaces
from tests.conftest import SEED_DIR
from tests.etl.golden import golden_path

HEADING, PARA, ITEM, TABLE = "heading", "para", "item", "table"


@dataclass(frozen=True)
class Block:
    kind: str  # heading / para / item / table
    text: str = ""  # "\n" is a hard line break inside the block
    level: int = 1
    bold: bool = False
    rows: tuple = ()  # table: rows of cells; a cell is a tuple of blocks
    header: bool = False  # table: the first row is a header row


@dataclass
class SeedModel:
    name: str
    title: str
    blocks: list[Block] = field(default_factory=list)

    def text_blocks(self):
        """Every block with text, table cells included, in reading order."""
        for block in self.blocks:
            if block.kind == TABLE:
                for row in block.rows:
                    for cell in row:
                        yield from cell
            else:
                yield block


def golden(name: str) -> dict:
    return json.loads(golden_path(name).read_text(encoding="utf-8"))


def seed_lines(name: str) -> list[str]:
    """The seed's extracted text lines: the lines the golden records' line numbers count."""
    return extract(SEED_DIR / name).text.split("\n")


@cache
def seed_model(name: str) -> SeedModel:
    lines = seed_lines(name)
    record = golden(name)
    if sum(line.count("\t") for line in lines) or any(line.startswith(("**", "#")) for line in lines):
        blocks = _read_markdown(lines, record)
    else:
        blocks = _read_pdf_text(lines, record)
    title = next((b.text for b in blocks if b.kind == HEADING), name).split("\n")[0]
    return SeedModel(name, title, blocks)


# --- Markdown-ish seeds -----------------------------------------------------------------------
_TAG_RE = re.compile(r"<[^>]+>")
_SPAN_RE = re.compile(r"<span[^>]*>(.*?)</span>", re.S)
_BOLD_RE = re.compile(r"<b>(.*?)</b>", re.S)
_LI_RE = re.compile(r"<li>(.*?)</li>", re.S)
_BULLET_GLYPHS = "▪•"


def _chunks(lines: list[str]):
    chunk: list[str] = []
    for line in lines:
        if line.strip():
            chunk.append(line)
        elif chunk:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _read_markdown(lines: list[str], record: dict) -> list[Block]:
    titles = sorted({a["title"] for a in record["agenda_items"]}, key=len, reverse=True)
    blocks: list[Block] = []
    rows: list[tuple] = []

    def flush_table():
        if rows:
            header = rows[0][0][0].text.strip().lower() == "time"
            blocks.append(Block(TABLE, rows=tuple(rows), header=header))
            rows.clear()

    for chunk in _chunks(lines):
        tabbed = [line for line in chunk if "\t" in line]
        if tabbed and len(tabbed) == len(chunk):
            rows.extend(_row(line, titles) for line in chunk)
            continue
        flush_table()
        blocks.append(_markdown_block(chunk))
    flush_table()
    return blocks


def _markdown_block(chunk: list[str]) -> Block:
    first = chunk[0].strip()
    if first.startswith("#"):
        level = len(first) - len(first.lstrip("#"))
        return Block(HEADING, first.lstrip("#").strip(), level=min(level, 4))
    joined = "\n".join(line.strip() for line in chunk)
    if joined.startswith("**") and joined.endswith("**"):
        return Block(HEADING, joined.strip("*").strip(), level=2)
    if len(chunk) == 1 and len(first) < 100 and not first.endswith("."):
        return Block(HEADING, first.strip("*"), level=3)
    return Block(PARA, joined if all(line.endswith("  ") for line in chunk[:-1])
                 else " ".join(line.strip() for line in chunk))


def _row(line: str, titles: list[str]) -> tuple:
    cells = line.split("\t")
    while len(cells) > 1 and not cells[-1].strip():
        cells.pop()
    time = cells[0].strip()
    out = [(Block(PARA, time),)]
    extra = []
    for cell in cells[1:]:
        spans = _SPAN_RE.findall(cell)
        extra.extend(squash_spaces(_TAG_RE.sub(" ", s)) for s in spans)
        out.append(_cell_blocks(_SPAN_RE.sub(" ", cell), titles))
    out.extend((Block(PARA, text),) for text in extra if text)
    return tuple(out)


def _cell_blocks(cell: str, titles: list[str]) -> tuple[Block, ...]:
    blocks: list[Block] = []
    bold = _BOLD_RE.findall(cell)
    items = [squash_spaces(_TAG_RE.sub(" ", i)).lstrip(_BULLET_GLYPHS + " ") for i in _LI_RE.findall(cell)]
    rest = html.unescape(squash_spaces(_TAG_RE.sub(" ", _LI_RE.sub(" ", _BOLD_RE.sub(" ", cell)))))
    inline = [squash_spaces(p) for p in re.split(f"[{_BULLET_GLYPHS}]", rest)]
    rest, items = inline[0], items + [p for p in inline[1:] if p]
    title = next((t for t in titles if 0 <= rest.find(t) < 16), None)
    if not bold and title:  # the title run ends where the golden title ends
        end = rest.index(title) + len(title)
        end += 1 if rest[end:end + 1] == ":" else 0
        bold, rest = [rest[:end]], rest[end:].strip()
    blocks.extend(Block(PARA, squash_spaces(b), bold=True) for b in bold)
    if rest:
        blocks.append(Block(PARA, rest))
    blocks.extend(Block(ITEM, i) for i in items if i)
    return tuple(blocks)


# --- PDF-extracted seeds ----------------------------------------------------------------------
_FURNITURE_RE = re.compile(r"^\s*(For further information, see:|- General concept note|November 2017\) \(|"
                           r"- Procedural note and the SRSG|\(http|https?://)")
_ROMAN_RE = re.compile(r"^\s*[IVX]+\.\s*$")
_NUMBERED_HEADING_RE = re.compile(r"^\s*\d\.\s+[A-Z]")
_TIME_ROW_RE = re.compile(r"^\s*\d{1,2}\.\d{2}-?\d{1,2}\.\d{2}\b")
_CELL_BREAK = "\ue000"  # wide gap between cells on a time row (not whitespace, survives joins)


def _golden_spans(record: dict, lines: list[str]) -> dict[int, tuple[int, Block | None]]:
    """First line index -> (last line index, block) for the spans the golden records delimit."""
    spans: dict[int, tuple[int, Block | None]] = {}  # None: a list item of those lines
    for rec in record["recommendations"]:
        spans[rec["line_start"] - 1] = (rec["line_end"] - 1, None)
    for role in record["roles"]:
        first = lines[role["line_start"] - 1]
        if not first.strip().startswith("Moderated by"):
            spans.setdefault(role["line_start"] - 1, (role["line_end"] - 1, None))
    for area in record["discussion_areas"]:
        start = area["line_start"] - 1
        end, text = _complete(lines, start, area["heading"])
        spans[start] = (end, Block(HEADING, f"{area['area_letter']}. {area['heading']}", level=3))
    for item in record["agenda_items"]:
        start = item["line_start"] - 1
        if start not in spans and item["title"][:20] in lines[start]:
            end, text = _complete(lines, start, item["title"])
            spans[start] = (end, Block(PARA, text, bold=True))
    return spans


def _complete(lines: list[str], start: int, wanted: str) -> tuple[int, str]:
    """The line index where `wanted` is complete, reading on from `start`, and the text so far."""
    parts, end = [], start
    for end in range(start, min(start + 6, len(lines))):
        if lines[end].strip():
            parts.append(lines[end])
        if squash_spaces(wanted) in join_wrapped(parts):
            break
    return end, join_wrapped(parts)


def _read_pdf_text(lines: list[str], record: dict) -> list[Block]:
    lines = [re.sub(r"(?<!:)\s{2,}", _CELL_BREAK, line.strip()) if _TIME_ROW_RE.match(line) else line
             for line in _undo_two_columns(lines)]
    lengths = sorted(len(line.rstrip()) for line in lines if line.strip())
    width = lengths[int(len(lengths) * 0.9)]
    spans = _golden_spans(record, lines)
    # a PDF extraction that puts a blank line after every line: blank lines separate nothing
    filled = [i for i, line in enumerate(lines[:-1]) if line.strip()]
    blank_after = sum(1 for i in filled if not lines[i + 1].strip()) / max(len(filled), 1)
    blocks: list[Block] = []
    para: list[str] = []

    def flush():
        if para:
            blocks.append(Block(PARA, join_wrapped(para)))
            para.clear()

    i = 0
    while i < len(lines):
        line = lines[i]
        if i in spans:
            flush()
            end, block = spans[i]
            blocks.append(block or Block(ITEM, join_wrapped(lines[i:end + 1])))
            i = end + 1
            continue
        if _FURNITURE_RE.match(line) or not line.strip():
            if line.strip() or blank_after < 0.6:
                flush()
        elif (heading := _heading_at(lines, i, spans, width)) is not None:
            flush()
            block, i = heading
            blocks.append(block)
        else:
            if _TIME_ROW_RE.match(line) or line.startswith("Concrete issues") or (
                    para and len(para[-1].strip()) < width * 0.75 and not line.strip()[:1].islower()):
                flush()
            para.append(line)
            stripped = line.rstrip()
            if stripped.endswith((".", ":", ";", "”")) and (
                    len(stripped) < width * 0.85 or _short_next(lines, i, width)):
                flush()
        i += 1
    flush()
    return _tabulate(blocks) if record["document_type"] == "programme_of_work" else blocks


def _tabulate(blocks: list[Block]) -> list[Block]:
    """A programme's agenda back into table rows: a time starts a row, a day heading ends a table."""
    out: list[Block] = []
    rows: list[list] = []

    def flush_table():
        if rows:
            out.append(Block(TABLE, rows=tuple(tuple(tuple(c) for c in r) for r in rows), header=True))
            rows.clear()

    for block in blocks:
        match = _TIME_ROW_RE.match(block.text)
        if block.text.startswith("Day ") and block.kind == PARA:
            flush_table()
            out.append(Block(HEADING, block.text, level=3))
        elif block.text == "Time Concept":
            rows.append([[Block(PARA, "Time")], [Block(PARA, "Concept")]])
        elif match:
            rest = block.text[match.end():].strip()
            cells = [[Block(PARA, match.group(0).strip())]]
            parts = [p for p in rest.split(_CELL_BREAK) if p.strip()]
            cells.extend([[Block(PARA, p.strip(), bold=i == 0)] for i, p in enumerate(parts[:1])])
            cells.extend([[Block(PARA, p.strip())] for p in parts[1:]])
            rows.append(cells if len(cells) > 1 else cells + [[]])
        elif rows:
            cell = rows[-1][1]
            cell.append(Block(PARA, block.text, bold=True) if not cell and block.kind == PARA else block)
        else:
            out.append(block)
    flush_table()
    return out


def _short_next(lines: list[str], i: int, width: int) -> bool:
    """The next line with text is short: after a sentence's end it starts a block of its own."""
    nxt = next((t for t in lines[i + 1:] if t.strip()), "")
    return len(nxt.strip()) < width * 0.6


def _heading_at(lines: list[str], i: int, spans: dict, width: int) -> tuple[Block, int] | None:
    """A section heading starting at line i (`II.` + its title line, `1. Panel on ...` and its
    wrapped continuation), with the index of its last line; None when line i is no heading."""
    line = lines[i]
    if _ROMAN_RE.match(line):
        nxt = next((j for j in range(i + 1, len(lines)) if lines[j].strip()), None)
        if nxt is not None and nxt not in spans and not _ROMAN_RE.match(lines[nxt]):
            return Block(HEADING, f"{line.strip()} {lines[nxt].strip()}", level=2), nxt
        return Block(HEADING, line.strip(), level=2), i
    if _NUMBERED_HEADING_RE.match(line) and len(line.strip()) < width * 0.95:
        parts = [line]
        while i + 1 < len(lines) and lines[i + 1].strip()[:1].islower():
            i += 1
            parts.append(lines[i])
        return Block(HEADING, join_wrapped(parts), level=3), i
    return None


def _undo_two_columns(lines: list[str]) -> list[str]:
    """The summary's intro is set in two columns that extraction read one after the other,
    with the next section's number between them: put the two halves back side by side."""
    try:
        left0 = next(i for i, t in enumerate(lines) if t.startswith("The purpose of this summary"))
    except StopIteration:
        return lines
    left_end = next(i for i in range(left0, len(lines)) if not lines[i].strip())
    numeral = next(i for i in range(left_end, len(lines)) if lines[i].strip())
    right0 = next(i for i in range(numeral + 1, len(lines)) if lines[i].strip())
    right_end = next(i for i in range(right0, len(lines)) if not lines[i].strip())
    left, right = lines[left0:left_end], lines[right0:right_end]
    merged = [part for pair in zip(left, right + [""] * len(left)) for part in pair if part]
    joined = join_wrapped(merged)
    # the paragraph as one line keeps the line count for the spans that follow it
    filler = [""] * (right_end - left0 - 1 - 2)
    return lines[:left0] + [joined, "", lines[numeral]] + filler + lines[right_end:]
