"""The `topics` build stage, in three steps so that the fit overlaps the database checks:
`prepare_topics` (read the inputs, write the input tables, or copy the previous build's model),
`compute_topics` (no database: fit, map objectives, coverage and topic x session rows) and
`write_model` (write the model tables, MODEL_TABLES)."""
from __future__ import annotations

import hashlib
import json
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import scipy
import sklearn

from gcmdash.topics.model import (
    RANDOM_STATE,
    TopicModelResult,
    fit_topics,
    primary_topics,
)
from gcmdash.topics.objectives import (
    DECIMALS,
    ObjectiveTerm,
    map_objectives,
    read_objective_terms,
    read_objectives,
)
from gcmdash.topics.units import read_text_units

COVERAGE_TOP_UNITS = 3

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
    """unit_topics rows: every unit's non-zero topic weights, its strongest marked primary."""
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
    """What the build records of the topic stage it ran."""

    input_sha256: str  # everything the stage's output depends on, besides the code
    reused_from: str | None  # the attached database the output was copied from, if it was


def topics_input_sha256(units: pd.DataFrame, sessions: list[int], objectives: list[dict],
                        terms: Sequence[ObjectiveTerm], n_topics: int | None,
                        view: str = "words") -> str:
    """SHA-256 of what the topic stage's output depends on, the code aside: the text units
    (ids, sessions, types, texts), the sessions, the objective and term tables, the requested
    k, the random state and the numerical libraries' versions."""
    digest = hashlib.sha256(json.dumps(
        [sessions, objectives, [list(map(str, (t.objective, t.term, repr(t.weight), t.source_url)))
                                for t in terms],
         n_topics, RANDOM_STATE, sklearn.__version__, np.__version__, scipy.__version__]
        + ([view] if view != "words" else [])  # the default's hash as it was
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
    view: str = "words"  # "semantic": gcmdash.topics.embeddings.fit_semantic_topics
    embedding_cache: Path | None = None  # the semantic view's vectors across builds


def prepare_topics(con: duckdb.DuckDBPyConnection, curated_dir: Path | None = None,
                   n_topics: int | None = None, previous: str | None = None,
                   view: str = "words", embedding_cache: Path | None = None) -> TopicInputs:
    """The topic stage's first step: read its inputs, write the input tables (objectives, their
    terms, the text units), and copy the model tables from `previous` when they can be.

    `previous` names an attached database built by the same code: when its topic stage had the
    same inputs (build_info 'topics_input_sha256'), its model tables are copied instead of
    fitting again; the fit is deterministic, so the rows are the ones a new fit would give."""
    if view == "semantic":
        from gcmdash.topics.embeddings import check_semantic_view

        check_semantic_view()  # EmbeddingModelMissing now, not in the middle of the build
    objectives = read_objectives(curated_dir)
    terms = read_objective_terms(curated_dir)
    units = read_text_units(con)
    sessions = [r[0] for r in con.execute(
        "SELECT session_number FROM sessions ORDER BY session_number").fetchall()]
    inputs = TopicInputs(units, sessions, objectives, terms, n_topics,
                         topics_input_sha256(units, sessions, objectives, terms, n_topics, view),
                         view=view, embedding_cache=embedding_cache)
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
    if inputs.view == "semantic":
        from gcmdash.topics.embeddings import fit_semantic_topics
        result = fit_semantic_topics(units, inputs.n_topics, terms=terms,
                                     embedding_cache=inputs.embedding_cache)
    else:
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

