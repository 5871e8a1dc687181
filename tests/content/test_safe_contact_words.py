"""Safe contact in every language: the plain first message the survivor is shown is the
one staff are given, word for word."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from api.core.config import PROJECT_ROOT

LOCALES = PROJECT_ROOT / "content" / "locales"


def catalog(locale: str) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((LOCALES / locale / "chat.yml").read_text("utf-8"))
    return loaded


@pytest.mark.parametrize("locale", ["en", "pl", "ur", "ar"])
def test_the_question_shows_the_exact_plain_message_staff_will_use(locale: str) -> None:
    words = catalog(locale)
    plain = words["proactive"]["first_message"]
    assert plain in words["referral"]["ask"]["message_ok_text"]
    assert "%{" not in plain  # nothing filled in later: exactly what they approved


@pytest.mark.parametrize("locale", ["en", "pl", "ur", "ar"])
def test_who_else_sees_it_has_its_words_in_every_language(locale: str) -> None:
    referral = catalog(locale)["referral"]
    for key in ("contact_shared_phone", "contact_shared_email", "contact_change"):
        assert referral["ask"][key].rstrip().endswith(("?", "؟", ".", "۔")), key
    assert referral["contact_shared_care"] and referral["invalid"]["contact_shared"]
    assert catalog(locale)["answer"]["not_sure"]
