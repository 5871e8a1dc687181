"""A second net for danger and self-harm, by meaning: beside the word lists, never instead.

The safety screen's word lists (safety/) run first, in under a millisecond, and catch
what they were written for. People in danger also write in ways no list foresaw ("he's
kicking the door in", "using my son's tablet, he's going to hurt me"), in four languages.
This net reads a message the lists let through with a small classifier over its meaning
(api/nlu/classifier.py), trained on messages of danger happening now, of self-harm, of calm
messages that share their words (past abuse told calmly, sleeplessness, questions about
the law, jokes) and of ordinary messages (the topic examples, and Rasa's examples of
everything else people type: answers, postcodes, yes and no). Nearness to
a single exemplar alone cannot tell "he strangled me, years ago" from "he's strangling
me"; a classifier trained on both can. Nearness stays as a second trigger: a message
very close to a danger exemplar and not to a calm one alarms whatever the classifier
says. Its thresholds were chosen on the development sets for recall; its false alarms
on calm messages are reported by make nlu-report (docs/nlu.md).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import tempfile
import threading
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import BinaryIO

import numpy as np
import yaml

from api.core.config import PROJECT_ROOT
from api.nlu.classifier import ClassifierSettings, MeaningClassifier
from api.nlu.encoder import WEIGHTS_SHA256, Encoder, Vectors, get_encoder

EXEMPLARS_DIR = PROJECT_ROOT / "safety" / "exemplars"
# The exemplar files' folders, named so that a new folder is never training by accident.
EXEMPLAR_FOLDERS = (".", "more", "corpus")
TOPIC_EXAMPLES_DIR = PROJECT_ROOT / "content" / "topics" / "examples"
# Rasa's examples of everything else people type (answers to the referral's questions,
# postcodes, times, yes and no, greetings): ordinary messages the net must not alarm on.
INTENTS_DIR = PROJECT_ROOT / "intents"
# Rasa's own danger intents (taught as danger already, from the exemplars), and the topic
# questions (taught above, less the topics that tell of harm going on).
NOT_ORDINARY_INTENTS = frozenset({"emergency", "self_harm", "understand_abuse"})
_ENTITY_MARKUP = re.compile(r"\[([^\]]*)\]\([^)]*\)|\[([^\]]*)\]\{[^}]*\}")
CACHE_DIR = PROJECT_ROOT / "var" / "cache"
KINDS = ("danger", "self_harm", "injury", "calm")
# The classifier's classes: injury is danger to it (the injury line is decided apart).
CLASS_OF_KIND = {"danger": "danger", "injury": "danger", "self_harm": "self_harm", "calm": "calm"}
QUESTION = "question"  # an ordinary message: a topic example, or one of Rasa's
# Topics whose examples often tell of harm going on ("he locks me in the bedroom", "they
# took my passport"): not taught as ordinary questions, so they never pull danger down.
NOT_QUESTIONS = frozenset(
    {
        "physical-abuse",
        "stalking-and-harassment",
        "staying-safely",
        "honour-based-abuse-and-forced-marriage",
        "child-to-parent-abuse",
    }
)
# Part of every cache key: change it when the way the net is trained changes.
TRAINING_VERSION = 2

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class NetSettings:
    # Chosen on tests/nlu/dev and tests/nlu/safety-dev with scripts/danger_tuning.py, for
    # recall first (docs/nlu.md). The net's guidance comes before the answer, never
    # instead of it (api/chat/service.py), so a question about abuse told in frightening
    # words is still answered.
    # An alarm: danger and self-harm together at least this likely...
    alarm: float = 0.4
    # ...or the nearest danger or self-harm exemplar at least this close, and closer than
    # any calm one by the margin (the net's rule before the classifier, kept as a trigger).
    near: float = 0.92
    margin: float = 0.01
    # With an alarm, Samaritans too when self-harm is at least this likely.
    self_harm: float = 0.05
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


class ExemplarError(ValueError):
    """An exemplar file the net cannot learn from as it stands."""


def training_set(
    folder: Path = EXEMPLARS_DIR,
    questions_dir: Path | None = TOPIC_EXAMPLES_DIR,
    intents_dir: Path | None = None,
) -> TrainingSet:
    """Every exemplar (safety/exemplars/, more/ and corpus/), the topic examples, and
    Rasa's examples of ordinary messages."""
    texts: list[str] = []
    kinds: list[str] = []
    seen: set[str] = set()

    def add(text: str, kind: str) -> None:
        key = text.casefold().strip()
        if key and key not in seen:  # a message on two lists counts once, where first met
            seen.add(key)
            texts.append(text)
            kinds.append(kind)

    for path in [p for sub in EXEMPLAR_FOLDERS for p in sorted((folder / sub).glob("*.yml"))]:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        if unknown := set(data) - set(KINDS):  # "self-harm:" would be ignored silently
            raise ExemplarError(f"{path.name}: unknown kinds {sorted(unknown)}")
        for kind in KINDS:
            for text in data.get(kind) or []:
                add(str(text), kind)
    if questions_dir is not None:
        for path in sorted(questions_dir.glob("*.yml")):
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            for slug, examples in (data.get("topics") or {}).items():
                if slug not in NOT_QUESTIONS:
                    for text in examples:
                        add(str(text), QUESTION)
    if intents_dir is not None:
        for path in sorted(intents_dir.glob("*/*.yml")):
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            for block in data.get("nlu") or []:
                if block.get("intent") in NOT_ORDINARY_INTENTS:
                    continue
                for line in str(block.get("examples") or "").splitlines():
                    if line.strip().startswith("- "):
                        text = _ENTITY_MARKUP.sub(lambda m: m.group(1) or m.group(2), line)
                        add(text.strip()[2:], QUESTION)
    for needed in ("danger", "self_harm", "calm"):
        if needed not in kinds:
            raise ExemplarError(f"no {needed} exemplars in {folder}")
    return TrainingSet(texts, kinds)


