"""Reading answers typed in free text."""

from __future__ import annotations

import re

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
