"""The law as the legal, coercive control and worried-about-someone pages tell it, checked
in every language (England and Wales, sources in docs/content-sources.md).

Each fact is looked for by its distinctive words, so a sentence dropped, or a translation
that lost the number or the point, fails here rather than in front of a survivor.
"""

from __future__ import annotations

import pytest

from api.core.config import PROJECT_ROOT
from api.resources.store import Resource, ResourceStore

LOCALES = ["en", "pl", "ur", "ar"]
STORE = ResourceStore()

# The legal-protection page, beside the police paragraph the hub chooses.
LEGAL: dict[str, dict[str, str]] = {
    "en": {
        "no single crime": 'There is no single crime called "domestic abuse"',
        "strangling is a crime": "strangling or suffocating you",
        "no court fee": "There is no court fee.",
        "without notice": 'This is called a "without notice" order.',
        "legal aid": "You may be able to get legal aid",
        "who checks legal aid": "A support worker or solicitor can check this for you.",
        "form C8": "fill in form C8",
        "C8 keeps details private": "It keeps your address and contact details private",
        "restraining order on acquittal": "It can also do this if they are found not guilty",
        "breaching a restraining order": "Breaking a restraining order is a crime.",
        "Clare's Law for friends": "A friend or family member who is worried about you can ask",
    },
    "pl": {
        "no single crime": "nie ma jednego przestępstwa o nazwie „przemoc domowa”",
        "strangling is a crime": "duszenie albo odcinanie ci powietrza",
        "no court fee": "Nie ma opłaty sądowej.",
        "without notice": "nakazem „bez powiadomienia” (without notice)",
        "legal aid": "Możesz mieć prawo do pomocy prawnej (legal aid)",
        "who checks legal aid": "Pracownik wsparcia albo prawnik może to dla ciebie sprawdzić.",
        "form C8": "formularz C8",
        "C8 keeps details private": "twój adres i dane kontaktowe pozostaną przed nią ukryte",
        "restraining order on acquittal": "także wtedy, gdy zostanie uniewinniona",
        "breaching a restraining order": "Złamanie zakazu zbliżania się jest przestępstwem.",
        "Clare's Law for friends": "Zapytać może też przyjaciel albo ktoś z rodziny",
    },
    "ur": {
        "no single crime": '"گھریلو بدسلوکی" کے نام سے کوئی ایک جرم نہیں ہے',
        "strangling is a crime": "آپ کا گلا دبانا یا سانس روکنا",
        "no court fee": "اس کی کوئی عدالتی فیس نہیں۔",
        "without notice": '"بغیر اطلاع" (without notice) آرڈر',
        "legal aid": "قانونی امداد (legal aid) مل سکے",
        "who checks legal aid": "ایک سپورٹ ورکر یا سولیسٹر آپ کے لیے یہ معلوم کر سکتا ہے۔",
        "form C8": "فارم C8 بھریں",
        "C8 keeps details private": "آپ کا پتا اور رابطے کی تفصیلات ان سے خفیہ رہتی ہیں",
        "restraining order on acquittal": "جب انہیں بے قصور قرار دیا جائے",
        "breaching a restraining order": "ریسٹریننگ آرڈر توڑنا جرم ہے۔",
        "Clare's Law for friends": "کوئی دوست یا رشتہ دار جو آپ کے بارے میں فکرمند ہو",
    },
    "ar": {
        "no single crime": "لا توجد في إنجلترا وويلز جريمة واحدة اسمها «الإساءة المنزلية»",
        "strangling is a crime": "خنقك أو كتم أنفاسك",
        "no court fee": "لا توجد رسوم محكمة.",
        "without notice": "أمرًا «دون إخطار» (without notice)",
        "legal aid": "مساعدة قانونية (legal aid)",
        "who checks legal aid": "يمكن لعامل دعم أو محامٍ أن يتحقق من ذلك لك.",
        "form C8": "فاملأ النموذج C8",
        "C8 keeps details private": "يُبقي عنوانك وبيانات الاتصال بك سرية عنه",
        "restraining order on acquittal": "ويمكنها ذلك أيضًا إذا بُرّئ",
        "breaching a restraining order": "مخالفة أمر التقييد جريمة.",
        "Clare's Law for friends": "ويمكن لصديق أو فرد من العائلة قلق عليك أن يسأل أيضًا",
    },
}

# The sentence it replaced said domestic abuse itself is a crime: it must not come back.
NOT_A_SINGLE_CRIME = {
    "en": "Domestic abuse, coercive control, stalking and strangulation are crimes",
    "pl": "Przemoc domowa, kontrola przymusowa, stalking i duszenie są przestępstwami",
    "ur": "گھریلو بدسلوکی، جبری کنٹرول، سٹاکنگ اور گلا دبانا جرائم ہیں",
    "ar": "الإساءة المنزلية والسيطرة القسرية والملاحقة والخنق كلها جرائم",
}

