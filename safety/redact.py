"""Remove phone numbers and email addresses from text before it could reach a log."""

from __future__ import annotations

import re

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
# A run of digits with the spaces, dots, dashes and brackets people put in phone numbers.
_NUMBER_LIKE = re.compile(r"(?<![\w])\+?\(?\d[\d\s().-]*\d(?![\w])")
# UK numbers have 10 or 11 digits (12 with +44); shorter runs are times, versions, counts.
MIN_PHONE_DIGITS = 9


def _phone_or_keep(match: re.Match[str]) -> str:
    digits = sum(ch.isdigit() for ch in match.group())
    return "[number]" if digits >= MIN_PHONE_DIGITS else match.group()


def redact(text: str) -> str:
    text = _EMAIL.sub("[email]", text)
    return _NUMBER_LIKE.sub(_phone_or_keep, text)
