"""Practical facts on the topic pages, in every language, each with its source.

A translation compared only with its own file could lose a number or the one sentence
that matters (that a threat to share images is a crime too, that calls can show on the
bill) without anyone noticing; these checks read each language's page for the number
itself and for the words that carry the fact.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
import yaml

from api.core.config import PROJECT_ROOT

LOCALES = ("en", "pl", "ur", "ar")
RESOURCES = PROJECT_ROOT / "content" / "resources"
SOURCES = PROJECT_ROOT / "docs" / "content-sources.md"
CHECKED = "2026-11-29"
REVENGE_PORN_HELPLINE = "0345 6000 459"
# A UK phone number as the pages write it: 0800 1111, 0345 6000 459.
PHONE_NUMBER = re.compile(r"(?<!\d)0\d{3}(?: \d{3,4}){1,2}(?!\d)")


def page(locale: str, slug: str) -> dict[str, Any]:
    path = RESOURCES / locale / f"{slug}.yml"
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def body(locale: str, slug: str) -> str:
    # Case folded so that a sentence may start with the word checked, and on one line so
    # that a phrase may be wrapped.
    return " ".join(str(page(locale, slug)["body"]).casefold().split())


# --- intimate images ------------------------------------------------------------------------

CRIME = {"en": "crime", "pl": "przestępstw", "ur": "جرم", "ar": "جريمة"}
THREAT = {
    "en": "threatening to share",
    "pl": "grożenie udostępnieniem",
    "ur": "دھمکی",
    "ar": "التهديد",
}
FAKES = {"en": "fake images", "pl": "fałszywych obrazów", "ur": "جعلی تصاویر", "ar": "المزيّفة"}


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("slug", ["tech-abuse", "sexual-abuse-and-consent"])
def test_sharing_or_threatening_to_share_intimate_images_is_a_crime_with_a_helpline(
    locale: str, slug: str
) -> None:
    text = body(locale, slug)
    assert REVENGE_PORN_HELPLINE in text
    assert CRIME[locale] in text and THREAT[locale] in text
    # The helpline is for adults; the page says so rather than turn a child away.
    assert "18" in text


@pytest.mark.parametrize("locale", LOCALES)
def test_the_tech_abuse_page_covers_fakes_and_points_children_to_childline(locale: str) -> None:
    text = body(locale, "tech-abuse")
    assert FAKES[locale] in text
    assert "0800 1111" in text


# --- Universal Credit -----------------------------------------------------------------------

UNIVERSAL_CREDIT = {
    "en": ["private room", "split payment", "your own bank account", "twice a month",
           "landlord", "advance", "loan", "6 months", "13 weeks", "own claim"],
    "pl": ["osobnym pokoju", "split payment", "własne konto bankowe", "dwa razy w miesiącu",
           "właściciela", "advance", "pożyczka", "6 miesięcy", "13 tygodni", "własny wniosek"],
    "ur": ["الگ کمرے", "split payment", "اپنے بینک اکاؤنٹ", "دو بار", "landlord", "advance",
           "قرض", "6 مہینوں", "13 ہفتوں", "اپنا الگ کلیم"],
    "ar": ["غرفة خاصة", "split payment", "حسابك المصرفي الخاص", "مرتين في الشهر", "landlord",
           "advance", "قرض", "6 أشهر", "13 أسبوع", "طلبك الخاص"],
}  # fmt: skip


@pytest.mark.parametrize("locale", LOCALES)
def test_the_economic_abuse_page_says_what_universal_credit_can_do(locale: str) -> None:
    economic = page(locale, "economic-abuse")
    # The benefit's own name stays in English beside the translation: it is what the
    # letters and the online account say.
    assert "Universal Credit" in economic["summary"] and "Universal Credit" in economic["body"]
    text = body(locale, "economic-abuse")
    missing = [words for words in UNIVERSAL_CREDIT[locale] if words.casefold() not in text]
    assert missing == []


# --- covering your tracks and Ask for ANI ---------------------------------------------------

ITEMISED_BILL = {
    "en": "itemised phone bill",
    "pl": "szczegółowym rachunku",
    "ur": "تفصیلی فون بل",
    "ar": "فاتورة الهاتف المفصّلة",
}
EVEN_FREE = {
    "en": "even free ones",
    "pl": "nawet bezpłatne",
    "ur": "مفت نمبر بھی",
    "ar": "حتى المجانية",
}
PHARMACY = {"en": "pharmac", "pl": "apte", "ur": "فارمیسی", "ar": "صيدلي"}
PRIVATE_ROOM = {"en": "private room", "pl": "osobnego pokoju", "ur": "الگ کمرے", "ar": "غرفة خاصة"}


@pytest.mark.parametrize("locale", LOCALES)
def test_calls_even_to_free_numbers_can_show_on_the_bill(locale: str) -> None:
    text = body(locale, "covering-your-tracks")
    assert ITEMISED_BILL[locale] in text and EVEN_FREE[locale] in text


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("slug", ["staying-safely", "covering-your-tracks"])
def test_ask_for_ani_in_pharmacies_and_jobcentres(locale: str, slug: str) -> None:
    text = body(locale, slug)
    assert "ask for ani" in text and "jobcentre" in text
    assert PHARMACY[locale] in text and PRIVATE_ROOM[locale] in text


# --- sources --------------------------------------------------------------------------------


def source_rows() -> list[str]:
    return [
        line for line in SOURCES.read_text(encoding="utf-8").splitlines() if line.startswith("|")
    ]


@pytest.mark.parametrize(
    "fact",
    [
        REVENGE_PORN_HELPLINE,
        "Sexual Offences Act 2003",
        "Alternative Payment Arrangements",
        "13 weeks",
        "two homes",
        "itemised",
        "Ask for ANI",
    ],
)
def test_each_practical_fact_has_a_source_checked_on_the_date(fact: str) -> None:
    assert [row for row in source_rows() if fact in row and CHECKED in row] != []


def test_every_phone_number_on_a_topic_page_has_a_source() -> None:
    sources = SOURCES.read_text(encoding="utf-8")
    numbers = {
        number
        for path in RESOURCES.glob("*/*.yml")
        for number in PHONE_NUMBER.findall(path.read_text(encoding="utf-8"))
    }
    assert REVENGE_PORN_HELPLINE in numbers and "0800 1111" in numbers
    assert sorted(n for n in numbers if n not in sources) == []
