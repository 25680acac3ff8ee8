"""Render each seed's structure (tests/roundtrip/model.py) with the tools a user would use.

Writers of our own (Markdown, web-page HTML, the same with <br>-wrapped paragraphs, a plain-text
export wrapped at 72 characters, python-docx, reportlab PDFs in four layouts and one with a
running header) and the real tools fed from them (pandoc, LibreOffice, Chromium print-to-PDF).
Every rendering keeps the document's text (tests check it word for word); only layout and
structure markup change, except the one marked keeps_text=False, where the tool drops text by
design and the facts it loses must be flagged. Files go to a temporary folder the tests make;
nothing is committed.

A rendering whose tool is missing is skipped with the reason, unless CI=true, where a missing
tool is an error (.ci/run installs them).
"""
from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Callable
from xml.sax.saxutils import escape as xml_escape

from tests.roundtrip.model import (
    HEADING,
    ITEM,
    PARA,
    TABLE,
    Block,
    SeedModel,
    seed_model,
)
from tests.roundtrip.writers import (
    to_cms_html,
    to_docx_numbered,
    to_docx_plain,
    to_markdown_setext,
    windows_text,
    write_docx_body,
)

_ROMAN_RE = re.compile(r"^[IVX]+\.(\s|$)")
TOOL_TIMEOUT = 180  # seconds for one external conversion call


class ToolMissing(Exception):
    """The rendering needs a program this machine lacks."""


@dataclass(frozen=True)
class Rendering:
    name: str
    suffix: str
    tools: tuple[str, ...]  # programs that must be on PATH
    make: Callable[[list[SeedModel], Path], dict[str, Path]]  # models, folder -> {seed: file}
    describe: str
    keeps_text: bool = True  # False: the tool itself drops text (numbering, markup) by design


def under_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


def missing_tools(rendering: Rendering) -> list[str]:
    return [tool for tool in rendering.tools if shutil.which(tool) is None]


# --- Markdown ---------------------------------------------------------------------------------
def _md_cell(cell: tuple[Block, ...]) -> str:
    parts = []
    for block in cell:
        text = " ".join(block.text.split()).replace("|", "\\|")
        parts.append(f"**{text}**" if block.bold else f"▪ {text}" if block.kind == ITEM else text)
    return " ".join(parts)


def to_markdown(model: SeedModel) -> str:
    out: list[str] = []
    for block in model.blocks:
        if block.kind == HEADING and "\n" not in block.text:
            out.append(f"{'#' * block.level} {block.text}")
        elif block.kind == HEADING:  # a heading with hard line breaks: bold lines
            out.append("\\\n".join(f"**{line}**" for line in block.text.split("\n")))
        elif block.kind == PARA:
            out.append("\\\n".join(block.text.split("\n")))
        elif block.kind == ITEM:
            if out and out[-1].startswith("- "):
                out[-1] += f"\n- {block.text}"
            else:
                out.append(f"- {block.text}")
        elif block.kind == TABLE:
            rows = [[_md_cell(c) for c in row] for row in block.rows]
            width = max(len(r) for r in rows)
            rows = [r + [""] * (width - len(r)) for r in rows]
            head = rows.pop(0) if block.header else [""] * width
            lines = ["| " + " | ".join(head) + " |", "|" + "---|" * width]
            lines += ["| " + " | ".join(r) + " |" for r in rows]
            out.append("\n".join(lines))
    return "\n\n".join(out) + "\n"


# --- HTML (our own web-page writer) -----------------------------------------------------------
def _html_blocks(blocks: tuple[Block, ...] | list[Block]) -> str:
    out: list[str] = []
    in_list = False
    for block in blocks:
        if block.kind == ITEM and not in_list:
            out.append("<ul>")
            in_list = True
        elif block.kind != ITEM and in_list:
            out.append("</ul>")
            in_list = False
        text = "<br>\n".join(html.escape(line) for line in block.text.split("\n"))
        if block.kind == HEADING:
            out.append(f"<h{block.level}>{text}</h{block.level}>")
        elif block.kind == ITEM:
            out.append(f"<li>{text}</li>")
        elif block.kind == PARA:
            out.append(f"<p><strong>{text}</strong></p>" if block.bold else f"<p>{text}</p>")
        elif block.kind == TABLE:
            out.append(_html_table(block))
    if in_list:
        out.append("</ul>")
    return "\n".join(out)


