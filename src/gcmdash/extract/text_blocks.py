"""Text whose only structure is its line breaks, read back into blocks by the lines' shape.

One home for the line-shape rules every format needs when a layout broke its text into lines:
a line that a layout wrapped goes on in the next (the next line's first word would not have
fitted on it), a hyphen that ended a wrapped line joins the word (join_wrapped); bullets
whose glyphs were lost are found again from how their lines start and end (split_bullets); two
columns read one after the other are woven back (reflow_two_columns). The functions take any
line objects with a `text` (the parsers' numbered lines) and give the same objects back.
"""
from __future__ import annotations

import re
from typing import Protocol, TypeVar

from gcmdash.extract.text import BULLET_GLYPHS, join_wrapped, typical_width


class _Texted(Protocol):
    text: str


T = TypeVar("T", bound=_Texted)  # a line with its text (and whatever else it carries: its number)

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


def heading_goes_on(heading: str, line: str) -> bool:
    """Whether `line` continues a heading (or an agenda title) a layout wrapped: a heading is a
    heading however it wraps, so the line below it that starts in lower case ('… frameworks
    and' / 'principles') goes on with it, unless the heading already ended ('.', ':', ';');
    the text after a heading starts with a capital."""
    return line.strip()[:1].islower() and not heading.rstrip().endswith((".", ":", ";"))


def split_at_glyphs(text: str) -> list[str]:
    """The pieces of a text between its bullet glyphs (a list flattened into one line)."""
    pieces = re.split(f"[{re.escape(BULLET_GLYPHS)}]", text)
    return [s for s in (" ".join(p.split()) for p in pieces) if s]


def roman_heading(text: str) -> bool:
    """A stray Roman-numeral heading number ('IV.'), which PDF extraction leaves on its own line."""
    return bool(re.fullmatch(r"\s*[IVX]{1,4}\.\s*", text))


# A bullet line ending in one of these words was wrapped: the bullet goes on below.
_FUNCTION_WORDS = frozenset(
    "a an the and or nor but of to in on at by for with from into onto as than that which who "
    "whose whom its their his her our your such including between among about against through "
    "towards toward under over upon via per vis-à-vis be is are was were "
    # words a bullet never ends on ('... in collaboration with other' / 'States and ...')
    "other each every both whether not can could should would will shall may must".split()
)


def split_bullets(lines: list[T], page_width: int) -> list[list[T]]:
    """Recommendation bullets whose glyphs extraction lost, from their wrapped lines.

    A line continues the bullet above when it starts in lower case or with a digit or
    punctuation; or when the line above ends with a comma or a function word ('for', 'the');
    or when the line above ends with a capitalised word or a number and this line's first word
    would not have fitted on it (a wrapped name: '… at International' / 'Borders as a tool …').
    Otherwise, and wherever a lost glyph left leading white space, a new bullet starts.
    A blank line is a paragraph's end, whatever the lines' lengths: after one, a line in
    capitals starts a bullet (in lower case it goes on one that a page break cut).
    """
    content, after_blank = _paragraph_lines(lines)
    if any(l.text.lstrip()[:1] in BULLET_GLYPHS for l in content):
        return _split_marked_bullets(content)
    # The list's own width (it is indented), leaving out lines extraction glued together; the
    # space a lost glyph left at a line's start is no part of the text's width.
    width = max((len(l.text.strip()) for l in content
                 if len(l.text.strip()) <= 1.15 * page_width), default=page_width)
    bullets: list[list[T]] = []
    for line in content:
        text = line.text.strip()
        if not bullets:
            bullets.append([line])
            continue
        if id(line) in after_blank and not text[:1].islower():
            bullets.append([line])
            continue
        previous = bullets[-1][-1].text.strip()
        last_word = previous.split()[-1] if previous.split() else ""
        first_word = text.split()[0]
        continues = (
            not text[:1].isupper()
            or previous.endswith((",", ";", "-", "(", "/"))
            or last_word.lower() in _FUNCTION_WORDS
        )
        if not continues and line.text[:1] not in (" ", "\t"):
            wrapped_name = last_word[:1].isupper() or last_word[:1].isdigit()  # '2030' / 'Agenda'
            continues = wrapped_name and len(previous) + 1 + len(first_word) > width
        if continues:
            bullets[-1].append(line)
        else:
            bullets.append([line])
    return bullets


def _paragraph_lines(lines: list[T]) -> tuple[list[T], set[int]]:
    """The lines with text (heading numbers left out), and the ids of those that open a
    paragraph after a blank line."""
    content: list[T] = []
    after_blank: set[int] = set()
    blank_above = False
    for line in lines:
        if not line.text.strip():
            blank_above = True
        elif not roman_heading(line.text):
            if blank_above and content:
                after_blank.add(id(line))
            content.append(line)
            blank_above = False
    return content, after_blank


def _split_marked_bullets(content: list[T]) -> list[list[T]]:
    """Bullets whose glyphs survived (list items of a structured format): each glyph starts
    one, a line without one continues the bullet above, however long the lines are."""
    bullets: list[list[T]] = []
    for line in content:
        if line.text.lstrip()[:1] in BULLET_GLYPHS or not bullets:
            bullets.append([line])
        else:
            bullets[-1].append(line)
    return bullets


def reflow_two_columns(lines: list[T]) -> list[T]:
    """Undo a two-column layout that extraction read column after column.

    Two runs of short lines (under 60% of the page width) separated by a few headings or blank
    lines are the left and right columns; they are interleaved back into reading order.
    """
    width = typical_width([l.text for l in lines])
    # A stray heading number ('II.') sits between the columns; it is no column line.
    short = [bool(l.text.strip()) and not roman_heading(l.text) and len(l.text.strip()) < 0.6 * width
             for l in lines]
    runs: list[tuple[int, int]] = []
    index = 0
    while index < len(lines):
        if short[index]:
            end = index
            while end + 1 < len(lines) and short[end + 1]:
                end += 1
            if end - index + 1 >= 3:
                runs.append((index, end))
            index = end + 1
        else:
            index += 1
    for (a_start, a_end), (b_start, b_end) in zip(runs, runs[1:]):
        gap = lines[a_end + 1 : b_start]
        if len(gap) > 8 or (b_end - b_start) > (a_end - a_start):
            continue
        left, right = lines[a_start : a_end + 1], lines[b_start : b_end + 1]
        # The left run may begin with the short last lines of the paragraph above it.
        extra = max(0, len(left) - len(right) - 1)
        a_start, left = a_start + extra, left[extra:]
        woven: list[T] = []
        for i in range(max(len(left), len(right))):
            woven += left[i : i + 1] + right[i : i + 1]
        return lines[:a_start] + woven + [l for l in gap if l.text.strip()] + lines[b_end + 1 :]
    return lines
