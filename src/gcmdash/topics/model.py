"""The topic model: one scikit-learn `Pipeline` (`build_pipeline`), the label-free choice of
the number of topics (`select_n_topics`), the fit (`fit_topics`), and the topics' labels and
top terms, returned as a `TopicModelResult` with the model's provenance."""
from __future__ import annotations

import hashlib
import json
import re
import time
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import combinations

import numpy as np
import pandas as pd
import scipy
import scipy.sparse as sp
import sklearn
from sklearn.decomposition import NMF
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion, Pipeline
from threadpoolctl import threadpool_limits

from gcmdash.topics.objectives import (
    DECIMALS,
    OBJECTIVE_MIN_SCORE,
    ObjectiveTerm,
    ObjectiveTermScorer,
    read_objective_terms,
    terms_sha256,
)
from gcmdash.topics.text import STOP_STEMS, TextNormaliser
from gcmdash.topics.units import corpus_sha256

RANDOM_STATE = 0
# A brief needs a handful of themes at least; 30 is above the 23 GCM objectives.
K_CANDIDATES = tuple(range(5, 31))
# The choice of k: the largest candidate whose stability is within this of the best one's.
# Out of sample the stability curve is flat and noisy (README, "Evaluation out of sample"):
# its maximum is noise and leans to small k, and too few topics cost more than too many.
STABILITY_TOLERANCE = 0.1
STABILITY_RESAMPLES = 4
STABILITY_FRACTION = 0.8
SELECTION_MAX_ITER, SELECTION_TOL = 200, 1e-3  # the subsample fits only rank the candidates
STABILITY_MAX_UNITS = 2000  # stability is measured on at most this many units (scale)
TOP_TERMS = 10
# A term spread this evenly over the topics' units (normalised entropy, 1 = every topic's
# units use it alike; `boilerplate_terms`) is the corpus's boilerplate ("particular",
# "sustainable" in the SDG targets): it says nothing of what one topic is about, so it is
# kept out of labels. Numbers (years, percentages) are kept out too.
BOILERPLATE_ENTROPY = 0.75
# A topic's main GCM objective is shown only when at least this share of the topic's units
# match that objective's terms (score >= OBJECTIVE_MIN_SCORE): a majority of its texts name
# the objective, not a lean of the factorisation.
MAIN_OBJECTIVE_MIN_SHARE = 0.5
_NUMBER_RE = re.compile(r"^[0-9][0-9,.-]*$")
STABILITY_SEEDS = 5  # the build refits the chosen k with random_state 0..4 to measure agreement
# Agreement (ARI) in words: at least the first is "stable", at least the second "moderately
# stable", below it "fragile". An ARI of 0.8 between two groupings means few texts change
# topic; below 0.6 whole topics split or merge from one fit to the next.
STABILITY_WORDS = ((0.8, "stable"), (0.6, "moderately stable"))

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
    """The chosen number of topics, the stability of every candidate, and how it was chosen."""

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


