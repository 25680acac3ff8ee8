"""Bytes -> clean text, for .txt/.md, .pdf, .docx and .html. Only reads; never parses or writes.

Every extractor is defensive: the bytes come from users. A file that cannot be read becomes an
ExtractedDocument with a status and a reason, never an exception. Extraction also runs in a
child process with time and memory limits (gcmdash/runner/isolate.py), so a file that gets past these
checks still cannot hang or exhaust the build.
"""
from __future__ import annotations

import hashlib
import errno
import io
import os
import re
import stat
import zipfile
from dataclasses import dataclass, field, replace
from html.parser import HTMLParser
from pathlib import Path

from gcmdash.extract.text import clean_text

MAX_BYTES = 50 * 1024 * 1024  # a larger "document" is not a meeting record
MAX_TEXT_CHARS = 20_000_000  # extracted text beyond this is refused, whatever the container
DOCX_MAX_UNCOMPRESSED = 200 * 1024 * 1024
DOCX_MAX_RATIO = 200  # a part inflating over 200x its compressed size is a zip bomb

SUPPORTED_SUFFIXES = (".txt", ".md", ".pdf", ".docx", ".html", ".htm")
# documents.status values besides 'loaded' and 'duplicate'
FAILED, ENCRYPTED, NO_TEXT = "failed", "encrypted", "no_text"


@dataclass(frozen=True)
class ExtractedDocument:
    document_id: str
    file_name: str
    sha256: str
    size_bytes: int
    format: str
    text: str | None  # None when extraction failed
    error: str | None = None
    status: str = "ok"  # ok / failed / encrypted / no_text
    page_starts: tuple[int, ...] = field(default=())  # first text line of each page (PDF)

    def renamed(self, path: Path) -> "ExtractedDocument":
        """The same content under another file name (cache hits, identical files)."""
        return replace(self, document_id=path.name, file_name=path.name)


@dataclass(frozen=True)
class RejectedEntry:
    """Something in the input folder that is not a regular file the build may read, and why."""

    name: str  # printable: an undecodable byte shows as \\xNN
    reason: str


