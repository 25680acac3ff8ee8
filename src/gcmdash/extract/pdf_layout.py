"""PDF pages -> blocks, from the positions of the words (pdfplumber over pdfminer.six, MIT).

A PDF has no paragraphs, lists or tables, only words placed on a page; this module rebuilds them
the way a reader does, so that the PDF gives the same blocks as the HTML or DOCX it was printed
from:
- words are grouped into lines by their vertical position, and a line into segments where a gap
  wider than one and a half letters' height separates two words (table cells);
- a band of the page whose lines all stay clear of one vertical gutter near the middle, with
  text on both sides, is read as two columns, left then right;
- a line of two or more segments starts a table row; the lines below it that start inside its
  cells (right of its first cell) belong to the row, each to the cell it starts in;
- within a column or a cell, a line continues the block above unless it starts with a bullet
  glyph, starts at another indentation, follows a blank gap, changes size, leaves a bold run,
  or the line above ended short of the right edge by more than this line's first word (the
  line above was not wrapped: its paragraph ended);
- a block indented past its region's left edge, every line of it, is a list item (a bulleted
  list whose glyphs the printer dropped); a bullet glyph makes one in any case;
- running headers and footers (print furniture, a title repeated on most pages) are dropped
  before any of this, by formats.running_line_indexes.
"""
from __future__ import annotations

import re
import statistics
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

from gcmdash.extract.text import BULLET_GLYPHS, join_wrapped
from gcmdash.records import Block

_CID_RE = re.compile(r"^\(cid:\d+\)$")
# A page wider than three A4 pages side by side was sized to its text, not printed: drawn
_NO_PRINT_WIDTH = 1800
_MAX_MARKS = 5000  # bullets looked for per page (a page of drawn shapes costs no more)
_DASH_BULLETS = ("-", "–", "—", "*", "o", "")  # '' is a glyph the font did not map


