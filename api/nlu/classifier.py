"""A small classifier over sentence vectors: a few one-layer networks, averaged, trained
in NumPy. Deterministic (fixed seeds), and cheap to keep: its weights are saved beside
the vectors it was trained on, so a process starts without training again.

Used by the danger net: nearness to a single exemplar cannot tell "he strangled me,
years ago" from "he's strangling me", since both sit close to the same exemplars; a
network trained on many calm and dangerous messages learns which directions of meaning
separate them, and an average of a few of them makes fewer odd mistakes than one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np

from api.nlu.encoder import Vectors

Array = np.ndarray


@dataclass(frozen=True)
class ClassifierSettings:
    hidden: int = 64
    weight_decay: float = 1e-2
    steps: int = 500
    learning_rate: float = 0.01
    members: int = 1  # networks averaged, each from its own seed


class MeaningClassifier:
    """Class probabilities for a message's vector. Each class counts equally in training,
    so a kind of message with fewer examples is not drowned by the others."""

    def __init__(self, classes: list[str], mean: Array, scale: Array, layers: list[Array]) -> None:
        self.classes = classes
        self.mean, self.scale = mean, scale
        self.layers = layers  # per member: first weights, first bias, second weights, bias

    @classmethod
    def train(
        cls, vectors: Vectors, labels: Sequence[str], settings: ClassifierSettings
    ) -> MeaningClassifier:
        classes = sorted(set(labels))
        if len(classes) < 2:
            raise ValueError("a classifier needs at least two kinds of example")
        y = np.array([classes.index(name) for name in labels])
        x = vectors.astype(np.float64)
        mean, scale = x.mean(axis=0), x.std(axis=0) + 1e-6
        x = (x - mean) / scale
        layers: list[Array] = []
        for seed in range(settings.members):
            layers += _fit_one(x, y, len(classes), settings, seed)
        return cls(classes, mean, scale, layers)

    def fits(self, dims: int) -> bool:
        """Whether this was trained on vectors of this width (and holds only numbers)."""
        return (
            len(self.layers) >= 4
            and len(self.layers) % 4 == 0
            and self.mean.shape == (dims,)
            and all(layer.shape[0] == dims for layer in self.layers[::4])
            and all(np.isfinite(layer).all() for layer in self.layers)
        )

    def probabilities(self, vectors: Vectors) -> Array:
        x = (vectors.astype(np.float64) - self.mean) / self.scale
        members = [_forward(x, *self.layers[i : i + 4])[1] for i in range(0, len(self.layers), 4)]
        averaged: Array = np.mean(members, axis=0)
        return averaged

    def probability(self, vector: Vectors) -> dict[str, float]:
        row = self.probabilities(vector[None, :])[0]
        return {name: float(p) for name, p in zip(self.classes, row, strict=True)}

    def save(self, handle: BinaryIO) -> None:
        arrays: dict[str, Array] = {f"layer{i}": layer for i, layer in enumerate(self.layers)}
        arrays |= {"classes": np.array(self.classes), "mean": self.mean, "scale": self.scale}
        np.savez(handle, **arrays)  # type: ignore[arg-type]

    @classmethod
    def load(cls, path: Path | BinaryIO) -> MeaningClassifier:
        with np.load(path) as saved:
            count = sum(1 for name in saved.files if name.startswith("layer"))
            layers = [saved[f"layer{i}"] for i in range(count)]
            return cls([str(c) for c in saved["classes"]], saved["mean"], saved["scale"], layers)


def _fit_one(
    x: Array, y: Array, classes: int, settings: ClassifierSettings, seed: int
) -> list[Array]:
    """One network, trained with Adam on the whole set at every step (it is small)."""
    rng = np.random.default_rng(seed)
    n, dims = x.shape
    counts = np.bincount(y, minlength=classes)
    sample_weight = ((n / (classes * counts))[y] / n)[:, None]
    target = np.eye(classes)[y]
    params = [
        rng.normal(0, 1 / np.sqrt(dims), (dims, settings.hidden)),
        np.zeros(settings.hidden),
        rng.normal(0, 1 / np.sqrt(settings.hidden), (settings.hidden, classes)),
        np.zeros(classes),
    ]
    first = [np.zeros_like(p) for p in params]
    second = [np.zeros_like(p) for p in params]
    for step in range(1, settings.steps + 1):
        hidden, probabilities = _forward(x, *params)
        error = (probabilities - target) * sample_weight
        back = (error @ params[2].T) * (hidden > 0)
        grads = [
            x.T @ back + settings.weight_decay * params[0],
            back.sum(axis=0),
            hidden.T @ error + settings.weight_decay * params[2],
            error.sum(axis=0),
        ]
        for i, grad in enumerate(grads):
            first[i] = 0.9 * first[i] + 0.1 * grad
            second[i] = 0.999 * second[i] + 0.001 * grad**2
            unbiased = first[i] / (1 - 0.9**step)
            scale = np.sqrt(second[i] / (1 - 0.999**step)) + 1e-8
            params[i] -= settings.learning_rate * unbiased / scale
    return params


def _forward(x: Array, w1: Array, b1: Array, w2: Array, b2: Array) -> tuple[Array, Array]:
    hidden = np.maximum(x @ w1 + b1, 0.0)
    logits = hidden @ w2 + b2
    shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
    return hidden, shifted / shifted.sum(axis=1, keepdims=True)