def _br_wrapped(block: Block, width: int = 64) -> Block:
    """The block as an e-mail or a converted text file writes HTML: each paragraph and list
    item wrapped at `width` characters with <br> line breaks, its own hard breaks kept."""
    import textwrap
    from dataclasses import replace

    if block.kind == TABLE:
        rows = tuple(tuple(tuple(_br_wrapped(b, width) for b in cell) for cell in row)
                     for row in block.rows)
        return replace(block, rows=rows)
    if block.kind not in (PARA, ITEM):
        return block
    lines = [wrapped for line in block.text.split("\n")
             for wrapped in textwrap.wrap(line, width, break_long_words=False,
                                          break_on_hyphens=False) or [""]]
    return replace(block, text="\n".join(lines))


def to_br_html(model: SeedModel) -> str:
    wrapped = SeedModel(model.name, model.title, [_br_wrapped(b) for b in model.blocks])
    return to_html(wrapped)


def to_wrapped_text(model: SeedModel, width: int = 72) -> str:
    """The document as a plain-text export wraps it: paragraphs at `width` characters, list
    items with a bullet and a hanging indent, a blank line between blocks, an agenda row as
    its time, a tab and its first cell's text, the rest of its cells on the lines below."""
    import textwrap

    def lines_of(block: Block) -> list[str]:
        if block.kind == ITEM:
            return textwrap.wrap(block.text.replace("\n", " "), width, initial_indent="• ",
                                 subsequent_indent="  ", break_on_hyphens=False)
        return [w for line in block.text.split("\n")
                for w in textwrap.wrap(line, width, break_on_hyphens=False) or [""]]

    out: list[str] = []
    for block in model.blocks:
        if block.kind == TABLE:
            for row in block.rows:
                firsts = [cell[0].text.replace("\n", " ") for cell in row if cell]
                out.append("\t".join(firsts))
                out += [line for cell in row for b in cell[1:] for line in lines_of(b)]
                out.append("")
            continue
        out += lines_of(block) + [""]
    return "\n".join(out)


def to_rewrapped_text(model: SeedModel, width: int, glyphs: bool = True) -> str:
    """to_wrapped_text at any width (a huge one puts each paragraph on one line), and, without
    `glyphs`, as an export that drops the bullet glyphs and their hanging indents: the list
    items are then told apart only by blank lines and the shape of their text."""
    text = to_wrapped_text(model, width)
    if not glyphs:
        text = re.sub(r"(?m)^• ", "", text)
        text = re.sub(r"(?m)^  (?=\S)", "", text)
    return text


def _html_table(block: Block) -> str:
    rows = []
    for i, row in enumerate(block.rows):
        tag = "th" if block.header and i == 0 else "td"
        cells = "".join(f"<{tag}>{_html_blocks(cell)}</{tag}>" for cell in row)
        rows.append(f"<tr>{cells}</tr>")
    return '<table class="agenda">\n' + "\n".join(rows) + "\n</table>"


_CSS = """body { font-family: 'Liberation Serif', serif; font-size: 11pt; margin: 2em; }
table.agenda { border-collapse: collapse; width: 100%; }
table.agenda td, table.agenda th { border: 1px solid #444; padding: 4px; vertical-align: top; }
table.agenda td:first-child { width: 7em; white-space: nowrap; }"""


def _intro_end(blocks: list[Block]) -> int:
    """Index of the block that ends the introduction: the second section heading."""
    sections = [i for i, b in enumerate(blocks) if b.kind == HEADING and _ROMAN_RE.match(b.text)]
    tables = [i for i, b in enumerate(blocks) if b.kind == TABLE]
    return sections[1] if len(sections) > 1 else tables[0] if tables else min(len(blocks), 8)


def to_html(model: SeedModel, two_column_intro: bool = False, css: str = _CSS) -> str:
    if two_column_intro:  # as the summaries are printed: the introduction set in two columns
        end = _intro_end(model.blocks)
        body = (f'<div style="column-count: 2; column-gap: 2em">\n{_html_blocks(model.blocks[:end])}'
                f"\n</div>\n{_html_blocks(model.blocks[end:])}")
    else:
        body = _html_blocks(model.blocks)
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">\n'
            f"<title>{html.escape(model.title)}</title>\n<style>\n{css}\n</style></head>\n"
            f"<body>\n<main>\n{body}\n</main>\n</body></html>\n")


