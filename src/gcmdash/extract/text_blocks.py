"""Text whose only structure is its line breaks, read back into blocks by the lines' shape.

One home for the line-shape rules every format needs when a layout broke its text into lines:
a line that a layout wrapped goes on in the next (the next line's first word would not have
fitted on it), a hyphen that ended a wrapped line joins the word (join_wrapped).
"""
from __future__ import annotations

from gcmdash.extract.text import BULLET_GLYPHS, join_wrapped

MIN_WRAP_WIDTH = 30  # lines shorter than this were never wrapped by a layout


def wrapped_at(line: str, following: str, width: int) -> bool:
    """Whether `line` was wrapped by a layout `width` characters wide: the first word of the
    line after it would not have fitted on it (and that line opens no list item)."""
    words = following.split()
    if not words or width < MIN_WRAP_WIDTH or words[0][:1] in BULLET_GLYPHS:
        return False
    return len(line.rstrip()) + 1 + len(words[0]) > width


def unwrap_lines(lines: list[str]) -> list[str]:
    """Lines broken by a layout at one width, as the paragraphs they were: a line goes on in
    the next when it was wrapped (wrapped_at, at the widest line's width); a line that ended
    short of that width ends its paragraph (a hard break: a title block's lines stay apart)."""
    lines = [line.strip() for line in lines if line.strip()]
    if len(lines) < 2:
        return lines
    width = max(len(line) for line in lines)
    out: list[list[str]] = [[lines[0]]]
    for previous, line in zip(lines, lines[1:]):
        if wrapped_at(previous, line, width):
            out[-1].append(line)
        else:
            out.append([line])
    return [join_wrapped(parts) for parts in out]
