"""The page on what happens after someone asks for help says the same true things in
every language, explains Idva and Marac, and can be found from the menu, the chat and
other pages.

Someone who has just asked for help reads this page to know whether it is safe to go on:
when and how they will be contacted, who will be told, and what they can say no to. A
sentence lost in one language, or a promise the hub's settings do not keep, is a broken
promise to them.
"""

from __future__ import annotations

import re

import pytest
import yaml

from api.core.config import PROJECT_ROOT
from api.resources.store import ResourceStore

SLUG = "after-you-ask-for-help"
LOCALES = ["en", "pl", "ur", "ar"]
EXAMPLES = PROJECT_ROOT / "content" / "topics" / "examples"

# Kept as they are in every language (names of roles, meetings, services and numbers).
EVERYWHERE = [
    "Idva",
    "Independent Domestic Violence Adviser",
    "Marac",
    "Multi-Agency Risk Assessment Conference",
    "Community Idva",
    "Engage",
    "step-down",
    "triage",
    "999",
    "55",
    "0808 2000 247",
]

# Each promise, in each language's own words. English first; every other language must
# say the same thing, not only carry the names.
PROMISES: dict[str, dict[str, list[str]]] = {
    "first contact in a few working days": {
        "en": ["within a few working days"],
        "pl": ["w ciągu kilku dni roboczych"],
        "ur": ["چند کام کے دنوں"],
        "ar": ["خلال بضعة أيام عمل"],
    },
    "the chat tells the exact number of days": {
        "en": ["the assistant tells you exactly how many working days"],
        "pl": ["asystent powie ci dokładnie, ile to będzie dni roboczych"],
        "ur": ["اسسٹنٹ آپ کو ٹھیک ٹھیک بتاتا ہے کہ کتنے کام کے دن"],
        "ar": ["يخبرك المساعد بعدد أيام العمل بالضبط"],
    },
    "contact only the safe way, at safe times": {
        "en": ["in the way you chose, at the times you said are safe"],
        "pl": ["w wybrany przez ciebie sposób, w godzinach, które podano jako bezpieczne"],
        "ur": ["اسی طریقے سے رابطہ کریں گے جو آپ نے چنا، اور انہی اوقات میں جو آپ نے محفوظ بتائے"],
        "ar": ["بالطريقة التي اخترتها، وفي الأوقات التي قلت إنها آمنة"],
    },
    "no score": {
        "en": ["you are not given a score"],
        "pl": ["nie dostajesz żadnej punktacji"],
        "ur": ["کوئی اسکور (نمبر) نہیں دیا جاتا"],
        "ar": ["لا تُعطى أي درجة"],
    },
    "an Idva is for people at high risk": {
        "en": ["for people at high risk", "safety plan", "the police and the courts"],
        "pl": ["w grupie wysokiego ryzyka", "plan bezpieczeństwa", "z policją i sądem"],
        "ur": ["زیادہ خطرے والے لوگوں", "حفاظتی منصوبہ", "پولیس اور عدالتوں"],
        "ar": ["لخطر مرتفع", "خطة أمان", "الشرطة والمحاكم"],
    },
    "a Marac is a meeting of local services": {
        "en": ["regular meeting of local", "police, health, housing, children's services"],
        "pl": ["regularne spotkanie lokalnych służb", "policja, służba zdrowia"],
        "ur": ["مقامی اداروں کی ایک باقاعدہ میٹنگ", "پولیس، صحت، رہائش، بچوں کی سروسز"],
        "ar": ["اجتماع منتظم للخدمات المحلية", "الشرطة والصحة والإسكان وخدمات الأطفال"],
    },
    "the person harming them is not told of the Marac": {
        "en": ["The person hurting you is not told about it."],
        "pl": ["Osoba, która cię krzywdzi, nie dowiaduje się o nim."],
        "ur": ["جو شخص آپ کو نقصان پہنچا رہا ہے اسے اس کے بارے میں نہیں بتایا جاتا۔"],
        "ar": ["الشخص الذي يؤذيك لا يُبلَّغ به."],
    },
    "they are told if their situation goes to a Marac": {
        "en": ["If your situation goes to a Marac, you should usually be told"],
        "pl": ["Jeśli twoja sprawa trafi do Marac, zwykle zostaniesz o tym poinformowana"],
        "ur": ["اگر آپ کا معاملہ Marac میں جاتا ہے تو عام طور پر آپ کو بتایا جانا چاہیے"],
        "ar": ["إذا عُرض وضعك على Marac، فعادةً يجب أن يتم إخبارك"],
    },
    "Engage is for staying together, when the harming person will look at changing": {
        "en": ["want to stay in their relationship", "willing to look at changing", "on their own"],
        "pl": ["chcą zostać w związku", "gotowa zastanowić się nad zmianą", "osobno"],
        "ur": [
            "اپنے رشتے یا خاندان میں رہنا چاہتے ہیں",
            "بدلنے کے بارے میں سوچنے کو تیار",
            "الگ الگ",
        ],
        "ar": ["يريدون البقاء في علاقتهم", "مستعدًا للتفكير في التغيير", "على حدة"],
    },
    "telling children's services does not mean children are taken": {
        "en": ["does not mean your children will be taken away"],
        "pl": ["nie oznacza, że twoje dzieci zostaną ci zabrane"],
        "ur": ["کا مطلب یہ نہیں کہ آپ کے بچے آپ سے لے لیے جائیں گے"],
        "ar": ["لا يعني أن أطفالك سيُؤخذون منك"],
    },
    "they can say no, and change their mind": {
        "en": ["You can say no to any of it.", "change your mind at any time"],
        "pl": ["Możesz odmówić każdej jego formy.", "W każdej chwili możesz zmienić zdanie"],
        "ur": ["آپ کسی بھی مدد سے انکار کر سکتے ہیں۔", "کسی بھی وقت اپنا ارادہ بدل سکتے ہیں"],
        "ar": ["يمكنك أن ترفض أيًّا منه.", "يمكنك تغيير رأيك في أي وقت"],
    },
}


