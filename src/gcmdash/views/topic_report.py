"""The built database's topic model as text, for `gcmdash topics` (from the queries' frames)."""
from __future__ import annotations

import duckdb
import pandas as pd

from gcmdash.views import queries


def describe_topics(con: duckdb.DuckDBPyConnection) -> str:
    """The topics and the model that drew them: the model's method, versions, random state,
    number of topics and corpus hash, then one line per topic with its top terms."""
    model = queries.topic_model(con)
    if model.empty:
        return "no topic model in this database"
    m = model.iloc[0]
    lines = [f"model {m.model_id}: {m.method}",
             f"scikit-learn {m.sklearn_version}, random_state {m.random_state}, "
             f"{m.n_topics} topics ({m.n_topics_criterion}), {m.unit_count} text units, "
             f"corpus sha256 {m.corpus_sha256[:12]}", f"{m.stability_summary}", "",
             f"{'id':>3} {'units':>5} {'recs':>4} {'obj':>3}  label: top terms"]
    for t in queries.topics(con).itertuples():
        objective = "" if pd.isna(t.main_objective) else int(t.main_objective)
        lines.append(f"{t.topic_id:>3} {t.unit_count:>5} {t.recommendation_count:>4} "
                     f"{objective:>3}  {t.label}: {', '.join(t.top_terms)}")
    return "\n".join(lines)
