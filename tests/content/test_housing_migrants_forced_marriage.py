"""Housing, migrants' and forced-marriage facts, checked in every language.

Each fact is checked in the page itself, in each language: a translation compared only
with its own English page could lose a number, a date or a right unnoticed. Legal terms
stay in English beside the translation (as on the form the reader will meet), so they
are checked as they are. Every fact also needs its row in docs/content-sources.md.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
import yaml

from api.core.config import PROJECT_ROOT
from api.resources.store import ResourceStore

RESOURCES = PROJECT_ROOT / "content" / "resources"
LOCALES = ["en", "pl", "ur", "ar"]
SOURCES = (PROJECT_ROOT / "docs" / "content-sources.md").read_text(encoding="utf-8")


def page(locale: str, slug: str) -> dict[str, Any]:
    path = RESOURCES / locale / f"{slug}.yml"
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return data


def flat(said: str) -> str:
    """One line: the English pages wrap their sentences over several lines."""
    return " ".join(said.split())


def text(locale: str, slug: str) -> str:
    found = page(locale, slug)
    return flat(" ".join([found["title"], found["summary"], found["body"]]))


def missing(said: str, wanted: list[str]) -> list[str]:
    return [w for w in wanted if w not in said]


# Each fact shown, as its row in docs/content-sources.md names it.
SOURCED = [
    "priority need",
    "local connection",
    "police report",
    "Migrant Victims of Domestic Abuse Concession",
    "NHS (Charges to Overseas Visitors) Regulations 2015",
    "Marriage and Civil Partnership (Minimum Age) Act 2022",
    "020 7008 0151",
    "+44 20 7008 0151",
    "not a specific criminal offence",
]


@pytest.mark.parametrize("fact", SOURCED)
def test_every_fact_has_its_source(fact: str) -> None:
    """A fact shown to survivors without its source and date is a fact no one re-checks."""
    rows = [line for line in SOURCES.splitlines() if fact in line]
    assert rows, fact
    assert any("2026-11-29" in row for row in rows), fact


# Housing (the leaving page). The month the change came in, as each language writes it.
PRIORITY_NEED_SINCE = {
    "en": "July 2021",
    "pl": "lipca 2021",
    "ur": "جولائی 2021",
    "ar": "يوليو 2021",
}

# The distinctive words of each housing right, in each language.
HOUSING_RIGHTS = {
    "en": [
        "do not have to stay in a home where you are being abused",
        "wait until you are made homeless",
        "must not demand proof, such as a police report",
        "You can ask any council",
        "You do not need a local connection",
        "must not send you back to an area where you would be at risk of abuse",
        "usually not eligible",
    ],
    "pl": [
        "Nie musisz zostawać w domu",
        "czekać, aż stracisz mieszkanie",
        "nie może żądać dowodów, na przykład raportu policji",
        "dowolny urząd",
        "Nie musisz mieć związku",
        "nie może odesłać cię z powrotem",
        "zwykle nie mogą jej dostać",
    ],
    "ur": [
        "ایسے گھر میں رہنے کی ضرورت نہیں",
        "بے گھر ہونے کا انتظار",
        "پولیس رپورٹ، کا مطالبہ نہیں کر سکتی",
        "کسی بھی کونسل سے مدد مانگ سکتے ہیں",
        "ہونا ضروری نہیں",
        "واپس نہیں بھیج سکتی",
        "عام طور پر اس کے اہل نہیں",
    ],
    "ar": [
        "لا يجب عليك البقاء في منزل تتعرض فيه للإساءة",
        "انتظار أن تصبح بلا مأوى",
        "لا يجوز للمجلس أن يطالبك بدليل، مثل تقرير من الشرطة",
        "من أي مجلس",
        "لا تحتاج إلى صلة محلية",
        "لا يجوز للمجلس أن يعيدك",
        "لا يستحقونها عادةً",
    ],
}


@pytest.mark.parametrize("locale", LOCALES)
def test_homeless_because_of_abuse_is_priority_need_since_july_2021(locale: str) -> None:
    said = text(locale, "leaving")
    assert PRIORITY_NEED_SINCE[locale] in said
    assert "Domestic Abuse Act 2021" in said
    assert "priority need" in said


@pytest.mark.parametrize("locale", LOCALES)
def test_the_housing_rights_are_each_said(locale: str) -> None:
    said = text(locale, "leaving")
    assert missing(said, HOUSING_RIGHTS[locale]) == []
    assert "local connection" in said
    # Immigration status is what can stop this help: said, and the way to the migrants page.
    assert "no recourse to public funds" in said


@pytest.mark.parametrize("locale", LOCALES)
def test_the_council_is_named_in_the_leaving_summary(locale: str) -> None:
    """The chat shows the summary: the council's duty must be in it, not only on the page."""
    summary = page(locale, "leaving")["summary"]
    assert {"en": "council", "pl": "(council)", "ur": "کونسل", "ar": "(council)"}[locale] in summary


