"""How good the topics are, measured against the one human grouping the record has: each
summary's area letters (ARI, AMI), at the chosen k and at k = number of areas, for the model
and a text-only ablation; the stability across seeds and subsamples; the fit time; and how the
ARI moves with the objective view's weight, the corpus and the seed (`sensitivity`).

The area letters are read here only, never by the model or the choice of k. The functions take
the text units and the summaries' area letters as frames (`gcmdash.views.queries.text_units`,
`recommendation_areas` read them from a built database) and report each step to `progress`,
since they fit the model hundreds of times.
"""
from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import combinations

import numpy as np
import pandas as pd
from sklearn.metrics import adjusted_mutual_info_score, adjusted_rand_score

from gcmdash.topics.model import build_pipeline, fit_topics, fit_weights, primary_topics
from gcmdash.topics.objectives import ObjectiveTerm, read_objective_terms

Progress = Callable[[int, int, str], None]  # (steps done, steps in all, the step just done)


def _quiet(done: int, total: int, step: str) -> None:  # noqa: ARG001
    return None


@dataclass
class Evaluation:
    """One row of the evaluation: a variant at one k, scored against one summary's areas."""

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


class _Steps:
    """Counts the steps of a long evaluation and reports each to `progress`."""

    def __init__(self, total: int, progress: Progress) -> None:
        self.done, self.total, self.progress = 0, total, progress

    def __call__(self, step: str) -> None:
        self.done += 1
        self.progress(self.done, self.total, step)


def _evaluate_variant(units: pd.DataFrame, labels: pd.DataFrame, variant: str, options: dict,
                      step: _Steps) -> tuple[dict, list[Evaluation]]:
    chosen = fit_topics(units, **options)
    k = chosen.selection.n_topics
    step(f"{variant}: chose k = {k}")
    info = {"chosen_k": k, "subsample_stability": chosen.selection.stability,
            "select_seconds": round(chosen.extra["select_seconds"], 3),
            "fit_seconds": round(fit_seconds(units, k, **options), 3)}
    step(f"{variant}: timed the fit")
    fits = {k: chosen}
    rows = []
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
            step(f"{variant}: {document_id} at {at} ({n_topics})")
    return info, rows


def evaluate(units: pd.DataFrame, labels: pd.DataFrame,
             terms: tuple[ObjectiveTerm, ...] | None = None,
             variants: Sequence[str] | None = None, progress: Progress = _quiet) -> dict:
    """For the recommendations of every summary (`labels`: unit_id, area_letter, document_id,
    session_number): ARI and AMI of the topics of the text `units` against the summary's area
    letters, at the chosen k and at k = number of areas, for the model and the text-only
    ablation; stability across 10 seeds and across subsamples; fit and selection times."""
    terms = terms if terms is not None else read_objective_terms()
    variants = list(variants or VARIANTS)
    step = _Steps(len(variants) * (2 + 2 * labels["document_id"].nunique()), progress)
    rows: list[Evaluation] = []
    report: dict = {"units": len(units), "recommendations": len(labels), "rows": rows,
                    "variants": {}}
    for variant in variants:
        info, variant_rows = _evaluate_variant(units, labels, variant,
                                               {**VARIANTS[variant], "terms": terms}, step)
        report["variants"][variant] = info
        rows.extend(variant_rows)
    return report


def format_evaluation(report: dict) -> str:
    """The evaluation report as a text table (what `gcmdash topics --evaluate` prints)."""
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


def sensitivity(units: pd.DataFrame, labels: pd.DataFrame,
                terms: tuple[ObjectiveTerm, ...] | None = None,
                weights: Sequence[float] = (0, 0.25, 0.5, 0.75, 1),
                seeds: Sequence[int] = (0, 1, 2), progress: Progress = _quiet) -> pd.DataFrame:
    """How the ARI against the area letters moves with the objective view's weight, the corpus
    (four label-free variants) and the seed: one row per combination, at the chosen k and at
    k = number of areas. This is how the default weight was chosen (see README): it reads the
    labels, so it is a disclosed tuning step, not part of the model."""
    terms = terms if terms is not None else read_objective_terms()
    step = _Steps(len(weights) * len(CORPUS_VARIANTS) * len(seeds), progress)
    rows = []
    for weight in weights:
        for corpus, keep in CORPUS_VARIANTS.items():
            subset = units[keep(units)].reset_index(drop=True)
            for seed in seeds:
                rows += _sensitivity_rows(subset, labels, terms, weight, seed, corpus)
                step(f"weight {weight:g}, {corpus}, seed {seed}")
    return pd.DataFrame(rows)


def _sensitivity_rows(subset: pd.DataFrame, labels: pd.DataFrame,
                      terms: tuple[ObjectiveTerm, ...], weight: float, seed: int,
                      corpus: str) -> list[dict]:
    chosen = fit_topics(subset, random_state=seed, objective_weight=weight, terms=terms)
    rows = []
    for document_id, group in labels.groupby("document_id", sort=True):
        n_areas = int(group["area_letter"].nunique())
        at_areas = fit_topics(subset, n_areas, random_state=seed, objective_weight=weight,
                              terms=terms)
        rows.append(dict(
            objective_weight=weight, corpus=corpus, seed=seed,
            document_id=document_id, chosen_k=chosen.selection.n_topics,
            ari_chosen=_scores(subset, chosen.weights, labels)[document_id][0],
            ari_areas=_scores(subset, at_areas.weights, labels)[document_id][0]))
    return rows


def format_sensitivity(frame: pd.DataFrame) -> str:
    """Every sensitivity run, then a summary by objective weight, as text."""
    summary = frame.groupby("objective_weight").agg(
        runs=("seed", "size"), chosen_k=("chosen_k", lambda k: f"{k.min()}-{k.max()}"),
        ari_chosen_mean=("ari_chosen", "mean"), ari_chosen_min=("ari_chosen", "min"),
        ari_areas_mean=("ari_areas", "mean"), ari_areas_min=("ari_areas", "min"))
    return (frame.to_string(index=False, float_format="%.3f") + "\n\n"
            + summary.to_string(float_format="%.3f"))
