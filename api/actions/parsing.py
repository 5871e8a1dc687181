"""Reading answers typed in free text."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from api.core.config import PROJECT_ROOT
from safety.normalise import fold_letters

ANSWER_WORDS = PROJECT_ROOT / "content" / "answer_words.yml"
MOST_CHILDREN = 20
_WORDS_ONLY = re.compile(r"[\w']+", re.UNICODE)

_NUMBER_WORDS = {
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90,
}  # fmt: skip
_UNITS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5,
    "six": 6, "seven": 7, "eight": 8, "nine": 9,
}  # fmt: skip
_DIGITS = re.compile(r"(?<!\d)(\d{1,3})(?!\d)")

OLDEST_PLAUSIBLE_AGE = 120


def parse_age(text: object) -> int | None:
    """An age from '17', "i'm 17", 'seventeen' or 'twenty two'; None if there isn't one."""
    value: int | None
    if isinstance(text, int | float) and not isinstance(text, bool):
        value = int(text)
    elif isinstance(text, str):
        value = _age_from_words(text)
    else:
        return None
    if value is None or not 1 <= value <= OLDEST_PLAUSIBLE_AGE:
        return None
    return value


def _age_from_words(text: str) -> int | None:
    lowered = text.casefold()
    numbers = _DIGITS.findall(lowered)
    if len(numbers) == 1:
        return int(numbers[0])
    if numbers:
        return None  # "16 or 17?" is not an answer we should guess at
    words = re.findall(r"[a-z]+", lowered.replace("-", " "))
    total = 0
    for word in words:
        if word in _NUMBER_WORDS:
            total += _NUMBER_WORDS[word]
        elif word in _UNITS:
            total += _UNITS[word]
    return total or None


@dataclass(frozen=True)
class ChildrenAnswer:
    count: int
    ages: str | None = None  # their ages, when the same answer gave them


@dataclass(frozen=True)
class AnswerWords:
    """Number words and age markers per language (content/answer_words.yml)."""

    numbers: dict[str, list[tuple[re.Pattern[str], int]]]
    ages_follow: re.Pattern[str]
    needs: dict[str, dict[str, re.Pattern[str]]]
    done: dict[str, re.Pattern[str]]
    # For a clear yes or no: (strong words, strong and filler words) per language.
    yes: dict[str, tuple[frozenset[str], frozenset[str]]]
    no: dict[str, tuple[frozenset[str], frozenset[str]]]
    risk_yes: dict[str, re.Pattern[str]]
    situations: dict[str, dict[str, re.Pattern[str]]]
    unsure: dict[str, re.Pattern[str]]

    def number_words(self, locale: str) -> list[tuple[re.Pattern[str], int]]:
        english = self.numbers.get("en", [])
        return english if locale == "en" else [*self.numbers.get(locale, []), *english]


def _word_pattern(words: list[str]) -> re.Pattern[str]:
    alternatives = sorted({re.escape(fold_letters(str(w).casefold())) for w in words}, key=len)
    return re.compile(r"(?<!\w)(?:" + "|".join(reversed(alternatives)) + r")(?!\w)")


@lru_cache
def answer_words(path: Path = ANSWER_WORDS) -> AnswerWords:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    numbers = {
        locale: [(_word_pattern(words), int(value)) for value, words in by_value.items()]
        for locale, by_value in data["numbers"].items()
    }
    needs = {
        locale: {need: _word_pattern(words) for need, words in by_need.items()}
        for locale, by_need in data["needs"].items()
    }
    done = {locale: _word_pattern(words) for locale, words in data["done"].items()}
    return AnswerWords(
        numbers,
        _word_pattern(data["ages_follow"]),
        needs,
        done,
        _vocabulary(data["yes"]),
        _vocabulary(data["no"]),
        {locale: _word_pattern(words) for locale, words in data["risk_yes"].items()},
        {
            locale: {name: _word_pattern(words) for name, words in by_name.items()}
            for locale, by_name in data["situations"].items()
        },
        {locale: _word_pattern(words) for locale, words in data["unsure"].items()},
    )


def _vocabulary(
    by_locale: dict[str, dict[str, list[str]]],
) -> dict[str, tuple[frozenset[str], frozenset[str]]]:
    found = {}
    for locale, groups in by_locale.items():
        strong = frozenset(fold_letters(str(w).casefold()) for w in groups["strong"])
        found[locale] = (
            strong,
            strong | {fold_letters(str(w).casefold()) for w in groups["filler"]},
        )
    return found