@pytest.fixture(scope="module")
def store() -> ResourceStore:
    return ResourceStore()


def page(store: ResourceStore, locale: str) -> str:
    resource = store.get(SLUG, locale)
    assert resource is not None and resource.locale == locale, f"{locale} has no page"
    assert resource.body, f"{locale} has only a title and summary"
    # One line: a sentence may be wrapped anywhere in the file.
    return " ".join(f"{resource.title} {resource.summary} {resource.body}".split())


def shape(text: str) -> tuple[int, int]:
    """Sections and list items: the same page has the same shape in every language."""
    lines = text.splitlines()
    return (
        sum(line.startswith("## ") for line in lines),
        sum(line.startswith("- ") for line in lines),
    )


@pytest.mark.parametrize("locale", LOCALES)
def test_the_page_is_whole_in_every_language_with_the_same_sections(
    store: ResourceStore, locale: str
) -> None:
    english = store.english(SLUG)
    resource = store.get(SLUG, locale)
    assert english is not None and english.body and resource is not None and resource.body
    assert resource.locale == locale
    assert shape(resource.body) == shape(english.body)
    assert shape(english.body)[0] == 7  # arrival, contact, Idva, Marac, children, support, choices


@pytest.mark.parametrize("locale", LOCALES)
def test_every_language_names_the_roles_meetings_and_numbers(
    store: ResourceStore, locale: str
) -> None:
    text = page(store, locale).casefold()
    missing = [term for term in EVERYWHERE if term.casefold() not in text]
    assert missing == []


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("promise", sorted(PROMISES))
def test_every_language_makes_the_same_promises(
    store: ResourceStore, locale: str, promise: str
) -> None:
    text = page(store, locale)
    missing = [words for words in PROMISES[promise][locale] if words not in text]
    assert missing == [], f"{locale}: {promise}"


# The summary is all the chat shows before the link: the safe way and times, and 999.
SUMMARY_SAFE_CONTACT = {
    "en": "only in the way and at the times you said are safe",
    "pl": "tylko w sposób i w godzinach, które podano jako bezpieczne",
    "ur": "صرف اسی طریقے سے اور انہی اوقات میں جو آپ نے محفوظ بتائے ہیں",
    "ar": "فقط بالطريقة وفي الأوقات التي قلت إنها آمنة",
}


