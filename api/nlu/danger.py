"""A second net for danger and self-harm, by meaning: beside the word lists, never instead.

The safety screen's word lists (safety/) run first, in under a millisecond, and catch
what they were written for. People in danger also write in ways no list foresaw ("he's
kicking the door in", "using my son's tablet, he's going to hurt me"), in four languages.
This net reads a message the lists let through with a small classifier over its meaning
(api/nlu/classifier.py), trained on messages of danger happening now, of self-harm, of calm
messages that share their words (past abuse told calmly, sleeplessness, questions about
the law, jokes) and of ordinary questions about abuse (the topic examples). Nearness to
a single exemplar alone cannot tell "he strangled me, years ago" from "he's strangling
me"; a classifier trained on both can. Its thresholds were chosen on the development
sets for recall; its false alarms on calm messages are reported by make nlu-report
(docs/nlu.md).
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import BinaryIO

import numpy as np
import yaml

from api.core.config import PROJECT_ROOT
from api.nlu.classifier import ClassifierSettings, MeaningClassifier
from api.nlu.encoder import Encoder, Vectors, get_encoder

EXEMPLARS_DIR = PROJECT_ROOT / "safety" / "exemplars"
TOPIC_EXAMPLES_DIR = PROJECT_ROOT / "content" / "topics" / "examples"
CACHE_DIR = PROJECT_ROOT / "var" / "cache"
KINDS = ("danger", "self_harm", "injury", "calm")
# The classifier's classes: injury is danger to it (the injury line is decided apart).
CLASS_OF_KIND = {"danger": "danger", "injury": "danger", "self_harm": "self_harm", "calm": "calm"}
QUESTION = "question"  # an ordinary question about abuse: a topic example


@dataclass(frozen=True)
class NetSettings:
    # Chosen on tests/nlu/dev and tests/nlu/safety-dev with scripts/danger_tuning.py, for
    # recall first, then the fewest alarms on calm messages. The net's guidance comes
    # before the answer, never instead of it (api/chat/service.py), so a question about
    # abuse told in frightening words is still answered.
    danger: float = 0.25
    self_harm: float = 0.25
    # Someone hurt: nearest injury exemplar at least this close (only with danger).
    injury: float = 0.9
    classifier: ClassifierSettings = field(default_factory=ClassifierSettings)


@dataclass(frozen=True)
class NetFinding:
    danger: bool = False
    self_harm: bool = False
    injury: bool = False

    @property
    def any(self) -> bool:
        return self.danger or self.self_harm


@dataclass(frozen=True)
class TrainingSet:
    texts: list[str]
    kinds: list[str]  # danger, self_harm, injury, calm or question


def training_set(
    folder: Path = EXEMPLARS_DIR, questions_dir: Path | None = TOPIC_EXAMPLES_DIR
) -> TrainingSet:
    """Every exemplar (safety/exemplars/, more/ and corpus/) and every topic example."""
    texts: list[str] = []
    kinds: list[str] = []
    seen: set[str] = set()

    def add(text: str, kind: str) -> None:
        key = text.casefold().strip()
        if key and key not in seen:  # a message on two lists counts once, where first met
            seen.add(key)
            texts.append(text)
            kinds.append(kind)

    paths = sorted(folder.glob("*.yml")) + sorted(folder.glob("*/*.yml"))
    for path in paths:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for kind in KINDS:
            for text in data.get(kind) or []:
                add(str(text), kind)
    if questions_dir is not None:
        for path in sorted(questions_dir.glob("*.yml")):
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            for examples in (data.get("topics") or {}).values():
                for text in examples:
                    add(str(text), QUESTION)
    return TrainingSet(texts, kinds)


def _key(*parts: object) -> str:
    return hashlib.sha256(json.dumps(parts, ensure_ascii=False, default=repr).encode()).hexdigest()[
        :16
    ]


def encoded(encoder: Encoder, texts: list[str], cache_dir: Path | None) -> Vectors:
    """Encoded once; kept on disk by a hash of the texts, so a restart is quick."""
    key = _key(texts)
    cached = cache_dir / f"danger-{key}.npy" if cache_dir else None
    if cached is not None and cached.exists():
        vectors: Vectors = np.load(cached)
        if vectors.shape[0] == len(texts):
            return vectors
    vectors = encoder.queries(texts)
    if cached is not None:
        _write_whole(cached, lambda handle: np.save(handle, vectors))
    return vectors


def trained(
    vectors: Vectors, labels: list[str], settings: ClassifierSettings, cache_dir: Path | None
) -> MeaningClassifier:
    """Trained once (about 20 seconds); kept on disk by a hash of what shaped it."""
    key = _key(hashlib.sha256(vectors.tobytes()).hexdigest(), labels, settings)
    cached = cache_dir / f"danger-net-{key}.npz" if cache_dir else None
    if cached is not None and cached.exists():
        return MeaningClassifier.load(cached)
    classifier = MeaningClassifier.train(vectors, labels, settings)
    if cached is not None:
        _write_whole(cached, classifier.save)
    return classifier


def _write_whole(path: Path, write: Callable[[BinaryIO], None]) -> None:
    """Written beside, then renamed: several API processes may start at once, and none
    may read a file another is still writing."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, part = tempfile.mkstemp(dir=path.parent, suffix=".part")
    with os.fdopen(handle, "wb") as file:
        write(file)
    os.replace(part, path)


class DangerNet:
    def __init__(
        self,
        encoder: Encoder,
        folder: Path = EXEMPLARS_DIR,
        settings: NetSettings | None = None,
        cache_dir: Path | None = None,
        questions_dir: Path | None = TOPIC_EXAMPLES_DIR,
    ) -> None:
        self.encoder = encoder
        self.settings = settings or NetSettings()
        found = training_set(folder, questions_dir)
        vectors = encoded(encoder, found.texts, cache_dir)
        kinds = np.array(found.kinds)
        self.injuries: Vectors = vectors[kinds == "injury"]
        labels = [CLASS_OF_KIND.get(kind, kind) for kind in found.kinds]
        self.classifier = trained(vectors, labels, self.settings.classifier, cache_dir)

    def probability(self, vector: Vectors) -> dict[str, float]:
        return self.classifier.probability(vector)

    def check(self, text: str, vector: Vectors | None = None) -> NetFinding:
        query = self.encoder.queries([text])[0] if vector is None else vector
        p = self.probability(query)
        danger = p.get("danger", 0.0) >= self.settings.danger
        injury = bool(len(self.injuries)) and float((self.injuries @ query).max()) >= (
            self.settings.injury
        )
        return NetFinding(
            danger=danger,
            self_harm=p.get("self_harm", 0.0) >= self.settings.self_harm,
            injury=injury,
        )


_building = threading.Lock()


@lru_cache
def _net() -> DangerNet:
    return DangerNet(get_encoder(), cache_dir=CACHE_DIR)


def get_danger_net() -> DangerNet:
    with _building:
        return _net()
