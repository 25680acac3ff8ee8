"""The topic model against a user's own labelled texts (`gcmdash topics --evaluate-file`): a CSV
of `text` and `group` columns, the groups a human gave the texts, never seen by the model.

Every method is scored the same way, so a new view of the texts can be compared with the
default and the plain baselines: a `Method` is a name and a function (texts, k, seed) ->
one cluster label per text. `pipeline_method` makes one from a scikit-learn pipeline factory
(k, seed) -> Pipeline, `features_method` from a function texts -> feature matrix and a
clusterer. For each method, at the true number of groups and at the k the default model
chooses without the labels: ARI and AMI against the groups (mean and standard deviation over
the seeds), the agreement of the seeds' labelings with each other, and the agreement over
subsamples of the texts.
"""
from __future__ import annotations

import csv
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.decomposition import NMF
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import adjusted_mutual_info_score, adjusted_rand_score
from sklearn.pipeline import Pipeline
from threadpoolctl import threadpool_limits

from gcmdash.topics.model import build_pipeline, fit_topics, pair_ari

MIN_TEXTS = 20
SEEDS = tuple(range(5))
SUBSAMPLES, SUBSAMPLE_FRACTION = 4, 0.8

Labeller = Callable[[Sequence[str], int, int], np.ndarray]  # (texts, k, seed) -> labels
Progress = Callable[[int, int, str], None]


class LabelledTextsError(ValueError):
    """The labelled CSV cannot be evaluated (what is wrong, in words for the user)."""


def read_labelled_texts(path: Path, min_texts: int = MIN_TEXTS) -> pd.DataFrame:
    """The `text` and `group` columns of a CSV, checked: the file exists and parses, both
    columns are there, no text or group is empty, at least `min_texts` rows and 2 groups."""
    if not path.is_file():
        raise LabelledTextsError(f"{path}: no such file")
    try:
        with path.open(encoding="utf-8-sig", newline="") as f:
            reader = csv.DictReader(f)
            rows = list(reader)
            columns = [c for c in reader.fieldnames or [] if c is not None]
    except (UnicodeDecodeError, csv.Error) as exc:
        raise LabelledTextsError(f"{path}: not a UTF-8 CSV file ({exc})") from None
    missing = [c for c in ("text", "group") if c not in columns]
    if missing:
        found = ", ".join(c for c in columns if c) or "none"
        raise LabelledTextsError(f"{path}: missing column(s) {', '.join(missing)} "
                                 f"(columns found: {found}); the file needs `text` and `group`")
    frame = pd.DataFrame({"text": [(r["text"] or "").strip() for r in rows],
                          "group": [(r["group"] or "").strip() for r in rows]},
                         columns=["text", "group"])
    for column in ("text", "group"):
        empty = [i + 2 for i in np.flatnonzero(frame[column] == "")]  # line 1 is the header
        if empty:
            shown = ", ".join(map(str, empty[:5])) + (" ..." if len(empty) > 5 else "")
            raise LabelledTextsError(f"{path}: {len(empty)} row(s) with an empty {column} "
                                     f"(line {shown})")
    if len(frame) < min_texts:
        raise LabelledTextsError(f"{path}: {len(frame)} text(s); an evaluation needs at "
                                 f"least {min_texts}")
    if frame["group"].nunique() < 2:
        raise LabelledTextsError(f"{path}: every text is in one group; an evaluation needs "
                                 "at least 2 groups")
    return frame


# --------------------------------------------------------------------------- methods

@dataclass(frozen=True)
class Method:
    """A way to group texts into k clusters: a name and (texts, k, seed) -> labels."""

    name: str
    labels: Labeller


def _labels_of(output) -> np.ndarray:
    output = np.asarray(output)
    return output.argmax(axis=1) if output.ndim == 2 else output.astype(int)


