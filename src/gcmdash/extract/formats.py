"""Bytes -> clean text, for .txt/.md, .pdf, .docx and .html. Only reads; never parses or writes.

Every extractor is defensive: the bytes come from users. A file that cannot be read becomes an
ExtractedDocument with a status and a reason, never an exception. Extraction also runs in a
child process with time and memory limits (gcmdash/runner/isolate.py), so a file that gets past these
checks still cannot hang or exhaust the build.
"""
from __future__ import annotations

import errno
import hashlib
import io
import os
import re
import stat
import zipfile
from dataclasses import dataclass, field, replace
from pathlib import Path

from gcmdash.extract.blocks import docx_blocks, html_blocks, markdown_blocks, render
from gcmdash.extract.files import TooLarge, open_regular, read_all
from gcmdash.extract.pdf_layout import running_line_indexes
from gcmdash.extract.text import clean_text

MAX_BYTES = 50 * 1024 * 1024  # a larger "document" is not a meeting record
MAX_TEXT_CHARS = 20_000_000  # extracted text beyond this is refused, whatever the container
MAX_PDF_CONTENT_BYTES = 200 * 1024 * 1024  # page content streams, inflated, all pages
DOCX_MAX_UNCOMPRESSED = 200 * 1024 * 1024
DOCX_MAX_RATIO = 200  # a part inflating over 200x its compressed size is a zip bomb

SUPPORTED_SUFFIXES = (".txt", ".md", ".pdf", ".docx", ".html", ".htm")
# documents.status values besides 'loaded' and 'duplicate'
FAILED, ENCRYPTED, NO_TEXT = "failed", "encrypted", "no_text"


