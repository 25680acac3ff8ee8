"""Themes: text units -> a scikit-learn topic model -> topics, GCM-objective coverage.

What runs, in order (one build stage: `prepare_topics`, `compute_topics`, `write_model`):

1. **Text units** (`read_text_units`): every recommendation, every panel description and panel
   title (one per session and panel, however many documents repeat it; curated `panels` rows
   when that table exists), every discussion-area narrative (without its heading: the heading
   is the human grouping the evaluation compares against) and every session theme, each with
   its session and provenance.
2. **Topic model** (`build_pipeline`): one scikit-learn `Pipeline`
   `FeatureUnion(TextNormaliser -> TF-IDF, ObjectiveTermScorer) -> NMF`.
   TF-IDF is sublinear, over light stems, without English and domain stop words. The
   objective view adds, per unit, its scores against the curated GCM objective term table
   (`data/reference/gcm_objective_terms.csv`, written from the objectives' text in
   A/RES/73/195, never from the summaries' area letters), weighted 0.75: the one setting
   chosen by looking at the area letters (`sensitivity`, disclosed in the README). NMF uses
   the deterministic NNDSVD start with a fixed `random_state`, single-threaded, weights
   rounded to 6 decimals.
3. **Number of topics** (`select_n_topics`): the candidate k (5..20, at most a quarter of the
   units) whose NMF assignments are most stable across subsamples of the units (mean pairwise
   adjusted Rand index of the labels that models fitted on different 80% subsamples give the
   same units; ties go to the smaller k). No label is looked at.
4. **Objectives** (`map_objectives`): each unit maps to zero or more of the 23 objectives with a
   score and the terms that matched as its reason.
5. **Coverage** (session x objective: covered / gap / no_text) and topic x session shares.

Every table says which model drew it (`topic_models`: scikit-learn version, parameters,
random state, corpus and term-table hashes). `evaluate` measures the clusters against the
summaries' own area letters (ARI, AMI), the stability across seeds and subsamples, and the fit
time.
"""
from __future__ import annotations

import csv
import hashlib
import json
import re
import time
import warnings
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import combinations
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import scipy
import scipy.sparse as sp
import sklearn
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.decomposition import NMF
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer
from sklearn.metrics import adjusted_mutual_info_score, adjusted_rand_score
from sklearn.pipeline import FeatureUnion, Pipeline
from threadpoolctl import threadpool_limits

from gcmdash.config import reference_dir

OBJECTIVES_CSV = "gcm_objectives.csv"
OBJECTIVE_TERMS_CSV = "gcm_objective_terms.csv"

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

RANDOM_STATE = 0
K_CANDIDATES = tuple(range(5, 21))  # a brief for the room needs a handful to a score of themes
STABILITY_RESAMPLES = 4
STABILITY_FRACTION = 0.8
SELECTION_MAX_ITER, SELECTION_TOL = 200, 1e-3  # the subsample fits only rank the candidates
STABILITY_MAX_UNITS = 2000  # stability is measured on at most this many units (scale)
OBJECTIVE_MIN_SCORE = 0.5   # a unit maps to an objective from matched term weight >= 1
TOP_TERMS = 10
COVERAGE_TOP_UNITS = 3
DECIMALS = 6

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
        forms: dict[str, Counter] = defaultdict(Counter)
        for text in X:
            for word in tokenize(text):
                forms[stem(word)][word] += 1
        self.surface_forms_ = {s: min(c.items(), key=lambda kv: (-kv[1], kv[0]))[0]
                               for s, c in forms.items()}
        return self

    def transform(self, X: Iterable[str]) -> list[str]:
        return [normalise(text) for text in X]

    def display(self, feature: str) -> str:
        """A stem or stem bigram as readable words ('vulnerabl' -> 'vulnerable')."""
        return " ".join(self.surface_forms_.get(s, s) for s in feature.split())


# --------------------------------------------------------------------------- objective terms

@dataclass(frozen=True)
class ObjectiveTerm:
    objective: int
    term: str
    weight: float
    source_url: str


def read_objectives(directory: Path | None = None) -> list[dict]:
    """The 23 objectives (data/reference/gcm_objectives.csv)."""
    path = (directory or reference_dir()) / OBJECTIVES_CSV
    with path.open(encoding="utf-8", newline="") as f:
        return [dict(objective=int(r["objective"]), short_title=r["short_title"],
                     hub_label=r["hub_label"], source_url=r["source_url"])
                for r in csv.DictReader(f)]


def read_objective_terms(directory: Path | None = None) -> tuple[ObjectiveTerm, ...]:
    """The objective term table (data/reference/gcm_objective_terms.csv)."""
    path = (directory or reference_dir()) / OBJECTIVE_TERMS_CSV
    with path.open(encoding="utf-8", newline="") as f:
        return tuple(ObjectiveTerm(int(r["objective"]), r["term"].strip(), float(r["weight"]),
                                   r["source_url"]) for r in csv.DictReader(f))


def _objective_score(total_weight: float) -> float:
    """1 - 0.5^w: one strong term (w = 1) scores 0.5, two 0.75; never reaches 1."""
    return round(1.0 - 0.5 ** total_weight, DECIMALS)


