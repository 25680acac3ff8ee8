"""Clean text and the small text repairs every parser shares.

Invariant: cleaning never adds or removes a line, so a line number in the clean text is the
line number in the file in data/raw (provenance stays exact).
"""
from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from html.parser import HTMLParser

# Bullet glyphs that survive extraction ("▪" in Word-to-markdown, "•" and private-use
# glyphs from PDF symbol fonts); PDF extraction often loses them altogether.
BULLET_GLYPHS = "•▪◦●‣∙■□➢✓\uf0a7\uf0b7\uf0d8\uf0fc"
_BULLET_RE = re.compile(f"[{re.escape(BULLET_GLYPHS)}]")
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b\u200e\u200f\ufeff]")
_SURROGATE_RE = re.compile(r"[\ud800-\udfff]")
_SPACES_RE = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u3000]+")
_WORD_RE = re.compile(r"[A-Za-zÀ-ÖØ-öø-ÿĀ-ſ]+(?:-[A-Za-zÀ-ÖØ-öø-ÿĀ-ſ]+)*")


def clean_text(raw: str) -> str:
    """Normalise decoded text without changing its line structure.

    NFC composition, one kind of line ending, no control characters, NULs or lone surrogates
    (which extraction of broken files produces), no-break spaces as spaces.
    """
    text = raw.replace("\r\n", "\n").replace("\r", "\n")
    text = _SURROGATE_RE.sub("\ufffd", text)
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\u00a0", " ").replace("\u2028", " ").replace("\u2029", " ")
    return _CONTROL_RE.sub("", text)


def squash_spaces(text: str) -> str:
    """One space between words, none at the ends."""
    return _SPACES_RE.sub(" ", text).strip()


def strip_bullets(text: str) -> str:
    """The text without its bullet characters, spaces squashed."""
    return squash_spaces(_BULLET_RE.sub(" ", text))


def join_wrapped(parts: list[str]) -> str:
    """Join lines that a layout wrapped, keeping a hyphen that ended a line.

    'whole-of-' + 'government' -> 'whole-of-government'; otherwise lines join with one space.
    """
    out: list[str] = []  # joined once at the end: a long text is not copied once per line
    for part in parts:
        part = squash_spaces(part)
        if not part:
            continue
        if hyphen_joins(out, part):
            out.append(part)
        else:
            out += (" ", part) if out else (part,)
    return "".join(out)


def hyphen_joins(out: list[str], part: str) -> bool:
    """Whether `part` (a wrapped line's text) joins the text before it without a space: the
    pieces joined so far (`out`, spaces as pieces of their own) end in a hyphen that ended a
    line, not a spaced dash ('whole-of-' + 'government'; 'data -' + 'analysis' stays apart);
    a range of numbers broken after its dash too (a narrow time cell: '10.00-' + '10.15')."""
    if not out or not out[-1].endswith("-") or _spaced_dash(out):
        return False
    return part[:1].isalpha() or (part[:1].isdigit() and out[-1][-2:-1].isdigit())


def _spaced_dash(out: list[str]) -> bool:
    """Whether the text joined so far ends in ' -' (a dash, not a hyphen that ended a line)."""
    return out[-1].endswith(" -") or (out[-1] == "-" and len(out) > 1)


class _FragmentParser(HTMLParser):
    """Splits a line with HTML fragments into bold runs, list items and the rest (as text)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.bold: list[str] = []
        self.items: list[str] = []
        self.plain: list[str] = []
        self._in_bold = 0
        self._in_item = 0
        self._skip = 0

    def handle_starttag(self, tag, attrs):  # noqa: ARG002 - HTMLParser signature
        if tag in ("b", "strong"):
            self._in_bold += 1
            self.bold.append("")
        elif tag == "li":
            self._in_item += 1
            self.items.append("")
        elif tag in ("script", "style"):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in ("b", "strong"):
            self._in_bold = max(0, self._in_bold - 1)
        elif tag == "li":
            self._in_item = max(0, self._in_item - 1)
        elif tag in ("script", "style"):
            self._skip = max(0, self._skip - 1)

    def handle_data(self, data):
        if self._skip:
            return
        if self._in_bold:
            self.bold[-1] += data
        elif self._in_item:
            self.items[-1] += data
        else:
            self.plain.append(data)


@dataclass(frozen=True)
class HtmlFragments:
    """A line's HTML fragments as plain text: its bold runs, list items and remaining text."""

    bold: tuple[str, ...]
    items: tuple[str, ...]
    plain: str


