"""File names of any bytes, as text that is safe to store and to show.

A POSIX file name is bytes: it need not be UTF-8 and may hold control characters (a newline,
a tab, a terminal escape sequence), line separators (U+2028, U+0085) or bidirectional
overrides. Two forms are made from it, both plain printable text from which the name can be
read back:

- `stored_name`, for the manifest and the database: undecodable bytes become `\\xNN`, control
  characters and line or paragraph separators `\\xNN` / `\\uNNNN`; every other character is
  kept, so the name is whole (nothing cut, nothing replaced by a space).
- `shown_name`, for a terminal: the stored form with invisible format characters (such as the
  right-to-left override U+202E) escaped too, so what a terminal prints is what the name is.
"""
from __future__ import annotations

import os
import unicodedata

_STORED_ESCAPED = frozenset({"Cc", "Cs", "Zl", "Zp"})  # controls, lone surrogates, separators
_SHOWN_ESCAPED = _STORED_ESCAPED | {"Cf", "Co", "Cn"}  # ... and invisible or unassigned ones


def _escape(char: str) -> str:
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:  # an undecodable byte, as os.fsdecode carries it
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def _escaped(text: str, categories: frozenset[str]) -> str:
    if text.isascii() and text.isprintable():
        return text
    return "".join(_escape(c) if unicodedata.category(c) in categories else c for c in text)


def as_text(name: str | bytes) -> str:
    """The name decoded as the operating system hands it over (undecodable bytes kept as
    surrogate escapes, which stored_name and shown_name turn into `\\xNN`)."""
    return os.fsdecode(name) if isinstance(name, bytes) else name


def stored_name(name: str | bytes) -> str:
    """The whole name as printable UTF-8 text for the manifest and the database."""
    return _escaped(as_text(name), _STORED_ESCAPED)


def shown_name(name: str | bytes) -> str:
    """The name as it may be printed to a terminal: nothing in it can move the cursor, change
    colours, set a window title, reorder the line or hide a character."""
    return _escaped(as_text(name), _SHOWN_ESCAPED)
