"""Bytes -> clean text. Only reads; never parses or writes."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from etl.config import TEXT_SUFFIXES
from etl.text import clean_text

MAX_BYTES = 50 * 1024 * 1024  # a larger "document" is not a meeting record


@dataclass(frozen=True)
class ExtractedDocument:
    document_id: str
    file_name: str
    sha256: str
    size_bytes: int
    format: str
    text: str | None  # None when extraction failed
    error: str | None = None


def discover(raw_dir: Path) -> list[Path]:
    """Input files in data/raw, in a stable order; hidden files and folders are not inputs."""
    if not raw_dir.is_dir():
        raise FileNotFoundError(f"input folder {raw_dir} does not exist")
    return sorted(p for p in raw_dir.iterdir() if p.is_file() and not p.name.startswith("."))


def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM); text that is not UTF-8 is read as Windows-1252."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def extract(path: Path) -> ExtractedDocument:
    size = path.stat().st_size
    suffix = path.suffix.lower()
    base = dict(document_id=path.name, file_name=path.name, size_bytes=size,
                format=suffix.lstrip(".") or "none")
    if size > MAX_BYTES:
        return ExtractedDocument(**base, sha256=_sha256_file(path), text=None,
                                 error=f"file is {size:,} bytes; the limit is {MAX_BYTES:,}")
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if suffix not in TEXT_SUFFIXES:
        return ExtractedDocument(**base, sha256=digest, text=None,
                                 error=f"unsupported format '{suffix or path.name}' "
                                       f"(supported: {', '.join(TEXT_SUFFIXES)})")
    if b"\x00" in data[:4096] and data.count(b"\x00") > len(data) // 10:
        return ExtractedDocument(**base, sha256=digest, text=None,
                                 error="binary content in a text file (NUL bytes)")
    return ExtractedDocument(**base, sha256=digest, text=clean_text(decode(data)))


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