class ObjectiveTermScorer(TransformerMixin, BaseEstimator):
    """Texts -> (n, 23) sparse scores against the GCM objective term table.

    Words are matched in their singular form (`fold`), as whole words and phrases. Longer
    terms win where terms overlap, across objectives ('integrated border management' is one
    match, not also 'integration'; 'alternatives to detention' not also 'detention'); a term
    that the table lists under two objectives counts for both. Each distinct term counts once
    per text; the score is 1 - 0.5^(sum of the matched terms' weights), times `weight` (the
    view's weight in the topic model)."""

    def __init__(self, terms: tuple[ObjectiveTerm, ...] | None = None, weight: float = 1.0):
        self.terms = terms
        self.weight = weight

    def fit(self, X=None, y=None):  # noqa: ARG002 - scikit-learn signature
        terms = self.terms if self.terms is not None else read_objective_terms()
        self.objectives_ = tuple(sorted({t.objective for t in terms}))
        patterns: dict[tuple[str, ...], dict[int, tuple[float, str]]] = defaultdict(dict)
        for t in terms:
            key = tuple(fold(w) for w in tokenize(t.term))
            if key:
                old = patterns[key].get(t.objective)
                if old is None or t.weight > old[0]:
                    patterns[key][t.objective] = (t.weight, t.term)
        by_first: dict[str, list[tuple[str, ...]]] = defaultdict(list)
        for key in sorted(patterns):
            by_first[key[0]].append(key)
        self.patterns_ = dict(patterns)
        self.patterns_by_first_ = dict(by_first)
        return self

    def matches(self, text: str) -> dict[int, dict[str, float]]:
        """{objective: {term as written in the table: weight}} for one text."""
        tokens = [fold(w) for w in tokenize(text)]
        found_spans: list[tuple[int, int, tuple[str, ...]]] = []
        for i, token in enumerate(tokens):
            for key in self.patterns_by_first_.get(token, ()):
                if tuple(tokens[i:i + len(key)]) == key:
                    found_spans.append((len(key), i, key))
        consumed: set[int] = set()
        found: dict[int, dict[str, float]] = defaultdict(dict)
        for length in sorted({n for n, _, _ in found_spans}, reverse=True):
            level = [(i, key) for n, i, key in found_spans if n == length]
            accepted = [(i, key) for i, key in level
                        if not consumed.intersection(range(i, i + length))]
            for i, key in accepted:
                for objective, (weight, term) in self.patterns_[key].items():
                    found[objective].setdefault(term, weight)
            for i, _ in accepted:
                consumed.update(range(i, i + length))
        return {o: found[o] for o in sorted(found)}

    def transform(self, X: Sequence[str]) -> sp.csr_matrix:
        column = {o: j for j, o in enumerate(self.objectives_)}
        rows, cols, values = [], [], []
        for i, text in enumerate(X):
            for objective, terms in self.matches(text).items():
                rows.append(i)
                cols.append(column[objective])
                values.append(_objective_score(sum(terms.values())) * self.weight)
        return sp.csr_matrix((values, (rows, cols)), shape=(len(X), len(self.objectives_)))

    def get_feature_names_out(self, input_features=None):  # noqa: ARG002
        return np.array([f"objective_{o}" for o in self.objectives_], dtype=object)


# --------------------------------------------------------------------------- the model

def build_pipeline(n_topics: int, random_state: int = RANDOM_STATE, *,
                   objective_weight: float = 0.75, ngram_range: tuple[int, int] = (1, 1),
                   min_df: int = 1,
                   terms: tuple[ObjectiveTerm, ...] | None = None) -> Pipeline:
    """The topic model: normalise -> TF-IDF (sublinear, stems, stop words) + objective-term
    scores -> NMF with n_topics components.

    Deterministic: NNDSVD start (its randomized SVD seeded by `random_state`), coordinate
    descent, no random restarts. `objective_weight=0` drops the objective view (text only);
    `ngram_range=(1, 2)` adds word bigrams (tried: less robust on the seed corpus, see README)."""
    words = Pipeline([
        ("normalise", TextNormaliser()),
        ("tfidf", TfidfVectorizer(
            lowercase=False, token_pattern=r"\S+", stop_words=list(STOP_STEMS),
            ngram_range=ngram_range, sublinear_tf=True, min_df=min_df, dtype=np.float64)),
    ])
    views = [("words", words)]
    if objective_weight > 0:
        views.append(("objectives", ObjectiveTermScorer(terms=terms, weight=objective_weight)))
    return Pipeline([
        ("features", FeatureUnion(views)),
        ("nmf", NMF(n_components=n_topics, init="nndsvd", solver="cd", beta_loss="frobenius",
                    max_iter=1000, tol=1e-4, random_state=random_state)),
    ])