# The police paragraph for each scheme: what it must say, and what it must not.
POLICE: dict[str, dict[str, list[str]]] = {
    "en": {
        "dvpo": ["Domestic Violence Protection Notice", "up to 28 days", "not have to go"],
        "dapo": ["no fixed end date", "electronic tag", "Breaking a DAPO is a crime."],
    },
    "pl": {
        "dvpo": ["Domestic Violence Protection Notice", "do 28 dni", "nie musisz tam iść"],
        "dapo": ["nie ma z góry ustalonej daty końca", "elektronicznej opaski", "Złamanie DAPO"],
    },
    "ur": {
        "dvpo": ["Domestic Violence Protection Notice", "28 دن تک", "عدالت جانا ضروری نہیں"],
        "dapo": ["کوئی مقررہ آخری تاریخ نہیں", "الیکٹرانک ٹیگ", "DAPO توڑنا جرم ہے۔"],
    },
    "ar": {
        "dvpo": ["Domestic Violence Protection Notice", "تصل إلى 28 يومًا", "لا يلزمك الذهاب"],
        "dapo": ["تاريخ انتهاء ثابت", "سوار إلكتروني", "مخالفة أمر DAPO جريمة."],
    },
}

COERCIVE_CONTROL_SINCE_2023 = {
    "en": "Since April 2023 this also covers ex-partners and family members who do not live",
    "pl": "Od kwietnia 2023 roku dotyczy to także byłych partnerów i członków rodziny",
    "ur": "اپریل 2023 سے اس میں وہ سابق ساتھی اور خاندان کے افراد بھی شامل ہیں",
    "ar": "منذ أبريل 2023 يشمل ذلك أيضًا الشركاء السابقين وأفراد العائلة",
}

# Someone worried about a friend can ask under Clare's Law, but may not be the one told.
CLARES_LAW_FOR_OTHERS = {
    "en": ["You do not have to be the person in the relationship to ask.", "may not be you"],
    "pl": ["Nie musisz być osobą w tym związku, żeby zapytać.", "Nie zawsze będziesz to ty."],
    "ur": ["ضروری نہیں کہ آپ خود اس رشتے میں ہوں", "ہو سکتا ہے یہ آپ نہ ہوں۔"],
    "ar": ["لا يلزم أن تكون أنت الطرف في العلاقة لتسأل.", "قد لا تكون أنت هذا الشخص."],
}


def page(slug: str, locale: str) -> Resource:
    resource = STORE.get(slug, locale)
    assert resource is not None and resource.locale == locale and resource.body, (slug, locale)
    return resource


def flat(text: str | None) -> str:
    """Line breaks inside a paragraph do not matter to a reader."""
    return " ".join((text or "").split())


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("fact", sorted(LEGAL["en"]))
def test_the_legal_page_states_the_fact(locale: str, fact: str) -> None:
    assert set(LEGAL[locale]) == set(LEGAL["en"])
    assert LEGAL[locale][fact] in flat(page("legal-protection", locale).body)


@pytest.mark.parametrize("locale", LOCALES)
def test_the_legal_page_no_longer_calls_domestic_abuse_a_single_crime(locale: str) -> None:
    resource = page("legal-protection", locale)
    for text in (resource.summary, resource.page()):
        assert NOT_A_SINGLE_CRIME[locale] not in flat(text)


@pytest.mark.parametrize("locale", LOCALES)
def test_each_police_paragraph_says_its_own_scheme(locale: str) -> None:
    texts = page("legal-protection", locale).variants["police_protection_orders"]
    dvpo, dapo = flat(texts["dvpo"]), flat(texts["dapo"])
    for phrase in POLICE[locale]["dvpo"]:
        assert phrase in dvpo
    for phrase in POLICE[locale]["dapo"]:
        assert phrase in dapo
    assert "DVPN" in dvpo and "DVPO" in dvpo and "DAPO" not in dvpo
    assert "DAPN" in dapo and "DAPO" in dapo and "DVPO" not in dapo
    # A DAPO has no maximum length: the DVPO's 28 days must not slip into it.
    assert "28" not in dapo


@pytest.mark.parametrize("locale", LOCALES)
def test_the_police_paragraph_depends_on_the_hub_not_the_summary(locale: str) -> None:
    """The chat shows the summary to every hub, so it names neither scheme."""
    summary = page("legal-protection", locale).summary
    assert not any(name in summary for name in ("DVPN", "DVPO", "DAPN", "DAPO", "%{"))


@pytest.mark.parametrize("locale", LOCALES)
def test_coercive_control_covers_ex_partners_and_family_living_apart(locale: str) -> None:
    assert COERCIVE_CONTROL_SINCE_2023[locale] in flat(page("coercive-control", locale).body)


@pytest.mark.parametrize("locale", LOCALES)
def test_someone_worried_about_a_friend_can_use_clares_law(locale: str) -> None:
    body = flat(page("worried-about-someone", locale).body)
    assert "Clare's Law" in body and "101" in body
    for phrase in CLARES_LAW_FOR_OTHERS[locale]:
        assert phrase in body


def test_every_new_fact_has_a_source_checked_on_the_same_day() -> None:
    sources = (PROJECT_ROOT / "docs" / "content-sources.md").read_text(encoding="utf-8")
    rows = [line for line in sources.splitlines() if "2026-11-29" in line]
    for needle in (
        "no single offence",
        "DVPO",
        "DAPO",
        "restraining order",
        "no court fee",
        "without notice",
        "legal aid",
        "C8",
        "Clare's Law",
        "April 2023",
    ):
        assert any(needle in row for row in rows), needle
