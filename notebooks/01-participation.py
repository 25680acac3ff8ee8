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
# # Participation in the 2017 GCM consultations
#
# How many Member States, UN agencies and stakeholders took part in each informal thematic
# session and in the stocktaking meeting, and who had a role in each session: as the record
# states it, with the source of every number.
#
# This notebook reads the database that `gcmdash build` writes (the path comes from
# `gcmdash.config.db_path()`, overridable with `GCMDASH_DB`) through the dashboard's own queries
# and charts: it draws exactly what the dashboard draws.

# %%
import pandas as pd

from gcmdash.config import db_path
from gcmdash.views import charts, queries, tables

pd.set_option("display.max_colwidth", 80)

path = db_path()
con = queries.open_database(path)
print(f"Reading {path}")

# %% [markdown]
# ## Counts per session
#
# Every session against every measure. A session or measure without a count stays empty
# (NULL): the record does not report it, which is not the same as zero.

# %%
matrix = queries.participation_matrix(con)
tables.participation_table(matrix)

# %%
charts.participation_chart(matrix)

# %% [markdown]
# Which sessions report no count at all? They are written "not reported" in the chart, never
# drawn as a zero bar.

# %%
reported = matrix.groupby("session_number")["value"].apply(lambda values: values.notna().any())
not_reported = [tables.session_label(n) for n, any_count in reported.items() if not any_count]
assert not (matrix["value"] == 0).any(), "a missing count must stay NULL, not become 0"
print("Sessions with no participation count in the record:", ", ".join(not_reported) or "none")

# %% [markdown]
# ## Where each number comes from
#
# Each count with the sentence it was read from and its source: a document and line, or the
# public page it was curated from.

# %%
tables.participation_sources_table(queries.participation(con))

# %% [markdown]
# ## Who had a role in each session
#
# Persons per role, each counted once per session however many documents name them, by
# gender as the honorific lists it (Ms. or Mr.; Dr., Prof. or H.E. alone say nothing).

# %%
panels = queries.panel_composition(con)
charts.panel_composition_chart(panels)

# %%
tables.panel_composition_table(panels)

# %% [markdown]
# ## Kinds of organisation on the panels
#
# Each person once per session, typed by the rule table in `gcmdash/derive/organisations.py`
# (`roles.organisation_rule` says which rule matched).

# %%
organisations = queries.organisation_composition(con)
charts.organisation_chart(organisations)

# %%
tables.organisation_table(organisations)

# %% [markdown]
# ## What the record holds, and what it lacks
#
# All seven meetings: which documents the corpus holds and which key facts any source gives.

# %%
coverage = queries.record_coverage(con)
tables.record_coverage_table(coverage)

# %%
missing_counts = coverage[(coverage["item"] == "participation_counts") & (coverage["status"] == "missing")]
print("No participation counts in the record for:",
      ", ".join(tables.session_label(n) for n in missing_counts["session_number"]))

# %%
con.close()
