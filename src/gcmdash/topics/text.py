"""Normalising text for the topic model: words (`tokenize`), plural folding (`fold`, how
objective terms match), a light stemmer (`stem`, the model's word features), the stop stems,
and the `TextNormaliser` step of the pipeline."""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from functools import lru_cache

from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

# Words every UN text on migration shares, and the verbs every recommendation opens with:
# they carry no theme. (English stop words come from scikit-learn.) Matched after stemming.
DOMAIN_STOP_WORDS = frozenset("""
    migration migrant migratory migrate international national state member government
    global compact united nations un governance policy country level well also among within
    relevant regard way order area issue approach effort effective process practice various
    ensure promote include consider establish provide support encourage enhance improve
    strengthen implement implementation develop foster facilitate take make use allow address
    particularly especially need context basis part related key
""".split())

_WORD_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_POSSESSIVE_RE = re.compile(r"'s\b")
_VOWEL_RE = re.compile(r"[aeiouy]")


# --------------------------------------------------------------------------- normalising text

def tokenize(text: str) -> list[str]:
    """Lower-case words; hyphenated compounds (whole-of-government) stay one token; a
    possessive 's is dropped."""
    text = text.lower().replace("\u2019", "'").replace("\u2018", "'")
    return _WORD_RE.findall(_POSSESSIVE_RE.sub("", text))


def _undouble(word: str) -> str:
    if len(word) > 2 and word[-1] == word[-2] and word[-1] not in "lsz":
        return word[:-1]
    return word


@lru_cache(maxsize=1 << 16)
def fold(word: str) -> str:
    """Plural to singular, nothing else: how objective terms are matched (countries ->
    country, vulnerabilities -> vulnerability, borders -> border). Verb and noun stay apart
    ('integrate' is not 'integration')."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith(("sses", "shes", "ches", "xes", "zes")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


@lru_cache(maxsize=1 << 16)
def stem(word: str) -> str:
    """A light, readable stemmer for English policy text (inflections and the commonest
    derivations only), for the topic model's word features: vulnerabilities / vulnerable ->
    vulnerabl, returning / returns / returnees -> return, financing / finance -> financ,
    integration / integrated -> integrat. Stems are shown through their most frequent surface
    form, never raw."""
    w = fold(word)
    if len(w) >= 6 and w.endswith("ing") and _VOWEL_RE.search(w[:-3]):
        w = _undouble(w[:-3])
    elif len(w) >= 5 and w.endswith("ed") and _VOWEL_RE.search(w[:-2]):
        w = _undouble(w[:-2])
    if w.endswith("ability"):
        w = w[:-5] + "l"
    elif len(w) > 7 and w.endswith("ation"):
        w = w[:-3]
    if len(w) > 5 and w.endswith("ee"):
        w = w[:-2]
    elif len(w) > 3 and w.endswith("e"):
        w = w[:-1]
    return w


def normalise(text: str) -> str:
    """Text -> space-separated stems (stop words are dropped later, by the vectorizer)."""
    return " ".join(stem(w) for w in tokenize(text))


STOP_STEMS = tuple(sorted({stem(w) for w in ENGLISH_STOP_WORDS} | {stem(w) for w in
                                                                    DOMAIN_STOP_WORDS}))


class TextNormaliser(TransformerMixin, BaseEstimator):
    """Texts -> normalised stem strings. Learns, for display, the most frequent surface form of
    every stem (`surface_forms_`)."""

    def fit(self, X: Iterable[str], y=None):  # noqa: ARG002 - scikit-learn signature
        """Learn each stem's most frequent surface form."""
        forms: dict[str, Counter] = defaultdict(Counter)
        for text in X:
            for word in tokenize(text):
                forms[stem(word)][word] += 1
        self.surface_forms_ = {s: min(c.items(), key=lambda kv: (-kv[1], kv[0]))[0]
                               for s, c in forms.items()}
        return self

    def transform(self, X: Iterable[str]) -> list[str]:
        """Texts -> space-separated stems."""
        return [normalise(text) for text in X]

    def display(self, feature: str) -> str:
        """A stem or stem bigram as readable words ('vulnerabl' -> 'vulnerable')."""
        return " ".join(self.surface_forms_.get(s, s) for s in feature.split())