@dataclass(frozen=True)
class ExtractedDocument:
    """One input file as extracted: its identity, size, format and text, or why there is no text."""

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
        return ("the file name is not valid UTF-8; rename the file, or `gcmdash add` it "
                "(which keeps the name, escaped), to read it")
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
    """The SHA-256 of the file's bytes, as hex (read in 1 MiB chunks)."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


class ExtractionFailed(Exception):
    """Raised when a file yields no text; `status` is the documents.status to record it with."""

    def __init__(self, status: str, reason: str) -> None:
        super().__init__(reason)
        self.status = status


# --- text --------------------------------------------------------------------------------------
def decode(data: bytes) -> str:
    """Text bytes -> str: BOMs, then UTF-8 (a lone surrogate encoded in it is kept, and cleaned
    later), then Windows-1252 or Windows-1250 for Latin text (whichever reads its words as one
    alphabet), then the detected encoding (charset-normalizer), then Windows-1252."""
    for bom, codec in ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16")):
        if data.startswith(bom):
            return data.decode(codec, errors="replace").lstrip("\ufeff")
    for errors in ("strict", "surrogatepass"):
        try:
            return data.decode("utf-8", errors=errors)
        except UnicodeDecodeError:
            pass
    if _reads_as_western(data):
        western = data.decode("cp1252")
        return data.decode("cp1250") if _reads_as_central_european(data, western) else western
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


def _reads_as_western(data: bytes) -> bool:
    """Whether the bytes are Windows-1252 text in a Latin-script language: every byte defined
    in the code page, and its non-ASCII letters a minority of the letters (accents inside
    words). The detector guesses DOS and Central European code pages for short English text
    with a few curly quotes (’ read as 'ĺ', à as 'Ó'); Cyrillic or Greek text in its own code
    page, read as Windows-1252, is nearly all non-ASCII letters and goes to the detector."""
    try:
        text = data[:1_000_000].decode("cp1252")
    except UnicodeDecodeError:
        return False
    letters = sum(1 for c in text if c.isalpha())
    foreign = sum(1 for c in text if c.isalpha() and ord(c) > 127)
    return letters > 0 and foreign < 0.3 * letters


# The accented letters of each alphabet a Windows code page serves, lower case. A word read in
# the wrong one of cp1250/cp1252 mixes letters no one alphabet has (Czech 'Dvořák' read as
# Windows-1252 is 'Dvoøák': ø and á), or has a symbol inside it (Polish 'Wrocław' is 'Wroc³aw').
_WESTERN_ALPHABETS = ("àâæçéèêëîïôœùûüÿ", "áéíóúñü", "áâãàçéêíóôõú", "àèéìíòóù", "äöüß",
                      "åæøäöé", "áðéíóúýþæö", "äöåšž")
_CENTRAL_EUROPEAN_ALPHABETS = ("ąćęłńóśźż", "áčďéěíňóřšťúůýž", "áäčďéíĺľňóôŕšťúýž",
                               "áéíóöőúüű", "ăâîşţșț", "čćđšž", "äõöüšž")
_WORD = re.compile(r"\w+(?:[^\w\s'’-]\w+)*")


def _fits(word: str, alphabets: tuple[str, ...]) -> bool:
    accented = {c for c in word.lower() if c.isalpha() and ord(c) > 127}
    return any(accented <= set(alphabet) for alphabet in alphabets)


def _reads_as_central_european(data: bytes, western: str) -> bool:
    """Whether Windows-1250 reads the bytes better than Windows-1252: more of the words the two
    read differently fit a Central European alphabet only than fit a Western one only. A word
    both read as some alphabet (French 'Genève' is Czech-looking 'Genčve') votes for neither,
    so Western text stays Windows-1252."""
    try:
        central = data.decode("cp1250")
    except UnicodeDecodeError:
        return False
    if central == western:
        return False
    votes = 0
    central_words, western_words = [], []
    for match in _WORD.finditer(central):
        start, end = match.span()
        as_western = western[start:end]
        if as_western == match.group():
            continue
        central_words.append(match.group())
        western_words.append(as_western)
        central_fits = match.group().isalpha() and _fits(match.group(), _CENTRAL_EUROPEAN_ALPHABETS)
        western_fits = as_western.isalpha() and _fits(as_western, _WESTERN_ALPHABETS)
        votes += central_fits - western_fits
    if votes:
        return votes > 0
    # A tie: every word fits some alphabet both ways. Hungarian 'Győző Szűcs' read as
    # Windows-1252 is 'Gyõzõ Szûcs', Portuguese-looking õ and French-looking û; only one of
    # the two readings has all its letters in one alphabet.
    return (_fits("".join(central_words), _CENTRAL_EUROPEAN_ALPHABETS)
            and not _fits("".join(western_words), _WESTERN_ALPHABETS))


_LATIN_SINGLE_BYTE = frozenset({"cp1250", "cp1252", "cp1254", "cp1257", "latin_1", "iso8859_1",
                                "iso8859_2", "iso8859_9", "iso8859_15", "mac_roman", "mac_latin2",
                                "cp850", "cp437"})


def _text_file(data: bytes) -> tuple[str, tuple[int, ...]]:
    if data.count(b"\x00") > len(data) // 10 and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ExtractionFailed(FAILED, "binary content in a text file (NUL bytes)")
    return decode(data), ()


def _markdown_file(data: bytes) -> tuple[str, tuple[int, ...]]:
    text, _ = _text_file(data)
    return render(markdown_blocks(text), spaced=False), ()


# --- PDF ---------------------------------------------------------------------------------------
def drop_running_lines(pages: list[str]) -> list[str]:
    """Pages without their running headers and footers: print furniture at a page's edges
    (_FURNITURE_RE), and edge lines repeated word for word on most pages (a running title), which extraction
    would otherwise read as bullets or glue to the text around them."""
    split = [page.split("\n") for page in pages]
    running = running_line_indexes(split)
    return ["\n".join(line for i, line in enumerate(lines) if i not in drop)
            for lines, drop in zip(split, running)]


# pypdf raises one LimitReachedError for every safety limit; its message tells which one.
_PDF_LIMITS = (
    (re.compile(r"decompress", re.I),
     "a PDF stream inflates past the decompression limit (a decompression bomb)"),
    (re.compile(r"row length|number of columns", re.I),
     "a PDF image or stream declares rows or columns past the decoder's limit"),
    (re.compile(r"cycl|loop|self reference", re.I),
     "the PDF's object structure refers back to itself (a reference loop)"),
    (re.compile(r"page tree|page entry|/Pages", re.I),
     "the PDF's page tree is past the page limit"),
    (re.compile(r"outline", re.I), "the PDF's outline (bookmarks) is past the depth limit"),
    (re.compile(r"field", re.I), "the PDF's form fields are past the limit"),
    (re.compile(r"declared size|/N |maximum allowed value", re.I),
     "the PDF declares an object table or stream larger than the limit"),
    (re.compile(r"recovery", re.I), "the damaged PDF needs more repair than the limit allows"),
)


def pdf_limit_reason(message: str) -> str:
    """The true reason for one of pypdf's safety limits, from its message (the message itself,
    kept, names the numbers)."""
    for pattern, reason in _PDF_LIMITS:
        if pattern.search(message):
            return f"{reason}: {message}"
    return f"the PDF reaches a reader safety limit: {message}"


def _open_pdf(data: bytes):
    import pypdf
    from pypdf.errors import FileNotDecryptedError

    reader = pypdf.PdfReader(io.BytesIO(data), strict=False)
    if reader.is_encrypted:
        try:  # an empty user password only restricts editing; the text is readable
            if not reader.decrypt(""):
                raise ExtractionFailed(ENCRYPTED, "the PDF is encrypted with a password")
        except (FileNotDecryptedError, NotImplementedError) as exc:
            raise ExtractionFailed(ENCRYPTED, f"the PDF is encrypted: {exc}") from None
    return reader


def _guard_pdf(data: bytes) -> None:
    """Open the PDF with pypdf, whose safety limits (decompression, loops, sizes) refuse a
    hostile file before the layout reader sees it: the page tree is walked and every page's
    content stream inflated under pypdf's limits. pdfminer.six, which reads the layout, has no
    decompression limit of its own."""
    from pypdf.errors import LimitReachedError, PyPdfError

    try:
        reader = _open_pdf(data)
        inflated = 0
        for page in reader.pages:
            contents = page.get_contents()
            inflated += len(contents.get_data()) if contents is not None else 0
            if inflated > MAX_PDF_CONTENT_BYTES:
                raise ExtractionFailed(FAILED, f"refused: the PDF's page content inflates past "
                                               f"{MAX_PDF_CONTENT_BYTES:,} bytes")
    except ExtractionFailed:
        raise
    except LimitReachedError as exc:
        raise ExtractionFailed(FAILED, f"refused: {pdf_limit_reason(str(exc))}") from None
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError,
            AssertionError, RecursionError, OSError, zipfile.BadZipFile) as exc:
        raise ExtractionFailed(FAILED, f"not a readable PDF: {type(exc).__name__}: {exc}") from None


def _pdf_pages(data: bytes) -> list[str]:
    """Each page's text, in reading order, one block per line (pdf_layout)."""
    import pdfplumber
    from pdfminer.pdfparser import PDFSyntaxError
    from pdfminer.psparser import PSException

    from gcmdash.extract.pdf_layout import TooMuchText, document_blocks

    _guard_pdf(data)
    try:
        with pdfplumber.open(io.BytesIO(data), password="") as pdf:
            blocks, drawn = document_blocks(pdf.pages, MAX_TEXT_CHARS)
            pages = [render(page, spaced=not drawn) for page in blocks]
    except TooMuchText:
        raise ExtractionFailed(FAILED, f"the PDF holds over {MAX_TEXT_CHARS:,} characters "
                                       "of text") from None
    except (PSException, PDFSyntaxError, ValueError, KeyError, TypeError, AttributeError,
            IndexError, AssertionError, RecursionError, OSError, ZeroDivisionError) as exc:
        raise ExtractionFailed(FAILED, f"not a readable PDF: {type(exc).__name__}: {exc}") from None
    return pages


