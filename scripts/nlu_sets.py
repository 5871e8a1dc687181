"""The NLU evaluation sets: tests/nlu/dev (for choosing settings) and tests/nlu/frozen (for
reporting only; written before any tuning and never edited to suit the model)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from scripts.stack import ROOT

SETS = ROOT / "tests" / "nlu"
LOCALES = ("en", "pl", "ur", "ar")


@dataclass(frozen=True)
class Item:
    text: str
    kind: str  # topic, act, danger, self_harm or calm
    label: str | None


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
