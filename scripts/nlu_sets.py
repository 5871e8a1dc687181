"""The NLU evaluation sets: tests/nlu/dev (for choosing settings) and tests/nlu/frozen (for
reporting only; written before any tuning and never edited to suit the model).

A test message that is also something the assistant learns from measures memory, not
understanding. Examples, exemplars and test sets were written by different hands, and
common phrases ("i want to die") coincide, so `scored` leaves such messages out of the
figures and counts them, rather than anyone editing a set by reading it. Messages of one
or two words ("yes", "no thanks", "menu") are kept: people type exactly those.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from scripts.stack import ROOT

SETS = ROOT / "tests" / "nlu"
LOCALES = ("en", "pl", "ur", "ar")
# For choosing settings: the general one; one of danger, self-harm and calm look-alikes
# only, large enough to choose the danger net's thresholds on; and one of dialogue acts
# only, twelve of each in each language.
DEVELOPMENT_SETS = ("dev", "safety-dev", "act-dev")
SHORT = 2  # words: shared by everyone, never left out
ENTITY_MARKUP = re.compile(r"\[([^\]]*)\]\([^)]*\)")


@dataclass(frozen=True)
class Item:
    text: str
    kind: str  # topic, act, danger, self_harm or calm
    label: str | None


@dataclass(frozen=True)
class Scored:
    items: list[Item]
    # Left out, by reason: seen in the training data, in the development set, or in an
    # earlier language's copy of the same set.
    left_out: dict[str, int]


def load(name: str, locale: str, root: Path = SETS) -> list[Item]:
    data = yaml.safe_load((root / name / f"{locale}.yml").read_text(encoding="utf-8"))
    return [
        Item(
            str(item["text"]),
            str(item["kind"]),
            None if item.get("label") is None else str(item["label"]),
        )
        for item in data["items"]
    ]


def same(text: str) -> str:
    """A message as compared: case, spacing and end punctuation do not make it new."""
    return re.sub(r"\s+", " ", text.casefold()).strip(" .!?؟")


@lru_cache
def training_texts(root: Path = ROOT) -> frozenset[str]:
    """Every message the assistant learns from: Rasa's examples, the topic examples and
    the danger net's exemplars, in every language."""
    found: set[str] = set()
    for path in (root / "intents").rglob("*.yml"):
        for block in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu") or []:
            for line in str(block.get("examples") or "").splitlines():
                found.add(same(ENTITY_MARKUP.sub(r"\1", line.strip().removeprefix("- "))))
    for path in (root / "content" / "topics" / "examples").glob("*.yml"):
        topics = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("topics") or {}
        for texts in topics.values():
            found.update(same(str(t)) for t in texts)
    for path in (root / "safety" / "exemplars").rglob("*.yml"):
        for value in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).values():
            if isinstance(value, list):
                found.update(same(str(t)) for t in value)
    found.discard("")
    return frozenset(found)


def scored(name: str, locale: str, root: Path = SETS) -> Scored:
    """The items that count for the figures, and how many were left out and why."""
    seen = {
        "seen_in_training": training_texts(),
        "in_development_set": (
            frozenset(
                same(i.text)
                for dev in DEVELOPMENT_SETS
                if (root / dev / f"{locale}.yml").exists()
                for i in load(dev, locale, root)
            )
            if name not in DEVELOPMENT_SETS
            else frozenset()
        ),
        "in_another_language": frozenset(
            same(i.text)
            for other in LOCALES[: LOCALES.index(locale)]
            for i in load(name, other, root)
        ),
    }
    left_out = dict.fromkeys(seen, 0)
    items = []
    for item in load(name, locale, root):
        text = same(item.text)
        reason = next(
            (why for why, texts in seen.items() if len(text.split()) > SHORT and text in texts),
            None,
        )
        if reason is None:
            items.append(item)
        else:
            left_out[reason] += 1
    return Scored(items, left_out)