def _entry_problem(raw_dir: Path, root: str, entry: os.DirEntry) -> str | None:
    """Why this directory entry is not an input (None: a regular file, or a link to one inside
    the folder). lstat only, then stat of a link's target: nothing is opened, so a FIFO or a
    device cannot block."""
    try:
        entry.name.encode("utf-8")
    except UnicodeEncodeError:
        return "the file name is not valid UTF-8; rename the file to read it"
    try:
        mode = entry.stat(follow_symlinks=False).st_mode
        if stat.S_ISLNK(mode):
            target = os.path.realpath(raw_dir / entry.name)
            if os.path.commonpath([root, target]) != root:
                return "a link to a file outside the input folder (links are not followed out)"
            mode = (raw_dir / entry.name).stat().st_mode
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "a symbolic link loop"
        if exc.errno == errno.ENOENT:
            return "a link to a file that does not exist"
        return f"cannot be examined: {exc.strerror or exc}"
    for test, kind in ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a named pipe (FIFO)"),
                       (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
                       (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return f"{kind}, not a regular file"
    return None if stat.S_ISREG(mode) else "not a regular file"


def discover_entries(raw_dir: Path) -> tuple[list[Path], list[RejectedEntry]]:
    """Input files in data/raw in a stable order, and the entries that cannot be inputs with
    the reason: links that loop, dangle or lead out of the folder, FIFOs, devices, sockets,
    folders named like documents, undecodable names. Hidden entries and other folders are
    not inputs."""
    if not raw_dir.is_dir():
        raise FileNotFoundError(f"input folder {raw_dir} does not exist")
    root = os.path.realpath(raw_dir)
    files, rejected = [], []
    with os.scandir(raw_dir) as entries:
        for entry in sorted(entries, key=lambda e: e.name):
            if entry.name.startswith("."):
                continue
            problem = _entry_problem(raw_dir, root, entry)
            if problem is None:
                files.append(raw_dir / entry.name)
            elif not (problem.startswith("a folder")
                      and Path(entry.name).suffix.lower() not in SUPPORTED_SUFFIXES):
                printable = os.fsencode(entry.name).decode("utf-8", "backslashreplace")
                rejected.append(RejectedEntry(printable, problem))
    return files, rejected


def discover(raw_dir: Path) -> list[Path]:
    """Input files in data/raw, in a stable order (see discover_entries for what is left out)."""
    return discover_entries(raw_dir)[0]


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


class ExtractionFailed(Exception):
    def __init__(self, status: str, reason: str) -> None:
        super().__init__(reason)
        self.status = status


# --- text --------------------------------------------------------------------------------------
def decode(data: bytes) -> str:
    """Text bytes -> str: BOMs, then UTF-8 (a lone surrogate encoded in it is kept, and cleaned
    later), then the detected encoding (charset-normalizer), then Windows-1252."""
    for bom, codec in ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16")):
        if data.startswith(bom):
            return data.decode(codec, errors="replace").lstrip("\ufeff")
    for errors in ("strict", "surrogatepass"):
        try:
            return data.decode("utf-8", errors=errors)
        except UnicodeDecodeError:
            pass
    from charset_normalizer import from_bytes

    best = from_bytes(data[:1_000_000]).best()
    if best is not None and best.encoding not in _LATIN_SINGLE_BYTE | {"ascii", "utf_8"}:
        try:
            return data.decode(best.encoding, errors="replace")
        except LookupError:
            pass
    # Short Latin text is ambiguous between Windows code pages; Word documents from UN offices
    # are Windows-1252, so it wins among the Latin ones.
    return data.decode("cp1252", errors="replace")


_LATIN_SINGLE_BYTE = frozenset({"cp1250", "cp1252", "cp1254", "cp1257", "latin_1", "iso8859_1",
                                "iso8859_2", "iso8859_9", "iso8859_15", "mac_roman", "mac_latin2",
                                "cp850", "cp437"})


def _text_file(data: bytes) -> tuple[str, tuple[int, ...]]:
    if data.count(b"\x00") > len(data) // 10 and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ExtractionFailed(FAILED, "binary content in a text file (NUL bytes)")
    return decode(data), ()


# --- PDF ---------------------------------------------------------------------------------------
def _pdf(data: bytes) -> tuple[str, tuple[int, ...]]:
    import pypdf
    from pypdf.errors import FileNotDecryptedError, LimitReachedError, PyPdfError

    if not data.lstrip()[:5].startswith(b"%PDF"):
        raise ExtractionFailed(FAILED, "not a PDF file (no %PDF header)")
    try:
        reader = pypdf.PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            try:  # an empty user password only restricts editing; the text is readable
                if not reader.decrypt(""):
                    raise ExtractionFailed(ENCRYPTED, "the PDF is encrypted with a password")
            except (FileNotDecryptedError, NotImplementedError) as exc:
                raise ExtractionFailed(ENCRYPTED, f"the PDF is encrypted: {exc}") from None
        pages: list[str] = []
        total = 0
        for page in reader.pages:
            text = page.extract_text() or ""
            total += len(text)
            if total > MAX_TEXT_CHARS:
                raise ExtractionFailed(FAILED, f"the PDF holds over {MAX_TEXT_CHARS:,} characters of text")
            pages.append(text)
    except ExtractionFailed:
        raise
    except LimitReachedError:
        raise ExtractionFailed(FAILED, "refused: a PDF stream inflates past the decompression "
                                       "limit (a decompression bomb)") from None
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError,
            AssertionError, RecursionError, OSError, zipfile.BadZipFile) as exc:
        raise ExtractionFailed(FAILED, f"not a readable PDF: {type(exc).__name__}: {exc}") from None
    starts, lines = [], 0
    for text in pages:
        starts.append(lines + 1)
        lines += text.count("\n") + 1
    return "\n".join(pages), tuple(starts)


# --- DOCX --------------------------------------------------------------------------------------
def _check_zip(data: bytes) -> None:
    """Refuse zip bombs and XML entity tricks before any XML parser sees the parts."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise ExtractionFailed(FAILED, "not a DOCX file (not a zip archive)") from None
    with archive:
        infos = archive.infolist()
        if "word/document.xml" not in {i.filename for i in infos}:
            raise ExtractionFailed(FAILED, "not a DOCX file (no word/document.xml)")
        total = sum(i.file_size for i in infos)
        if total > DOCX_MAX_UNCOMPRESSED:
            raise ExtractionFailed(FAILED, f"refused: the DOCX inflates to {total:,} bytes "
                                           f"(limit {DOCX_MAX_UNCOMPRESSED:,}): a zip bomb")
        for info in infos:
            if info.compress_size and info.file_size / info.compress_size > DOCX_MAX_RATIO \
                    and info.file_size > 1_000_000:
                raise ExtractionFailed(FAILED, f"refused: {info.filename} inflates "
                                               f"{info.file_size // max(info.compress_size, 1)}x: a zip bomb")
        for info in infos:
            if info.filename.endswith((".xml", ".rels")):
                with archive.open(info) as part:
                    head = part.read(4096)
                if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                    raise ExtractionFailed(FAILED, f"refused: {info.filename} declares a DOCTYPE "
                                                   "or entities (an XML entity attack)")


def _docx(data: bytes) -> tuple[str, tuple[int, ...]]:
    _check_zip(data)
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(io.BytesIO(data))
        lines: list[str] = []
        for block in document.element.body.iterchildren():
            tag = block.tag.rsplit("}", 1)[-1]
            if tag == "p":
                lines.extend(Paragraph(block, document).text.split("\n"))
            elif tag == "tbl":
                for row in Table(block, document).rows:
                    lines.append("\t".join(" ".join(c.text.split()) for c in row.cells))
    except ExtractionFailed:
        raise
    except Exception as exc:  # noqa: BLE001 - any library failure on user bytes is a clear failure
        raise ExtractionFailed(FAILED, f"not a readable DOCX: {type(exc).__name__}: {exc}") from None
    return "\n".join(lines), ()


# --- HTML --------------------------------------------------------------------------------------
_BLOCK_TAGS = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul",
               "ol", "section", "article", "header", "footer", "blockquote", "pre", "hr", "dt",
               "dd", "title", "main", "nav", "aside", "figure", "figcaption", "address"}
_SKIP_TAGS = {"script", "style", "noscript", "template", "head", "svg", "iframe", "object"}
_META_CHARSET_RE = re.compile(rb"<meta[^>]+charset=[\"']?([A-Za-z0-9_-]+)", re.IGNORECASE)


class _HtmlText(HTMLParser):
    """HTML -> text lines: block elements end lines, table cells are tab-separated, scripts and
    styles are dropped. Text only: nothing is rendered or executed."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):  # noqa: ARG002
        if tag in _SKIP_TAGS:
            self._skip += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")
        elif tag in ("td", "th"):
            self.parts.append("\t")

    def handle_endtag(self, tag):
        if tag in _SKIP_TAGS:
            self._skip = max(0, self._skip - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(re.sub(r"[ \t\r\n]+", " ", data))

    def text(self) -> str:
        lines = "".join(self.parts).split("\n")
        cleaned = [re.sub(r" *\t *", "\t", line).strip(" ").lstrip("\t") for line in lines]
        out: list[str] = []
        for line in cleaned:  # at most one blank line in a row
            if line or (out and out[-1]):
                out.append(line)
        return "\n".join(out).strip("\n")


def _html(data: bytes) -> tuple[str, tuple[int, ...]]:
    declared = _META_CHARSET_RE.search(data[:4096])
    text = None
    if declared:
        try:
            text = data.decode(declared.group(1).decode("ascii"), errors="replace")
        except LookupError:
            text = None
    parser = _HtmlText()
    parser.feed(text if text is not None else decode(data))
    parser.close()
    return parser.text(), ()


_EXTRACTORS = {".txt": _text_file, ".md": _text_file, ".pdf": _pdf, ".docx": _docx,
               ".html": _html, ".htm": _html}


def extract(path: Path) -> ExtractedDocument:
    """Read one file into clean text, or a status and a reason."""
    size = path.stat().st_size
    suffix = path.suffix.lower()
    base = dict(document_id=path.name, file_name=path.name, size_bytes=size,
                format=suffix.lstrip(".") or "none")
    if size > MAX_BYTES:
        return ExtractedDocument(**base, sha256=sha256_file(path), text=None, status=FAILED,
                                 error=f"file is {size:,} bytes; the limit is {MAX_BYTES:,}")
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    extractor = _EXTRACTORS.get(suffix)
    if extractor is None:
        return ExtractedDocument(**base, sha256=digest, text=None, status=FAILED,
                                 error=f"unsupported format '{suffix or path.name}' "
                                       f"(supported: {', '.join(SUPPORTED_SUFFIXES)})")
    try:
        raw, page_starts = extractor(data)
    except ExtractionFailed as failure:
        return ExtractedDocument(**base, sha256=digest, text=None, status=failure.status,
                                 error=str(failure))
    if len(raw) > MAX_TEXT_CHARS:
        return ExtractedDocument(**base, sha256=digest, text=None, status=FAILED,
                                 error=f"over {MAX_TEXT_CHARS:,} characters of text")
    text = clean_text(raw)
    if not text.strip():
        reason = ("no extractable text (a scanned PDF needs OCR, which gcmdash does not do)"
                  if suffix == ".pdf" else "the file holds no text")
        return ExtractedDocument(**base, sha256=digest, text=None, status=NO_TEXT, error=reason)
    return ExtractedDocument(**base, sha256=digest, text=text, page_starts=page_starts)
