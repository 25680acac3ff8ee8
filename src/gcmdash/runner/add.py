"""`gcmdash add`: copy user files into data/raw under safe names.

The name a file arrives with is never used as a path: the copy is named from its content hash
('3f2a…c1.pdf'), and the original name is kept only as text in data/raw/.originals.tsv, shown
in `documents.original_name`.
"""
from __future__ import annotations

import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from gcmdash.extract.formats import MAX_BYTES, SUPPORTED_SUFFIXES, discover, sha256_file

MANIFEST = ".originals.tsv"


@dataclass(frozen=True)
class AddResult:
    source: str
    stored_as: str | None
    message: str


def display_name(name: str) -> str:
    """An original file name made safe to keep as text: no path, no control characters."""
    base = re.split(r"[\\/]", name)[-1]
    return re.sub(r"[\x00-\x1f\x7f\t]+", " ", base).strip()[:200] or "unnamed"


def read_manifest(raw_dir: Path) -> dict[str, str]:
    path = raw_dir / MANIFEST
    if not path.exists():
        return {}
    names = {}
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        stored, _, original = line.partition("\t")
        if stored and original:
            names[stored] = original
    return names


def add_files(paths: list[Path], raw_dir: Path) -> list[AddResult]:
    raw_dir.mkdir(parents=True, exist_ok=True)
    present = {sha256_file(p): p.name for p in discover(raw_dir)}
    results: list[AddResult] = []
    manifest_lines: list[str] = []
    for path in paths:
        shown = display_name(str(path))
        suffix = path.suffix.lower()
        if not path.is_file():
            results.append(AddResult(shown, None, "not a regular file"))
            continue
        if suffix not in SUPPORTED_SUFFIXES:
            results.append(AddResult(shown, None, f"unsupported type '{suffix or 'none'}' "
                                                  f"(accepted: {', '.join(SUPPORTED_SUFFIXES)})"))
            continue
        size = path.stat().st_size
        if size > MAX_BYTES:
            results.append(AddResult(shown, None, f"{size:,} bytes is over the {MAX_BYTES:,} limit"))
            continue
        digest = sha256_file(path)
        if digest in present:
            results.append(AddResult(shown, present[digest], f"already present as {present[digest]}"))
            continue
        stored = f"{digest[:20]}{suffix}"
        fd, temp = tempfile.mkstemp(dir=raw_dir, prefix=".adding-")
        os.close(fd)
        shutil.copyfile(path, temp)
        os.replace(temp, raw_dir / stored)
        present[digest] = stored
        manifest_lines.append(f"{stored}\t{shown}")
        results.append(AddResult(shown, stored, f"added as {stored}"))
    if manifest_lines:
        with (raw_dir / MANIFEST).open("a", encoding="utf-8") as handle:
            handle.write("".join(f"{line}\n" for line in manifest_lines))
    return results