# --- DOCX (python-docx: real heading styles, list styles and tables) --------------------------
def _docx_text(paragraph, block: Block) -> None:
    lines = block.text.split("\n")
    for n, line in enumerate(lines):  # hard line breaks stay breaks inside one paragraph
        run = paragraph.add_run(line)
        run.bold = block.bold or None
        if n < len(lines) - 1:
            run.add_break()


def _docx_block(container, block: Block, first_in_cell=None) -> None:
    if block.kind == HEADING:
        paragraph = container.add_heading("", level=block.level)
    elif block.kind == ITEM:
        paragraph = container.add_paragraph(style="List Bullet")
    elif first_in_cell is not None:
        paragraph = first_in_cell
    else:
        paragraph = container.add_paragraph()
    _docx_text(paragraph, block)


def to_docx(model: SeedModel, path: Path) -> None:
    import docx

    document = docx.Document()
    document.core_properties.title = model.title
    write_docx_body(document, model, lambda container, block, first=None: _docx_block(
        container, block, first_in_cell=first))
    document.save(str(path))


# --- PDF (reportlab) --------------------------------------------------------------------------
@dataclass(frozen=True)
class PdfLayout:
    name: str
    page: tuple[float, float]
    margins: tuple[float, float]  # left/right, top/bottom
    columns: int = 1
    font_size: float = 10.5


def _pdf_styles(layout: PdfLayout):
    from reportlab.lib.styles import ParagraphStyle

    size = layout.font_size
    body = ParagraphStyle("body", fontName="DejaVuSerif", fontSize=size, leading=size * 1.25,
                          spaceAfter=size * 0.6, splitLongWords=0)
    bold = ParagraphStyle("bold", parent=body, fontName="DejaVuSerif-Bold")
    item = ParagraphStyle("item", parent=body, leftIndent=size * 1.8, bulletIndent=size * 0.5,
                          spaceAfter=size * 0.3)
    headings = {lvl: ParagraphStyle(f"h{lvl}", parent=bold, fontSize=size * (1.5 - 0.15 * lvl),
                                    leading=size * (1.8 - 0.15 * lvl), spaceBefore=size * 0.6)
                for lvl in (1, 2, 3, 4)}
    return body, bold, item, headings


def _register_fonts() -> None:
    """DejaVu Serif when the system has it, else the Vera fonts reportlab ships (both cover the
    seeds' accents, quotes and dashes; the built-in Type 1 fonts do not)."""
    import reportlab
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if "DejaVuSerif" in pdfmetrics.getRegisteredFontNames():
        return
    dejavu = Path("/usr/share/fonts/truetype/dejavu")
    bundled = Path(reportlab.__file__).parent / "fonts"
    for regular, bold in ((dejavu / "DejaVuSerif.ttf", dejavu / "DejaVuSerif-Bold.ttf"),
                          (bundled / "Vera.ttf", bundled / "VeraBd.ttf")):
        if regular.exists() and bold.exists():
            pdfmetrics.registerFont(TTFont("DejaVuSerif", str(regular)))
            pdfmetrics.registerFont(TTFont("DejaVuSerif-Bold", str(bold)))
            return
    raise ToolMissing("no TrueType font for reportlab (Debian fonts-dejavu-core)")


def _pdf_flowables(blocks, styles, width: float) -> list:
    from reportlab.lib import colors
    from reportlab.platypus import Paragraph, Table, TableStyle

    body, bold, item, headings = styles
    out = []
    for block in blocks:
        text = "<br/>".join(xml_escape(line) for line in block.text.split("\n"))
        if block.kind == HEADING:
            out.append(Paragraph(text, headings[block.level]))
        elif block.kind == ITEM:
            out.append(Paragraph(text, item, bulletText="•"))
        elif block.kind == PARA:
            out.append(Paragraph(text, bold if block.bold else body))
        elif block.kind == TABLE:
            columns = max(len(r) for r in block.rows)
            widths = _column_widths(block, width, columns, body)
            data = [[_pdf_flowables(cell, styles, w - 12) or "" for cell, w in zip(row, widths)]
                    + [""] * (columns - len(row)) for row in block.rows]
            table = Table(data, colWidths=widths, splitInRow=1, repeatRows=0)
            table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                                       ("VALIGN", (0, 0), (-1, -1), "TOP")]))
            out.append(table)
    return out