def pipeline_method(name: str, factory: Callable[[int, int], Pipeline]) -> Method:
    """A Method from a pipeline factory (k, seed) -> Pipeline: a pipeline whose
    fit_transform gives unit x topic weights (the strongest topic is the label), or whose
    last step clusters (fit_predict gives the labels). Fitted single-threaded."""
    def labels(texts: Sequence[str], k: int, seed: int) -> np.ndarray:
        pipeline = factory(k, seed)
        with threadpool_limits(limits=1), warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            if hasattr(pipeline, "fit_predict"):  # a clusterer last (KMeans, ...)
                return _labels_of(pipeline.fit_predict(list(texts)))
            return _labels_of(pipeline.fit_transform(list(texts)))
    return Method(name, labels)


def features_method(name: str, featurize: Callable[[Sequence[str]], np.ndarray],
                    cluster: Callable[[int, int], object]) -> Method:
    """A Method from a view of the texts (texts -> feature matrix, computed once per text
    list) and a clusterer factory (k, seed) -> estimator with fit_predict (KMeans, Agglomerative
    ...) or fit_transform (NMF)."""
    cache: dict[tuple[str, ...], np.ndarray] = {}

    def labels(texts: Sequence[str], k: int, seed: int) -> np.ndarray:
        key = tuple(texts)
        if key not in cache:
            cache.clear()
            cache[key] = featurize(list(texts))
        estimator = cluster(k, seed)
        with threadpool_limits(limits=1), warnings.catch_warnings():
            # KMeans on near-duplicate texts finds fewer clusters than asked: that is a score
            warnings.simplefilter("ignore", ConvergenceWarning)
            if hasattr(estimator, "fit_predict"):
                return _labels_of(estimator.fit_predict(cache[key]))
            return _labels_of(estimator.fit_transform(cache[key]))
    return Method(name, labels)


def _tfidf() -> TfidfVectorizer:
    return TfidfVectorizer(stop_words="english", sublinear_tf=True)


def default_methods() -> list[Method]:
    """The model (the build's pipeline) and the two plain baselines: TF-IDF + NMF and TF-IDF
    + KMeans (English stop words, sublinear TF, scikit-learn's defaults otherwise)."""
    return [
        pipeline_method("model", lambda k, seed: build_pipeline(k, seed)),
        pipeline_method("TF-IDF + NMF", lambda k, seed: Pipeline([
            ("tfidf", _tfidf()), ("nmf", NMF(n_components=k, random_state=seed,
                                             max_iter=1000))])),
        features_method("TF-IDF + KMeans", lambda texts: _tfidf().fit_transform(texts),
                        lambda k, seed: KMeans(n_clusters=k, n_init=10, random_state=seed)),
    ]


# --------------------------------------------------------------------------- scoring

@dataclass
class Score:
    """One method at one k, against the human groups."""

    method: str
    at: str  # "true k" or "chosen k"
    n_topics: int
    ari_mean: float
    ari_sd: float
    ami_mean: float
    ami_sd: float
    seed_stability: float       # mean pairwise ARI of the seeds' labelings
    subsample_stability: float  # mean pairwise ARI over subsamples, on the texts they share


def subsample_stability(method: Method, texts: Sequence[str], k: int, seed: int = 0,
                        resamples: int = SUBSAMPLES, fraction: float = SUBSAMPLE_FRACTION
                        ) -> float:
    """Mean pairwise ARI of the labels `method` gives the texts two random subsamples share
    (`resamples` subsamples of `fraction` of the texts): any method, no labels read."""
    rng = np.random.RandomState(seed)
    n = len(texts)
    size = max(k + 1, int(round(fraction * n)))
    labelled = []
    for _ in range(resamples):
        rows = np.sort(rng.choice(n, size=min(size, n), replace=False))
        labels = np.full(n, -1)
        labels[rows] = method.labels([texts[i] for i in rows], k, seed)
        labelled.append(labels)
    scores = []
    for a, b in combinations(labelled, 2):
        both = (a >= 0) & (b >= 0)
        scores.append(pair_ari(a[both], b[both]))
    return round(float(np.mean(scores)), 4)