@pytest.mark.parametrize("locale", LOCALES)
def test_the_summary_says_how_contact_is_made_and_999(store: ResourceStore, locale: str) -> None:
    resource = store.get(SLUG, locale)
    assert resource is not None and resource.locale == locale
    assert SUMMARY_SAFE_CONTACT[locale] in resource.summary
    assert "999" in resource.summary


@pytest.mark.parametrize("locale", LOCALES)
def test_no_number_of_days_is_fixed_in_the_page(store: ResourceStore, locale: str) -> None:
    """The hub sets its own promise (first_contact_working_days); the page must not
    contradict it, so the only numbers on it are 999, 55 and the helpline."""
    text = page(store, locale)
    for number in ("0808 2000 247", "999", "55"):
        text = text.replace(number, "")
    assert re.findall(r"\d", text) == []


@pytest.mark.parametrize("locale", LOCALES)
def test_the_chat_keeps_the_pages_promise_of_the_exact_days(locale: str) -> None:
    # The page says the chat tells the exact number of working days after a referral.
    catalog = PROJECT_ROOT / "content" / "locales" / locale / "chat.yml"
    what_next = yaml.safe_load(catalog.read_text(encoding="utf-8"))["referral"]["what_next"]
    assert "%{days}" in what_next


def test_idva_and_marac_are_explained_where_they_are_named(store: ResourceStore) -> None:
    body = store.english(SLUG).body or ""  # type: ignore[union-attr]
    idva = next(p for p in body.split("\n\n") if p.startswith("An Idva is"))
    assert "Independent Domestic Violence Adviser" in idva and "high risk" in idva
    marac = next(p for p in body.split("\n\n") if "A Marac (" in p)
    for words in ("Multi-Agency Risk Assessment Conference", "regular meeting", "safety plan"):
        assert words in marac
    # Named before it is explained would leave a reader lost: the first mention of each
    # is in (or just before) the paragraph that explains it.
    assert body.index("Idva") >= body.index("## What an Idva is")
    assert body.index("Marac") >= body.index("## What a Marac is")


@pytest.mark.parametrize(
    "question",
    ["what is an idva", "what is a marac", "what happens after my referral", "what is triage"],
)
def test_questions_in_words_find_the_page(store: ResourceStore, question: str) -> None:
    found = store.match(question, "en")
    assert found is not None and found.slug == SLUG


def test_the_menu_offers_it_and_its_pages_stay_short_and_even(store: ResourceStore) -> None:
    offered = [slug for menu_page in store.menu_pages for slug in menu_page]
    assert SLUG in offered
    sizes = {len(menu_page) for menu_page in store.menu_pages}
    # A page of six at most fits a phone; no short page left over at the end.
    assert max(sizes) <= 6 and max(sizes) - min(sizes) <= 1


def test_other_pages_link_to_it(store: ResourceStore) -> None:
    linking = sorted(r.slug for r in store.all("en") if SLUG in r.related)
    assert {"legal-protection", "worried-about-someone", "how-abuse-affects-children"} <= set(
        linking
    )


@pytest.mark.parametrize("locale", LOCALES)
def test_people_s_own_words_teach_retrieval_in_every_language(locale: str) -> None:
    data = yaml.safe_load((EXAMPLES / f"{locale}.yml").read_text(encoding="utf-8"))
    examples = [str(text).casefold() for text in data["topics"][SLUG]]
    assert 10 <= len(examples) <= 18 and len(set(examples)) == len(examples)
    # The roles people are told about by name, asked about in their own language.
    assert any("idva" in text for text in examples)
    assert any("marac" in text for text in examples)


def test_the_facts_have_their_sources() -> None:
    sources = (PROJECT_ROOT / "docs" / "content-sources.md").read_text(encoding="utf-8")
    rows = [line for line in sources.splitlines() if SLUG in line]
    assert rows, "every fact shown to survivors needs a row with its source"
    joined = " ".join(rows)
    for words in ("Idva", "Marac", "safelives.org.uk", "2026-11-29"):
        assert words in joined


def test_the_topic_count_in_the_docs_is_the_real_one(store: ResourceStore) -> None:
    count = len(store.slugs)
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    nlu = (PROJECT_ROOT / "docs" / "nlu.md").read_text(encoding="utf-8")
    assert f"{count} topics" in readme
    assert f"across the {count} topics" in nlu
