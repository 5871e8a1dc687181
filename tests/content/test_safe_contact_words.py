"""Safe contact in every language: the plain first message the survivor is shown is the
one staff are given, word for word; and the Northern Ireland helpline, with its source."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from api.actions.hub_contact import helplines
from api.core.config import PROJECT_ROOT

LOCALES = PROJECT_ROOT / "content" / "locales"
SOURCES = (PROJECT_ROOT / "docs" / "content-sources.md").read_text(encoding="utf-8")


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


def test_the_northern_ireland_helpline_is_24_hours_with_a_dated_source() -> None:
    line = next(line for line in helplines() if line.id == "northern_ireland")
    assert line.number == "0808 802 1414" and line.open_24_hours
    row = next(r for r in SOURCES.splitlines() if "Domestic and Sexual Abuse Helpline" in r)
    assert "0808 802 1414" in row and "2026-11-29" in row
    for locale in ("en", "pl", "ur", "ar"):
        assert catalog(locale)["helplines"]["northern_ireland"]