def _column_widths(block: Block, width: float, columns: int, style) -> list[float]:
    """The time column as wide as its longest time (a wrapped time is not the same text), an
    extra column (Lunch | Space for side events) a quarter of the rest, the content the rest."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    times = [" ".join(b.text for b in row[0]) for row in block.rows if row]
    first = max(stringWidth(t, "DejaVuSerif-Bold", style.fontSize) for t in times) + 14
    rest = width - first
    if columns <= 2:
        return [first, rest][:columns]
    extra = rest * 0.25 / (columns - 2)
    return [first, rest - extra * (columns - 2)] + [extra] * (columns - 2)


def _running_title(model: SeedModel) -> str:
    """The line a word processor repeats at the top of every page: the document's title and
    its session's ordinal theme, cut to fit."""
    quoted = next((b.text for b in model.blocks if "“" in b.text), model.title)
    theme = quoted[quoted.find("“"):].split("\n")[0]
    return f"{model.title.split(chr(10))[0][:40]} — {theme}"[:110]


def to_pdf(model: SeedModel, path: Path, layout: PdfLayout, running: bool = False) -> None:
    from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate

    _register_fonts()
    page_w, page_h = layout.page
    side, top = layout.margins
    gap = 18.0
    column_w = (page_w - 2 * side - gap * (layout.columns - 1)) / layout.columns
    frames = [Frame(side + i * (column_w + gap), top, column_w, page_h - 2 * top, id=f"c{i}")
              for i in range(layout.columns)]
    header = _running_title(model) if running else None

    def furniture(canvas, doc) -> None:
        canvas.saveState()
        canvas.setFont("DejaVuSerif", 8)
        canvas.drawString(side, page_h - top / 2, header)
        canvas.drawRightString(page_w - side, top / 2, f"Page {doc.page}")
        canvas.restoreState()

    template = (PageTemplate("page", frames=frames, onPage=furniture) if running
                else PageTemplate("page", frames=frames))
    doc = BaseDocTemplate(str(path), pagesize=layout.page, title=model.title,
                          pageTemplates=[template])
    doc.build(_pdf_flowables(model.blocks, _pdf_styles(layout), column_w - 12))


A4 = (595.28, 841.89)
PDF_LAYOUTS = (
    PdfLayout("flowed", A4, (72, 72)),
    PdfLayout("narrow", A4, (170, 60), font_size=10),
    PdfLayout("wide", (1190.55, 841.89), (40, 40), font_size=9),  # A3 landscape, long lines
    PdfLayout("two-column", A4, (48, 56), columns=2, font_size=9.5),
)


# --- the renderings ---------------------------------------------------------------------------
def _write_each(suffix: str, write: Callable[[SeedModel, Path], None]):
    def make(models: list[SeedModel], folder: Path) -> dict[str, Path]:
        out = {}
        for model in models:
            path = folder / f"{Path(model.name).stem}{suffix}"
            write(model, path)
            out[model.name] = path
        return out
    return make


def _text_writer(to_text: Callable[[SeedModel], str]):
    return lambda model, path: path.write_text(to_text(model), encoding="utf-8")


def _run(command: list[str], cwd: Path | None = None) -> None:
    try:
        result = subprocess.run(command, cwd=cwd, capture_output=True, text=True,
                                timeout=TOOL_TIMEOUT, check=False)
    except subprocess.TimeoutExpired:
        raise RuntimeError(f"{command[0]} timed out after {TOOL_TIMEOUT}s") from None
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command[:3])}... failed ({result.returncode}): "
                           f"{result.stderr.strip()[-500:]}")


def _sources(models, folder: Path, suffix: str, write) -> dict[str, Path]:
    source_dir = folder / f"source{suffix.replace('.', '-')}"
    source_dir.mkdir(exist_ok=True)
    return _write_each(suffix, write)(models, source_dir)


def _pandoc(target: str, suffix: str, options: tuple[str, ...] = ()):
    def make(models, folder: Path) -> dict[str, Path]:
        sources = _sources(models, folder, ".md", _text_writer(to_markdown))
        out = {}
        for name, source in sources.items():
            path = folder / f"{source.stem}{suffix}"
            extra = (["-s", "--metadata", f"pagetitle={seed_model(name).title}"]
                     if target.startswith("html") else [])
            _run(["pandoc", "-f", "markdown", "-t", target, *extra, *options, "-o", str(path),
                  str(source)])
            out[name] = path
        return out
    return make


