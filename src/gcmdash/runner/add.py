"""`gcmdash add` / `gcmdash remove`: copy user files into data/raw under safe names, or take
them out again.

The name a file arrives with is never used as a path: the copy is named from its content hash
('3f2a…c1.pdf'), and the original name is kept only as text in data/raw/.originals.tsv, shown
in `documents.original_name`. Removal looks names up among the files data/raw holds (by stored
or original name), so a name given to `remove` is never a path either.
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
    """One file offered to `add`: its name as shown, where it is stored (None: refused)."""

    source: str
    stored_as: str | None
    message: str
    new: bool = False  # copied in now (False: refused, or identical content already there)


@dataclass(frozen=True)
class RemoveResult:
    """One name given to `remove`: the stored files it took out (none: not found)."""

    name: str
    removed: tuple[str, ...]
    message: str


def display_name(name: str) -> str:
    """An original file name made safe to keep as text: no path, no control characters."""
    base = re.split(r"[\\/]", name)[-1]
    return re.sub(r"[\x00-\x1f\x7f\t]+", " ", base).strip()[:200] or "unnamed"


def read_manifest(raw_dir: Path) -> dict[str, str]:
    """Stored file name -> the original name it was added under (data/raw/.originals.tsv)."""
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
    """Copy each supported file in under its content-hash name; identical content only once."""
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
        Path(temp).replace(raw_dir / stored)
        present[digest] = stored
        manifest_lines.append(f"{stored}\t{shown}")
        results.append(AddResult(shown, stored, f"added as {stored}", new=True))
    if manifest_lines:
        with (raw_dir / MANIFEST).open("a", encoding="utf-8") as handle:
            handle.write("".join(f"{line}\n" for line in manifest_lines))
    return results


def _write_manifest(raw_dir: Path, names: dict[str, str]) -> None:
    fd, temp = tempfile.mkstemp(dir=raw_dir, prefix=".manifest-")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write("".join(f"{stored}\t{original}\n" for stored, original in names.items()))
    Path(temp).replace(raw_dir / MANIFEST)


def _matches(name: str, stored_names: list[str], originals: dict[str, str]) -> list[str]:
    if name in stored_names:
        return [name]
    shown = display_name(name)
    return [stored for stored in stored_names if originals.get(stored) == shown]


def remove_files(names: list[str], raw_dir: Path) -> list[RemoveResult]:
    """Take documents out of data/raw by stored name ('3f2a….pdf', or any file there) or by the
    original name `add` kept; an original name shared by several stored files removes none."""
    stored_names = [p.name for p in discover(raw_dir)]
    originals = read_manifest(raw_dir)
    results: list[RemoveResult] = []
    for name in names:
        matches = [m for m in _matches(name, stored_names, originals) if m in stored_names]
        if not matches:
            results.append(RemoveResult(name, (), f"not in {raw_dir} (neither a stored nor an "
                                                  "original name)"))
            continue
        if len(matches) > 1:
            results.append(RemoveResult(name, (), f"{len(matches)} documents were added under "
                                                  f"this name ({', '.join(matches)}): remove one "
                                                  "by its stored name"))
            continue
        (stored,) = matches
        (raw_dir / stored).unlink()
        stored_names.remove(stored)
        original = originals.pop(stored, None)
        results.append(RemoveResult(name, (stored,), f"removed {stored}" + (
            f" (added as {original})" if original and original != name else "")))
    if any(r.removed for r in results):
        _write_manifest(raw_dir, {s: o for s, o in originals.items() if s in stored_names})
    return results
