"""Opening an input file so that nothing about the entry can block, mislead or leak the build.

An entry can change between the moment it is listed and the moment it is read: a file swapped
for a FIFO (opening a FIFO for reading blocks until a writer comes), a device, or a link out
of the input folder. So a file is opened without blocking (O_NONBLOCK) and, when it must stay
inside a folder, without following a final link after its target was checked; what was
opened is then examined on the descriptor itself (fstat), never by its name again, and refused
unless it is a regular file. The size is read from the same fstat, before a byte is read, so
an oversized file is refused without being hashed.
"""
from __future__ import annotations

import contextlib
import errno
import hashlib
import os
from collections.abc import Iterator
from pathlib import Path
from stat import S_ISREG

_FLAGS = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
CHUNK = 1 << 20


class TooLarge(OSError):
    """A regular file over the size limit; `size` is its size in bytes."""

    def __init__(self, size: int, limit: int) -> None:
        super().__init__(errno.EFBIG, f"file is {size:,} bytes; the limit is {limit:,}")
        self.size = size


@contextlib.contextmanager
def open_regular(path: Path, inside: Path | None = None) -> Iterator[tuple[int, os.stat_result]]:
    """(descriptor, its fstat) of path, if it is a regular file; with `inside`, only if the
    file it names lies in that folder (a link inside the folder is followed, one out is not).
    OSError with the reason otherwise. The descriptor is closed on leaving the block."""
    target = os.path.realpath(path)
    flags = _FLAGS
    if inside is not None:
        root = os.path.realpath(inside)
        if os.path.commonpath([root, target]) != root:
            raise OSError(errno.EXDEV, "it now links outside the input folder")
        flags |= os.O_NOFOLLOW  # the target was checked: a link swapped in since is refused
    fd = os.open(target, flags)
    try:
        stat = os.fstat(fd)
        if not S_ISREG(stat.st_mode):
            raise OSError(errno.EINVAL, "it is no longer a regular file")
        yield fd, stat
    finally:
        os.close(fd)


def read_all(fd: int, limit: int) -> bytes:
    """The file's bytes, at most `limit` + 1 of them (so a file grown past the limit since its
    size was read shows as too large, and nothing unbounded is held)."""
    chunks, total = [], 0
    while total <= limit:
        chunk = os.read(fd, min(CHUNK, limit + 1 - total))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    return b"".join(chunks)


def hash_fd(fd: int, copy_to: int | None = None) -> str:
    """SHA-256 of the rest of the file's bytes (and the same bytes written to `copy_to`)."""
    digest = hashlib.sha256()
    while chunk := os.read(fd, CHUNK):
        digest.update(chunk)
        if copy_to is not None:
            view = memoryview(chunk)
            while view:
                view = view[os.write(copy_to, view):]
    return digest.hexdigest()
