"""Checking and tidying the answers to the referral's questions. Plain functions, no Rasa."""

from __future__ import annotations

import re
from collections.abc import Iterable

from api.actions.parsing import parse_age

__all__ = [
    "area_status",
    "contact_method_from_text",
    "normalise_uk_phone",
    "parse_age",
    "parse_count",
    "valid_email",
]

_PHONE_CHARS = re.compile(r"[\s().\-]")
_MOBILE = re.compile(r"^07\d{9}$")
_LANDLINE = re.compile(r"^0[123]\d{8,9}$")
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[A-Za-z]{2,}$")
_OUTWARD_CODE = re.compile(r"\b([A-Za-z]{1,2})(\d[A-Za-z\d]?)(?:\s*\d[A-Za-z]{2})?\b")

METHOD_WORDS = {
    # First: "I'll call you" is not asking to be called.
    "they_will_contact": (
        "i'll contact you",
        "i will contact you",
        "i'll call you",
        "i will call you",
        "i'll ring you",
        "i will ring you",
        "i'll get in touch",
        "i will get in touch",
        "i'll phone you",
        "i will phone you",
        "i'll call them",
        "i'll contact them",
    ),
    "whatsapp": ("whatsapp", "whats app", "wa"),
    "text": ("text", "sms", "txt", "message"),
    "email": ("email", "e-mail", "mail"),
    "call": ("call", "phone", "ring", "rang"),
}


_PHONE_IN_TEXT = re.compile(r"\+?[\d(][\d\s().\-]{8,}\d")


def normalise_uk_phone(text: str) -> str | None:
    """A UK mobile or landline in a tidy form ('07700 900123'), or None if it isn't one.
    The number may come in a sentence: "my number is 07700 900123"."""
    for candidate in _PHONE_IN_TEXT.findall(text):
        found = _tidy_uk_phone(candidate)
        if found is not None:
            return found
    return _tidy_uk_phone(text)


def _tidy_uk_phone(text: str) -> str | None:
    digits = _PHONE_CHARS.sub("", text.strip())
    if digits.startswith("+44"):
        digits = "0" + digits[3:].removeprefix("0")
    elif digits.startswith("0044"):
        digits = "0" + digits[4:].removeprefix("0")
    if not digits.isdigit():
        return None
    if _MOBILE.match(digits):
        return f"{digits[:5]} {digits[5:]}"
    if _LANDLINE.match(digits):
        return f"{digits[:5]} {digits[5:]}" if digits[1] == "1" else f"{digits[:3]} {digits[3:]}"
    return None


_EMAIL_IN_TEXT = re.compile(
    r"(?<![^\s<>()\[\],;:\"'])[^@\s<>()\[\],;:\"']{1,64}@[^@\s<>()\[\],;:\"']+\.[A-Za-z]{2,}"
)


def valid_email(text: str) -> str | None:
    """An email address, alone or in a sentence ("it's sam@example.org")."""
    found = _EMAIL_IN_TEXT.search(text)
    candidate = (found.group() if found else text).strip().rstrip(".")
    if len(candidate) <= 254 and _EMAIL.match(candidate) and ".." not in candidate:
        return candidate
    return None


def contact_method_from_text(text: str) -> str | None:
    lowered = f" {text.casefold()} "
    for method, words in METHOD_WORDS.items():
        if any(f" {word} " in lowered or f" {word}," in lowered for word in words):
            return method
    return None


def parse_count(text: object) -> int | None:
    """How many (children): '2', 'two', 'none' or 'no' -> 0."""
    if isinstance(text, str) and text.strip().casefold() in {
        "none",
        "no",
        "0",
        "zero",
        "no children",
    }:
        return 0
    if isinstance(text, int) and not isinstance(text, bool) and 0 <= text <= 20:
        return text
    if isinstance(text, str):
        value = parse_age(text)
        if value is not None and value <= 20:
            return value
    return None


def _postcode_areas(text: str) -> list[tuple[str, str]]:
    return [
        (letters.upper(), (letters + rest).upper()) for letters, rest in _OUTWARD_CODE.findall(text)
    ]


def area_status(
    text: str,
    *,
    said_yes: bool,
    said_no: bool,
    postcodes: Iterable[str],
    place_names: Iterable[str],
) -> str:
    """'in_area', 'out_of_area' or 'unsure' (staff check it). Not being sure never stops
    someone getting help."""
    allowed = {p.upper() for p in postcodes}
    lowered = text.casefold()
    # Whole words: "York" is not "West Yorkshire" or "New York".
    if any(
        re.search(rf"(?<!\w){re.escape(name.casefold())}(?!\w)", lowered)
        and not re.search(rf"new\s+{re.escape(name.casefold())}", lowered)
        for name in place_names
    ):
        return "in_area"
    found = [
        (letters, outward)
        for letters, outward in _postcode_areas(text)
        if any(ch.isdigit() for ch in outward)
    ]
    if found:
        # A postcode not on the list is for staff to check, never a refusal: lists are
        # never complete (TS9 and BD20 are partly North Yorkshire). Only a clear "no"
        # ends the referral as out of area.
        inside = any(letters in allowed or outward in allowed for letters, outward in found)
        return "in_area" if inside else "unsure"
    if said_no:
        return "out_of_area"
    if said_yes:
        return "in_area"
    return "unsure"