def parse_children(text: object, locale: str = "en") -> ChildrenAnswer | None:
    """How many children, and their ages if given too: "2", "two, aged 4 and 7", "2 kids",
    "just the one", "no kids", "dwoje", "do bachay", "طفلين". None if it says no number."""
    if isinstance(text, int) and not isinstance(text, bool):
        return ChildrenAnswer(text) if 0 <= text <= MOST_CHILDREN else None
    if not isinstance(text, str) or not text.strip():
        return None
    plain = fold_letters(text.casefold())
    words = answer_words()
    marker = words.ages_follow.search(plain)
    before, after = (plain[: marker.start()], plain[marker.end() :]) if marker else (plain, "")
    found: list[tuple[int, int]] = [(m.start(), int(m.group())) for m in _DIGITS.finditer(before)]
    for pattern, value in words.number_words(locale):
        found += [(m.start(), value) for m in pattern.finditer(before)]
    if not found:
        return None
    found.sort()
    count = found[0][1]
    if count > MOST_CHILDREN:
        return None
    ages = after.strip(" ,.;:-") if marker and _DIGITS.search(after) else None
    if ages is None:
        rest = [value for _, value in found[1:]]
        if count and len(rest) == count:  # "3 kids 5 7 and 9"
            ages = ", ".join(str(age) for age in rest)
    return ChildrenAnswer(count, ages or None)


def needs_in_text(text: str, locale: str = "en") -> list[str]:
    """The needs a typed answer names ("housing and money" gives both), in the order of the
    words list; English words count in every language."""
    plain = fold_letters(text.casefold())
    words = answer_words()
    found: list[str] = []
    for code in dict.fromkeys((locale, "en")):
        for need, pattern in words.needs.get(code, {}).items():
            if need not in found and pattern.search(plain):
                found.append(need)
    return found


def means_done(text: str, locale: str = "en") -> bool:
    """A whole answer that says "that's all" ("no", "done", "to wszystko", "بس")."""
    plain = " ".join(_WORDS_ONLY.findall(fold_letters(text.casefold())))
    words = answer_words()
    return any(
        (pattern := words.done.get(code)) is not None and pattern.fullmatch(plain) is not None
        for code in dict.fromkeys((locale, "en"))
    )


def clear_answer(text: str, locale: str = "en") -> bool | None:
    """True for a typed clear yes ("ok go on", "yes please", "tak", "جی ہاں"), False for a
    clear no ("no thanks", "nahi"), None for anything else."""
    tokens = _WORDS_ONLY.findall(fold_letters(text.casefold().replace("'", "")))
    if not tokens or len(tokens) > 8:
        return None
    words = answer_words()
    for meaning, vocabulary in ((True, words.yes), (False, words.no)):
        for code in dict.fromkeys((locale, "en")):
            strong, allowed = vocabulary.get(code, (frozenset(), frozenset()))
            if all(t in allowed for t in tokens) and any(t in strong for t in tokens):
                return meaning
    return None


def sounds_unsure(text: str, locale: str = "en") -> bool:
    """The reply says the person is not sure ("no, not sure", "nie wiem", "pata nahi")."""
    plain = fold_letters(text.casefold().replace("'", ""))
    words = answer_words()
    return any(
        (pattern := words.unsure.get(code)) is not None and pattern.search(plain) is not None
        for code in dict.fromkeys((locale, "en"))
    )


def partly_yes(text: str, locale: str = "en") -> bool:
    """An answer to a risk question that means yes, or partly yes ("sometimes", "once", "it
    has got worse"): staff should see it as a yes."""
    plain = fold_letters(text.casefold().replace("'", ""))
    words = answer_words()
    return any(
        (pattern := words.risk_yes.get(code)) is not None and pattern.search(plain) is not None
        for code in dict.fromkeys((locale, "en"))
    )


def situation_in_text(text: str, locale: str = "en") -> str | None:
    """Which situation typed words describe, if they say ("we split up": separated). The
    more specific phrases are tried first ("we don't live together" before "live together")."""
    plain = fold_letters(text.casefold().replace("'", ""))
    words = answer_words()
    for code in dict.fromkeys((locale, "en")):
        found = words.situations.get(code, {})
        for name in ("together_not_living", "separated", "living_together"):
            pattern = found.get(name)
            if pattern is not None and pattern.search(plain):
                return name
    return None
