"""The NumPy all-MiniLM-L6-v2 (gcmdash.topics.embeddings) against vectors PyTorch computed
with the real model, and the semantic topic view's determinism."""
from __future__ import annotations

import hashlib
import io
import json
import secrets
import struct
from pathlib import Path

import numpy as np
import pytest

from gcmdash import sealed
from gcmdash.topics import embeddings, onnx_minilm

REFERENCE = json.loads((Path(__file__).parent / "embedding_reference.json").read_text())


def _model_or_skip() -> embeddings.ModelFiles:
    try:
        return embeddings.model_files()
    except embeddings.EmbeddingModelMissing as error:
        pytest.skip(f"the embeddings extra is not installed ({error})")


def test_safetensors_reader_reads_dtype_shape_and_offsets(tmp_path):
    a = np.arange(6, dtype="<f4").reshape(2, 3)
    b = np.array([7, -8], dtype="<i8")
    header = json.dumps({"__metadata__": {"format": "pt"},
                         "a": {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 24]},
                         "b": {"dtype": "I64", "shape": [2], "data_offsets": [24, 40]}}).encode()
    path = tmp_path / "t.safetensors"
    path.write_bytes(struct.pack("<Q", len(header)) + header + a.tobytes() + b.tobytes())
    tensors = embeddings.read_safetensors(path)
    assert sorted(tensors) == ["a", "b"]
    np.testing.assert_array_equal(tensors["a"], a)
    np.testing.assert_array_equal(tensors["b"], b)


def test_basic_tokenisation_folds_accents_case_and_splits_punctuation():
    assert embeddings.normalise_text("Réfugiés\tÉTAT\x00") == "refugies etat"
    assert embeddings.split_words("l'accès, (2030)!") == ["l", "'", "accès", ",", "(", "2030",
                                                          ")", "!"]
    tokenizer = embeddings.WordPieceTokenizer(
        {"[PAD]": 0, "[UNK]": 1, "[CLS]": 2, "[SEP]": 3, "mig": 4, "##rant": 5, "##s": 6})
    assert tokenizer.encode("Migrants migrantx") == [2, 4, 5, 6, 1, 3]
    assert len(tokenizer.encode("mig " * 300)) == embeddings.MAX_TOKENS


def test_the_ascii_fast_path_makes_the_words_the_general_path_makes():
    rng = np.random.RandomState(0)
    alphabet = [chr(c) for c in range(128)]
    texts = ["".join(rng.choice(alphabet, size=rng.randint(0, 80))) for _ in range(2000)]
    texts += ["Ensure migrants' access (SDG 10.7)!\tA\x0bB\x7fC\r\nd--e", "", " \x00 "]
    for text in texts:
        assert text.isascii()
        assert embeddings.text_words(text) == embeddings.split_words(
            embeddings.normalise_text(text)), repr(text)
    assert embeddings.text_words("Réfugiés, l'accès") == ["refugies", ",", "l", "'", "acces"]


def test_length_batches_cover_every_text_once_within_their_budgets():
    lengths = list(np.random.RandomState(1).randint(3, embeddings.MAX_TOKENS + 1, size=1000))
    batches = embeddings.length_batches(lengths, batch_size=64, batch_tokens=4096)
    assert sorted(i for batch in batches for i in batch) == list(range(1000))
    for batch in batches:
        assert len(batch) <= 64 and len(batch) * max(lengths[i] for i in batch) <= 4096
    flat = [lengths[i] for batch in batches for i in batch]
    assert flat == sorted(lengths)  # shortest first: each batch pads little
    assert embeddings.length_batches([500], batch_tokens=100) == [[0]]  # one text at least


def test_euclidean_distances_are_scipys_in_condensed_order():
    from scipy.spatial.distance import pdist

    X = np.random.RandomState(2).standard_normal((300, 20))
    np.testing.assert_allclose(embeddings.euclidean_distances(X, block=64), pdist(X),
                               rtol=0, atol=1e-12)


def test_model_files_name_package_version_and_hash():
    files = _model_or_skip()
    assert files.package_version == REFERENCE["package_version"]
    assert files.weights_sha256 == REFERENCE["weights_sha256"]
    assert "all-MiniLM-L6-v2" in files.describe() and files.package_version in files.describe()


