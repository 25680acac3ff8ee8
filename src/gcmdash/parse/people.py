"""People as documents name them: 'H.E. Mr. Jürg Lauber, Permanent Representative of ...'."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from gcmdash.extract.text import squash_spaces, strip_bullets

# Order matters: the longest honorific first. 'Ms.Marla Conrad' (no space) occurs in the seeds.
_HONORIFIC_TOKENS = ("H.E.", "H. E.", "Mrs.", "Mrs", "Ms.", "Ms", "Mr.", "Mr", "Miss", "Dr.",
                     "Dr", "Prof.", "Professor", "Ambassador", "Amb.")
_NAME_PARTICLES = {"de", "del", "della", "da", "das", "dos", "du", "van", "von", "der", "den",
                   "bin", "al", "el", "la", "le", "y", "ibn"}
FEMALE_HONORIFICS = {"ms", "mrs", "miss"}
MALE_HONORIFICS = {"mr"}


@dataclass(frozen=True)
class NamedPerson:
    """A person as named in a document: honorific, full name and affiliation."""

    honorific: str | None
    full_name: str
    affiliation: str | None


def split_honorific(text: str) -> tuple[str | None, str]:
    """('H.E. Mr.', 'Juan José Gómez Camacho, ...') from 'H.E. Mr. Juan José Gómez Camacho, ...'."""
    rest = text.strip()
    found: list[str] = []
    while True:
        for token in _HONORIFIC_TOKENS:
            if rest.startswith(token):
                after = rest[len(token):]
                # a token is whole when a space, a capital or caseless letter (after a dot) or the end follows
                if after[:1] == " " or (token.endswith(".") and _starts_like_a_name(after)):
                    found.append(token if token.endswith(".") or token in ("Ambassador", "Professor", "Miss") else token + ".")
                    rest = after.lstrip()
                    break
        else:
            token = _ocr_honorific(rest)
            if token is None:
                break
            found.append(token)
            rest = rest.split(" ", 1)[1].lstrip() if " " in rest else ""
    honorific = " ".join(t.replace("H. E.", "H.E.") for t in found) or None
    return honorific, rest


def _fold_token(word: str) -> str:
    word = word.translate(_DIGITS).casefold()
    for read, meant in _PAIRS:
        word = word.replace(read, meant)
    return word.translate(_LETTERS)


def _ocr_honorific(text: str) -> str | None:
    """An abbreviated honorific as a scan's OCR may read it ('Arnb.' for 'Amb.', 'M5.' for
    'Ms.'), as the honorific it stands for; None when the first word is no such reading."""
    word, space, rest = text.partition(" ")
    if not (space and word.endswith(".") and 2 < len(word) <= 5 and _starts_like_a_name(rest)):
        return None
    for token in _HONORIFIC_TOKENS:
        if token.endswith(".") and " " not in token and _fold_token(token) == _fold_token(word):
            return token
    return None


def looks_like_name(text: str) -> bool:
    """Two to seven words, each capitalised or a known particle ('Juan José Gómez Camacho'); in
    a script without letter case (Arabic, Chinese) each word starts with a letter, and a name in
    a script written without spaces may be one word ('王毅')."""
    words = text.split()
    if not 2 <= len(words) <= 7 and not (len(words) == 1 and _is_unspaced_name(words[0])):
        return False
    for word in words:
        if word.lower() in _NAME_PARTICLES:
            continue
        if not (_starts_like_a_name(word) and all(_is_name_character(ch) for ch in word)):
            return False
    return words[0].lower() not in _NAME_PARTICLES


def _starts_like_a_name(word: str) -> bool:
    first = word[:1]
    return first.isupper() or (first.isalpha() and not first.islower())  # caseless: Arabic, Han


def _is_name_character(ch: str) -> bool:
    # \w and the name punctuation, and the combining marks some scripts write on their letters
    return ch.isalnum() or ch in "_'’.-" or unicodedata.category(ch).startswith("M")


# Scripts that write a name without a space between its parts; such a name is one word of 2-6
# of their letters.
_UNSPACED_SCRIPTS = ("CJK UNIFIED IDEOGRAPH", "HIRAGANA", "KATAKANA", "HANGUL SYLLABLE")


def _is_unspaced_name(word: str) -> bool:
    return 2 <= len(word) <= 6 and all(
        unicodedata.name(ch, "").startswith(_UNSPACED_SCRIPTS) for ch in word)


def parse_person(text: str, require_honorific: bool = False) -> NamedPerson | None:
    """A person from 'Honorific Name, affiliation'; None when the text is not a person."""
    text = strip_bullets(text)
    honorific, rest = split_honorific(text)
    if honorific is None and require_honorific:
        return None
    name, _, affiliation = rest.partition(",")
    name = squash_spaces(name)
    if not looks_like_name(name):
        return None
    affiliation = squash_spaces(affiliation).rstrip(".").strip() or None
    return NamedPerson(honorific=honorific, full_name=name, affiliation=affiliation)


def name_key(full_name: str) -> str:
    """Case-, punctuation- and Latin-accent-free form for matching ('Iván Martín' == 'Ivan
    Martin'). Letters of every script are kept (NFKC, then Unicode case folding); accents are
    removed from Latin letters only, so 'Андрей' and 'Андреи' stay two people."""
    folded = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", full_name).casefold())
    kept: list[str] = []
    base_is_latin = False
    for ch in folded:
        category = unicodedata.category(ch)
        if category.startswith("L"):
            base_is_latin = unicodedata.name(ch, "").startswith("LATIN")
            kept.append(ch)
        elif category.startswith("M") and kept and kept[-1] != " ":
            if not (base_is_latin and unicodedata.combining(ch)):
                kept.append(ch)
        else:
            kept.append(" ")
    return squash_spaces(unicodedata.normalize("NFC", "".join(kept)))


# What OCR reads for a letter, folded the same way on both sides of a comparison.
_DIGITS = str.maketrans({"0": "o", "1": "l", "5": "s", "|": "l", "!": "l"})
_PAIRS = (("rn", "m"), ("vv", "w"), ("cl", "d"))
_LETTERS = str.maketrans({"i": "l", "c": "e"})


def ocr_key(name: str) -> str:
    """A name key with what OCR confuses folded together and the spacing dropped ('Jürg
    Lauber', 'Jurg Lauber', 'Jürg Laub er' and 'Jürg Lauber' with '1' for 'l' give one key)."""
    key = name_key(name.translate(_DIGITS)).replace(" ", "")
    for read, meant in _PAIRS:
        key = key.replace(read, meant)
    return key.translate(_LETTERS)


def person_id(full_name: str) -> str:
    """A person's id: the name key with hyphens for spaces ('ivan-martin')."""
    return name_key(full_name).replace(" ", "-")


def gender_as_listed(honorific: str | None) -> str:
    """'female' for Ms./Mrs./Miss, 'male' for Mr., else 'unknown' (Dr., Prof., H.E. alone)."""
    if not honorific:
        return "unknown"
    tokens = {t.strip(".").lower() for t in honorific.split()}
    if tokens & FEMALE_HONORIFICS:
        return "female"
    if tokens & MALE_HONORIFICS:
        return "male"
    return "unknown"


_HONORIFIC_AHEAD = r"(?:H\.\s?E\.|Mrs?\.|Ms\.|Miss\s|Dr\.|Prof\.|Professor\s|Ambassador\s|Amb\.)"
# 'A, affiliation and H.E. Mr. B, ...', 'A, ...; B, ...' and inline bullets '• A, ... • B, ...'
_PEOPLE_SPLIT_RE = re.compile(rf"\s*•\s*|,?\s+and\s+(?={_HONORIFIC_AHEAD})|;\s+(?={_HONORIFIC_AHEAD})")


def parse_people(text: str) -> list[NamedPerson]:
    """Everyone a list line names: several people on one line ('A and B', inline bullets);
    a name followed by 'of <country>' ('Ambassador Rafael Mariano Grossi of Argentina') keeps
    the name alone. Parts that are not people are left out."""
    people = []
    for part in _PEOPLE_SPLIT_RE.split(text):
        part = part.strip(" .;")
        if not part:
            continue
        person = parse_person(part)
        if person is None:
            honorific, rest = split_honorific(part)
            name, of, _ = rest.partition(" of ")
            if honorific and of and "," not in name and looks_like_name(squash_spaces(name)):
                person = NamedPerson(honorific, squash_spaces(name), None)
        if person is not None:
            people.append(person)
    return people