def _pdf(data: bytes) -> tuple[str, tuple[int, ...]]:
    if not data.lstrip()[:5].startswith(b"%PDF"):
        raise ExtractionFailed(FAILED, "not a PDF file (no %PDF header)")
    pages = _pdf_pages(data)
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
                    declared = _declares_doctype(part)
                if declared:
                    raise ExtractionFailed(FAILED, f"refused: {info.filename} declares a DOCTYPE "
                                                   "or entities (an XML entity attack)")


def _declares_doctype(part) -> bool:
    """Whether an XML part declares a DOCTYPE (and so perhaps entities), as the XML parser reads
    it, not as its first bytes look: a long comment or another encoding (UTF-16) cannot hide
    one. A DOCTYPE can only come before the root element, so the part is read up to the root's
    start tag and no further; nothing is resolved, loaded or fetched. A part that is not
    well-formed is left to the DOCX reader, which fails on it with its reason."""
    from lxml import etree

    parser = etree.XMLPullParser(events=("start",), resolve_entities=False, load_dtd=False,
                                 no_network=True)
    try:
        for chunk in iter(lambda: part.read(1 << 16), b""):
            parser.feed(chunk)
            for _, element in parser.read_events():
                info = element.getroottree().docinfo
                return bool(info.doctype) or info.internalDTD is not None
    except etree.XMLSyntaxError:
        return False
    return False