def test_tokenizer_matches_the_reference_token_ids():
    _model_or_skip()
    tokenizer = embeddings.load_encoder().tokenizer
    assert [tokenizer.encode(s) for s in REFERENCE["sentences"]] == REFERENCE["token_ids"]


def test_forward_pass_matches_pytorch_reference_vectors():
    _model_or_skip()
    reference = np.array(REFERENCE["vectors"], dtype=np.float64)
    vectors = embeddings.embed(REFERENCE["sentences"], batch_size=2).astype(np.float64)
    assert vectors.shape == reference.shape == (5, 384)
    cosine = (vectors * reference).sum(axis=1) / (
        np.linalg.norm(vectors, axis=1) * np.linalg.norm(reference, axis=1))
    assert cosine.min() > 0.9999
    assert np.abs(vectors - reference).max() < 1e-4
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-6)


BACKENDS = ["numpy", pytest.param("onnxruntime", marks=pytest.mark.skipif(
    not onnx_minilm.available(),
    reason="onnx and onnxruntime are not installed"))]


@pytest.mark.parametrize("backend", BACKENDS)
def test_each_backend_matches_the_reference_to_one_part_in_a_million(backend):
    _model_or_skip()
    encoder = embeddings.load_encoder(backend)
    assert encoder.backend.split()[0] == backend
    reference = np.array(REFERENCE["vectors"], dtype=np.float64)
    vectors = encoder.encode(REFERENCE["sentences"], batch_size=2).astype(np.float64)
    cosine = (vectors * reference).sum(axis=1) / (
        np.linalg.norm(vectors, axis=1) * np.linalg.norm(reference, axis=1))
    assert cosine.min() >= 1 - 1e-6
    many = [f"{s} ({i})" for i in range(40) for s in REFERENCE["sentences"]]
    assert np.array_equal(encoder.encode(many, batch_size=16, workers=1),
                          encoder.encode(many, batch_size=16, workers=3))


def test_the_default_backend_is_onnxruntime_unless_numpy_is_asked_for(monkeypatch):
    monkeypatch.setenv(embeddings.BACKEND_SETTING, "numpy")
    assert embeddings.wanted_backend() == "numpy"
    monkeypatch.delenv(embeddings.BACKEND_SETTING)
    assert embeddings.wanted_backend() == ("onnxruntime" if onnx_minilm.available() else "numpy")


def test_a_backend_asked_for_that_cannot_run_stops_with_the_reason(monkeypatch):
    monkeypatch.setenv(embeddings.BACKEND_SETTING, "onnx")
    monkeypatch.setattr(embeddings, "model_files", lambda: None)  # as if the model were there
    with pytest.raises(embeddings.EmbeddingModelMissing,
                       match="GCMDASH_EMBEDDING_BACKEND=onnx is not a backend: use one of "
                             "numpy, onnxruntime, onnxruntime-int8"):
        embeddings.check_semantic_view()
    monkeypatch.setenv(embeddings.BACKEND_SETTING, " ONNXRuntime-INT8 ")
    monkeypatch.setattr(onnx_minilm, "available", lambda: False)
    with pytest.raises(embeddings.EmbeddingModelMissing, match="needs onnx and onnxruntime"):
        embeddings.wanted_backend()
    monkeypatch.setattr(onnx_minilm, "available", lambda: True)
    assert embeddings.wanted_backend() == "onnxruntime-int8"


@pytest.mark.skipif(not onnx_minilm.available(), reason="onnx and onnxruntime are not installed")
def test_the_int8_backend_is_close_to_the_reference_and_a_text_needs_no_neighbours():
    _model_or_skip()
    encoder = embeddings.load_encoder("onnxruntime-int8")
    assert encoder.backend.endswith(", int8 matrix products")
    reference = np.array(REFERENCE["vectors"], dtype=np.float64)
    vectors = encoder.encode(REFERENCE["sentences"]).astype(np.float64)
    cosine = (vectors * reference).sum(axis=1)
    # approximate (float: 1 - 1e-6), yet far closer than any two of the sentences are
    assert 0.98 < cosine.min() < 1 - 1e-6
    between = reference @ reference.T
    assert between[~np.eye(len(reference), dtype=bool)].max() < 0.9
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-6)
    # each text is run alone: its vector is the same whatever batch, order or thread it is in
    many = [f"{s} ({i})" for i in range(12) for s in REFERENCE["sentences"]]
    alone = np.vstack([encoder.encode([text]) for text in many])
    assert np.array_equal(encoder.encode(many, batch_size=16, workers=3), alone)
    assert np.array_equal(encoder.encode(many[::-1], workers=1)[::-1], alone)