def _soffice_convert(sources: dict[str, Path], folder: Path, target: str,
                     infilter: str | None = None) -> dict[str, Path]:
    """LibreOffice converting each source into `folder` (one call for all of them)."""
    profile = folder / "lo-profile"
    command = ["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless",
               "--norestore"]
    if infilter:
        command.append(f"--infilter={infilter}")
    command += ["--convert-to", target, "--outdir", str(folder), *map(str, sources.values())]
    _run(command)
    suffix = "." + target.split(":")[0]
    out = {name: folder / f"{src.stem}{suffix}" for name, src in sources.items()}
    lost = [str(p) for p in out.values() if not p.exists()]
    if lost:
        raise RuntimeError(f"soffice wrote no {', '.join(lost)}")
    return out


def _soffice(source_suffix: str, write, target: str, infilter: str | None = None):
    def make(models, folder: Path) -> dict[str, Path]:
        return _soffice_convert(_sources(models, folder, source_suffix, write), folder, target,
                                infilter)
    return make


def _chain(first, *steps: tuple[str, str]):
    """A rendering made by `first`, then converted by LibreOffice through each (suffix,
    target) step in a folder of its own, as a user saves a file on into other formats."""
    def make(models, folder: Path) -> dict[str, Path]:
        stage = folder / "stage0"
        stage.mkdir(exist_ok=True)
        files = first(models, stage)
        for n, (_, target) in enumerate(steps, 1):
            stage = folder / f"stage{n}"
            stage.mkdir(exist_ok=True)
            files = _soffice_convert(files, stage, target)
        return files
    return make


def _print_to_pdf(sources: dict[str, Path], folder: Path, header_footer: bool) -> dict[str, Path]:
    out = {}
    for name, source in sources.items():
        path = folder / f"{source.stem}.pdf"
        command = ["chromium", "--headless", "--no-sandbox", "--disable-gpu",
                   f"--user-data-dir={folder / 'chromium-profile'}", "--no-first-run",
                   f"--print-to-pdf={path}"]
        if not header_footer:
            command.append("--no-pdf-header-footer")
        _run(command + [source.as_uri()])
        out[name] = path
    return out


def _chromium(header_footer: bool, two_column_intro: bool = False):
    def make(models, folder: Path) -> dict[str, Path]:
        sources = _sources(models, folder, ".html",
                           _text_writer(lambda m: to_html(m, two_column_intro=two_column_intro)))
        return _print_to_pdf(sources, folder, header_footer)
    return make


def _chromium_of_pandoc(page_css: str, header_footer: bool):
    """Chromium printing pandoc's standalone HTML of our Markdown on the page `page_css` sets
    (an @page size: the browser prints on the page size the document asks for)."""
    def make(models, folder: Path) -> dict[str, Path]:
        header = folder / "page.html"
        header.write_text(f"<style>\n{page_css}\n</style>\n", encoding="utf-8")
        html_dir = folder / "html"
        html_dir.mkdir(exist_ok=True)
        sources = _pandoc("html", ".html", ("-H", str(header)))(models, html_dir)
        return _print_to_pdf(sources, folder, header_footer)
    return make


def _pdf_writer(layout: PdfLayout, running: bool = False):
    return lambda model, path: to_pdf(model, path, layout, running)


def _copy_seed(model: SeedModel, path: Path) -> None:
    from tests.conftest import SEED_DIR

    shutil.copyfile(SEED_DIR / model.name, path)


def _pandoc_of_seed(models, folder: Path) -> dict[str, Path]:
    """pandoc reading each seed file itself as Markdown, as a user with these files would: the
    area letters and numbers become list numbering (not text in the DOCX), soft line breaks join
    lines, and raw HTML tags go."""
    from tests.conftest import SEED_DIR

    out = {}
    for model in models:
        path = folder / f"{Path(model.name).stem}.docx"
        _run(["pandoc", "-f", "markdown", "-t", "docx", "-o", str(path), str(SEED_DIR / model.name)])
        out[model.name] = path
    return out


