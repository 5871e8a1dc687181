"""The small classifier behind the danger net: it learns, the same way every time, and
what it learned survives being saved."""

from __future__ import annotations

import io

import numpy as np

from api.nlu.classifier import ClassifierSettings, MeaningClassifier

SETTINGS = ClassifierSettings(members=2, steps=200)


def _unit(rows: np.ndarray) -> np.ndarray:
    unit: np.ndarray = (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)
    return unit


def _clusters() -> tuple[np.ndarray, list[str]]:
    """Three kinds of vector around three directions; one kind has few examples."""
    rng = np.random.default_rng(1)
    centres = np.eye(3, 16) * 3
    sizes = {"calm": 60, "danger": 40, "self_harm": 8}
    rows = [centres[i] + rng.normal(0, 0.5, (n, 16)) for i, n in enumerate(sizes.values())]
    labels = [name for name, n in sizes.items() for _ in range(n)]
    return _unit(np.vstack(rows)), labels


def test_it_learns_each_kind_even_a_rare_one() -> None:
    vectors, labels = _clusters()
    model = MeaningClassifier.train(vectors, labels, SETTINGS)
    predicted = [model.classes[i] for i in model.probabilities(vectors).argmax(axis=1)]
    assert predicted == labels
    rare = _unit(np.eye(3, 16)[2:3] * 3)
    assert model.probability(rare[0])["self_harm"] > 0.8


def test_it_learns_the_same_way_every_time() -> None:
    vectors, labels = _clusters()
    first = MeaningClassifier.train(vectors, labels, SETTINGS).probabilities(vectors)
    second = MeaningClassifier.train(vectors, labels, SETTINGS).probabilities(vectors)
    assert np.array_equal(first, second)


def test_what_it_learned_survives_saving() -> None:
    vectors, labels = _clusters()
    model = MeaningClassifier.train(vectors, labels, SETTINGS)
    saved = io.BytesIO()
    model.save(saved)
    saved.seek(0)
    read = MeaningClassifier.load(saved)
    assert read.classes == model.classes
    assert np.array_equal(read.probabilities(vectors), model.probabilities(vectors))


def test_probabilities_add_up_to_one() -> None:
    vectors, labels = _clusters()
    model = MeaningClassifier.train(vectors, labels, SETTINGS)
    assert np.allclose(model.probabilities(vectors).sum(axis=1), 1.0)
