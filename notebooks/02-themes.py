# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Themes of the 2017 GCM consultations
#
# What the sessions recommended, grouped into topics by the project's topic model, and which of
# the 23 objectives of the Global Compact each session touched and which it missed.
#
# This notebook reads the database that `gcmdash build` writes (the path comes from
# `gcmdash.config.db_path()`, overridable with `GCMDASH_DB`). The topics, the objective mapping and
# the coverage are computed by `gcmdash/topics/` during the build; this notebook only reads them
# (through the dashboard's own queries, `gcmdash.views.queries`), it never refits anything.

# %%
import pandas as pd
import plotly.graph_objects as go

from gcmdash.config import db_path
from gcmdash.views import queries

pd.set_option("display.max_colwidth", 120)
pd.set_option("display.width", 200)

path = db_path()
con = queries.open_database(path)
print(f"Reading {path}")

# %% [markdown]
# ## The model that drew the topics
#
# Every chart below comes from this model: its method, scikit-learn version, random state and
# the hash of the texts it was fitted on. The number of topics was chosen without looking at
# any human grouping: it is the largest number whose stability across random subsamples of
# the texts is within 0.1 of the most stable one's.

# %%
model = queries.topic_model(con).iloc[0]
print(f"model {model.model_id}: {model.method}")
print(f"scikit-learn {model.sklearn_version}, random_state {model.random_state}, "
      f"{model.unit_count} text units, corpus sha256 {model.corpus_sha256[:12]}")
print(f"{model.n_topics} topics: {model.n_topics_criterion}")
selection = queries.topic_model_selection(con)
selection = selection[selection["model_id"] == model.model_id]
stability = selection.set_index("n_topics")["stability"].rename("stability across subsamples")
stability.index.name = "number of topics"
stability.to_frame().T

# %% [markdown]
# ## Topics
#
# Each topic with a short label (its top terms), the GCM objective that weighs most in it, and
# how many text units and recommendations it holds.

# %%
topic_table = queries.topics(con)
topic_table.assign(top_terms=topic_table["top_terms"].map(", ".join))

# %% [markdown]
# ## The recommendations behind each topic
#
# Every recommendation under its strongest topic, with its weight there and its source line:
# quotable as it stands.

# %%
recommendations = queries.topic_units(con, None, unit_type="recommendation")
topic_labels = topic_table.set_index("topic_id")["label"]
for topic_id, group in recommendations.groupby("topic_id", sort=True):
    print(f"\nTopic {topic_id}: {topic_labels[topic_id]} ({len(group)} recommendations)")
    for row in group.itertuples():
        print(f"  {row.unit_id} ({row.weight:.2f}) {row.text[:110]}"
              f"{'...' if len(row.text) > 110 else ''}  [{row.source_label}]")
print(f"\n{len(recommendations)} recommendations, each under exactly one topic")

# %% [markdown]
# ## Topics across sessions
#
# For each session, the share of its text units whose strongest topic is each topic
# (normalised by the session's number of units, so a session with three panel titles and one
# with 92 units compare). Sessions without a co-facilitators' summary are represented by their
# theme and panel titles only.

# %%
shares = queries.topic_sessions(con)
share_matrix = shares.pivot(index="label", columns="session_number", values="share")
share_matrix = share_matrix.loc[topic_table["label"]]
units_per_session = shares.groupby("session_number")["session_unit_count"].first()
go.Figure(go.Heatmap(
    z=share_matrix.to_numpy(), x=[f"Session {n} ({units_per_session[n]} units)"
                                  for n in share_matrix.columns],
    y=share_matrix.index.tolist(), colorscale="Blues", zmin=0, zmax=1,
    hovertemplate="%{y}<br>%{x}: %{z:.0%} of the units<extra></extra>"),
    layout=dict(title="Share of each session's text units per topic", height=520,
                yaxis=dict(autorange="reversed"), margin=dict(l=280)))

# %% [markdown]
# ## Coverage of the 23 GCM objectives
#
# Each session against each objective: **covered** (some text unit of the session maps to the
# objective; the number is how many), **gap** (the session has text, none of it maps to the
# objective), **no text** (the record holds no text of the session at all). A gap in a session
# known only by its title is weaker evidence than a gap in a session with a full summary.

# %%
coverage = queries.objective_coverage(con)
matrix = coverage.pivot(index="objective", columns="session_number", values="unit_count")
status = coverage.pivot(index="objective", columns="session_number", values="status")
labels = queries.gcm_objectives(con).set_index("objective")["hub_label"]
cells = status.where(status != "covered", matrix.astype(str)).replace(
    {"gap": "-", "no_text": "no text"})
cells.index = [f"{o}. {labels[o]}" for o in cells.index]
cells.columns = [f"Session {n}" for n in cells.columns]
print(f"{len(coverage)} session x objective cells: "
      + ", ".join(f"{n} {s}" for s, n in coverage["status"].value_counts().sort_index().items()))
cells

# %%
go.Figure(go.Heatmap(
    z=matrix.to_numpy(), x=[f"Session {n}" for n in matrix.columns],
    y=[f"{o}. {labels[o]}" for o in matrix.index], colorscale="Greens",
    text=cells.to_numpy(), texttemplate="%{text}",
    hovertemplate="%{y}<br>%{x}: %{z} unit(s)<extra></extra>"),
    layout=dict(title="Text units per session and GCM objective ('-' = gap)", height=720,
                yaxis=dict(autorange="reversed"), margin=dict(l=280)))

# %% [markdown]
# Objectives no session touched, and each session's gaps:

# %%
touched = coverage.loc[coverage["status"] == "covered", "objective"].unique()
untouched = [f"{o}. {labels[o]}" for o in labels.index if o not in touched]
print("Objectives no session touched:", "; ".join(untouched) or "none")
for session, group in coverage[coverage["status"] == "gap"].groupby("session_number"):
    print(f"Session {session} ({group['session_unit_count'].iloc[0]} units) gaps: "
          + ", ".join(str(o) for o in group["objective"]))

# %% [markdown]
# ## Why a unit maps to an objective
#
# The strongest units for objective 13 (detention) with the terms that matched: every cell of
# the coverage matrix can be opened the same way.

# %%
queries.objective_units(con, 13)[["unit_id", "score", "reason", "text", "source_label"]]
