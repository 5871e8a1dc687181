"""The safety screen: runs on every message before any language understanding.

It answers three questions, deterministically and in well under a millisecond:
is this person in immediate danger, are they at risk of harming themselves, and
do they want to leave and erase the conversation now? The lexicon for each
language lives in `safety/lexicons/<locale>.yml`; this module only applies it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from safety.normalise import Normaliser, basic_form, fold_letters

LEXICON_DIR = Path(__file__).parent / "lexicons"
DEFAULT_LOCALE = "en"


class Signal(StrEnum):
    EMERGENCY = "emergency"
    SELF_HARM = "self_harm"
    EXIT = "exit"


@dataclass(frozen=True)
class ScreenResult:
    """What the screen found. `reasons` name the matching rules, for tests and audits."""

    signals: frozenset[Signal] = frozenset()
    reasons: tuple[str, ...] = field(default=())
    # The language whose lexicon raised the first signal: an answer can be given in the
    # language the person wrote in, even before they have chosen it.
    locale: str | None = None

    @property
    def emergency(self) -> bool:
        return Signal.EMERGENCY in self.signals

    @property
    def self_harm(self) -> bool:
        return Signal.SELF_HARM in self.signals

    @property
    def exit(self) -> bool:
        return Signal.EXIT in self.signals

    @property
    def clear(self) -> bool:
        return not self.signals


_ESCAPES = re.compile(r"\\.")  # \w, \S ...: regular-expression syntax, not letters


def _script(ch: str) -> str:
    code = ord(ch)
    if code < 0x0250:
        return "latin"
    if 0x0600 <= code <= 0x06FF or 0x0750 <= code <= 0x077F or 0xFB50 <= code <= 0xFEFF:
        return "arabic"
    return "other"


def scripts_of(text: str) -> frozenset[str]:
    """The scripts of the letters in a text ("latin", "arabic" or "other")."""
    if text.isascii():
        return frozenset({"latin"}) if any(ch.isalpha() for ch in text) else frozenset()
    return frozenset(_script(ch) for ch in _ESCAPES.sub("", text) if ch.isalpha())


def _compile(patterns: list[str]) -> re.Pattern[str] | None:
    if not patterns:
        return None
    joined = "|".join(f"(?:{fold_letters(p)})" for p in patterns)
    return re.compile(rf"(?<!\w)(?:{joined})(?!\w)")


class RuleSet:
    """Named patterns searched in one pass; the name of the first match is the reason."""

    def __init__(self, patterns: list[str]) -> None:
        self.names = [fold_letters(p) for p in patterns]
        self._any = _compile(self.names)
        self._each = [re.compile(rf"(?<!\w)(?:{p})(?!\w)") for p in self.names]

    def first_match(self, text: str) -> str | None:
        if self._any is None or not self._any.search(text):
            return None  # the common case: one scan of the message
        for name, pattern in zip(self.names, self._each, strict=True):
            if pattern.search(text):
                return name
        return None


class Lexicon:
    """One language's compiled patterns."""

    def __init__(self, data: dict[str, Any]) -> None:
        emergency = data.get("emergency", {})
        self_harm = data.get("self_harm", {})
        rewrites = {
            str(k): fold_letters(str(v or "")) for k, v in (data.get("rewrites") or {}).items()
        }
        self.normalise = Normaliser(rewrites, data.get("fuzzy_keywords", []))
        self.emergency_always = RuleSet(emergency.get("always", []))
        self.emergency_likely = RuleSet(emergency.get("likely", []))
        self.emergency_whole = {self.normalise(str(p)) for p in emergency.get("whole_message", [])}
        self.now_markers = _compile(emergency.get("now_markers", []))
        self.past_or_topic = _compile(emergency.get("past_or_topic_markers", []))
        # "I'm safe now": a "now" that says the danger is over, not that it is happening.
        self.safe_now = _compile(emergency.get("safe_now", []))
        self.self_harm_always = RuleSet(self_harm.get("always", []))
        self.self_harm_topic = RuleSet(self_harm.get("topic", []))
        self.self_harm_question = _compile(self_harm.get("topic_question_markers", []))
        self.exit_words = {self.normalise(str(p)) for p in data.get("exit", [])}
        self.scripts = scripts_of(
            " ".join(
                str(p)
                for group in (emergency.get("always"), emergency.get("likely"),
                              self_harm.get("always"), self_harm.get("topic"))
                for p in group or []
            )
        )  # fmt: skip

    def may_match(self, text: str) -> bool:
        """False when the message has no letter in any script the rules are written in: an
        Arabic lexicon cannot match a message in Latin letters, so its scan is skipped."""
        return not self.scripts.isdisjoint(scripts_of(text))

    @classmethod
    def from_file(cls, path: Path) -> Lexicon:
        with path.open(encoding="utf-8") as handle:
            return cls(yaml.safe_load(handle) or {})