def _docx(data: bytes) -> tuple[str, tuple[int, ...]]:
    _check_zip(data)
    import docx

    try:
        document = docx.Document(io.BytesIO(data))
        text = render(docx_blocks(document), spaced=False)
    except ExtractionFailed:
        raise
    except Exception as exc:  # noqa: BLE001 - any library failure on user bytes is a clear failure
        raise ExtractionFailed(FAILED, f"not a readable DOCX: {type(exc).__name__}: {exc}") from None
    return text, ()


# --- HTML --------------------------------------------------------------------------------------
_META_CHARSET_RE = re.compile(rb"<meta[^>]+charset=[\"']?([A-Za-z0-9_-]+)", re.IGNORECASE)


def _html(data: bytes) -> tuple[str, tuple[int, ...]]:
    declared = _META_CHARSET_RE.search(data[:4096])
    text = None
    if declared:
        try:
            text = data.decode(declared.group(1).decode("ascii"), errors="replace")
        except LookupError:
            text = None
    return render(html_blocks(text if text is not None else decode(data))), ()


_EXTRACTORS = {".txt": _text_file, ".md": _markdown_file, ".pdf": _pdf, ".docx": _docx,
               ".html": _html, ".htm": _html}


def extract(path: Path, inside: Path | None = None, sha256: str | None = None
            ) -> ExtractedDocument:
    """Read one file into clean text, or a status and a reason. The file is opened without
    blocking and examined on the opened descriptor (gcmdash/extract/files.py): with `inside`,
    a file outside that folder is refused; a file over MAX_BYTES is refused before it is read
    (its `sha256` is the one given, if any, else that of no content)."""
    suffix = path.suffix.lower()
    base = dict(document_id=path.name, file_name=path.name,
                format=suffix.lstrip(".") or "none")
    try:
        with open_regular(path, inside) as (fd, status):
            if status.st_size > MAX_BYTES:
                raise TooLarge(status.st_size, MAX_BYTES)
            data = read_all(fd, MAX_BYTES)
            if len(data) > MAX_BYTES:
                raise TooLarge(len(data), MAX_BYTES)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        return ExtractedDocument(**base, size_bytes=getattr(exc, "size", 0),
                                 sha256=sha256 or hashlib.sha256(b"").hexdigest(), text=None,
                                 status=FAILED, error=reason if isinstance(exc, TooLarge)
                                 else f"could not be read: {reason}")
    base["size_bytes"] = len(data)
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