def _row_weights(W: np.ndarray) -> np.ndarray:
    """NMF loadings -> per-unit topic shares summing to 1 (rows of zeros stay zero)."""
    totals = W.sum(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        shares = np.where(totals > 0, W / np.where(totals > 0, totals, 1.0), 0.0)
    return np.round(shares, DECIMALS)


def primary_topics(weights: np.ndarray) -> np.ndarray:
    """Index of each unit's strongest topic (first on ties); -1 for a unit with no terms."""
    labels = weights.argmax(axis=1)
    labels[weights.max(axis=1) <= 0] = -1
    return labels


def fit_weights(pipeline: Pipeline, texts: Sequence[str]) -> np.ndarray:
    """Fit the pipeline single-threaded (so every machine does the same arithmetic) and return
    rounded unit x topic shares."""
    with threadpool_limits(limits=1):
        W = pipeline.fit_transform(list(texts))
    return _row_weights(W)


@dataclass
class Selection:
    n_topics: int
    stability: dict[int, float]  # k -> mean pairwise ARI across subsamples
    criterion: str


def pair_ari(a: np.ndarray, b: np.ndarray) -> float:
    """Adjusted Rand index of two integer labelings (the same as scikit-learn's
    adjusted_rand_score, without its input checks: it runs thousands of times in selection)."""
    _, a = np.unique(a, return_inverse=True)
    _, b = np.unique(b, return_inverse=True)
    table = np.zeros((a.max() + 1, b.max() + 1), dtype=np.int64)
    np.add.at(table, (a, b), 1)
    n = len(a)
    pairs = lambda x: (x * (x - 1) // 2).sum()  # noqa: E731
    both, rows, cols = pairs(table), pairs(table.sum(1)), pairs(table.sum(0))
    total = n * (n - 1) // 2
    expected = rows * cols / total if total else 0.0
    top = (rows + cols) / 2
    if top == expected:  # both labelings trivial (one cluster, or all singletons)
        return 1.0
    return float((both - expected) / (top - expected))


def _subsample_labels(X: sp.csr_matrix, k: int, random_state: int, resamples: int,
                      fraction: float, eval_rows: np.ndarray) -> list[np.ndarray]:
    rng = np.random.RandomState(random_state)
    n = X.shape[0]
    size = max(k + 1, int(round(fraction * n)))
    labelings = []
    for _ in range(resamples):
        rows = np.sort(rng.choice(n, size=min(size, n), replace=False))
        model = NMF(n_components=k, init="nndsvd", solver="cd", max_iter=SELECTION_MAX_ITER,
                    tol=SELECTION_TOL, random_state=random_state).fit(X[rows])
        labelings.append(primary_topics(_row_weights(model.transform(X[eval_rows]))))
    return labelings


def select_n_topics(X: sp.csr_matrix, candidates: Iterable[int] = K_CANDIDATES,
                    random_state: int = RANDOM_STATE, resamples: int = STABILITY_RESAMPLES,
                    fraction: float = STABILITY_FRACTION,
                    max_units: int = STABILITY_MAX_UNITS) -> Selection:
    """Choose k by stability: for each candidate, fit NMF on `resamples` random subsamples
    (`fraction` of the units, at most `max_units`) of the feature matrix, label the same units
    with each, and average the adjusted Rand index over all pairs of labelings. The most stable
    k wins, ties to the smaller. Candidates above a quarter of the units are skipped (a topic
    should hold several units). Label-free: the area letters are never read."""
    n = X.shape[0]
    usable = [k for k in candidates if 2 <= k <= max(2, n // 4)]
    criterion = (f"max mean pairwise ARI of NMF labels over {resamples} subsamples of "
                 f"{fraction:.0%} of the units, k in {min(candidates)}..{max(candidates)} "
                 f"(<= units/4); ties to the smaller k")
    if n < 8 or not usable:
        return Selection(max(1, min(2, n)), {}, "too few units to compare: k = min(2, units)")
    rng = np.random.RandomState(random_state)
    if n > max_units:
        X = X[np.sort(rng.choice(n, size=max_units, replace=False))]
        n = max_units
    eval_rows = np.arange(n)
    stability: dict[int, float] = {}
    with threadpool_limits(limits=1), warnings.catch_warnings():
        # the subsample fits stop at SELECTION_MAX_ITER on purpose: they only rank candidates
        warnings.simplefilter("ignore", ConvergenceWarning)
        for k in usable:
            labelings = _subsample_labels(X, k, random_state, resamples, fraction, eval_rows)
            scores = [pair_ari(a, b) for a, b in combinations(labelings, 2)]
            stability[k] = round(float(np.mean(scores)), 4)
    best = max(stability, key=lambda k: (stability[k], -k))
    return Selection(best, stability, criterion)


# --------------------------------------------------------------------------- text units

_AGENDA_PANELS = """
    SELECT session_number, panel_number, title, description, document_id, line_start, line_end,
           row_number() OVER (PARTITION BY session_number, panel_number
                              ORDER BY length(description) DESC NULLS LAST, document_id, line_start
                             ) AS rank_description,
           row_number() OVER (PARTITION BY session_number, panel_number
                              ORDER BY document_id, line_start) AS rank_title
    FROM agenda_items WHERE item_type = 'panel'
"""
_RECOMMENDATIONS = """
    SELECT recommendation_id AS unit_id, session_number, 'recommendation' AS unit_type, text,
           document_id, line_start, line_end, NULL AS source_url
    FROM recommendations
"""
_PANEL_DESCRIPTIONS = """
    SELECT format('s{}-panel-{}-description', session_number, panel_number), session_number,
           'panel_description', description, document_id, line_start, line_end, NULL
    FROM agenda_panels WHERE rank_description = 1 AND description IS NOT NULL
"""
_NARRATIVES = """
    SELECT format('s{}-{}-narrative', session_number, area_letter), session_number,
           'area_narrative', narrative, document_id, line_start, line_end, NULL
    FROM discussion_areas
"""
# A session's theme is its resolved title; its provenance is the source that stated that title
# (session_facts), parsed sources first.
_THEMES_FROM_FACTS = """
    SELECT format('s{}-theme', s.session_number), s.session_number, 'session_theme', s.title,
           f.document_id, f.line_start, f.line_end, f.source_url
    FROM sessions s JOIN session_facts f
      ON f.session_number = s.session_number AND f.fact = 'title' AND f.value = s.title
    WHERE s.title IS NOT NULL
    QUALIFY row_number() OVER (
        PARTITION BY s.session_number
        ORDER BY f.document_id IS NULL, f.document_id, f.line_start, f.source) = 1
"""
_THEMES_FROM_SESSIONS = """
    SELECT format('s{}-theme', session_number), session_number, 'session_theme', title,
           document_id, line_start, line_end, CASE WHEN document_id IS NULL THEN source_url END
    FROM sessions WHERE title IS NOT NULL
"""
# One title per session and panel: a parsed one (first document) before a curated one.
_PANEL_TITLES_FROM_PANELS = """
    SELECT format('s{}-panel-{}-title', session_number, panel_number), session_number,
           'panel_title', title, document_id, line_start, line_end,
           CASE WHEN document_id IS NULL THEN source_url END
    FROM panels WHERE title IS NOT NULL
    QUALIFY row_number() OVER (PARTITION BY session_number, panel_number
                               ORDER BY document_id IS NULL, document_id, line_start, source) = 1
"""
_PANEL_TITLES_FROM_AGENDAS = """
    SELECT format('s{}-panel-{}-title', session_number, panel_number), session_number,
           'panel_title', title, document_id, line_start, line_end, NULL
    FROM agenda_panels WHERE rank_title = 1
"""


def has_table(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    return con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = ?",
                       [name]).fetchone()[0] > 0


def read_text_units(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every text unit with its session and provenance, ordered by unit_id. Panel titles come
    from the `panels` table when the database has one, else from the agendas; units of a
    session the sessions table does not know, and empty texts, are left out."""
    themes = _THEMES_FROM_FACTS if has_table(con, "session_facts") else _THEMES_FROM_SESSIONS
    titles = _PANEL_TITLES_FROM_PANELS if has_table(con, "panels") else _PANEL_TITLES_FROM_AGENDAS
    parts = [_RECOMMENDATIONS, _PANEL_DESCRIPTIONS, _NARRATIVES, themes, titles]
    sql = (f"WITH agenda_panels AS ({_AGENDA_PANELS}) SELECT u.* FROM ("
           + " UNION ALL ".join(f"({part})" for part in parts) + """) u
        WHERE u.session_number IN (SELECT session_number FROM sessions)
          AND length(trim(u.text)) > 0
        ORDER BY u.unit_id""")
    units = con.execute(sql).fetchdf()
    units = units.drop_duplicates("unit_id", keep="first").reset_index(drop=True)
    for column in ("session_number", "line_start", "line_end"):
        units[column] = units[column].astype("Int64")
    return units


def terms_sha256(terms: Iterable[ObjectiveTerm]) -> str:
    """SHA-256 of the objective term table as read (objective, term, weight per row)."""
    digest = hashlib.sha256()
    for t in terms:
        digest.update(f"{t.objective}\x1f{t.term}\x1f{t.weight!r}\x1e".encode())
    return digest.hexdigest()


def corpus_sha256(units: pd.DataFrame) -> str:
    digest = hashlib.sha256()
    for unit_id, text in zip(units["unit_id"], units["text"]):
        digest.update(f"{unit_id}\x1f{text}\x1e".encode())
    return digest.hexdigest()


# --------------------------------------------------------------------------- fitting

@dataclass
class TopicModelResult:
    units: pd.DataFrame          # the text units, in model row order
    weights: np.ndarray          # unit x topic shares (rows sum to 1, or 0 for empty units)
    topics: pd.DataFrame         # topic_id, label, top_terms, ...
    topic_ids: np.ndarray        # model component -> topic_id
    selection: Selection
    provenance: dict
    fit_seconds: float = 0.0     # features + factorisation, without choosing k
    extra: dict = field(default_factory=dict)


def _simple_params(pipeline: Pipeline) -> dict:
    """The pipeline's parameters that are plain values (estimators and the term table are
    described elsewhere), as a JSON-able dict."""
    out = {}
    for key, value in sorted(pipeline.get_params(deep=True).items()):
        if key.endswith("__terms"):
            continue
        if isinstance(value, (str, int, float, bool)) or value is None:
            out[key] = value
        elif isinstance(value, (tuple, list)) and all(isinstance(v, (str, int, float))
                                                       for v in value):
            out[key] = list(value) if len(value) <= 10 else f"{len(value)} values"
    return out


def describe_method(params: dict) -> str:
    """The pipeline in words, from its parameters."""
    low, high = params.get("features__words__tfidf__ngram_range", [1, 1])
    words = "words" if high == 1 else f"{low}-{high}-word n-grams"
    objectives = params.get("features__objectives__weight")
    return ("TF-IDF (sublinear, " + words + ", light stems, English + domain stop words)"
            + (f" + GCM objective-term scores (weight {objectives:g})" if objectives else "")
            + " -> NMF (NNDSVD init, coordinate descent)")


def _label(terms: list[str]) -> str:
    """Up to three top terms that do not repeat each other ('border management' makes a
    later 'border' redundant)."""
    chosen: list[str] = []
    for term in terms:
        words = set(term.split())
        if any(words <= set(c.split()) or set(c.split()) <= words for c in chosen):
            continue
        chosen.append(term)
        if len(chosen) == 3:
            break
    return ", ".join(chosen).capitalize() if chosen else "(no terms)"


def _describe_topics(pipeline: Pipeline, weights: np.ndarray, units: pd.DataFrame
                     ) -> tuple[pd.DataFrame, np.ndarray]:
    features: FeatureUnion = pipeline.named_steps["features"]
    words: Pipeline = dict(features.transformer_list)["words"]
    normaliser: TextNormaliser = words.named_steps["normalise"]
    vectorizer: TfidfVectorizer = words.named_steps["tfidf"]
    names = vectorizer.get_feature_names_out()
    n_words = len(names)
    H = pipeline.named_steps["nmf"].components_
    scorer = dict(features.transformer_list).get("objectives")
    objectives = scorer.objectives_ if scorer is not None else ()
    primary = primary_topics(weights)
    is_rec = (units["unit_type"] == "recommendation").to_numpy()
    k = H.shape[0]
    counts = np.array([(primary == t).sum() for t in range(k)])
    # topic_id 1 is the topic with most units; ties by component index
    order = sorted(range(k), key=lambda t: (-counts[t], t))
    topic_ids = np.empty(k, dtype=int)
    rows = []
    for rank, t in enumerate(order, 1):
        topic_ids[t] = rank
        word_weights = np.round(H[t, :n_words], DECIMALS)
        top = sorted((i for i in np.flatnonzero(word_weights > 0)),
                     key=lambda i: (-word_weights[i], names[i]))[:TOP_TERMS]
        terms = [normaliser.display(names[i]) for i in top]
        objective_weights = np.round(H[t, n_words:], DECIMALS)
        main_objective = None
        if len(objectives) and objective_weights.max() > 0:
            main_objective = int(objectives[int(objective_weights.argmax())])
        rows.append(dict(topic_id=rank, label=_label(terms), top_terms=terms,
                         main_objective=main_objective, unit_count=int(counts[t]),
                         recommendation_count=int(((primary == t) & is_rec).sum())))
    return pd.DataFrame(rows), topic_ids


def fit_topics(units: pd.DataFrame, n_topics: int | None = None,
               random_state: int = RANDOM_STATE, **options) -> TopicModelResult:
    """Fit the topic model on the text units; choose k by stability unless n_topics is given."""
    texts = units["text"].tolist()
    clock = time.perf_counter()
    # Pipeline.fit, in its parts: the features (they do not depend on k) are fitted once and
    # shared by the choice of k and the final factorisation.
    pipeline = build_pipeline(max(1, n_topics or 1), random_state, **options)
    with threadpool_limits(limits=1):
        X = sp.csr_matrix(pipeline[:-1].fit_transform(texts)) if texts else None
    features_seconds = time.perf_counter() - clock
    clock = time.perf_counter()
    if n_topics is None and len(texts) < 8:
        selection = Selection(max(1, min(2, len(texts))), {},
                              "too few units to compare: k = min(2, units)")
    elif n_topics is None:
        selection = select_n_topics(X, random_state=random_state)
    else:
        selection = Selection(n_topics, {}, "given")
    select_seconds = time.perf_counter() - clock
    clock = time.perf_counter()
    k = max(1, min(selection.n_topics, len(texts)))
    pipeline.set_params(nmf__n_components=k)
    if texts:
        with threadpool_limits(limits=1):
            weights = _row_weights(pipeline.named_steps["nmf"].fit_transform(X))
    else:
        weights = np.zeros((0, k))
    nmf_seconds = time.perf_counter() - clock
    if texts:
        topics, topic_ids = _describe_topics(pipeline, weights, units)
        n_features = int(pipeline.named_steps["nmf"].n_features_in_)
        iterations = int(pipeline.named_steps["nmf"].n_iter_)
    else:
        topics, topic_ids, n_features, iterations = pd.DataFrame(), np.arange(1, k + 1), 0, 0
    corpus = corpus_sha256(units)
    params = _simple_params(pipeline)
    terms = terms_sha256(options.get("terms") or read_objective_terms())
    model_id = hashlib.sha256(json.dumps([params, corpus, terms, sklearn.__version__],
                                         sort_keys=True).encode()).hexdigest()[:16]
    provenance = dict(
        model_id=model_id,
        method=describe_method(params),
        sklearn_version=sklearn.__version__, numpy_version=np.__version__,
        scipy_version=scipy.__version__, parameters=json.dumps(params, sort_keys=True),
        random_state=random_state, n_topics=k, n_topics_criterion=selection.criterion,
        corpus_sha256=corpus, objective_terms_sha256=terms, unit_count=len(texts),
        feature_count=n_features,
        iteration_count=iterations)
    return TopicModelResult(
        units=units, weights=weights, topics=topics, topic_ids=topic_ids, selection=selection,
        provenance=provenance, fit_seconds=features_seconds + nmf_seconds,
        extra={"features_seconds": features_seconds, "select_seconds": select_seconds,
               "nmf_seconds": nmf_seconds})


# --------------------------------------------------------------------------- objectives

def map_objectives(units: pd.DataFrame, terms: tuple[ObjectiveTerm, ...] | None = None,
                   min_score: float = OBJECTIVE_MIN_SCORE) -> pd.DataFrame:
    """unit_id, objective, score, reason for every unit whose matched terms for an objective
    reach min_score. The reason names the matched terms as the term table writes them."""
    scorer = ObjectiveTermScorer(terms=terms).fit()
    rows = []
    for unit_id, text in zip(units["unit_id"], units["text"]):
        for objective, matched in scorer.matches(text).items():
            score = _objective_score(sum(matched.values()))
            if score < min_score:
                continue
            listed = sorted(matched.items(), key=lambda kv: (-kv[1], kv[0]))
            reason = "matched " + ", ".join(
                f'"{term}"' + ("" if weight >= 1 else f" ({weight:g})") for term, weight in listed)
            rows.append(dict(unit_id=unit_id, objective=objective, score=score, reason=reason))
    return pd.DataFrame(rows, columns=["unit_id", "objective", "score", "reason"])


def coverage_rows(units: pd.DataFrame, unit_objectives: pd.DataFrame, sessions: Sequence[int],
                  objectives: Sequence[int]) -> pd.DataFrame:
    """One row per session x objective: covered (some unit maps to it), gap (the session has
    text, none maps to it) or no_text (the session has no text unit at all)."""
    session_of = dict(zip(units["unit_id"], units["session_number"]))
    type_of = dict(zip(units["unit_id"], units["unit_type"]))
    per_session = Counter(units["session_number"].tolist())
    hits: dict[tuple[int, int], list[tuple[float, str]]] = defaultdict(list)
    for unit_id, objective, score in zip(unit_objectives["unit_id"],
                                         unit_objectives["objective"], unit_objectives["score"]):
        hits[(session_of[unit_id], int(objective))].append((float(score), unit_id))
    rows = []
    for session in sorted(sessions):
        for objective in sorted(objectives):
            found = sorted(hits.get((session, objective), []), key=lambda h: (-h[0], h[1]))
            status = ("no_text" if per_session.get(session, 0) == 0
                      else "covered" if found else "gap")
            rows.append(dict(
                session_number=session, objective=objective, status=status,
                session_unit_count=per_session.get(session, 0), unit_count=len(found),
                recommendation_count=sum(1 for _, u in found if type_of[u] == "recommendation"),
                max_score=found[0][0] if found else None,
                top_unit_ids=[u for _, u in found[:COVERAGE_TOP_UNITS]]))
    return pd.DataFrame(rows)


def topic_session_rows(result: TopicModelResult) -> pd.DataFrame:
    """Topic x session: units whose strongest topic it is, as a share of the session's units,
    and the session's mean weight on the topic. Sessions without text have no rows."""
    units = result.units
    primary = primary_topics(result.weights)
    rows = []
    for session in sorted(set(units["session_number"])):
        mask = (units["session_number"] == session).to_numpy()
        n = int(mask.sum())
        for component, topic_id in sorted(enumerate(result.topic_ids), key=lambda x: x[1]):
            count = int((primary[mask] == component).sum())
            rows.append(dict(topic_id=int(topic_id), session_number=int(session), unit_count=count,
                             session_unit_count=n, share=round(count / n, DECIMALS),
                             weight_share=round(float(result.weights[mask, component].sum()) / n,
                                                DECIMALS)))
    return pd.DataFrame(rows)


def unit_topic_rows(result: TopicModelResult) -> pd.DataFrame:
    primary = primary_topics(result.weights)
    rows = []
    for i, unit_id in enumerate(result.units["unit_id"]):
        for component in np.flatnonzero(result.weights[i] > 0):
            rows.append(dict(unit_id=unit_id, topic_id=int(result.topic_ids[component]),
                             weight=float(result.weights[i, component]),
                             is_primary=bool(component == primary[i])))
    return pd.DataFrame(rows, columns=["unit_id", "topic_id", "weight", "is_primary"]
                        ).sort_values(["unit_id", "topic_id"]).reset_index(drop=True)


# --------------------------------------------------------------------------- writing

def _insert(con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame) -> None:
    if frame.empty:
        return
    batch = pa.Table.from_pandas(frame, preserve_index=False)  # noqa: F841 - read by DuckDB
    columns = ", ".join(frame.columns)
    con.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM batch")


# Tables the model and the objective mapping write (everything the topic stage writes except
# the inputs prepare_topics copies: objectives, their terms, the text units).
MODEL_TABLES = ("topic_models", "topic_model_selection", "topics", "unit_topics",
                "unit_objectives", "coverage", "topic_sessions")


@dataclass(frozen=True)
class TopicsWritten:
    input_sha256: str  # everything the stage's output depends on, besides the code
    reused_from: str | None  # the attached database the output was copied from, if it was


def topics_input_sha256(units: pd.DataFrame, sessions: list[int], objectives: list[dict],
                        terms: Sequence[ObjectiveTerm], n_topics: int | None) -> str:
    """SHA-256 of what the topic stage's output depends on, the code aside: the text units
    (ids, sessions, types, texts), the sessions, the objective and term tables, the requested
    k, the random state and the numerical libraries' versions."""
    digest = hashlib.sha256(json.dumps(
        [sessions, objectives, [list(map(str, (t.objective, t.term, repr(t.weight), t.source_url)))
                                for t in terms],
         n_topics, RANDOM_STATE, sklearn.__version__, np.__version__, scipy.__version__]
    ).encode())
    for row in units[["unit_id", "session_number", "unit_type", "text"]].itertuples(index=False):
        digest.update("\x1f".join(map(str, row)).encode() + b"\x1e")
    return digest.hexdigest()


@dataclass
class TopicInputs:
    """What the topic stage reads from the database and the curated files, and whether its
    output could be copied from the previous build (`reused_from`)."""
    units: pd.DataFrame
    sessions: list[int]
    objectives: list[dict]
    terms: tuple[ObjectiveTerm, ...]
    n_topics: int | None
    input_sha256: str
    reused_from: str | None = None


def prepare_topics(con: duckdb.DuckDBPyConnection, curated_dir: Path | None = None,
                   n_topics: int | None = None, previous: str | None = None) -> TopicInputs:
    """The topic stage's first step: read its inputs, write the input tables (objectives, their
    terms, the text units), and copy the model tables from `previous` when they can be.

    `previous` names an attached database built by the same code: when its topic stage had the
    same inputs (build_info 'topics_input_sha256'), its model tables are copied instead of
    fitting again; the fit is deterministic, so the rows are the ones a new fit would give."""
    objectives = read_objectives(curated_dir)
    terms = read_objective_terms(curated_dir)
    units = read_text_units(con)
    sessions = [r[0] for r in con.execute(
        "SELECT session_number FROM sessions ORDER BY session_number").fetchall()]
    inputs = TopicInputs(units, sessions, objectives, terms, n_topics,
                         topics_input_sha256(units, sessions, objectives, terms, n_topics))
    # No transaction of its own: a failure here fails the build, whose temporary database is
    # then discarded (and the build may already hold a transaction).
    _insert(con, "gcm_objectives", pd.DataFrame(objectives))
    _insert(con, "gcm_objective_terms", pd.DataFrame(
        [dict(objective=t.objective, term=t.term, weight=t.weight, source_url=t.source_url)
         for t in terms]).drop_duplicates(["objective", "term"]))
    _insert(con, "text_units", units)
    if previous is not None and con.execute(
            f"SELECT value FROM {previous}.build_info WHERE key = 'topics_input_sha256'"
    ).fetchone() == (inputs.input_sha256,):
        for table in MODEL_TABLES:
            con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM {previous}.{table}")
        inputs.reused_from = previous
    return inputs


def compute_topics(inputs: TopicInputs) -> dict[str, pd.DataFrame]:
    """The topic stage's second step, with no database: fit the model, map the units to the GCM
    objectives, and derive coverage and topic x session shares; the rows of each model table
    (none when prepare_topics copied them). A build runs it while it checks the database."""
    if inputs.reused_from is not None:
        return {}
    units, terms = inputs.units, inputs.terms
    result = fit_topics(units, inputs.n_topics, terms=terms)
    unit_objectives = map_objectives(units, terms)
    model_id = result.provenance["model_id"]
    return {
        "topic_models": pd.DataFrame([result.provenance]),
        "topic_model_selection": pd.DataFrame(
            [dict(model_id=model_id, n_topics=k, stability=s, chosen=k == result.selection.n_topics)
             for k, s in sorted(result.selection.stability.items())],
            columns=["model_id", "n_topics", "stability", "chosen"]),
        "topics": result.topics.assign(model_id=model_id),
        "unit_topics": unit_topic_rows(result),
        "unit_objectives": unit_objectives,
        "coverage": coverage_rows(units, unit_objectives, inputs.sessions,
                                  [o["objective"] for o in inputs.objectives]),
        "topic_sessions": topic_session_rows(result),
    }


def write_model(con: duckdb.DuckDBPyConnection, inputs: TopicInputs,
                tables: dict[str, pd.DataFrame]) -> TopicsWritten:
    """The topic stage's last step: write the computed model tables (in foreign-key order)."""
    for table in MODEL_TABLES:
        if table in tables:
            _insert(con, table, tables[table])
    return TopicsWritten(inputs.input_sha256, inputs.reused_from)


# --------------------------------------------------------------------------- evaluation

@dataclass
class Evaluation:
    variant: str
    at: str                # "chosen k" or "k = areas"
    document_id: str
    session_number: int
    n_topics: int
    n_areas: int
    recommendations: int
    ari: float
    ami: float
    seed_stability: float  # mean pairwise ARI of the recommendations' topics over 10 seeds
    subsample_stability: float | None  # the selection's figure for this k, when it has one


def _recommendation_labels(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return con.execute("""
        SELECT r.recommendation_id AS unit_id, r.area_letter, r.document_id, r.session_number
        FROM recommendations r JOIN documents d USING (document_id)
        WHERE d.document_type = 'summary' ORDER BY r.recommendation_id""").fetchdf()


def _scores(units: pd.DataFrame, weights: np.ndarray, labels: pd.DataFrame
            ) -> dict[str, tuple[float, float, int]]:
    """{summary document_id: (ARI, AMI, number of areas)} of the recommendations' strongest
    topics against their area letters."""
    row_of = {u: i for i, u in enumerate(units["unit_id"])}
    primary = primary_topics(weights)
    out = {}
    for document_id, group in labels.groupby("document_id", sort=True):
        present = group[group["unit_id"].isin(row_of)]
        predicted = [int(primary[row_of[u]]) for u in present["unit_id"]]
        truth = present["area_letter"].tolist()
        out[document_id] = (round(adjusted_rand_score(truth, predicted), 4),
                            round(adjusted_mutual_info_score(truth, predicted), 4),
                            int(present["area_letter"].nunique()))
    return out


def seed_stability(units: pd.DataFrame, n_topics: int, seeds: Sequence[int] = range(10),
                   **options) -> float:
    """Mean pairwise ARI of the recommendations' topics across fits with different seeds."""
    texts = units["text"].tolist()
    rec = (units["unit_type"] == "recommendation").to_numpy()
    labelings = [primary_topics(fit_weights(build_pipeline(n_topics, s, **options), texts))[rec]
                 for s in seeds]
    return round(float(np.mean([adjusted_rand_score(a, b)
                                for a, b in combinations(labelings, 2)])), 4)


def fit_seconds(units: pd.DataFrame, n_topics: int, repeats: int = 5, **options) -> float:
    """Median wall time of one fit of the pipeline at n_topics (k already chosen)."""
    texts = units["text"].tolist()
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        fit_weights(build_pipeline(n_topics, **options), texts)
        times.append(time.perf_counter() - started)
    return float(np.median(times))


VARIANTS: dict[str, dict] = {
    "model": {},
    "text only (no objective terms)": {"objective_weight": 0.0},
}


def evaluate(con: duckdb.DuckDBPyConnection, curated_dir: Path | None = None,
             variants: Sequence[str] | None = None) -> dict:
    """For the recommendations of every summary: ARI and AMI of the topics against the
    summary's area letters, at the chosen k and at k = number of areas, for the model and the
    text-only ablation; stability across 10 seeds and across subsamples; fit and selection
    times. The area letters are read here only, never by the model or the choice of k."""
    units = read_text_units(con)
    labels = _recommendation_labels(con)
    terms = read_objective_terms(curated_dir)
    rows: list[Evaluation] = []
    report: dict = {"units": len(units), "recommendations": len(labels), "rows": rows,
                    "variants": {}}
    for variant in variants or list(VARIANTS):
        options = {**VARIANTS[variant], "terms": terms}
        chosen = fit_topics(units, **options)
        k = chosen.selection.n_topics
        report["variants"][variant] = {
            "chosen_k": k, "subsample_stability": chosen.selection.stability,
            "select_seconds": round(chosen.extra["select_seconds"], 3),
            "fit_seconds": round(fit_seconds(units, k, **options), 3)}
        fits = {k: chosen}
        for document_id, group in labels.groupby("document_id", sort=True):
            n_areas = int(group["area_letter"].nunique())
            for at, n_topics in (("chosen k", k), ("k = areas", n_areas)):
                if n_topics not in fits:
                    fits[n_topics] = fit_topics(units, n_topics, **options)
                ari, ami, _ = _scores(units, fits[n_topics].weights, labels)[document_id]
                rows.append(Evaluation(
                    variant, at, document_id, int(group["session_number"].iloc[0]), n_topics,
                    n_areas, len(group), ari, ami, seed_stability(units, n_topics, **options),
                    chosen.selection.stability.get(n_topics)))
    return report


def format_evaluation(report: dict) -> str:
    lines = [f"{report['units']} text units; {report['recommendations']} recommendations in "
             "summaries, compared with each summary's own area letters (the human grouping)", ""]
    header = (f"{'variant':<31} {'at':<9} {'summary':<25} {'k':>3} {'areas':>5} {'recs':>4} "
              f"{'ARI':>6} {'AMI':>6} {'seeds':>6} {'subsm':>6}")
    lines += [header, "-" * len(header)]
    for r in report["rows"]:
        subsample = "" if r.subsample_stability is None else f"{r.subsample_stability:.3f}"
        lines.append(f"{r.variant:<31} {r.at:<9} {r.document_id:<25} {r.n_topics:>3} "
                     f"{r.n_areas:>5} {r.recommendations:>4} {r.ari:>6.3f} {r.ami:>6.3f} "
                     f"{r.seed_stability:>6.3f} {subsample:>6}")
    lines += ["", "seeds: mean pairwise ARI of the recommendations' topics over random_state "
              "0-9; subsm: mean pairwise ARI over 4 subsamples of 80% of the units (the "
              "criterion that chose k)", ""]
    for variant, info in report["variants"].items():
        curve = " ".join(f"{k}:{s:.2f}" for k, s in sorted(info["subsample_stability"].items()))
        lines += [f"{variant}: chosen k = {info['chosen_k']}; fit {info['fit_seconds']:.3f} s "
                  f"(median of 5 fits at the chosen k), choosing k {info['select_seconds']:.3f} s",
                  f"  subsample stability by k: {curve}"]
    return "\n".join(lines)


CORPUS_VARIANTS: dict[str, Callable[[pd.DataFrame], pd.Series]] = {
    "all units": lambda u: u["unit_id"].notna(),
    "recommendations only": lambda u: u["unit_type"] == "recommendation",
    "parsed units only (no curated)": lambda u: u["document_id"].notna(),
    "recommendations + narratives": lambda u: u["unit_type"].isin(["recommendation",
                                                                    "area_narrative"]),
}


def sensitivity(con: duckdb.DuckDBPyConnection, weights: Sequence[float] = (0, 0.25, 0.5, 0.75, 1),
                seeds: Sequence[int] = (0, 1, 2), curated_dir: Path | None = None
                ) -> pd.DataFrame:
    """How the ARI against the area letters moves with the objective view's weight, the corpus
    (four label-free variants) and the seed: one row per combination, at the chosen k and at
    k = number of areas. This is how the default weight was chosen (see README): it reads the
    labels, so it is a disclosed tuning step, not part of the model."""
    units = read_text_units(con)
    labels = _recommendation_labels(con)
    terms = read_objective_terms(curated_dir)
    rows = []
    for weight in weights:
        for corpus, keep in CORPUS_VARIANTS.items():
            subset = units[keep(units)].reset_index(drop=True)
            for seed in seeds:
                chosen = fit_topics(subset, random_state=seed, objective_weight=weight,
                                    terms=terms)
                for document_id, group in labels.groupby("document_id", sort=True):
                    n_areas = int(group["area_letter"].nunique())
                    at_areas = fit_topics(subset, n_areas, random_state=seed,
                                          objective_weight=weight, terms=terms)
                    rows.append(dict(
                        objective_weight=weight, corpus=corpus, seed=seed,
                        document_id=document_id, chosen_k=chosen.selection.n_topics,
                        ari_chosen=_scores(subset, chosen.weights, labels)[document_id][0],
                        ari_areas=_scores(subset, at_areas.weights, labels)[document_id][0]))
    return pd.DataFrame(rows)


def format_sensitivity(frame: pd.DataFrame) -> str:
    summary = frame.groupby("objective_weight").agg(
        runs=("seed", "size"), chosen_k=("chosen_k", lambda k: f"{k.min()}-{k.max()}"),
        ari_chosen_mean=("ari_chosen", "mean"), ari_chosen_min=("ari_chosen", "min"),
        ari_areas_mean=("ari_areas", "mean"), ari_areas_min=("ari_areas", "min"))
    return (frame.to_string(index=False, float_format="%.3f") + "\n\n"
            + summary.to_string(float_format="%.3f"))


# --------------------------------------------------------------------------- for the CLI

def _open(db_path: Path) -> duckdb.DuckDBPyConnection:
    if not Path(db_path).exists():
        raise FileNotFoundError(f"no database at {db_path}: run `gcmdash build` first")
    return duckdb.connect(str(db_path), read_only=True)


def describe_topics(db_path: Path) -> str:
    """The built database's topics and the model that drew them, as text."""
    with _open(db_path) as con:
        model = con.execute("SELECT model_id, method, sklearn_version, random_state, n_topics, "
                            "n_topics_criterion, unit_count, corpus_sha256 FROM topic_models"
                            ).fetchone()
        if model is None:
            return "no topic model in this database"
        rows = con.execute("SELECT topic_id, label, unit_count, recommendation_count, "
                           "main_objective, top_terms FROM topics ORDER BY topic_id").fetchall()
    model_id, method, version, seed, k, criterion, units, corpus = model
    lines = [f"model {model_id}: {method}",
             f"scikit-learn {version}, random_state {seed}, {k} topics ({criterion}), "
             f"{units} text units, corpus sha256 {corpus[:12]}", "",
             f"{'id':>3} {'units':>5} {'recs':>4} {'obj':>3}  label: top terms"]
    for topic_id, label, n_units, n_recs, objective, terms in rows:
        lines.append(f"{topic_id:>3} {n_units:>5} {n_recs:>4} {objective or '':>3}  "
                     f"{label}: {', '.join(terms)}")
    return "\n".join(lines)


def evaluate_database(db_path: Path, curated_dir: Path | None = None) -> str:
    """`gcmdash topics --evaluate`: the evaluation of the model on a built database, as text."""
    with _open(db_path) as con:
        return format_evaluation(evaluate(con, curated_dir))


def sensitivity_database(db_path: Path, curated_dir: Path | None = None) -> str:
    """`gcmdash topics --sensitivity`: ARI by objective weight, corpus variant and seed."""
    with _open(db_path) as con:
        return format_sensitivity(sensitivity(con, curated_dir=curated_dir))


# --------------------------------------------------------------------------- readers
# For notebooks and the evaluation; the app's own queries belong in gcmdash/views/queries.py.

def read_model(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The model that drew the topics (one row) with its selection curve as a dict."""
    model = con.execute("SELECT * FROM topic_models").fetchdf()
    curve = con.execute("SELECT n_topics, stability FROM topic_model_selection "
                        "ORDER BY n_topics").fetchall()
    return model.assign(stability=[dict(curve)] * len(model))


def read_topics(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """topic_id, label, top_terms, main_objective, objective_label, unit_count,
    recommendation_count."""
    return con.execute("""
        SELECT t.topic_id, t.label, t.top_terms, t.main_objective, o.hub_label AS objective_label,
               t.unit_count, t.recommendation_count
        FROM topics t LEFT JOIN gcm_objectives o ON o.objective = t.main_objective
        ORDER BY t.topic_id""").fetchdf()


def read_topic_units(con: duckdb.DuckDBPyConnection, unit_type: str | None = "recommendation"
                     ) -> pd.DataFrame:
    """Units by their strongest topic: topic_id, label, unit_id, unit_type, session_number,
    weight, text, source (document and lines, or URL). unit_type None gives every unit."""
    return con.execute("""
        SELECT ut.topic_id, t.label, u.unit_id, u.unit_type, u.session_number, ut.weight, u.text,
               coalesce(format('{} lines {}-{}', u.document_id, u.line_start, u.line_end),
                        u.source_url) AS source
        FROM unit_topics ut JOIN text_units u USING (unit_id) JOIN topics t USING (topic_id)
        WHERE ut.is_primary AND ($unit_type IS NULL OR u.unit_type = $unit_type)
        ORDER BY ut.topic_id, ut.weight DESC, u.unit_id""",
                       {"unit_type": unit_type}).fetchdf()


def read_topic_sessions(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Topic x session shares with the topic label."""
    return con.execute("""
        SELECT ts.topic_id, t.label, ts.session_number, ts.unit_count, ts.session_unit_count,
               ts.share, ts.weight_share
        FROM topic_sessions ts JOIN topics t USING (topic_id)
        ORDER BY ts.topic_id, ts.session_number""").fetchdf()


def read_coverage(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Session x objective coverage with the objective's label and the strongest units."""
    return con.execute("""
        SELECT c.session_number, c.objective, o.hub_label, c.status, c.unit_count,
               c.recommendation_count, c.session_unit_count, c.max_score, c.top_unit_ids
        FROM coverage c JOIN gcm_objectives o USING (objective)
        ORDER BY c.session_number, c.objective""").fetchdf()


def read_unit_objectives(con: duckdb.DuckDBPyConnection, objective: int) -> pd.DataFrame:
    """The units that touch one objective, strongest first, with the reason and source."""
    return con.execute("""
        SELECT uo.unit_id, u.session_number, u.unit_type, uo.score, uo.reason, u.text,
               coalesce(format('{} lines {}-{}', u.document_id, u.line_start, u.line_end),
                        u.source_url) AS source
        FROM unit_objectives uo JOIN text_units u USING (unit_id)
        WHERE uo.objective = ? ORDER BY uo.score DESC, uo.unit_id""", [objective]).fetchdf()