RENDERINGS: tuple[Rendering, ...] = (
    Rendering("txt", ".txt", (), _write_each(".txt", _copy_seed), "the seed itself (the baseline)"),
    Rendering("markdown", ".md", (), _write_each(".md", _text_writer(to_markdown)),
              "our Markdown: ATX headings, '-' lists, pipe-table agenda"),
    Rendering("html", ".html", (), _write_each(".html", _text_writer(to_html)),
              "our web page: <h1-4>, <ul>/<li>, <table> agenda rows"),
    Rendering("txt-wrapped", ".txt", (), _write_each(".txt", _text_writer(to_wrapped_text)),
              "plain text export wrapped at 72 characters, bullets with a hanging indent"),
    Rendering("html-br-wrapped", ".html", (), _write_each(".html", _text_writer(to_br_html)),
              "web page whose paragraphs and items are wrapped at 64 characters with <br>"),
    Rendering("python-docx", ".docx", (), _write_each(".docx", to_docx),
              "python-docx: Heading styles, List Bullet, Table Grid agenda"),
    *(Rendering(f"reportlab-{layout.name}", ".pdf", (), _write_each(".pdf", _pdf_writer(layout)),
                f"reportlab PDF, {layout.name} layout") for layout in PDF_LAYOUTS),
    Rendering("reportlab-running-header", ".pdf", (),
              _write_each(".pdf", _pdf_writer(PDF_LAYOUTS[0], running=True)),
              "reportlab PDF, flowed, the title and theme atop every page and 'Page n' below"),
    Rendering("pandoc-docx", ".docx", ("pandoc",), _pandoc("docx", ".docx"),
              "pandoc: our Markdown to DOCX"),
    Rendering("pandoc-html", ".html", ("pandoc",), _pandoc("html", ".html"),
              "pandoc: our Markdown to standalone HTML"),
    Rendering("pandoc-docx-of-seed", ".docx", ("pandoc",), _pandoc_of_seed,
              "pandoc reading the seed .txt itself as Markdown, to DOCX (lossy)", keeps_text=False),
    Rendering("libreoffice-pdf", ".pdf", ("soffice",), _soffice(".docx", to_docx, "pdf"),
              "LibreOffice: the python-docx DOCX to PDF"),
    Rendering("libreoffice-docx", ".docx", ("soffice",),
              _soffice(".html", _text_writer(to_html), "docx:MS Word 2007 XML", "HTML (StarWriter)"),
              "LibreOffice: our web page to DOCX"),
    Rendering("chromium-pdf", ".pdf", ("chromium",), _chromium(header_footer=False),
              "Chromium print-to-PDF of our web page, no browser header/footer"),
    Rendering("chromium-pdf-headers", ".pdf", ("chromium",), _chromium(header_footer=True),
              "Chromium print-to-PDF with the browser's date/title/URL/page header and footer"),
    Rendering("chromium-pdf-two-column-intro", ".pdf", ("chromium",),
              _chromium(header_footer=False, two_column_intro=True),
              "Chromium print-to-PDF, the introduction (up to section II) in two CSS columns"),
)


# --- held-out renderings (issue 14): what new users' own tools and habits make ------------------
_SERIF_9PT_JUSTIFIED = ("body, p, li, td { font-family: 'Liberation Serif', serif; font-size: 9pt; "
                        "text-align: justify; }")
_SIZE_14PT = "body, p, li, td { font-family: 'Liberation Sans', sans-serif; font-size: 14pt; }"


def _seed_bytes(encoding: str):
    def write(model: SeedModel, path: Path) -> None:
        from tests.conftest import SEED_DIR

        text = (SEED_DIR / model.name).read_text(encoding="utf-8")
        path.write_bytes(windows_text(text, encoding))
    return write


def _css_html(css: str):
    return _text_writer(lambda m: to_html(m, css=css))


