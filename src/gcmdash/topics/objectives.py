"""The 23 GCM objectives and their curated term table: reading them, scoring a text against
them (`ObjectiveTermScorer`, a view of the topic model), and mapping each text unit to the
objectives it touches with the terms that matched as its reason (`map_objectives`)."""
from __future__ import annotations

import csv
import hashlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin

from gcmdash.config import reference_dir
from gcmdash.topics.text import fold, tokenize

OBJECTIVES_CSV = "gcm_objectives.csv"
OBJECTIVE_TERMS_CSV = "gcm_objective_terms.csv"
OBJECTIVE_MIN_SCORE = 0.5   # a unit maps to an objective from matched term weight >= 1
DECIMALS = 6

# --------------------------------------------------------------------------- objective terms

@dataclass(frozen=True)
class ObjectiveTerm:
    """One row of the curated objective term table."""

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
        """Compile the term table into whole-word patterns, indexed by their first word."""
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
        """Texts -> (n, objectives) sparse scores, times the view's weight."""
        column = {o: j for j, o in enumerate(self.objectives_)}
        rows, cols, values = [], [], []
        for i, text in enumerate(X):
            for objective, terms in self.matches(text).items():
                rows.append(i)
                cols.append(column[objective])
                values.append(_objective_score(sum(terms.values())) * self.weight)
        return sp.csr_matrix((values, (rows, cols)), shape=(len(X), len(self.objectives_)))

    def get_feature_names_out(self, input_features=None):  # noqa: ARG002
        """objective_1 ... objective_23."""
        return np.array([f"objective_{o}" for o in self.objectives_], dtype=object)


def terms_sha256(terms: Iterable[ObjectiveTerm]) -> str:
    """SHA-256 of the objective term table as read (objective, term, weight per row)."""
    digest = hashlib.sha256()
    for t in terms:
        digest.update(f"{t.objective}\x1f{t.term}\x1f{t.weight!r}\x1e".encode())
    return digest.hexdigest()


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