def score_method(method: Method, texts: Sequence[str], groups: Sequence[str], k: int, at: str,
                 seeds: Sequence[int] = SEEDS) -> Score:
    """ARI and AMI over the seeds (mean, sd), seed and subsample stability, at k."""
    labelings = [method.labels(texts, k, seed) for seed in seeds]
    ari = [adjusted_rand_score(groups, lab) for lab in labelings]
    ami = [adjusted_mutual_info_score(groups, lab) for lab in labelings]
    agreement = ([pair_ari(a, b) for a, b in combinations(labelings, 2)]
                 if len(labelings) > 1 else [1.0])
    return Score(method.name, at, k, round(float(np.mean(ari)), 4), round(float(np.std(ari)), 4),
                 round(float(np.mean(ami)), 4), round(float(np.std(ami)), 4),
                 round(float(np.mean(agreement)), 4),
                 subsample_stability(method, texts, k, seeds[0]))


def _quiet(done: int, total: int, step: str) -> None:  # noqa: ARG001
    return None


@dataclass
class LabelledReport:
    """The evaluation on labelled texts: sizes, the choice of k, one Score per method and k."""

    texts: int
    groups: int
    chosen_k: int
    criterion: str
    stability_curve: dict[int, float]
    scores: list[Score] = field(default_factory=list)
    topics: pd.DataFrame | None = None  # the default model's topics at the chosen k


def evaluate_labelled(frame: pd.DataFrame, methods: Sequence[Method] | None = None,
                      seeds: Sequence[int] = SEEDS, progress: Progress = _quiet
                      ) -> LabelledReport:
    """Score every method (default: `default_methods`) against the `group` column of `frame`
    at the true number of groups and at the k the default model chooses label-free."""
    methods = list(methods or default_methods())
    texts, groups = frame["text"].tolist(), frame["group"].tolist()
    true_k = len(set(groups))
    units = pd.DataFrame({"unit_id": [f"row-{i:06d}" for i in range(len(texts))],
                          "session_number": 1, "unit_type": "text", "text": texts})
    total = 1 + 2 * len(methods)
    chosen = fit_topics(units)
    k = chosen.selection.n_topics
    progress(1, total, f"chose k = {k} without the labels ({true_k} groups)")
    report = LabelledReport(len(texts), true_k, k, chosen.selection.criterion,
                            chosen.selection.stability, topics=chosen.topics)
    done = 1
    for method in methods:
        for at, n_topics in (("true k", true_k), ("chosen k", k)):
            report.scores.append(score_method(method, texts, groups, n_topics, at, seeds))
            done += 1
            progress(done, total, f"{method.name} at {at} ({n_topics})")
    return report


def format_labelled(report: LabelledReport, seeds: Sequence[int] = SEEDS) -> str:
    """The report as a text table (what `gcmdash topics --evaluate-file` prints)."""
    lines = [f"{report.texts} texts in {report.groups} groups; the model chose "
             f"k = {report.chosen_k} without the labels ({report.criterion})", ""]
    header = (f"{'method':<18} {'at':<9} {'k':>3} {'ARI':>15} {'AMI':>15} {'seeds':>6} "
              f"{'subsm':>6}")
    lines += [header, "-" * len(header)]
    for s in report.scores:
        lines.append(f"{s.method:<18} {s.at:<9} {s.n_topics:>3} "
                     f"{s.ari_mean:>7.3f} ± {s.ari_sd:<5.3f} {s.ami_mean:>7.3f} ± "
                     f"{s.ami_sd:<5.3f} {s.seed_stability:>6.3f} {s.subsample_stability:>6.3f}")
    curve = " ".join(f"{k}:{v:.2f}" for k, v in sorted(report.stability_curve.items()))
    lines += ["", f"ARI, AMI: mean ± sd over random_state {', '.join(map(str, seeds))}; seeds: "
              "mean pairwise ARI of those fits' labels; subsm: mean pairwise ARI over "
              f"{SUBSAMPLES} subsamples of {SUBSAMPLE_FRACTION:.0%} of the texts",
              f"subsample stability by k (the default model's choice): {curve}"]
    if report.topics is not None and not report.topics.empty:
        lines += ["", f"the model's topics at k = {report.chosen_k}:"]
        for t in report.topics.itertuples():
            objective = ("no clear objective" if pd.isna(t.main_objective)
                         else f"objective {int(t.main_objective)}")
            lines.append(f"{t.topic_id:>3} {t.unit_count:>4}  {t.label} ({objective})")
    return "\n".join(lines)