def stability_frame(X: sp.csr_matrix | np.ndarray, candidates: Sequence[int], random_state: int,
                    max_units: int) -> tuple[sp.csr_matrix | np.ndarray, int, list[int],
                                             np.random.RandomState] | Selection:
    """What both choices of k start from (`select_n_topics`, and the semantic view's
    `select_semantic_k`): the usable candidates (2 <= k <= units/4), and the rows to measure
    stability on, at most `max_units` of them drawn with `random_state`; returned as
    (rows, their number, usable candidates, the generator to draw the subsamples with). Too
    few units to compare (under 8, or no usable candidate): the Selection to return instead."""
    n = X.shape[0]
    usable = [k for k in candidates if 2 <= k <= max(2, n // 4)]
    if n < 8 or not usable:
        return Selection(max(1, min(2, n)), {}, "too few units to compare: k = min(2, units)")
    rng = np.random.RandomState(random_state)
    if n > max_units:
        X = X[np.sort(rng.choice(n, size=max_units, replace=False))]
        n = max_units
    return X, n, usable, rng


def select_n_topics(X: sp.csr_matrix, candidates: Iterable[int] = K_CANDIDATES,
                    random_state: int = RANDOM_STATE, resamples: int = STABILITY_RESAMPLES,
                    fraction: float = STABILITY_FRACTION,
                    max_units: int = STABILITY_MAX_UNITS,
                    tolerance: float = STABILITY_TOLERANCE) -> Selection:
    """Choose k by stability: for each candidate, fit NMF on `resamples` random subsamples
    (`fraction` of the units, at most `max_units`) of the feature matrix, label the same units
    with each, and average the adjusted Rand index over all pairs of labelings. The largest k
    whose stability is within `tolerance` of the most stable one's wins. Candidates above a
    quarter of the units are skipped (a topic should hold several units). Label-free: the
    area letters are never read."""
    candidates = tuple(candidates)
    frame = stability_frame(X, candidates, random_state, max_units)
    if isinstance(frame, Selection):
        return frame
    X, n, usable, _ = frame
    criterion = (f"largest k within {tolerance:g} of the best mean pairwise ARI of NMF labels "
                 f"over {resamples} subsamples of {fraction:.0%} of the units, k in "
                 f"{min(candidates)}..{max(candidates)} (<= units/4)")
    eval_rows = np.arange(n)
    stability: dict[int, float] = {}
    with threadpool_limits(limits=1), warnings.catch_warnings():
        # the subsample fits stop at SELECTION_MAX_ITER on purpose: they only rank candidates
        warnings.simplefilter("ignore", ConvergenceWarning)
        for k in usable:
            labelings = _subsample_labels(X, k, random_state, resamples, fraction, eval_rows)
            scores = [pair_ari(a, b) for a, b in combinations(labelings, 2)]
            stability[k] = round(float(np.mean(scores)), 4)
    best = max(stability.values())
    chosen = max(k for k, value in stability.items() if value >= best - tolerance - 1e-9)
    return Selection(chosen, stability, criterion)


# --------------------------------------------------------------------------- fitting

@dataclass
class TopicModelResult:
    """A fitted topic model: unit x topic weights, the topics, and the model's provenance."""

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


def boilerplate_terms(words: sp.csr_matrix, primary: np.ndarray, names: Sequence[str],
                      threshold: float = BOILERPLATE_ENTROPY) -> set[str]:
    """Features that cannot label a topic, found from the corpus itself: numbers, and terms
    spread evenly across the topics. For each term, the share of each topic's units that
    contain it, normalised over the topics; its entropy divided by log(topics) is 1 for a
    term every topic uses alike ("2030", "particular" in the SDG targets) and 0 for a term of
    one topic. `words` is the units x terms feature matrix, `primary` each unit's topic."""
    out = {name for name in names if _NUMBER_RE.match(name)}
    topics = [t for t in np.unique(primary) if t >= 0]
    if len(topics) < 2:
        return out
    present = sp.csr_matrix(words, copy=True)
    present.data = (present.data > 0).astype(float)
    rates = np.vstack([np.asarray(present[primary == t].mean(axis=0)).ravel() for t in topics])
    totals = rates.sum(axis=0)
    used = np.flatnonzero(totals > 0)
    shares = rates[:, used] / totals[used]
    with np.errstate(divide="ignore", invalid="ignore"):
        entropy = (-np.where(shares > 0, shares * np.log(shares), 0.0).sum(axis=0)
                   / np.log(len(topics)))
    return out | {names[i] for i, e in zip(used, entropy) if e >= threshold}


def _main_objective(objective_weights: np.ndarray, matched: np.ndarray, members: np.ndarray,
                    objectives: Sequence[int]) -> int | None:
    """The objective that weighs most in the topic, when a majority of its units match it."""
    if not len(objectives) or objective_weights.max() <= 0 or not members.any():
        return None
    column = int(objective_weights.argmax())
    share = matched[members, column].mean()
    return int(objectives[column]) if share >= MAIN_OBJECTIVE_MIN_SHARE else None


def _describe_topics(pipeline: Pipeline, weights: np.ndarray, units: pd.DataFrame,
                     X: sp.csr_matrix) -> tuple[pd.DataFrame, np.ndarray]:
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
    word_weights = np.round(H[:, :n_words], DECIMALS)
    boilerplate = boilerplate_terms(X[:, :n_words], primary, names)
    matched = (X[:, n_words:].toarray() / scorer.weight >= OBJECTIVE_MIN_SCORE - 1e-9
               if scorer is not None and scorer.weight > 0 else np.zeros((len(units), 0)))
    counts = np.array([(primary == t).sum() for t in range(k)])
    # topic_id 1 is the topic with most units; ties by component index
    order = sorted(range(k), key=lambda t: (-counts[t], t))
    topic_ids = np.empty(k, dtype=int)
    rows = []
    for rank, t in enumerate(order, 1):
        topic_ids[t] = rank
        ranked = sorted((i for i in np.flatnonzero(word_weights[t] > 0)),
                        key=lambda i: (-word_weights[t, i], names[i]))
        terms = [normaliser.display(names[i]) for i in ranked[:TOP_TERMS]]
        label_terms = [normaliser.display(names[i]) for i in ranked
                       if names[i] not in boilerplate][:TOP_TERMS]
        main_objective = _main_objective(np.round(H[t, n_words:], DECIMALS), matched,
                                         primary == t, objectives)
        rows.append(dict(topic_id=rank, label=_label(label_terms or terms), top_terms=terms,
                         main_objective=main_objective, unit_count=int(counts[t]),
                         recommendation_count=int(((primary == t) & is_rec).sum())))
    return pd.DataFrame(rows), topic_ids


def _choose_k(X: sp.csr_matrix | None, n_units: int, n_topics: int | None,
              random_state: int) -> Selection:
    """k as given, or chosen by stability (select_n_topics) when there are units enough."""
    if n_topics is not None:
        return Selection(n_topics, {}, "given")
    if n_units < 8:
        return Selection(max(1, min(2, n_units)), {}, "too few units to compare: k = min(2, units)")
    return select_n_topics(X, random_state=random_state)


def stability_in_words(seed_stability: float | None, subsample_stability: float | None,
                       seeds: int = STABILITY_SEEDS, resamples: int = STABILITY_RESAMPLES) -> str:
    """How stable the topics are, for a reader: the agreement over seeds and over subsamples,
    and the weaker of the two in words ('agreement over 5 seeds 0.98 and over 4 subsamples of
    the texts 0.64: the grouping is moderately stable')."""
    parts = []
    if seed_stability is not None:
        parts.append(f"over {seeds} seeds {seed_stability:.2f}")
    if subsample_stability is not None:
        parts.append(f"over {resamples} subsamples of the texts {subsample_stability:.2f}")
    if not parts:
        return "stability not measured (too few texts)"
    weakest = min(v for v in (seed_stability, subsample_stability) if v is not None)
    words = next((w for floor, w in STABILITY_WORDS if weakest >= floor),
                 "fragile: read the topics as a sketch, not a finding")
    return f"agreement {' and '.join(parts)}: the grouping is {words}"


def measure_seed_stability(X: sp.csr_matrix, k: int, weights: np.ndarray,
                           random_state: int = RANDOM_STATE, seeds: int = STABILITY_SEEDS,
                           max_units: int = STABILITY_MAX_UNITS) -> float | None:
    """Mean pairwise ARI of the units' strongest topics over NMF fits with random_state
    random_state .. random_state + seeds - 1 (the first is the fit already made, `weights`),
    on at most `max_units` units. None when there are too few units to compare."""
    n = X.shape[0]
    if n < 8 or seeds < 2 or k < 2:
        return None
    rows = np.arange(n)
    if n > max_units:
        rows = np.sort(np.random.RandomState(random_state).choice(n, max_units, replace=False))
    labelings = [primary_topics(weights[rows])]
    with threadpool_limits(limits=1):
        for seed in range(random_state + 1, random_state + seeds):
            model = NMF(n_components=k, init="nndsvd", solver="cd", max_iter=1000, tol=1e-4,
                        random_state=seed)
            labelings.append(primary_topics(_row_weights(model.fit_transform(X[rows]))))
    return round(float(np.mean([pair_ari(a, b) for a, b in combinations(labelings, 2)])), 4)


def not_modelled_reason(unit_count: int, modelled_count: int, view: str = "words") -> str | None:
    """Why no topic could be drawn, in words, or None when some could: no text units, or
    none with anything the view can use."""
    if unit_count == 0:
        return "no topics: the database holds no text units to model"
    if modelled_count == 0:
        what = ("a word the model can use (each is empty, or only stop words and punctuation)"
                if view == "words" else "any text (each is empty or only spaces)")
        return f"no topics: none of the {unit_count:,} text units has {what}"
    return None


def left_out_note(unit_count: int, modelled_count: int, view: str = "words") -> str:
    """'; 12 of 60,113 text units ... belong to no topic' when some units were left out."""
    if modelled_count in (0, unit_count):
        return ""
    what = ("no word the model can use (empty, or only stop words and punctuation)"
            if view == "words" else "no text (empty or only spaces)")
    return (f"; {unit_count - modelled_count:,} of {unit_count:,} text units have {what} and "
            "belong to no topic")


def _provenance(pipeline: Pipeline, units: pd.DataFrame, selection: Selection, k: int,
                random_state: int, terms: tuple[ObjectiveTerm, ...] | None,
                seed_stability: float | None = None, modelled_count: int | None = None) -> dict:
    """The topic_models row: what drew the topics (versions, parameters, hashes, sizes), or
    why none could be drawn (`modelled_count` units had features; default all)."""
    modelled_count = len(units) if modelled_count is None else modelled_count
    fitted = modelled_count > 0
    reason = not_modelled_reason(len(units), modelled_count)
    corpus = corpus_sha256(units)
    params = _simple_params(pipeline)
    terms_hash = terms_sha256(terms or read_objective_terms())
    model_id = hashlib.sha256(json.dumps([params, corpus, terms_hash, sklearn.__version__],
                                         sort_keys=True).encode()).hexdigest()[:16]
    nmf = pipeline.named_steps["nmf"]
    return dict(
        model_id=model_id,
        method=describe_method(params),
        sklearn_version=sklearn.__version__, numpy_version=np.__version__,
        scipy_version=scipy.__version__, parameters=json.dumps(params, sort_keys=True),
        random_state=random_state, n_topics=k,
        n_topics_criterion=selection.criterion if reason is None else reason,
        corpus_sha256=corpus, objective_terms_sha256=terms_hash, unit_count=len(units),
        feature_count=int(nmf.n_features_in_) if fitted else 0,
        iteration_count=int(nmf.n_iter_) if fitted else 0,
        seed_stability=seed_stability, subsample_stability=selection.stability.get(k),
        stability_summary=reason or (
            stability_in_words(seed_stability, selection.stability.get(k))
            + left_out_note(len(units), modelled_count)))


def _word_features(pipeline: Pipeline, texts: list[str]) -> sp.csr_matrix | None:
    """The pipeline's features of the texts (they do not depend on k), or None when the
    texts hold no word the vectorizer keeps (no texts, or only stop words)."""
    if not texts:
        return None
    try:
        with threadpool_limits(limits=1):
            return sp.csr_matrix(pipeline[:-1].fit_transform(texts))
    except ValueError as error:  # scikit-learn's "empty vocabulary" (its only ValueError here)
        if "empty vocabulary" not in str(error):
            raise
        return None


def fit_topics(units: pd.DataFrame, n_topics: int | None = None,
               random_state: int = RANDOM_STATE, **options) -> TopicModelResult:
    """Fit the topic model on the text units; choose k by stability unless n_topics is given.

    Total over its input: units without a feature (no word the model keeps, no objective
    term) are in no topic and the rest are modelled; when no unit has one (no units, only
    stop words) there are no topics, and the provenance says why."""
    texts = units["text"].tolist()
    clock = time.perf_counter()
    # Pipeline.fit, in its parts: the features (they do not depend on k) are fitted once and
    # shared by the choice of k and the final factorisation.
    pipeline = build_pipeline(max(1, n_topics or 1), random_state, **options)
    X = _word_features(pipeline, texts)
    # rows with no feature at all (an empty or all-stop-word text) would make NMF's input all
    # zeros where they dominate; they are left out (a no-op where every row has features)
    rows = (np.flatnonzero(X.getnnz(axis=1) > 0) if X is not None
            else np.zeros(0, dtype=int))
    Xm = X if X is not None and len(rows) == X.shape[0] else (
        X[rows] if len(rows) else None)
    features_seconds = time.perf_counter() - clock
    clock = time.perf_counter()
    selection = _choose_k(Xm, len(rows), n_topics, random_state)
    select_seconds = time.perf_counter() - clock
    clock = time.perf_counter()
    k = max(1, min(selection.n_topics, len(rows)))
    pipeline.set_params(nmf__n_components=k)
    weights = np.zeros((len(texts), k))
    if len(rows):
        with threadpool_limits(limits=1):
            weights[rows] = _row_weights(pipeline.named_steps["nmf"].fit_transform(Xm))
    nmf_seconds = time.perf_counter() - clock
    clock = time.perf_counter()
    seeds = measure_seed_stability(Xm, k, weights[rows], random_state) if len(rows) else None
    stability_seconds = time.perf_counter() - clock
    if len(rows):
        topics, topic_ids = _describe_topics(pipeline, weights, units, X)
    else:
        topics, topic_ids = pd.DataFrame(), np.arange(1, k + 1)
    return TopicModelResult(
        units=units, weights=weights, topics=topics, topic_ids=topic_ids, selection=selection,
        provenance=_provenance(pipeline, units, selection, k, random_state, options.get("terms"),
                               seeds, len(rows)),
        fit_seconds=features_seconds + nmf_seconds,
        extra={"features_seconds": features_seconds, "select_seconds": select_seconds,
               "nmf_seconds": nmf_seconds, "stability_seconds": stability_seconds})
