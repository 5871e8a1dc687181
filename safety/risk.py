"""Triage flags from a self-referral's answers: reasons for staff, never a score for the survivor.

The rules are data (`safety/risk_flags.yml`); this module applies them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

RULES_FILE = Path(__file__).parent / "risk_flags.yml"
PRIORITY_ORDER = ("standard", "high", "urgent")


@dataclass(frozen=True)
class Flag:
    code: str
    reason: str
    priority: str


@dataclass(frozen=True)
class Triage:
    flags: tuple[Flag, ...]
    priority: str


@cache
def _rules() -> dict[str, dict[str, Any]]:
    rules: dict[str, dict[str, Any]] = yaml.safe_load(RULES_FILE.read_text(encoding="utf-8"))[
        "flags"
    ]
    for code, rule in rules.items():
        if rule["priority"] not in PRIORITY_ORDER:
            raise ValueError(f"unknown priority for flag {code}")
    return rules


def _holds(expected: Any, actual: Any) -> bool:
    if expected == "positive":
        return isinstance(actual, int | float) and not isinstance(actual, bool) and actual > 0
    return bool(actual == expected)


def triage(answers: dict[str, Any]) -> Triage:
    flags = tuple(
        Flag(code, rule["reason"], rule["priority"])
        for code, rule in _rules().items()
        if all(_holds(value, answers.get(key)) for key, value in rule["when"].items())
    )
    priority = max((flag.priority for flag in flags), key=PRIORITY_ORDER.index, default="standard")
    return Triage(flags, priority)