def test_embeddings_are_deterministic_and_independent_of_order():
    _model_or_skip()
    sentences = REFERENCE["sentences"]
    first = embeddings.embed(sentences)
    assert np.array_equal(first, embeddings.embed(sentences))
    reordered = embeddings.embed(sentences[::-1], batch_size=1)[::-1]
    assert np.abs(first - reordered).max() < 1e-5
    encoder = embeddings.load_encoder()
    many = [f"{s} ({i})" for i in range(40) for s in sentences]
    # each batch runs single-threaded BLAS, so the number of workers changes nothing
    assert np.array_equal(encoder.encode(many, batch_size=16, workers=1),
                          encoder.encode(many, batch_size=16, workers=3))


def test_texts_are_cut_at_the_128_tokens_the_model_was_trained_on():
    _model_or_skip()
    encoder = embeddings.load_encoder()
    long_text = " ".join(REFERENCE["sentences"] * 8)
    ids = encoder.tokenizer.encode(long_text)
    assert len(ids) == embeddings.MAX_TOKENS == 128
    assert ids[:-1] == encoder.tokenizer.encode(long_text, max_tokens=400)[:127]
    assert np.abs(encoder.encode([long_text]) - encoder.encode([long_text + " more words"])
                  ).max() == 0  # the words past the cut are not read


THEMES = {  # three themes, four paraphrases each, few shared words within a theme
    "detention": ["Children should never be locked up because of their migration status.",
                  "End immigration detention of minors.",
                  "Kids must not be held in custody for entering a country irregularly.",
                  "Use alternatives to confinement for young people on the move."],
    "remittances": ["Lower the fees charged on money sent home by workers abroad.",
                    "Cheaper remittance transfers for migrant families.",
                    "Cut the cost of wiring cash back to relatives in the country of origin.",
                    "Make international payments from diaspora workers less expensive."],
    "data": ["Collect better statistics on human mobility.",
             "Improve the evidence base with disaggregated migration data.",
             "Countries need reliable numbers on people crossing borders.",
             "Invest in national surveys and censuses that count migrants."],
}


def _theme_units():
    import pandas as pd

    rows = [(theme, text) for theme, texts in THEMES.items() for text in texts]
    return pd.DataFrame({"unit_id": [f"u{i:02d}" for i in range(len(rows))],
                         "session_number": [1 + i % 2 for i in range(len(rows))],
                         "unit_type": "recommendation", "text": [t for _, t in rows]}), \
        [theme for theme, _ in rows]


def test_semantic_view_groups_paraphrases_and_names_its_model():
    files = _model_or_skip()
    from sklearn.metrics import adjusted_rand_score

    from gcmdash.topics.model import primary_topics

    units, themes = _theme_units()
    result = embeddings.fit_semantic_topics(units, 3)
    assert adjusted_rand_score(themes, primary_topics(result.weights)) == 1.0
    assert result.topics["unit_count"].tolist() == [4, 4, 4]
    params = json.loads(result.provenance["parameters"])
    assert params["embedding_weights_sha256"] == files.weights_sha256
    assert params["embedding_package_version"] == files.package_version
    assert "all-MiniLM-L6-v2" in result.provenance["method"]
    assert files.package_version in result.provenance["method"]


def test_semantic_view_two_fits_identical():
    _model_or_skip()
    units, _ = _theme_units()
    first, second = (embeddings.fit_semantic_topics(units) for _ in range(2))
    assert first.selection.n_topics == second.selection.n_topics
    assert first.selection.stability == second.selection.stability
    assert np.array_equal(first.weights, second.weights)
    assert first.topics.equals(second.topics)
    assert first.provenance == second.provenance


