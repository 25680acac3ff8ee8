"""The topic stage is total over its input (issue 20): a corpus with no text units, one unit,
only stop words or only empty texts gives a topic model that says why it has no (or few)
topics, for the default and the semantic view, and a build with such texts beside the seeds
finishes with every document loaded."""
from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from gcmdash.topics import stage
from gcmdash.topics.model import fit_topics
from gcmdash.topics.objectives import read_objective_terms, read_objectives

STOP_WORDS_ONLY = "Ensure migrants."  # issue 20: 60,000 such bullets stopped every build


def _semantic_or_skip():
    from gcmdash.topics import embeddings

    try:
        embeddings.model_files()
    except embeddings.EmbeddingModelMissing as error:
        pytest.skip(f"the embeddings extra is not installed ({error})")
    return embeddings.fit_semantic_topics


def _fit(view: str):
    return fit_topics if view == "words" else _semantic_or_skip()


def _units(texts: list[str], prefix: str = "u") -> pd.DataFrame:
    return pd.DataFrame({"unit_id": [f"{prefix}{i:05d}" for i in range(len(texts))],
                         "session_number": [1 + i % 2 for i in range(len(texts))],
                         "unit_type": "recommendation", "text": texts})


def _stage_tables(units: pd.DataFrame, view: str) -> dict[str, pd.DataFrame]:
    """What the topic stage computes for these units (compute_topics, as a build runs it)."""
    _fit(view)
    terms = read_objective_terms()
    inputs = stage.TopicInputs(units, [1, 2], read_objectives(), terms, None, "0" * 64,
                               view=view)
    return stage.compute_topics(inputs)


@pytest.mark.parametrize("view", ["words", "semantic"])
def test_no_text_units_give_a_model_that_says_so(view):
    tables = _stage_tables(_units([]), view)
    model = tables["topic_models"].iloc[0]
    assert model["unit_count"] == 0 and model["n_topics"] == 1
    assert model["stability_summary"] == "no topics: the database holds no text units to model"
    assert model["n_topics_criterion"] == model["stability_summary"]
    assert tables["topics"].empty and tables["unit_topics"].empty


def test_only_stop_words_give_no_topics_and_say_why():
    # the default view: no word survives the stop words, so there is nothing to factorise
    # (scikit-learn raised "empty vocabulary" or NMF "input H is full of zeros" before)
    tables = _stage_tables(_units([STOP_WORDS_ONLY] * 2000 + ["", "  ...  ", "the of and"]),
                           "words")
    model = tables["topic_models"].iloc[0]
    assert model["stability_summary"] == (
        "no topics: none of the 2,003 text units has a word the model can use (each is empty, "
        "or only stop words and punctuation)")
    assert tables["topics"].empty and tables["unit_topics"].empty


def test_only_stop_words_are_one_text_to_the_semantic_view():
    # the semantic view reads "Ensure migrants." as a sentence: 2,000 copies are one point
    tables = _stage_tables(_units([STOP_WORDS_ONLY] * 2000), "semantic")
    model = tables["topic_models"].iloc[0]
    assert model["n_topics"] == 1 and model["iteration_count"] == 0
    assert model["stability_summary"] == (
        "stability not measured (too few texts); 2,000 text units hold 1 distinct text, "
        "clustered once")
    topics = tables["topics"]
    assert topics["unit_count"].tolist() == [2000]
    assert topics["label"].tolist() == ["(no terms)"]  # every word is a stop word
    assert len(tables["unit_topics"]) == 2000 and tables["unit_topics"]["is_primary"].all()


@pytest.mark.parametrize("view", ["words", "semantic"])
def test_one_unit_is_one_topic(view):
    tables = _stage_tables(_units(["Strengthen consular protection for migrant workers."]), view)
    model = tables["topic_models"].iloc[0]
    assert model["n_topics"] == 1 and model["unit_count"] == 1
    assert model["stability_summary"] == "stability not measured (too few texts)"
    assert tables["topics"]["unit_count"].tolist() == [1]
    assert tables["unit_topics"][["unit_id", "topic_id", "weight", "is_primary"]].values.tolist() \
        == [["u00000", 1, 1.0, True]]


@pytest.mark.parametrize("view", ["words", "semantic"])
def test_texts_nothing_can_be_read_from_belong_to_no_topic_and_the_rest_are_modelled(view):
    fit = _fit(view)
    readable = [f"{topic} {i}" for topic in ("Consular protection abroad for stranded workers",
                                             "Lower remittance fees for diaspora families",
                                             "Disaggregated census data on human mobility")
                for i in range(8)]
    blank = [STOP_WORDS_ONLY] * 30 if view == "words" else ["   "] * 30
    units = _units(readable + blank)
    result = fit(units, 3)
    assert (result.weights[len(readable):] == 0).all()  # in no topic
    assert (result.weights[:len(readable)].sum(axis=1) > 0.99).all()
    assert result.topics["unit_count"].sum() == len(readable)
    what = ("no word the model can use (empty, or only stop words and punctuation)"
            if view == "words" else "no text (empty or only spaces)")
    assert result.provenance["stability_summary"].endswith(
        f"; 30 of 54 text units have {what} and belong to no topic")


