"""A second net for danger and self-harm, by meaning: beside the word lists, never instead.

The safety screen's word lists (safety/) run first, in under a millisecond, and catch
what they were written for. People in danger also write in ways no list foresaw ("he's
kicking the door in", "using my son's tablet, he's going to hurt me"), in four languages.
This net compares a message the lists let through with short exemplars of danger
happening now, of self-harm, and of calm messages that share their words (past abuse
told calmly, sleeplessness, questions about the law). A message close enough to a danger
exemplar, and closer to it than to any calm one, is treated as danger. Its thresholds
were chosen on the development set for recall; its false alarms on calm messages are
reported by make nlu-report (docs/nlu.md).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from api.core.config import PROJECT_ROOT
from api.nlu.encoder import Encoder, Vectors, get_encoder

EXEMPLARS_DIR = PROJECT_ROOT / "safety" / "exemplars"
KINDS = ("danger", "self_harm", "injury", "calm")


@dataclass(frozen=True)
class NetSettings:
    # Chosen on tests/nlu/dev with scripts/danger_tuning.py, for recall with almost no
    # alarm on calm messages. It alarms more often on questions about abuse told in
    # frightening words; for those the guidance comes before the answer, never instead
    # of it (api/chat/service.py).
    danger: float = 0.9
    self_harm: float = 0.9
    injury: float = 0.9
    # A message must be at least this much closer to danger than to anything calm.
    margin: float = 0.01


@dataclass(frozen=True)
class NetFinding:
    danger: bool = False
    self_harm: bool = False
    injury: bool = False

    @property
    def any(self) -> bool:
        return self.danger or self.self_harm


class DangerNet:
    def __init__(
        self, encoder: Encoder, folder: Path = EXEMPLARS_DIR, settings: NetSettings | None = None
    ) -> None:
        self.encoder = encoder
        self.settings = settings or NetSettings()
        texts: dict[str, list[str]] = {kind: [] for kind in KINDS}
        for path in sorted(folder.glob("*.yml")) + sorted(folder.glob("more/*.yml")):
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            for kind in KINDS:
                texts[kind] += [str(t) for t in data.get(kind) or []]
        self.vectors: dict[str, Vectors] = {
            kind: encoder.queries(found) for kind, found in texts.items() if found
        }

    def closeness(self, vector: Vectors) -> dict[str, float]:
        return {kind: float((vectors @ vector).max()) for kind, vectors in self.vectors.items()}

    def check(self, text: str, vector: Vectors | None = None) -> NetFinding:
        query = self.encoder.queries([text])[0] if vector is None else vector
        close = self.closeness(query)
        calm = close.get("calm", -1.0) + self.settings.margin
        danger = close.get("danger", -1.0)
        self_harm = close.get("self_harm", -1.0)
        return NetFinding(
            danger=danger >= self.settings.danger and danger > calm,
            self_harm=self_harm >= self.settings.self_harm and self_harm > calm,
            injury=close.get("injury", -1.0) >= self.settings.injury,
        )


_building = threading.Lock()


@lru_cache
def _net() -> DangerNet:
    return DangerNet(get_encoder())


def get_danger_net() -> DangerNet:
    with _building:
        return _net()