@dataclass
class Word:
    """One word as pdfplumber places it (points from the page's top left)."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    bold: bool
    page: int = 1
    glued: bool = False  # a no-break space follows: the next word goes to a new line with it


@dataclass
class Line:
    """Words on one baseline, left to right, split into segments at wide gaps."""

    words: list[Word]
    segments: list[list[Word]] = field(default_factory=list)

    @property
    def x0(self) -> float:
        """Left edge."""
        return self.words[0].x0

    @property
    def x1(self) -> float:
        """Right edge."""
        return max(w.x1 for w in self.words)

    @property
    def top(self) -> float:
        """Top edge."""
        return min(w.top for w in self.words)

    @property
    def bottom(self) -> float:
        """Bottom edge."""
        return max(w.bottom for w in self.words)

    @property
    def size(self) -> float:
        """Font size of its first word."""
        return self.words[0].size

    @property
    def text(self) -> str:
        """Its words joined by single spaces."""
        return " ".join(w.text for w in self.words)


def page_words(page) -> list[Word]:
    """The words of one pdfplumber page, with their size and weight."""
    out = []
    no_break = [(float(c["x0"]), float(c["top"])) for c in page.chars if c["text"] == "\xa0"]
    for w in page.extract_words(extra_attrs=["fontname", "size"], keep_blank_chars=False,
                                use_text_flow=False):
        font = str(w.get("fontname") or "")
        x1, top = float(w["x1"]), float(w["top"])
        out.append(Word(w["text"], float(w["x0"]), x1, top,
                        float(w["bottom"]), float(w.get("size") or 0.0),
                        "bold" in font.lower() or "black" in font.lower(),
                        glued=any(abs(x - x1) < 1 and abs(t - top) < 2 for x, t in no_break)))
    return out


def page_marks(page) -> list[tuple[float, float, float, float]]:
    """Small filled shapes (x0, x1, top, bottom): the bullets a browser draws as discs and
    squares instead of glyphs."""
    marks = []
    for shape in (*page.curves, *page.rects):
        width, height = shape["x1"] - shape["x0"], shape["bottom"] - shape["top"]
        if shape.get("fill") and 1 <= width <= 8 and 1 <= height <= 8:
            marks.append((float(shape["x0"]), float(shape["x1"]), float(shape["top"]),
                          float(shape["bottom"])))
    return marks


def add_marks(lines: list[Line], marks: list[tuple[float, float, float, float]]) -> None:
    """Each mark just left of a line's first word, within its height, becomes a bullet glyph
    that opens the line."""
    for x0, x1, top, bottom in marks[:_MAX_MARKS]:
        middle = (top + bottom) / 2
        for line in lines:
            first = line.words[0]
            if first.top <= middle <= first.bottom and 0 <= first.x0 - x1 <= 3 * first.size \
                    and not _is_glyph(first.text):
                glyph = Word("•", x0, x1, first.top, first.bottom, first.size, first.bold)
                line.words.insert(0, glyph)
                line.segments[0].insert(0, glyph)
                break


def group_lines(words: list[Word]) -> list[Line]:
    """Words grouped into lines (a word joins a line whose top is within a third of its
    height), each split into segments at gaps wider than 1.5 times the font size."""
    lines: list[Line] = []
    for word in sorted(words, key=lambda w: (round(w.top, 1), w.x0)):
        tolerance = max(1.0, (word.bottom - word.top) / 3)
        for line in reversed(lines[-4:]):
            if abs(line.words[0].top - word.top) <= tolerance:
                line.words.append(word)
                break
        else:
            lines.append(Line([word]))
    lines = _attach_lone_glyphs(lines)
    lines = [_line(line.words) for line in lines]
    lines.sort(key=lambda l: (l.top, l.x0))
    return lines


def _attach_lone_glyphs(lines: list[Line]) -> list[Line]:
    """A bullet glyph set in another font sits a little higher or lower than its item's text
    and so forms a line of its own: it joins the line just right of it that its middle falls
    within."""
    out = [line for line in lines if not (len(line.words) == 1 and _is_glyph(line.words[0].text))]
    for line in lines:
        if not (len(line.words) == 1 and _is_glyph(line.words[0].text)):
            continue
        glyph = line.words[0]
        middle = (glyph.top + glyph.bottom) / 2
        target = next((other for other in out if other.words[0].top - 1 <= middle
                       <= max(w.bottom for w in other.words) + 1
                       and 0 <= other.words[0].x0 - glyph.x1 <= 3 * glyph.size), None)
        if target is None:
            out.append(line)
        else:
            target.words.insert(0, glyph)
    return out


def _line(words: list[Word]) -> Line:
    words = sorted(words, key=lambda w: w.x0)
    segments = [[words[0]]]
    for previous, word in zip(words, words[1:]):
        if word.x0 - previous.x1 > max(1.5 * word.size, 8.0):
            segments.append([word])
        else:
            segments[-1].append(word)
    return Line(words, segments)


def _side(lines: list[Line], keep) -> list[Line]:
    """The part of each line on one side of a gutter."""
    out = []
    for line in lines:
        words = [w for w in line.words if keep(w)]
        if words:
            out.append(_line(words))
    return out


def _gutter(lines: list[Line], width: float) -> float | None:
    """An x between 30% and 70% of the page that no word crosses in a band of at least six
    lines with text on both sides, each side's lines a quarter of the page wide on average, the
    left side holding at least half as many lines as the right (text fills the left column
    first; a table's narrow first column has a line only where a row starts)."""
    best, best_words = None, 0
    for step in sorted(range(30, 71), key=lambda s: abs(s - 50)):  # ties: nearest the middle
        x = width * step / 100
        for band in _bands(lines, x):
            left = _side(band, lambda w: w.x1 < x)
            right = _side(band, lambda w: w.x0 > x)
            if len(left) < 3 or len(right) < 3 or len(band) < 6:
                continue
            if len(left) < len(right) / 2:
                continue  # a table's first column (a line per row), not a column of text
            spans = [max(l.x1 for l in side) - min(l.x0 for l in side) for side in (left, right)]
            words = sum(len(l.words) for l in band)
            if spans[0] > width / 6 and spans[1] > width / 8 and words > best_words:
                best, best_words = x, words
    return best


def _crosses(line: Line, x: float) -> bool:
    return any(w.x0 - 1 < x < w.x1 + 1 for w in line.words)


def _bands(lines: list[Line], x: float) -> list[list[Line]]:
    """Runs of consecutive lines none of whose words crosses x."""
    bands, current = [], []
    for line in lines:
        if _crosses(line, x):
            if current:
                bands.append(current)
            current = []
        else:
            current.append(line)
    if current:
        bands.append(current)
    return bands


def reading_order(lines: list[Line], width: float) -> list[list[Line]]:
    """The page's lines as regions in reading order: full-width runs, and each two-column
    band split into its left column then its right column."""
    x = _gutter(lines, width)
    if x is None:
        return [lines]
    regions: list[list[Line]] = []
    run: list[Line] = []
    band: list[Line] = []

    def close_band() -> None:
        nonlocal run
        right = _column_run(_side(band, lambda w: w.x0 > x))
        if len(band) >= 6 and len(right) >= 3:
            # the columns span the right column's height; lines above or below it are not in them
            top, bottom = right[0].top - 1, right[-1].bottom + 1
            above = [l for l in band if l.bottom < top]
            below = [l for l in band if l.top > bottom]
            inside = [l for l in band if l not in above and l not in below]
            left = _side(inside, lambda w: w.x1 < x)
            if _left_goes_on(left, below, x):
                left, below = left + below, []
            if len(left) >= 3:
                run += above
                if run:
                    regions.append(run)
                regions.append(left + _continued(left, right))
                run = below
                band.clear()
                return
        run += band
        band.clear()

    for line in lines:
        if _crosses(line, x):
            close_band()
            run.append(line)
        else:
            band.append(line)
    close_band()
    if run:
        regions.append(run)
    return regions


def _column_run(lines: list[Line]) -> list[Line]:
    """A column's lines: the longest run of them without a gap of two lines' height (a
    table's header cell right of the gutter, well below a short right column, is no part of
    it)."""
    runs: list[list[Line]] = []
    for line in lines:
        if runs and line.top - runs[-1][-1].bottom <= 2 * line.size:
            runs[-1].append(line)
        else:
            runs.append([line])
    return max(runs, key=len) if runs else []


def _left_goes_on(left: list[Line], below: list[Line], x: float) -> bool:
    """Whether the lines below the right column's end are the left column going on (columns
    not balanced: the left one runs a line or a page's rest further), not what follows both
    columns (a heading under balanced columns, set off by its margin): all left of the gutter,
    the first one within a line's height under the left column (or a line and a half, when
    several lines go on)."""
    if not below or not left or any(w.x1 >= x for line in below for w in line.words):
        return False
    gap = below[0].top - left[-1].bottom
    return gap <= left[-1].size * (1.5 if len(below) >= 3 else 1.0)


def _column_offset(left: list[Line], right: list[Line]) -> float:
    """How far right of the left column the right one is set: the shift that lines up most
    line starts of the two (a column that opens inside a table cell broken by the column has no
    line at the table's left edge, so the leftmost starts need not match); ties go to the
    shift between the leftmost starts."""
    lefts = Counter(round(l.x0) for l in left)
    rights = Counter(round(l.x0) for l in right)
    base = min(rights) - min(lefts)

    def matched(shift: int) -> int:
        return sum(n for x, n in rights.items()
                   if any(abs(x - shift - lx) <= 2 for lx in lefts))

    best = max(sorted({r - l for r in rights for l in lefts}, key=lambda s: abs(s - base)),
               key=matched)
    return float(best) if matched(best) > matched(base) else min(l.x0 for l in right) - min(
        l.x0 for l in left)


def _continued(left: list[Line], right: list[Line]) -> list[Line]:
    """The right column as lines going on below the left one: moved left by the columns'
    offset and up to follow its last line, so a paragraph broken by the column goes on (unless
    the left column's last line stops short of its right edge: then a blank gap is kept)."""
    offset = _column_offset(left, right)
    moved = [_line([Word(w.text, w.x0 - offset, w.x1 - offset, w.top, w.bottom, w.size, w.bold,
                         w.page) for w in line.words]) for line in right]
    _shift_below(left, moved)
    last = left[-1]
    if last.x1 < max(l.x1 for l in left) - 2 * last.size:  # the left column ended a paragraph
        for line in moved:
            for word in line.words:
                word.top += 2 * last.size
                word.bottom += 2 * last.size
    return moved


# --- blocks -----------------------------------------------------------------------------------
def _is_glyph(text: str) -> bool:
    return (len(text) == 1 and text in BULLET_GLYPHS) or bool(_CID_RE.match(text)) \
        or text in _DASH_BULLETS[:4] or text == "\ufffd"


def _bullet(line: Line) -> tuple[bool, list[Word]]:
    """Whether the line opens with a bullet glyph, and its words without it."""
    first = line.words[0]
    if len(line.words) > 1 and _is_glyph(first.text):
        return True, line.words[1:]
    if first.text[:1] in BULLET_GLYPHS and len(first.text) > 1:
        rest = Word(first.text[1:].lstrip(), first.x0, first.x1, first.top, first.bottom,
                    first.size, first.bold)
        return True, [rest, *line.words[1:]]
    return False, line.words


@dataclass
class _Open:
    lines: list[list[Word]]
    x: float  # where its continuation lines start
    first_x: float
    bulleted: bool
    size: float
    bold: bool
    bottom: float
    last_x1: float
    xs: list[float] = field(default_factory=list)


def _starts_new(block: _Open, words: list[Word], line: Line, bulleted: bool, right: float) -> bool:
    if bulleted:
        return True
    first = words[0]
    gap = line.top - block.bottom
    if gap > 0.6 * max(line.size, block.size):
        return True
    if abs(first.x0 - block.x) > 3 and not (len(block.lines) == 1 and not block.bulleted
                                            and first.x0 < block.first_x):
        return True
    if abs(first.size - block.size) > 1.0:
        return True
    if block.bold and not first.bold:
        return True
    unbroken = next((i for i, w in enumerate(words) if not w.glued), len(words) - 1)
    width = words[unbroken].x1 - first.x0  # 'Dr.' and 'Omar' joined by a no-break space
    return right - block.last_x1 > width + 0.3 * first.size  # a space fits


def _bold_lead_end(block: _Open | None, words: list[Word]) -> int | None:
    """Where a table cell's bold title ends inside a line and its plain text begins on the same
    line (a cell's title and description printed in one paragraph, 'PANEL 1: ... dimensions To
    implement ...'): the index of the first plain word, when the block so far and the line up to
    it are bold, four words or more."""
    if not words[0].bold:
        return None
    k = next((i for i, w in enumerate(words) if not w.bold), None)
    if k is None:
        return None
    before = sum(len(line) for line in block.lines) if block is not None and block.bold else 0
    return k if before + k >= 4 else None


def cell_blocks(lines: list[Line], body: float, page_width: float = float("inf"),
                cell: bool = False) -> list[Block]:
    """The paragraphs and list items of a column or a table cell, from its lines; a block in
    a font larger than the document's `body` size is a heading. A line running off the page
    (text drawn unwrapped, line by line) ends its block. In a table `cell`, a bold title
    followed by plain text on the same line ends there (see _bold_lead_end)."""
    if not lines:
        return []
    # the right edge text wraps at: a word too long for the column can overrun it
    ends = sorted((l.x1 for l in lines), reverse=True)
    right = ends[len(ends) // 5]
    unwrapped = not _wraps(lines, right)
    opened: list[_Open] = []
    pending = False  # a glyph alone on its line opens the item on the next
    for line in lines:
        if len(line.words) == 1 and _is_glyph(line.words[0].text):
            pending = True
            continue
        bulleted, words = _bullet(line)
        bulleted, pending = bulleted or pending, False
        if not words:
            continue
        block = opened[-1] if opened else None
        new = block is None or unwrapped or block.last_x1 > page_width \
            or _starts_new(block, words, line, bulleted, right)
        lead = _bold_lead_end(None if new else block, words) if cell else None
        rest: list[Word] = []
        if lead is not None:
            words, rest = words[:lead], words[lead:]
        if new:
            opened.append(_Open([words], words[0].x0, words[0].x0, bulleted, words[0].size,
                                all(w.bold for w in words), line.bottom, line.x1,
                                [words[0].x0]))
        else:
            if len(block.lines) == 1:
                block.x = words[0].x0  # a first-line indent: the paragraph goes on from here
            block.lines.append(words)
            block.bold = block.bold and all(w.bold for w in words)
            block.bottom, block.last_x1 = line.bottom, line.x1
            block.xs.append(words[0].x0)
        if rest:
            opened.append(_Open([rest], min(l.x0 for l in lines), rest[0].x0, False, rest[0].size,
                                False, line.bottom, line.x1, [min(l.x0 for l in lines)]))
    return _as_blocks(opened, body)


def _as_blocks(opened: list[_Open], body: float) -> list[Block]:
    """Open blocks as Blocks: indented ones (every line) or bulleted ones list items, at the
    level of their indentation; larger type than the body a heading; the rest paragraphs."""
    if not opened:
        return []
    left = min(b.first_x for b in opened)
    indents = sorted({round(b.x) for b in opened if b.bulleted or min(b.xs) > left + 6})
    out = []
    for block in opened:
        text = join_wrapped([" ".join(w.text for w in words) for words in block.lines])
        level = 1 + next((i for i, x in enumerate(indents) if abs(x - block.x) <= 3), 0)
        path = f"page {block.lines[0][0].page}"
        if block.bulleted or min(block.xs) > left + 6:
            out.append(Block("list_item", text, level, "•", path=path))
        elif body and block.size > body + 1.0:
            out.append(Block("heading", text, 1 if block.size > body * 1.35 else 2, path=path))
        else:
            out.append(Block("paragraph", text, path=path))
    return out


def _wraps(lines: list[Line], right: float) -> bool:
    """Whether a layout wrapped these lines: most end near one right edge. Text drawn line by
    line, never wrapped, ends anywhere; each of its lines is a block."""
    if len(lines) < 4:
        return True
    left = min(l.x0 for l in lines)
    slack = max(0.2 * (right - left), 3 * statistics.median(l.size for l in lines))
    return sum(l.x1 >= right - slack for l in lines) >= 0.4 * len(lines)


def body_size(lines: list[Line]) -> float:
    """The font size most of the document's words are set in."""
    sizes = [round(w.size, 1) for line in lines for w in line.words]
    return statistics.mode(sizes) if sizes else 0.0


# --- tables whose cells are centred vertically ------------------------------------------------
# A browser or a word processor may centre a cell's text in its row: the time of an agenda row
# then sits beside the middle of its concept cell, below the cell's first lines (and a narrow
# time cell wraps, '10.00-' over '10.15'). Rows cannot be read from the line the time is on;
# they are rebuilt from where each time sits (see _centred_rows).
@dataclass
class _Stretch:
    start: int  # index of its first line in the region
    end: int  # past its last line
    items: list  # Lines (read as text) and lists of cells (table rows), in reading order


def _cell_edge(lines: list[Line]) -> float | None:
    """Where a table's second column starts: the commonest left edge of the lines that start
    well right of the region's left edge."""
    left = min(l.x0 for l in lines)
    size = statistics.median(l.size for l in lines)
    starts = Counter(round(l.x0) for l in lines if l.x0 > left + 2 * size)
    return float(starts.most_common(1)[0][0]) if starts else None


def _split(line: Line, edge: float) -> tuple[list[Word], list[Word]] | None:
    """A line's words left of a column edge and right of it; None when a word crosses it."""
    left = [w for w in line.words if w.x1 < edge - 3]
    right = [w for w in line.words if w.x0 >= edge - 3]
    return (left, right) if len(left) + len(right) == len(line.words) else None


def _row_cost(rows: list[Line], anchor: list[Line], centred: bool) -> float:
    """How far a row (its right-hand lines) is from holding its first cell's lines (`anchor`)
    centred in it (or at its top); half a line for a row with no other cell (a heading set in
    the first column). A row broken by a page is centred in neither part: its first cell sits at
    the top of, or centred in, the part on its own page."""
    if not rows:
        return 0.5 * anchor[0].size
    page = anchor[0].words[0].page
    if any(w.page != page for line in rows for w in line.words):
        part = [l for l in rows if l.words[0].page == page]
        if not part:
            return float("inf")
        return min(abs(part[0].top - anchor[0].top), _row_cost(part, anchor, True))
    if centred:
        return abs((rows[0].top + rows[-1].bottom) / 2 - (anchor[0].top + anchor[-1].bottom) / 2)
    return abs(rows[0].top - anchor[0].top)


def _centred_rows(anchors: list[list[Line]], rights: list[Line]) -> tuple[float, list[int]]:
    """The cheapest split of the right-hand lines into one row per anchor (a run of lines
    before the first anchor's row, going on from above, costs nothing), each row's lines above
    the next anchor's middle and below the previous one's: its cost and each row's end."""
    middles = [(a[0].top + a[-1].bottom) / 2 for a in anchors]
    n, m = len(anchors), len(rights)
    inf = float("inf")
    # best[k][j]: the cheapest split of rights[:j] into the first k rows; cut[k][j]: where
    # the k-th of those rows starts
    best = [[inf] * (m + 1) for _ in range(n + 1)]
    cut = [[0] * (m + 1) for _ in range(n + 1)]
    for j in range(m + 1):
        if j == 0 or rights[j - 1].bottom <= middles[0]:
            best[0][j] = 0.0
    for k in range(1, n + 1):
        low = middles[k - 2] if k >= 2 else -inf
        high = middles[k] if k < n else inf
        for j in range(m + 1):
            if j and rights[j - 1].top >= high:
                break
            best[k][j], cut[k][j] = _cheapest_start(best[k - 1], anchors[k - 1], rights, j, low)
    if best[n][m] == inf:
        return inf, []
    ends, j = [], m
    for k in range(n, 0, -1):
        ends.append(j)
        j = cut[k][j]
    return best[n][m], [j] + ends[::-1]


def _cheapest_start(before: list[float], anchor: list[Line], rights: list[Line], end: int,
                    low: float) -> tuple[float, int]:
    """Where the row of `anchor` ending at rights[end] best starts (no line of it above
    `low`), given the cheapest cost of the rows before each start, and that total's cost."""
    cost, start = float("inf"), 0
    for i in range(end, -1, -1):
        if i < end and rights[i].bottom <= low:
            break
        if before[i] != float("inf"):
            total = before[i] + _row_cost(rights[i:end], anchor, True)
            if total < cost:
                cost, start = total, i
    return cost, start


def _top_rows_cost(anchors: list[list[Line]], rights: list[Line]) -> float:
    """The cost of the rows read the usual way, each starting where its anchor starts."""
    cost = 0.0
    for k, anchor in enumerate(anchors):
        nxt = anchors[k + 1][0].top - 2 if k + 1 < len(anchors) else float("inf")
        rows = [l for l in rights if anchor[0].top - 2 <= l.top < nxt]
        cost += _row_cost(rows, anchor, False)
    return cost


def _row_cells(anchor: list[Line], rows: list[Line]) -> list[list[Line]]:
    """A row's cells: its first cell, then the right-hand lines by the column each segment
    starts in (a column starts where a line's later segment does, or a line that starts right
    of where every line starting left of it ends: a narrow cell's lines beside a wider one's)."""
    starts = [min(l.x0 for l in rows)]
    for line in rows:
        ends_left = [l.x1 for l in rows if l.x0 < line.x0 - 3]
        if ends_left and line.x0 > max(ends_left) + 3 and all(abs(line.x0 - x) > 3 for x in starts):
            starts.append(line.x0)
        for segment in line.segments[1:]:
            if not _is_glyph(line.segments[0][-1].text) and \
                    all(abs(segment[0].x0 - x) > 3 for x in starts):
                starts.append(segment[0].x0)
    starts.sort()
    columns: list[list[Line]] = [[] for _ in starts]
    for line in rows:
        _into_columns(line, starts, columns)
    return [c for c in [list(anchor)] + columns if c]


def _into_columns(line: Line, starts: list[float], cells: list[list[Line]]) -> None:
    """Each of a line's segments, as a line of its own, into the cell of the column it starts
    in (`starts`: the columns' left edges, left to right)."""
    for segment in line.segments:
        column = max(c for c, x in enumerate(starts) if x <= segment[0].x0 + 3)
        cells[column].append(Line(segment, [segment]))


def _row_block(cells: list[list[Line]], body: float, page_width: float) -> Block:
    return Block("table_row", cells=tuple(tuple(cell_blocks(c, body, page_width, cell=True))
                                          for c in cells),
                 path=f"page {cells[0][0].words[0].page}")


def centred_stretches(lines: list[Line]) -> list[_Stretch]:
    """The runs of a region's lines that are a table with vertically centred cells, each as
    its rows (see _centred_rows); a run whose rows read better from the line each first cell
    starts on (the usual layout, or a hanging list) is left alone."""
    if len(lines) < 4:
        return []
    edge = _cell_edge(lines)
    if edge is None:
        return []
    out: list[_Stretch] = []
    i = 0
    while i < len(lines):
        j = i
        parts = []
        while j < len(lines) and (split := _split(lines[j], edge)) is not None:
            parts.append(split)
            j += 1
        if j == i:
            i += 1
            continue
        stretch = _stretch(i, j, parts)
        if stretch is not None:
            out.append(stretch)
        i = j
    return out


def _stretch(start: int, end: int, parts: list[tuple[list[Word], list[Word]]]) -> _Stretch | None:
    anchors: list[list[Line]] = []
    rights: list[Line] = []
    beside = False  # the last first-column line shares its line with a right-hand one
    for left, right in parts:
        if left:
            line = _line(left)
            # a first cell wrapped ('10.00-' over '10.15') goes on; a line beside right-hand
            # text starts a cell of its own (a header row under a heading), unless the line
            # above broke at a hyphen
            if anchors and line.top - anchors[-1][-1].bottom <= 0.6 * line.size \
                    and (not (beside or right) or anchors[-1][-1].text.endswith("-")):
                anchors[-1].append(line)
            else:
                anchors.append([line])
            beside = bool(right)
        if right:
            rights.append(_line(right))
    if len(anchors) < 2 or len(rights) < 3 or sum(map(len, anchors)) >= len(rights):
        return None
    if any(_is_glyph(a[0].words[0].text) for a in anchors):
        return None  # a hanging list's bullets, not a table's first column
    cost, ends = _centred_rows(anchors, rights)
    size = statistics.median(l.size for l in rights)
    if cost + 0.25 * size >= _top_rows_cost(anchors, rights):
        return None
    items: list = list(rights[:ends[0]])
    for anchor, a, b in zip(anchors, ends, ends[1:]):
        rows = rights[a:b]
        if rows:
            items.append(_row_cells(anchor, rows))
        else:
            items += anchor
    return _Stretch(start, end, items)


def region_blocks(lines: list[Line], body: float, page_width: float) -> list[Block]:
    """A region's blocks: table rows (a line of several segments and the lines below that start
    inside its cells) and, between them, paragraphs and lists."""
    out: list[Block] = []
    run: list[Line] = []
    stretches = {s.start: s for s in centred_stretches(lines)}
    i = 0
    while i < len(lines):
        line = lines[i]
        if i in stretches:
            for item in stretches[i].items:
                if isinstance(item, Line):
                    run.append(item)
                    continue
                out += cell_blocks(run, body, page_width)
                run = []
                out.append(_row_block(item, body, page_width))
            i = stretches[i].end
            continue
        if len(line.segments) < 2 or _is_glyph(line.segments[0][-1].text):
            run.append(line)
            i += 1
            continue
        out += cell_blocks(run, body, page_width)
        run = []
        starts = [segment[0].x0 for segment in line.segments]
        cells: list[list[Line]] = [[] for _ in starts]
        for column, segment in enumerate(line.segments):
            cells[column].append(Line(segment, [segment]))
        i += 1
        while i < len(lines) and lines[i].x0 >= starts[1] - 3:
            _into_columns(lines[i], starts, cells)
            i += 1
        out.append(_row_block(cells, body, page_width))
    out += cell_blocks(run, body, page_width)
    return out



# --- running headers and footers ---------------------------------------------------------
# Print furniture a browser or a word processor adds at a page's edges: the date and time of
# printing, the file's address, 'n/m' or 'Page n of m'.
_FURNITURE_RE = re.compile(
    r"^\s*(?:\d{1,2}/\d{1,2}/\d{2,4},?\s+\d{1,2}:\d{2}(?:\s*[AP]M)?\b.*"
    r"|(?:file|https?)://\S+(?:\s+\d{1,4}\s*/\s*\d{1,4})?"
    r"|(?:page\s+)?\d{1,4}\s*(?:/|of)\s*\d{1,4}|page\s+\d{1,4})\s*$", re.IGNORECASE)
_EDGE = 3  # lines at each end of a page where running headers and footers sit


def running_line_indexes(pages: list[list[str]]) -> list[set[int]]:
    """For each page (its lines, top to bottom), the indexes of its running header and footer
    lines (see drop_running_lines). A running line repeats at the same end of the pages: a line
    at the foot of one page and the head of another (a table row a page break put there, the
    same closing remarks on both days) is text."""
    edges = [_edge_indexes(lines) for lines in pages]
    repeated: Counter[tuple[str, str]] = Counter()
    for lines, ends in zip(pages, edges):
        repeated.update({(end, _shape(lines[i])) for end, indexes in ends.items()
                         for i in indexes if lines[i].strip()})
    running = {key for key, n in repeated.items() if len(pages) >= 3 and n >= 0.6 * len(pages)}
    return [{i for end, indexes in ends.items() for i in indexes
             if _FURNITURE_RE.match(unicodedata.normalize("NFKC", lines[i]))
             or (end, _shape(lines[i])) in running} for lines, ends in zip(pages, edges)]


def _edge_indexes(lines: list[str]) -> dict[str, list[int]]:
    filled = [i for i, line in enumerate(lines) if line.strip()]
    return {"head": filled[:_EDGE], "foot": filled[-_EDGE:]}


def _shape(line: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", line).split())


def drop_repeated_table_heads(pages: list[list[Line]]) -> None:
    """Drop a table's header row where a browser or a word processor printed it again at the
    top of a page the table goes on to (left in, it reads as a row of its own in the middle of
    the row the page broke): a page's first line, of several cells and no digits (labels, not a
    row of times), that an earlier page already holds, after a page that ended inside a table
    (its last line has several cells or starts right of the page's left edge, in a cell)."""
    seen: set[str] = set()
    for before, lines in zip([[]] + pages, pages):
        if seen and before and lines and len(lines[0].segments) > 1 \
                and not any(c.isdigit() for c in lines[0].text) \
                and _shape(lines[0].text) in seen and _ends_in_table(before):
            del lines[0]
        seen.update(_shape(line.text) for line in lines if len(line.segments) > 1)


def _ends_in_table(lines: list[Line]) -> bool:
    last = lines[-1]
    return len(last.segments) > 1 or last.x0 > min(l.x0 for l in lines) + 2 * last.size


class TooMuchText(Exception):
    """The PDF's text passed the character limit while it was read."""


def document_blocks(pages, max_chars: int) -> tuple[list[list[Block]], bool]:
    """Each pdfplumber page's blocks in reading order, running headers and footers dropped,
    and whether the document was drawn line by line (see below);
    TooMuchText once the words read pass `max_chars` characters. A document whose text never
    reaches half a page's width, or whose pages are wider than any print medium, was drawn
    line by line, not laid out (a text file printed as it is): each of its lines is a paragraph of its own, its indentation and blank lines
    kept, as the text had them."""
    read, total = [], 0
    for page in pages:
        lines = group_lines(page_words(page))
        add_marks(lines, page_marks(page))
        total += sum(len(line.text) + 1 for line in lines)
        if total > max_chars:
            raise TooMuchText()
        read.append((lines, float(page.width)))
        page.flush_cache()
    running = running_line_indexes([[line.text for line in lines] for lines, _ in read])
    kept = [[line for i, line in enumerate(lines) if i not in drop]
            for (lines, _), drop in zip(read, running)]
    drop_repeated_table_heads(kept)
    if all(max((l.x1 for l in lines), default=0) < width / 2 or width > _NO_PRINT_WIDTH
           for lines, (_, width) in zip(kept, read)):
        return [drawn_lines(lines) for lines in kept], True
    body = body_size([line for lines in kept for line in lines])
    regions: list[tuple[list[Line], float]] = []
    for number, (lines, (_, width)) in enumerate(zip(kept, read), 1):
        for line in lines:
            for word in line.words:
                word.page = number
        ordered = reading_order(lines, width)
        if regions and ordered and _flows_on(regions[-1][0], ordered[0]):
            _shift_below(regions[-1][0], ordered[0])
            regions[-1][0].extend(ordered.pop(0))
        regions += [(region, width) for region in ordered if region]
    pages_out: list[list[Block]] = [[] for _ in read]
    for region, width in regions:
        for block in region_blocks(region, body, width):
            pages_out[int(block.path.split()[-1]) - 1].append(block)
    return pages_out, False


def _flows_on(before: list[Line], after: list[Line]) -> bool:
    """Whether a page's first region goes on from the previous page's last one (a paragraph,
    a list item or a table row broken by the page): it starts at the same left edge or right of
    it (inside the cell a row broke in), not left of it (a left column after a right one)."""
    return bool(before and after) and after[0].x0 >= min(l.x0 for l in before) - 3


def _shift_below(before: list[Line], after: list[Line]) -> None:
    """Move the next page's lines up so they follow the previous page's last line at one line's
    pitch, as if the page had not broken."""
    last = before[-1]
    delta = (last.bottom + 0.2 * last.size) - after[0].top
    for line in after:
        for word in line.words:
            word.top += delta
            word.bottom += delta


def drawn_lines(lines: list[Line]) -> list[Block]:
    """A page drawn line by line, as its lines: one paragraph each, led by as many spaces as its
    indentation holds and its words apart by as many as their gaps hold, with the blank lines
    its vertical gaps hold between them."""
    if not lines:
        return []
    left = min(l.x0 for l in lines)
    pitches = [b.top - a.top for a, b in zip(lines, lines[1:]) if b.top > a.top]
    pitch = statistics.median(pitches) if pitches else 0.0
    gaps = [b.x0 - a.x1 for line in lines for a, b in zip(line.words, line.words[1:])]
    space = statistics.median(gaps) if gaps else 0.3 * lines[0].size  # most gaps are one space
    out: list[Block] = []
    previous = None
    for line in lines:
        if previous is not None and pitch > 0:
            out += [Block("paragraph", "")] * max(0, round((line.top - previous.top) / pitch) - 1)
        indent = round((line.x0 - left) / space) if space else 0
        text = line.words[0].text
        for before, word in zip(line.words, line.words[1:]):
            text += " " * max(1, round((word.x0 - before.x1) / space) if space else 1) + word.text
        out.append(Block("paragraph", " " * indent + text))
        previous = line
    return out