@cache
def lexicon_for(locale: str) -> Lexicon:
    path = LEXICON_DIR / f"{locale}.yml"
    if not path.exists():
        path = LEXICON_DIR / f"{DEFAULT_LOCALE}.yml"
    return Lexicon.from_file(path)


@cache
def available_locales() -> tuple[str, ...]:
    return tuple(sorted(p.stem for p in LEXICON_DIR.glob("*.yml")))


def _matches(pattern: re.Pattern[str] | None, text: str) -> bool:
    return bool(pattern and pattern.search(text))


def _screen_one(lexicon: Lexicon, text: str) -> tuple[set[Signal], list[str]]:
    signals: set[Signal] = set()
    reasons: list[str] = []
    if text in lexicon.exit_words:
        return {Signal.EXIT}, ["exit:whole-message"]
    if text in lexicon.emergency_whole:
        signals.add(Signal.EMERGENCY)
        reasons.append("emergency:whole-message")
    if not lexicon.may_match(text):
        return signals, reasons

    if rule := lexicon.emergency_always.first_match(text):
        signals.add(Signal.EMERGENCY)
        reasons.append(f"emergency:always:{rule}")
    elif rule := lexicon.emergency_likely.first_match(text):
        about_the_past = _matches(lexicon.past_or_topic, text)
        said_now = lexicon.safe_now.sub(" ", text) if lexicon.safe_now else text
        happening_now = _matches(lexicon.now_markers, said_now)
        if happening_now or not about_the_past:
            signals.add(Signal.EMERGENCY)
            reasons.append(f"emergency:likely:{rule}")

    if rule := lexicon.self_harm_always.first_match(text):
        signals.add(Signal.SELF_HARM)
        reasons.append(f"self_harm:always:{rule}")
    elif (rule := lexicon.self_harm_topic.first_match(text)) and not _matches(
        lexicon.self_harm_question, text
    ):
        signals.add(Signal.SELF_HARM)
        reasons.append(f"self_harm:topic:{rule}")
    return signals, reasons


def screen(text: str, locale: str = DEFAULT_LOCALE) -> ScreenResult:
    """Screen one message with its own language's lexicon and then every other one.

    People mix languages ("police" and "knife" turn up in messages in any language), and
    someone may write in Polish before they have chosen Polish: danger is danger in any
    language the service knows.
    """
    locales = list(dict.fromkeys([locale, DEFAULT_LOCALE, *available_locales()]))
    signals: set[Signal] = set()
    reasons: list[str] = []
    found_in: str | None = None
    basic = basic_form(text)  # once; each language then applies its own rewrites
    for code in locales:
        lexicon = lexicon_for(code)
        found, why = _screen_one(lexicon, lexicon.normalise.repair(basic))
        if found and found_in is None:
            found_in = code
        signals |= found
        reasons += why
    if Signal.EXIT in signals and len(signals) > 1:
        # "exit" alone is a command; with danger words, danger wins.
        signals.discard(Signal.EXIT)
    return ScreenResult(frozenset(signals), tuple(reasons), found_in)