USER_RENDERINGS: tuple[Rendering, ...] = (
    Rendering("docx-word-numbering", ".docx", (), _write_each(".docx", to_docx_numbered),
              "python-docx with Word's own numbering (numbering.xml): lettered, numbered and "
              "Roman headings and bullets as list numbering, not typed"),
    Rendering("libreoffice-pdf-word-numbering", ".pdf", ("soffice",),
              _soffice(".docx", to_docx_numbered, "pdf"),
              "LibreOffice: the Word-numbered DOCX to PDF (labels drawn by the list)"),
    Rendering("docx-bold-paragraphs", ".docx", (), _write_each(".docx", to_docx_plain),
              "DOCX typed by hand: headings as bold Normal paragraphs, bullets typed '•' + tab"),
    Rendering("libreoffice-pdf-bold-paragraphs", ".pdf", ("soffice",),
              _soffice(".docx", to_docx_plain, "pdf"),
              "LibreOffice: the hand-typed DOCX to PDF"),
    Rendering("chromium-pdf-a5-headers", ".pdf", ("chromium", "pandoc"),
              _chromium_of_pandoc("@page { size: A5; }", header_footer=True),
              "Chromium print-to-PDF of pandoc's HTML on A5, with the browser's header and footer"),
    Rendering("chromium-pdf-100mm", ".pdf", ("chromium", "pandoc"),
              _chromium_of_pandoc("@page { size: 100mm 180mm; margin: 8mm; }", header_footer=False),
              "Chromium print-to-PDF of pandoc's HTML on a 100 mm wide page"),
    Rendering("pandoc-docx-odt-pdf", ".pdf", ("pandoc", "soffice"),
              _chain(_pandoc("docx", ".docx"), (".odt", "odt"), (".pdf", "pdf")),
              "pandoc: our Markdown to DOCX, LibreOffice on to ODT, then PDF"),
    Rendering("pandoc-html-toc-numbered", ".html", ("pandoc",),
              _pandoc("html5", ".html", ("--toc", "-N")),
              "pandoc: our Markdown to HTML5 with a table of contents and numbered sections"),
    Rendering("libreoffice-pdf-serif-9pt-justified", ".pdf", ("soffice",),
              _soffice(".html", _css_html(_SERIF_9PT_JUSTIFIED), "pdf:writer_pdf_Export",
                       "HTML (StarWriter)"),
              "LibreOffice: our web page to PDF in a 9 pt serif, paragraphs justified"),
    Rendering("libreoffice-pdf-14pt", ".pdf", ("soffice",),
              _soffice(".html", _css_html(_SIZE_14PT), "pdf:writer_pdf_Export", "HTML (StarWriter)"),
              "LibreOffice: our web page to PDF at 14 pt (many wraps)"),
    Rendering("html-cms", ".html", (), _write_each(".html", _text_writer(to_cms_html)),
              "a CMS's page: <div>s and <br>, entities, nav/breadcrumb/footer, a layout table"),
    Rendering("markdown-setext", ".md", (), _write_each(".md", _text_writer(to_markdown_setext)),
              "Markdown with Setext headings, '*'/'+' bullets, soft-wrapped paragraphs, "
              "two-space hard breaks"),
    Rendering("txt-crlf-bom", ".txt", (), _write_each(".txt", _seed_bytes("utf-8-sig")),
              "the seed saved by Notepad as UTF-8 with a BOM and CRLF line ends"),
    Rendering("txt-utf16", ".txt", (), _write_each(".txt", _seed_bytes("utf-16")),
              "the seed saved as 'Unicode' (UTF-16 LE with a BOM), CRLF"),
    Rendering("txt-cp1252", ".txt", (), _write_each(".txt", _seed_bytes("cp1252")),
              "the seed saved as 'ANSI' (Windows-1252, curly quotes as its bytes), CRLF"),
)
RENDERINGS += USER_RENDERINGS
RENDERING_NAMES = tuple(r.name for r in RENDERINGS)


def render(rendering: Rendering, folder: Path, names: list[str]) -> dict[str, Path]:
    """Render the named seeds into `folder`; ToolMissing when a program is absent."""
    lacking = missing_tools(rendering)
    if lacking:
        raise ToolMissing(f"{rendering.name} needs {', '.join(lacking)} (not on PATH)")
    folder.mkdir(parents=True, exist_ok=True)
    return rendering.make([seed_model(name) for name in names], folder)


_WORD_RE = re.compile(r"[^\W_]+")


def words_lost(model: SeedModel, text: str) -> Counter:
    """The model's words (case-folded, with their counts) that a rendering's text lacks: empty
    when the rendering kept the text. Words it adds (browser headers, say) are not counted."""
    want = Counter(_WORD_RE.findall(" ".join(b.text for b in model.text_blocks()).casefold()))
    return want - Counter(_WORD_RE.findall(text.casefold()))
