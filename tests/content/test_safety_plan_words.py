"""The safety plan's safer wordings, in every language.

A step that says to practise getting out, or to change a password, without a word about
being noticed could put someone in danger; these checks fail if such a wording comes
back in any language, or if a language loses the steps on pets and evidence.
"""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from api.core.config import PROJECT_ROOT

LOCALES = ("en", "pl", "ur", "ar")
PLAN = yaml.safe_load((PROJECT_ROOT / "content" / "safety_plan.yml").read_text(encoding="utf-8"))

# Words each language uses for the idea checked, chosen from its own sentence: a
# translation that drops the idea drops the word.
SUSPICION = {"en": "suspicious", "pl": "podejrzeń", "ur": "شک", "ar": "شكوك"}
SUPPORT_WORKER = {"en": "support worker", "pl": "pracownik", "ur": "سپورٹ ورکر", "ar": "عامل دعم"}
EVIDENCE = {"en": "evidence", "pl": "dowod", "ur": "ثبوت", "ar": "الأدلة"}
PETS = {"en": "pets", "pl": "zwierz", "ur": "پالتو", "ar": "الأليفة"}
CHARITIES = {"en": "charities", "pl": "charytatywne", "ur": "خیراتی", "ar": "الخيرية"}
DIARY = {"en": "diary", "pl": "dziennik", "ur": "ڈائری", "ar": "مذكرات"}
EMAIL = {"en": "email", "pl": "e-mail", "ur": "ای میل", "ar": "بريد إلكتروني"}
PHOTOS = {"en": "photos", "pl": "zdjęcia", "ur": "تصاویر", "ar": "صور"}


def steps(locale: str) -> dict[str, Any]:
    path = PROJECT_ROOT / "content" / "locales" / locale / "chat.yml"
    return yaml.safe_load(path.read_text(encoding="utf-8"))["plan"]["steps"]


def test_the_plan_has_the_steps_on_pets_evidence_and_changing_things() -> None:
    modules = PLAN["modules"]
    assert {"diary", "photos"} <= set(modules["home"])
    assert "pets" in modules["leaving"]
    # First, so that the shorter version offered by text keeps it.
    assert modules["tech"][0] == "before_changing"
    assert PLAN["short_steps"] >= 1


def test_the_english_way_out_step_puts_suspicion_before_practice() -> None:
    way_out = steps("en")["home"]["way_out"]
    assert "suspicious" in way_out
    assert way_out.index("suspicious") < way_out.lower().index("practise")


@pytest.mark.parametrize("locale", LOCALES)
def test_practising_the_way_out_only_if_it_will_not_make_them_suspicious(locale: str) -> None:
    assert SUSPICION[locale] in steps(locale)["home"]["way_out"]


@pytest.mark.parametrize("locale", LOCALES)
def test_phones_and_online_warn_that_a_change_can_alert_them_and_delete_evidence(
    locale: str,
) -> None:
    tech = steps(locale)["tech"]
    warning = tech["before_changing"]
    assert SUPPORT_WORKER[locale] in warning and EVIDENCE[locale] in warning
    # Apps may be evidence: not deleted before asking a support worker.
    assert EVIDENCE[locale] in tech["unknown_apps"]
    assert SUPPORT_WORKER[locale] in tech["unknown_apps"]
    assert SUPPORT_WORKER[locale] in tech["location_sharing"]


@pytest.mark.parametrize("locale", LOCALES)
def test_every_language_has_the_pets_step(locale: str) -> None:
    pets = steps(locale)["leaving"]["pets"]
    assert PETS[locale] in pets and CHARITIES[locale] in pets


@pytest.mark.parametrize("locale", LOCALES)
def test_every_language_has_the_evidence_steps(locale: str) -> None:
    home = steps(locale)["home"]
    assert DIARY[locale] in home["diary"] and EMAIL[locale] in home["diary"]
    # "GP" stays in English beside the translation: it is what the surgery is called here.
    assert PHOTOS[locale] in home["photos"] and "GP" in home["photos"]
    assert SUPPORT_WORKER[locale] in home["photos"]


@pytest.mark.parametrize("locale", LOCALES)
def test_every_plan_step_is_chat_sized(locale: str) -> None:
    """One or two short sentences: a step is read on a phone, one at a time."""
    for module, names in PLAN["modules"].items():
        for name in names:
            text = steps(locale)[module][name]
            assert len(text) <= 260, (module, name)