@pytest.mark.parametrize("view", ["words", "semantic"])
def test_a_build_with_thousands_of_stop_word_bullets_loads_every_document(view, tmp_path):
    """Issue 20's case, at 3,000 bullets: a summary whose bullets are only stop words, beside
    the other seeds; the build finishes, every document loaded, and the model says what it
    left out."""
    _fit(view)
    from gcmdash.runner.build import build
    from tests.conftest import SEED_DIR

    raw = tmp_path / "raw"
    raw.mkdir()
    marker = "Concrete issues and recommendations presented for consideration included:\n"
    bulleted = 0
    for path in sorted(SEED_DIR.iterdir()):
        text = path.read_text(encoding="utf-8")
        if marker in text and not bulleted:
            at = text.index(marker) + len(marker)
            text = text[:at] + f"{STOP_WORDS_ONLY}\n" * 3000 + text[at:]
            bulleted += 1
        (raw / path.name).write_text(text, encoding="utf-8")
    assert bulleted == 1
    db = tmp_path / "bullets.duckdb"
    report = build(raw, db, topic_view=view)
    assert not report.failed
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT DISTINCT status FROM documents").fetchall() == [("loaded",)]
        assert con.execute("SELECT count(*) FROM recommendations WHERE text = ?",
                           [STOP_WORDS_ONLY]).fetchone() == (3000,)
        units, = con.execute("SELECT count(*) FROM text_units").fetchone()
        topics, summary = con.execute(
            "SELECT n_topics, stability_summary FROM topic_models").fetchone()
        assert topics >= 5
        if view == "words":
            assert summary.endswith(
                f"; 3,000 of {units:,} text units have no word the model can use (empty, or "
                "only stop words and punctuation) and belong to no topic")
            assert con.execute(
                "SELECT count(*) FROM unit_topics u JOIN recommendations r "
                "ON r.recommendation_id = u.unit_id WHERE r.text = ?",
                [STOP_WORDS_ONLY]).fetchone() == (0,)
        else:
            assert summary.endswith(f"; {units:,} text units hold {units - 2999:,} distinct "
                                    "texts, each clustered once")
            assert con.execute(  # the 3,000 copies share one topic
                "SELECT count(DISTINCT u.topic_id), count(*) FROM unit_topics u "
                "JOIN recommendations r ON r.recommendation_id = u.unit_id WHERE r.text = ?",
                [STOP_WORDS_ONLY]).fetchone() == (1, 3000)


def test_sixty_thousand_stop_word_bullets_beside_the_seeds_leave_the_seed_topics(seed_db):
    """Issue 20's exact case at the model: with 60,000 bullets of stop words beside the seed
    units, NMF raised "Array passed to NMF (input H) is full of zeros" (the units sampled to
    choose k were almost all empty); now the bullets are in no topic and the seeds modelled."""
    from gcmdash.views import queries

    with queries.open_database(seed_db) as con:
        seeds = queries.text_units(con)
    units = pd.concat([seeds, _units([STOP_WORDS_ONLY] * 60000, prefix="bullet-")],
                      ignore_index=True)
    result = fit_topics(units)
    assert result.selection.n_topics >= 5
    assert result.topics["unit_count"].sum() == len(seeds)
    assert (result.weights[len(seeds):] == 0).all()
    assert result.provenance["stability_summary"].endswith(
        f"; 60,000 of {len(units):,} text units have no word the model can use (empty, or only "
        "stop words and punctuation) and belong to no topic")


def test_the_themes_page_says_why_there_are_no_topics(seed_db, tmp_path, monkeypatch):
    import shutil

    from streamlit.testing.v1 import AppTest

    from gcmdash import config
    from gcmdash.topics.model import not_modelled_reason

    db = tmp_path / "no-topics.duckdb"
    shutil.copy(seed_db, db)
    reason = not_modelled_reason(2003, 0)
    with duckdb.connect(str(db)) as con:  # what a build of only stop-word texts writes
        for table in ("topic_sessions", "unit_topics", "topic_model_selection", "topics"):
            con.execute(f"DELETE FROM {table}")
        con.execute("UPDATE topic_models SET n_topics = 1, n_topics_criterion = ?, "
                    "stability_summary = ?", [reason, reason])
    monkeypatch.setenv("GCMDASH_DB", str(db))
    page = AppTest.from_file(str(config.APP_ENTRYPOINT.parent / "app_pages" / "themes.py"),
                             default_timeout=120).run()
    assert not page.exception
    assert any(f"How stable: {reason}." in caption.value for caption in page.caption)


def test_distinct_texts_keep_first_appearance_order_and_leave_out_blank_ones():
    from gcmdash.topics.embeddings import distinct_texts

    distinct, rows = distinct_texts(["Lower fees.", "Data.", "Lower fees.", "  ", "", "..."])
    assert distinct == ["Lower fees.", "Data.", "..."]
    assert rows.tolist() == [0, 1, 0, -1, -1, 2]
    texts = [f"text {i}" for i in range(50)]
    assert distinct_texts(texts)[0] == texts  # no repeats, no blank text: the texts as they are