def split_html_fragments(line: str) -> HtmlFragments:
    """Read the HTML fragments Word-to-markdown leaves in table cells, as plain text only."""
    parser = _FragmentParser()
    parser.feed(line)
    parser.close()
    bold = tuple(s for s in (strip_bullets(b) for b in parser.bold) if s)
    items = tuple(s for s in (strip_bullets(i) for i in parser.items) if s)
    return HtmlFragments(bold=bold, items=items, plain=strip_bullets(" ".join(parser.plain)))




# --- lost line-break hyphens -------------------------------------------------------------------
# PDF extraction sometimes drops a hyphen that ended a line *and* the line break after it, so
# 'whole-of-' + 'government' becomes one over-long line containing 'whole-ofgovernment'.


@dataclass(frozen=True)
class HyphenLexicon:
    """What the corpus itself says about words: its hyphenated compounds and its plain words."""

    compounds: dict[str, str]  # a compound with one hyphen dropped (lower case) -> the compound
    word_counts: dict[str, int]  # lower-case words (and compound parts) -> times seen

    @classmethod
    def from_texts(cls, texts: list[str]) -> "HyphenLexicon":
        """The lexicon of a corpus from its texts."""
        counts: Counter[str] = Counter()
        for text in texts:
            counts.update(count_tokens(text))
        return cls.from_token_counts(counts)

    @classmethod
    def from_token_counts(cls, counts: Counter[str]) -> "HyphenLexicon":
        """The lexicon of a corpus from its token counts (`count_tokens` summed over its texts),
        so an incremental build can add and subtract one text's counts instead of recounting.
        Independent of the order the texts were counted in."""
        compounds: dict[str, str] = {}
        words: Counter[str] = Counter()
        for token in sorted(token for token, count in counts.items() if count > 0):
            count = counts[token]
            for part in token.split("-"):
                words[part] += count
            for position in (i for i, ch in enumerate(token) if ch == "-"):
                # two compounds that lose a hyphen to the same letters: the first in sort order
                compounds.setdefault(token[:position] + token[position + 1 :], token)
        return cls(compounds=compounds, word_counts=dict(words))

    def repair(self, token: str) -> str | None:
        """The hyphenated form of a token whose line-break hyphen was lost, or None."""
        lower = token.lower()
        if lower in self.compounds:
            return _match_case(token, self.compounds[lower])
        if "-" not in lower and self.word_counts.get(lower, 0) > 1:
            return None  # a word the corpus uses elsewhere too: not glued
        head, _, tail = lower.rpartition("-")
        stem = tail if head else lower
        for cut in range(len(stem) - 3, 2, -1):
            left, right = stem[:cut], stem[cut:]
            if left in self.word_counts and right in self.word_counts:
                joined = f"{head}-{left}-{right}" if head else f"{left}-{right}"
                return _match_case(token, joined)
        return None


def count_tokens(text: str) -> Counter[str]:
    """Lower-case word tokens of one text (hyphenated compounds whole), with their counts."""
    return Counter(map(str.lower, _WORD_RE.findall(text)))


def _match_case(original: str, repaired: str) -> str:
    out, i = [], 0
    for ch in repaired:
        if ch == "-" and (i >= len(original) or original[i] != "-"):
            out.append("-")
            continue
        out.append(original[i] if i < len(original) else ch)
        i += 1
    return "".join(out)


def typical_width(lines: list[str]) -> int:
    """The width a layout wrapped its lines at: the 95th percentile of non-empty line lengths."""
    lengths = sorted(len(line.rstrip()) for line in lines if line.strip())
    if not lengths:
        return 0
    return lengths[min(len(lengths) - 1, int(len(lengths) * 0.95))]