def test_build_with_the_semantic_view_records_its_model(seed_db, tmp_path):
    _model_or_skip()
    import duckdb

    from gcmdash.runner.build import build
    from tests.conftest import SEED_DIR

    path = tmp_path / "semantic.duckdb"
    build(SEED_DIR, path, topic_view="semantic", cache_dir=tmp_path / "cache")
    # the vectors are kept beside the document cache, which would prune a folder inside it
    assert len(list((tmp_path / "cache-embeddings").glob("minilm-*.npz.sealed"))) == 1
    with duckdb.connect(str(path), read_only=True) as semantic, \
            duckdb.connect(str(seed_db), read_only=True) as default:
        method, parameters = semantic.execute(
            "SELECT method, parameters FROM topic_models").fetchone()
        assert "all-MiniLM-L6-v2" in method and "Ward" in method
        assert json.loads(parameters)["embedding_weights_sha256"] == \
            embeddings.model_files().weights_sha256
        assert json.loads(parameters)["embedding_backend"] == embeddings.load_encoder().backend
        assert "NMF" in default.execute("SELECT method FROM topic_models").fetchone()[0]
        key = "SELECT value FROM build_info WHERE key = 'topics_input_sha256'"
        assert semantic.execute(key).fetchone() != default.execute(key).fetchone()
        seeds, subsamples, summary = semantic.execute(
            "SELECT seed_stability, subsample_stability, stability_summary FROM topic_models"
        ).fetchone()
        assert seeds is None and 0 < subsamples <= 1  # Ward has no random state
        assert summary.startswith("the same for every seed (no random state); agreement over "
                                  f"4 subsamples of the texts {subsamples:.2f}: the grouping is")
        assert semantic.execute(
            "SELECT count(*) FROM recommendations r LEFT JOIN unit_topics u "
            "ON u.unit_id = r.recommendation_id AND u.is_primary WHERE u.unit_id IS NULL"
        ).fetchone() == (0,)


def test_a_missing_model_package_says_how_to_install_it(monkeypatch):
    from importlib import metadata

    def missing(name):
        raise metadata.PackageNotFoundError(name)

    monkeypatch.setattr(embeddings.metadata, "distribution", missing)
    embeddings.model_files.cache_clear()
    try:
        with pytest.raises(embeddings.EmbeddingModelMissing, match=r"gcmdash\[embeddings\]"):
            embeddings.model_files()
    finally:
        embeddings.model_files.cache_clear()


def test_topic_view_setting(monkeypatch):
    from gcmdash import config

    monkeypatch.delenv("GCMDASH_TOPIC_VIEW", raising=False)
    assert config.topic_view() == "words"
    monkeypatch.setenv("GCMDASH_TOPIC_VIEW", "semantic")
    assert config.topic_view() == "semantic"
    monkeypatch.setenv("GCMDASH_TOPIC_VIEW", "vibes")
    with pytest.raises(ValueError, match="words, semantic"):
        config.topic_view()


def test_ward_beyond_its_cap_clusters_a_sample_and_assigns_the_rest(monkeypatch):
    rng = np.random.RandomState(3)
    centres = np.eye(3) * 10
    X = np.vstack([centres[i % 3] + rng.normal(scale=0.5, size=3) for i in range(90)])
    truth = np.arange(90) % 3
    from sklearn.metrics import adjusted_rand_score

    capped = embeddings.capped_ward_labels(X, 3, cap=20)
    assert adjusted_rand_score(truth, capped) == 1.0
    assert np.array_equal(capped, embeddings.capped_ward_labels(X, 3, cap=20))
    sample = np.sort(np.random.RandomState(0).choice(90, size=20, replace=False))
    assert np.array_equal(capped[sample], embeddings.ward_labels(X[sample], [3])[3])
    assert np.array_equal(embeddings.capped_ward_labels(X, 3, cap=90),
                          embeddings.ward_labels(X, [3])[3])
    # the semantic view through the cap: a grouping of every unit, and the provenance says so
    _model_or_skip()
    monkeypatch.setattr(embeddings, "WARD_MAX_UNITS", 8)
    units, themes = _theme_units()
    result = embeddings.fit_semantic_topics(units, 3)
    assert adjusted_rand_score(themes, result.weights.argmax(axis=1)) == 1.0
    assert "sample of 8 of the 12 distinct texts" in result.provenance["stability_summary"]