def test_the_housing_rules_say_they_are_for_england() -> None:
    """Wales has its own housing law: the page must not pass England's off as both."""
    said = text("en", "leaving")
    assert "Help with housing from the council (England)" in said
    assert "Wales has its own housing law" in said
    # The vague old line ("a duty to help most people") is gone.
    assert "most people in that situation" not in said


def test_the_leaving_page_links_to_the_migrants_page() -> None:
    leaving = ResourceStore().english("leaving")
    assert leaving is not None and "migrants-and-no-recourse" in leaving.related


# Migrants: the concession and free NHS treatment after abuse. Who it is for, as far as
# it is confirmed: a partner visa (other visas are sent to an adviser).
PARTNER_VISA = {
    "en": "partner visa",
    "pl": "na wizie partnera",
    "ur": "پارٹنر ویزا",
    "ar": "بتأشيرة شريك",
}
THREE_MONTHS_TO_STAY = {
    "en": "3 months' permission to stay",
    "pl": "3 miesiące pozwolenia na pobyt",
    "ur": "3 مہینے کے لیے یہاں رہنے کی اجازت",
    "ar": "إذن بالبقاء لمدة 3 أشهر",
}


@pytest.mark.parametrize("locale", LOCALES)
def test_the_concession_is_named_with_its_old_name_and_three_months(locale: str) -> None:
    said = text(locale, "migrants-and-no-recourse")
    assert PARTNER_VISA[locale] in said
    assert "Migrant Victims of Domestic Abuse Concession" in said
    assert "DDVC" in said and "Destitute Domestic Violence Concession" in said
    assert THREE_MONTHS_TO_STAY[locale] in said
    assert "regulated immigration adviser" in said  # advice first, in every language
    assert "public funds" in said


@pytest.mark.parametrize("locale", LOCALES)
def test_the_summary_offers_the_partner_visa_help(locale: str) -> None:
    summary = page(locale, "migrants-and-no-recourse")["summary"]
    assert re.search(r"(?<![0-9])3(?![0-9])", summary)


def test_the_concession_is_for_partner_visas_and_other_visas_go_to_an_adviser() -> None:
    said = text("en", "migrants-and-no-recourse")
    wanted = [
        "partner visa",
        "British citizen or someone settled here",
        "relationship broke down because of abuse",
        "3 months' permission to stay",
        "benefits and housing help",
        "apply to stay in the UK permanently",
        "Get advice from a regulated immigration adviser or a support worker first",
        "If you came on another kind of visa, an adviser can check what applies to you",
    ]
    assert missing(said, wanted) == []


NHS_FREE = {
    "en": ["In England", "free, whatever your immigration status", "will not be charged"],
    "pl": ["W Anglii", "jest bezpłatne, bez względu na status imigracyjny"],
    "ur": ["انگلینڈ میں", "علاج مفت ہے", "پیسے نہیں لیے جائیں گے"],
    "ar": ["في إنجلترا", "مجاني، مهما كان وضعك في الهجرة", "لن يُطلب منك دفع"],
}