def repair_joined_lines(lines: list[str], lexicon: HyphenLexicon) -> list[str]:
    """Re-insert the hyphen lost where extraction glued two layout lines into one.

    A glued line is over 1.15 times the layout width; its glue point is near that width, so only
    the one repairable token closest to it is changed. Same number of lines out as in.
    """
    width = typical_width(lines)
    if width < 40:
        return list(lines)
    glued_limit = width * 1.15
    if sum(len(line) > glued_limit for line in lines) > max(3, len(lines) // 20):
        return list(lines)  # long lines are the layout here (markdown paragraphs), not glue
    repaired = []
    for line in lines:
        if len(line.rstrip()) <= glued_limit:
            repaired.append(line)
            continue
        best: tuple[float, re.Match[str], str] | None = None
        for match in _WORD_RE.finditer(line):
            if match.end() < width * 0.6 or match.start() > width * 1.2:
                continue
            fixed = lexicon.repair(match.group())
            if fixed is None:
                continue
            distance = min(abs(match.start() - width), abs(match.end() - width))
            if best is None or distance < best[0]:
                best = (distance, match, fixed)
        if best is None:
            repaired.append(line)
        else:
            _, match, fixed = best
            repaired.append(line[: match.start()] + fixed + line[match.end() :])
    return repaired


def repair_own_compounds(lines: list[str]) -> list[str]:
    """Re-insert a lost hyphen wherever a document glues a compound it writes with its hyphen
    elsewhere ('predeparture' where it also writes 'pre-departure'), on a line of any length:
    a layout that re-wrapped or flowed the text moved the glue point away from the line's end.
    Guessing a split from two known words ('capacity' + 'building') stays limited to over-long
    lines (repair_joined_lines), where the glue point is known. Depends on the document alone
    (so a cached parse stays valid whatever the corpus). A phrase the document writes as two
    words more often than glued ('capacity building' twice, 'capacitybuilding' once) is the
    same evidence: the glued form lost the hyphen of a line break. Same lines out."""
    compounds: dict[str, str] = {}
    for token in {t.lower() for line in lines if "-" in line for t in _WORD_RE.findall(line)
                  if "-" in t}:
        for position in (i for i, ch in enumerate(token) if ch == "-"):
            compounds.setdefault(token[:position] + token[position + 1 :], token)
    for glued, compound in _glued_phrases(lines).items():
        compounds.setdefault(glued, compound)
    if not compounds:
        return list(lines)
    # only the lines holding a glued form are rewritten (a cheap search finds them)
    glued = re.compile(r"(?i)(?<![\w-])(?:" + "|".join(map(re.escape, sorted(compounds, key=len, reverse=True)))
                       + r")(?![\w-])")

    def fix(match: re.Match[str]) -> str:
        token = match.group()
        return _match_case(token, compounds[token.lower()])

    return [glued.sub(fix, line) if line else line for line in lines]


def repair_split_words(lines: list[str]) -> list[str]:
    """Join a word a narrow table cell broke without a hyphen ('intergovernment al'): two
    tokens, the second short and in lower case, that the document writes whole elsewhere
    ('intergovernmental') and neither of which it uses as a word of its own. Depends on the
    document alone, as repair_own_compounds. Same lines out."""
    counts = count_tokens("\n".join(lines))
    once = {w for w, c in counts.items() if c == 1}
    # the pairs are found from the vocabulary (a word cut into two pieces used once each),
    # not by trying every pair of words in the text
    pairs = {(word[:-k], word[-k:]) for word in counts for k in range(1, 6)
             if len(word) - k >= 3 and word[-k:] in once and word[:-k] in once}
    if not pairs:
        return list(lines)
    broken = re.compile(r"(?i)(?<![\w-])(" + "|".join(
        re.escape(f"{left} {right}") for left, right in sorted(pairs)) + r")(?![\w-])")

    def join(match: re.Match[str]) -> str:
        left, right = match.group().split(" ")
        return left + right if right.islower() else match.group()

    return [broken.sub(join, line) if " " in line else line for line in lines]


def _glued_phrases(lines: list[str]) -> dict[str, str]:
    """Glued forms of two-word phrases ('capacitybuilding' -> 'capacity-building'): a token that
    is two words of 4+ letters the document writes as a phrase at least twice, and more often
    spaced than glued. Only tokens that split into two of the document's words are looked
    for as phrases, so a document costs one pass over its words."""
    text = "\n".join(lines).lower()
    counts = Counter(_WORD_RE.findall(text))
    found: dict[str, str] = {}
    for token, glued in counts.items():
        if len(token) < 8 or "-" in token:
            continue
        for cut in range(4, len(token) - 3):
            left, right = token[:cut], token[cut:]
            if left in counts and right in counts:
                spaced = len(re.findall(rf"(?<![\w-]){left}\s+{right}(?![\w-])", text))
                if spaced >= 2 and glued < spaced:
                    found[token] = f"{left}-{right}"
                    break
    return found
