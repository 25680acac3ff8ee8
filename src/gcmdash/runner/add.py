"""`gcmdash add` / `gcmdash remove`: copy user files into data/raw under safe names, or take
them out again.

The name a file arrives with is never used as a path: the copy is named from its content hash
('3f2a…c1.pdf'), and the original name is kept only as text in data/raw/.originals.tsv, shown
in `documents.original_name`: whole, whatever its bytes, in the escaped form of
gcmdash/runner/names.py (a name that is not UTF-8, or holds a tab, a newline, U+2028 or an
escape sequence, is kept with those written as `\\xNN` / `\\uNNNN`). A file is read once,
opened without blocking and checked on its descriptor (a FIFO or a device is refused, never
waited on), its size checked before a byte is read, and hashed as it is copied.
Removal looks names up among the files data/raw holds (by stored or original name), so a name
given to `remove` is never a path either.
"""
from __future__ import annotations

import errno
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from gcmdash.extract.files import TooLarge, hash_fd, open_regular
from gcmdash.extract.formats import MAX_BYTES, SUPPORTED_SUFFIXES, discover
from gcmdash.runner.names import as_text, stored_name

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


def display_name(name: str | bytes) -> str:
    """An original file name kept as text: its last path component, whole, escaped (see
    gcmdash/runner/names.py), so it holds no control character and is valid UTF-8."""
    base = re.split(r"[\\/]", as_text(name))[-1]
    return stored_name(base) or "unnamed"


def read_manifest(raw_dir: Path) -> dict[str, str]:
    """Stored file name -> the original name it was added under (data/raw/.originals.tsv)."""
    path = raw_dir / MANIFEST
    if not path.exists():
        return {}
    names = {}
    # "\n" only: str.splitlines would also cut a name at U+2028, U+0085, ...
    for line in path.read_text(encoding="utf-8", errors="replace").split("\n"):
        stored, _, original = line.rstrip("\r").partition("\t")
        if stored and original:
            names[stored] = original
    return names


def _present(raw_dir: Path) -> dict[str, str]:
    """sha256 -> stored name of each file data/raw holds (those that cannot be read: none)."""
    present = {}
    for path in discover(raw_dir):
        try:
            with open_regular(path, inside=raw_dir) as (fd, _):
                present.setdefault(hash_fd(fd), path.name)
        except OSError:
            continue
    return present


def _copy_in(path: Path, raw_dir: Path) -> tuple[str, Path]:
    """(sha256, temporary copy in raw_dir) of a regular file within the size limit, read once;
    OSError (TooLarge for an oversized file) otherwise, with nothing left behind."""
    with open_regular(path) as (source, stat):
        if stat.st_size > MAX_BYTES:
            raise TooLarge(stat.st_size, MAX_BYTES)
        fd, temp = tempfile.mkstemp(dir=raw_dir, prefix=".adding-")
        try:
            digest = hash_fd(source, copy_to=fd)
        except BaseException:
            os.close(fd)
            Path(temp).unlink(missing_ok=True)
            raise
        os.close(fd)
    return digest, Path(temp)


def _refusal(exc: OSError) -> str:
    if isinstance(exc, TooLarge):
        return f"{exc.size:,} bytes is over the {MAX_BYTES:,} limit"
    if exc.errno in (errno.ENOENT, errno.EINVAL, errno.EISDIR):
        return "not a regular file"
    return f"cannot be read: {exc.strerror or exc}"


def add_files(paths: list[Path], raw_dir: Path) -> list[AddResult]:
    """Copy each supported file in under its content-hash name; identical content only once.
    Each result's `source` is the original name as kept (escaped; see display_name)."""
    raw_dir.mkdir(parents=True, exist_ok=True)
    present = _present(raw_dir)
    results: list[AddResult] = []
    manifest_lines: list[str] = []
    for path in paths:
        shown = display_name(str(path))
        suffix = path.suffix.lower()
        if suffix not in SUPPORTED_SUFFIXES:
            results.append(AddResult(shown, None, f"unsupported type '{stored_name(suffix) or 'none'}' "
                                                  f"(accepted: {', '.join(SUPPORTED_SUFFIXES)})"))
            continue
        try:
            digest, temp = _copy_in(path, raw_dir)
        except OSError as exc:
            results.append(AddResult(shown, None, _refusal(exc)))
            continue
        if digest in present:
            temp.unlink(missing_ok=True)
            results.append(AddResult(shown, present[digest], f"already present as {present[digest]}"))
            continue
        stored = f"{digest[:20]}{suffix}"
        temp.replace(raw_dir / stored)
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