def _key(*parts: object) -> str:
    """A cache key from everything that shapes the result, the encoder's weights and the
    way of training included."""
    parts = (WEIGHTS_SHA256, TRAINING_VERSION, *parts)
    digest = hashlib.sha256(json.dumps(parts, ensure_ascii=False, default=repr).encode())
    return digest.hexdigest()[:16]


def encoded(encoder: Encoder, texts: list[str], cache_dir: Path | None) -> Vectors:
    """Encoded once; kept on disk by a hash of the texts, so a restart is quick. A cached
    file that is unreadable or the wrong shape is ignored and made again."""
    cached = cache_dir / f"danger-{_key(texts)}.npy" if cache_dir else None
    if cached is not None and cached.exists():
        try:
            vectors: Vectors = np.load(cached)
            width = encoder.queries(texts[:1]).shape[1]
            if vectors.shape == (len(texts), width) and np.isfinite(vectors).all():
                return vectors
        except (OSError, ValueError) as error:
            logger.warning("danger net cache unreadable error=%s", type(error).__name__)
    vectors = encoder.queries(texts)
    if cached is not None:
        _write_whole(cached, lambda handle: np.save(handle, vectors))
    return vectors


def trained(
    vectors: Vectors, labels: list[str], settings: ClassifierSettings, cache_dir: Path | None
) -> MeaningClassifier:
    """Trained once (about a minute of CPU); kept on disk by a hash of what shaped it. A
    cached file that is unreadable or not a net for these vectors is trained again."""
    key = _key(hashlib.sha256(vectors.tobytes()).hexdigest(), labels, settings)
    cached = cache_dir / f"danger-net-{key}.npz" if cache_dir else None
    if cached is not None and cached.exists():
        try:
            found = MeaningClassifier.load(cached)
            if set(found.classes) == set(labels) and found.fits(vectors.shape[1]):
                return found
            logger.warning("danger net cache does not fit; training again")
        except (OSError, ValueError, KeyError, zipfile.BadZipFile) as error:
            logger.warning("danger net cache unreadable error=%s", type(error).__name__)
    classifier = MeaningClassifier.train(vectors, labels, settings)
    if cached is not None:
        _write_whole(cached, classifier.save)
    return classifier


def _write_whole(path: Path, write: Callable[[BinaryIO], None]) -> None:
    """Written beside, synced, then renamed: several API processes may start at once, and
    none may read a file another is still writing. A cache that cannot be written costs
    the next start its time, nothing else."""
    part = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, part = tempfile.mkstemp(dir=path.parent, suffix=".part")
        with os.fdopen(handle, "wb") as file:
            write(file)
            file.flush()
            os.fsync(file.fileno())
        os.replace(part, path)
    except OSError as error:
        logger.warning("danger net cache not written error=%s", type(error).__name__)
        if part is not None:
            Path(part).unlink(missing_ok=True)


class DangerNet:
    def __init__(
        self,
        encoder: Encoder,
        folder: Path = EXEMPLARS_DIR,
        settings: NetSettings | None = None,
        cache_dir: Path | None = None,
        questions_dir: Path | None = TOPIC_EXAMPLES_DIR,
        intents_dir: Path | None = None,
    ) -> None:
        self.encoder = encoder
        self.settings = settings or NetSettings()
        found = training_set(folder, questions_dir, intents_dir)
        vectors = encoded(encoder, found.texts, cache_dir)
        kinds = np.array(found.kinds)
        # Nearness, per kind: the second trigger and the injury line.
        self.exemplars: dict[str, Vectors] = {
            kind: vectors[kinds == kind] for kind in KINDS if (kinds == kind).any()
        }
        labels = [CLASS_OF_KIND.get(kind, kind) for kind in found.kinds]
        self.classifier = trained(vectors, labels, self.settings.classifier, cache_dir)

    def probability(self, vector: Vectors) -> dict[str, float]:
        return self.classifier.probability(vector)

    def closeness(self, vector: Vectors) -> dict[str, float]:
        return {kind: float((rows @ vector).max()) for kind, rows in self.exemplars.items()}

    def check(self, text: str, vector: Vectors | None = None) -> NetFinding:
        query = self.encoder.queries([text])[0] if vector is None else vector
        return self.decide(self.probability(query), self.closeness(query))

    def decide(self, p: dict[str, float], close: dict[str, float]) -> NetFinding:
        settings = self.settings
        calm = close.get("calm", -1.0) + settings.margin

        def near(kind: str) -> bool:
            return close.get(kind, -1.0) >= settings.near and close.get(kind, -1.0) > calm

        likely = p.get("danger", 0.0) + p.get("self_harm", 0.0) >= settings.alarm
        alarm = likely or near("danger") or near("self_harm")
        return NetFinding(
            danger=alarm,
            self_harm=alarm
            and (p.get("self_harm", 0.0) >= settings.self_harm or near("self_harm")),
            injury=close.get("injury", -1.0) >= settings.injury,
        )


_building = threading.Lock()


@lru_cache
def _net() -> DangerNet:
    return DangerNet(get_encoder(), cache_dir=CACHE_DIR, intents_dir=INTENTS_DIR)


def get_danger_net() -> DangerNet:
    with _building:
        return _net()