def test_the_embedding_cache_serves_a_rebuild_and_is_never_trusted_blindly(tmp_path):
    _model_or_skip()
    units, _ = _theme_units()
    first = embeddings.fit_semantic_topics(units, 3, embedding_cache=tmp_path)
    assert first.extra["embedding_cache"] == {"hits": 0, "embedded": 12, "notices": []}
    again = embeddings.fit_semantic_topics(units, 3, embedding_cache=tmp_path)
    assert again.extra["embedding_cache"] == {"hits": 12, "embedded": 0, "notices": []}
    assert np.array_equal(first.weights, again.weights) and first.topics.equals(again.topics)
    assert first.provenance == again.provenance
    # one text changed: only it is embedded
    edited = units.assign(text=units["text"].where(units.index != 0, "End child detention."))
    assert embeddings.fit_semantic_topics(edited, 3, embedding_cache=tmp_path).extra[
        "embedding_cache"]["embedded"] == 1
    cache = _embedding_cache(tmp_path)
    # a flipped bit in the file: its seal fails, everything is embedded again, the result unchanged
    damaged = bytearray(cache.path.read_bytes())
    damaged[-40] ^= 1
    cache.path.write_bytes(bytes(damaged))
    checked = embeddings.fit_semantic_topics(edited, 3, embedding_cache=tmp_path)
    assert checked.extra["embedding_cache"]["embedded"] == 12
    assert "not trusted" in checked.extra["embedding_cache"]["notices"][0]
    # vectors swapped, sealed with the cache's own key: the spot check against the model catches it
    known = cache.load()
    cache.store(list(known), np.array(list(known.values()))[::-1])
    spotted = embeddings.fit_semantic_topics(edited, 3, embedding_cache=tmp_path)
    assert "disagrees with the model" in spotted.extra["embedding_cache"]["notices"][0]
    assert np.array_equal(spotted.weights, checked.weights)


def _embedding_cache(folder: Path) -> embeddings.EmbeddingCache:
    return embeddings.EmbeddingCache(folder, embeddings.load_encoder(), embeddings.model_files())


def _npz_bytes(**arrays: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def test_an_embedding_cache_file_the_cache_did_not_write_is_not_trusted(tmp_path):
    """Whoever can write the folder cannot make the cache serve their vectors: a file with a
    checksum anyone can compute, or sealed with another key, is ignored and the texts embedded
    again. The forged vectors are wrong only past the spot checks, which would miss them."""
    _model_or_skip()
    units, _ = _theme_units()
    first = embeddings.fit_semantic_topics(units, 3, embedding_cache=tmp_path)
    cache = _embedding_cache(tmp_path)
    known = cache.load()
    hashes = np.frombuffer(b"".join(known), dtype=np.uint8).reshape(len(known), 32)
    vectors = np.array(list(known.values()))
    spot_checked = embeddings.CACHE_SPOT_CHECKS
    vectors[spot_checked:] = vectors[spot_checked:][::-1].copy()
    unkeyed = _npz_bytes(hashes=hashes, vectors=vectors, checksum=np.frombuffer(
        hashlib.sha256(hashes.tobytes() + vectors.tobytes()).digest(), dtype=np.uint8))
    _assert_embedded_again(tmp_path, unkeyed, units, first)
    other_key = sealed.seal(secrets.token_bytes(32), cache.label,
                            _npz_bytes(hashes=hashes, vectors=vectors))
    _assert_embedded_again(tmp_path, other_key, units, first)


def _assert_embedded_again(folder: Path, forged: bytes, units, first) -> None:
    _embedding_cache(folder).path.write_bytes(forged)
    again = embeddings.fit_semantic_topics(units, 3, embedding_cache=folder)
    assert again.extra["embedding_cache"]["hits"] == 0
    assert again.extra["embedding_cache"]["embedded"] == 12
    assert "not trusted" in again.extra["embedding_cache"]["notices"][0]
    assert np.array_equal(again.weights, first.weights)


def test_an_embedding_cache_folder_that_cannot_be_made_caches_nothing(tmp_path):
    _model_or_skip()
    units, _ = _theme_units()
    blocked = tmp_path / "a file, not a folder"
    blocked.write_text("")
    for _ in range(2):
        result = embeddings.fit_semantic_topics(units, 3, embedding_cache=blocked)
        assert result.extra["embedding_cache"]["embedded"] == 12
        assert "can be neither read nor written" in result.extra["embedding_cache"]["notices"][0]