@pytest.mark.parametrize("locale", LOCALES)
def test_nhs_treatment_after_abuse_is_free_whatever_the_status(locale: str) -> None:
    said = text(locale, "migrants-and-no-recourse")
    assert "NHS" in said
    assert missing(said, NHS_FREE[locale]) == []


# Forced marriage and honour-based abuse.
UNDER_18_SINCE = {
    "en": "February 2023",
    "pl": "lutego 2023",
    "ur": "فروری 2023",
    "ar": "فبراير 2023",
}


@pytest.mark.parametrize("locale", LOCALES)
def test_no_one_under_18_can_marry_since_february_2023(locale: str) -> None:
    said = text(locale, "honour-based-abuse-and-forced-marriage")
    assert UNDER_18_SINCE[locale] in said
    assert re.search(r"(?<![0-9])18(?![0-9])", said)
    assert "civil partnership" in said
    # The old age with a parent's consent must not come back.
    assert not re.search(r"(?<![0-9])16(?![0-9])", said)


@pytest.mark.parametrize("locale", LOCALES)
def test_the_forced_marriage_unit_number_from_the_uk_and_abroad(locale: str) -> None:
    found = page(locale, "honour-based-abuse-and-forced-marriage")
    assert "Forced Marriage Unit" in found["body"]
    assert "020 7008 0151" in found["body"]
    assert "+44 20 7008 0151" in found["body"]
    assert "020 7008 0151" in found["summary"]  # the chat shows the summary
    run_by = {"en": "Home Office", "pl": "Home Office", "ur": "ہوم آفس", "ar": "Home Office"}
    assert run_by[locale] in found["body"]
    weekdays = {
        "en": "Monday to Friday, 9am to 5pm",
        "pl": "od poniedziałku do piątku, 9:00–17:00",
        "ur": "پیر سے جمعہ، صبح 9 بجے سے شام 5 بجے تک",
        "ar": "من الاثنين إلى الجمعة، من 9 صباحًا إلى 5 مساءً",
    }
    assert weekdays[locale] in flat(found["body"])  # not a 24-hour line: its hours are said
    assert "0800 5999 247" in found["body"]  # Karma Nirvana stays


HONOUR_NOT_ONE_CRIME = {
    "en": ["not one single crime", "are all crimes", "whatever reason they give"],
    "pl": ["nie jest w prawie jednym, osobnym przestępstwem", "są przestępstwami"],
    "ur": ["کوئی ایک الگ جرم نہیں", "سب جرائم ہیں"],
    "ar": ["ليست جريمة واحدة مستقلة", "كلها جرائم"],
}


@pytest.mark.parametrize("locale", LOCALES)
def test_honour_based_abuse_is_not_one_crime_but_its_acts_are(locale: str) -> None:
    said = text(locale, "honour-based-abuse-and-forced-marriage")
    assert missing(said, HONOUR_NOT_ONE_CRIME[locale]) == []
    assert "FGM" in said


def test_the_forced_marriage_unit_has_its_row_with_the_helplines() -> None:
    """Its number and hours, as the pages give them, with the date they were checked."""
    rows = [
        line
        for line in SOURCES.splitlines()
        if line.startswith("| Forced Marriage Unit (")
        and "020 7008 0151" in line
        and "+44 20 7008 0151" in line
        and "Monday to Friday, 9am to 5pm" in line
        and "2026-11-29" in line
    ]
    assert len(rows) == 1


def test_under_18_marriage_wording_in_english() -> None:
    said = text("en", "honour-based-abuse-and-forced-marriage")
    wanted = [
        "no one under 18 can marry or enter a civil partnership in England and Wales",
        "even if their parents agree",
        "It is a crime to arrange a marriage for someone under 18",
        "religious or community ceremony",
        "run by the Home Office and the Foreign Office together",
        "helps people in the UK and British nationals abroad",
    ]
    assert missing(said, wanted) == []
