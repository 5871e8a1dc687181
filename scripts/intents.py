"""The NLU examples in the training data files: intents/<locale>/*.yml, or a split of them."""

from __future__ import annotations

from pathlib import Path

import yaml

INTENTS = Path(__file__).resolve().parents[1] / "intents"


def examples_in(path: Path) -> list[tuple[str, str]]:
    """(intent, example) for every example in one file, in order."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return [
        (block["intent"], line.strip()[2:])
        for block in data.get("nlu", [])
        if "intent" in block
        for line in block.get("examples", "").splitlines()
        if line.strip().startswith("- ")
    ]


def examples_by_locale(root: Path = INTENTS) -> dict[str, list[tuple[str, str]]]:
    """(intent, example) for every example, by language (the folder's name)."""
    found: dict[str, list[tuple[str, str]]] = {}
    for path in sorted(root.glob("*/*.yml")):
        found.setdefault(path.parent.name, []).extend(examples_in(path))
    return found
