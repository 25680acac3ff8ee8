"""Values a build reads back and must trust: sealed with a keyed checksum (HMAC-SHA256).

The document cache and the corpus state (gcmdash/runner/cache.py, gcmdash/runner/state.py) are
pickles, and unpickling runs code; so a value is unpickled only after its seal shows that this
cache wrote it, under this label (which entry it is), with a secret key made by the first build
(`key` in the cache folder, mode 0600). The embedding cache (gcmdash/topics/embeddings.py) seals
its file of vectors the same way, in a folder of its own with a key of its own.

It imports nothing of gcmdash, so every layer that keeps a cache may use it (pyproject.toml).
"""
from __future__ import annotations

import hashlib
import hmac
import os
import pickle
import secrets
import tempfile
from pathlib import Path
from typing import Any

KEY_FILE = "key"
_MAGIC = b"gcmdash-cache-1\n"
_TAG_BYTES = hashlib.sha256().digest_size


class Untrusted(Exception):
    """A cache file that was not sealed with this cache's key, or is damaged."""


def seal(key: bytes, label: str, payload: bytes) -> bytes:
    """payload with a keyed checksum over its label (the entry it is) and bytes."""
    tag = hmac.new(key, label.encode() + b"\0" + payload, hashlib.sha256).digest()
    return _MAGIC + tag + payload


def unseal(key: bytes, label: str, data: bytes) -> bytes:
    """The payload of seal(key, label, payload), or Untrusted."""
    head = len(_MAGIC) + _TAG_BYTES
    if len(data) < head or not data.startswith(_MAGIC):
        raise Untrusted("not a sealed gcmdash cache entry")
    payload = data[head:]
    expected = hmac.new(key, label.encode() + b"\0" + payload, hashlib.sha256).digest()
    if not hmac.compare_digest(expected, data[len(_MAGIC):head]):
        raise Untrusted("sealed with another key, or changed since")
    return payload


def seal_value(key: bytes, label: str, value: Any) -> bytes:
    """value pickled and sealed under `label` (the entry it is)."""
    return seal(key, label, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))


def unseal_value(key: bytes | None, label: str, data: bytes) -> Any:
    """The object sealed as `label` in `data`, if this cache's key sealed it; Untrusted when it
    is not ours (another key, another label, changed or truncated) or cannot be read back."""
    if key is None:
        raise Untrusted("no key to check it with")
    payload = unseal(key, label, data)
    try:  # sealed by this cache: ours, but perhaps of another Python or gcmdash version
        return pickle.loads(payload)  # noqa: S301 - its seal proves this cache wrote it
    except Exception as exc:  # noqa: BLE001 - any failure to read it back is a miss
        raise Untrusted(f"cannot be read back ({type(exc).__name__})") from None


def _read_key(path: Path) -> bytes | None:
    try:
        key = bytes.fromhex(path.read_text(encoding="ascii").strip())
    except (OSError, ValueError):
        return None
    return key if len(key) >= 32 else None


def cache_key(root: Path) -> bytes | None:
    """The folder's secret key, created (mode 0600) on first use; None when it can neither
    be read nor written (then nothing is read from the folder or written to it).

    Two builds starting at once on a new folder must end with one key: the new key is written
    to a temporary file and hard-linked into place, which fails when the other build got there
    first, and then that build's key is the one used."""
    path = root / KEY_FILE
    key = _read_key(path)
    if key is not None:
        return key
    key = secrets.token_bytes(32)
    try:
        root.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=root, prefix=".key-")  # created 0600
        try:
            with os.fdopen(fd, "w", encoding="ascii") as handle:
                handle.write(key.hex())
            try:
                os.link(temp, path)
            except FileExistsError:
                existing = _read_key(path)
                if existing is not None:  # another build made it first: share its key
                    return existing
                # a damaged key: a new one, so every entry sealed before is ignored
                Path(temp).replace(path)
            except OSError:  # a file system without hard links
                Path(temp).replace(path)
        finally:
            Path(temp).unlink(missing_ok=True)
    except OSError:
        return None
    return key
