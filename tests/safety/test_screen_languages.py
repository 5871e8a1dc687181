"""The safety screen in Polish, Urdu (script and romanised) and Arabic.

Each language has at least 30 alarming phrasings (danger, self-harm, exit) and a set of
calm ones that must stay calm. Phrasings are written as people type: with and without
accents or vowel marks, with Arabic or Western digits, mixing in English words.
"""

from __future__ import annotations

import pytest

import safety

DANGER = {
    "pl": [
        "on leje benzynę na schody",
        "wchodzi przez okno od balkonu, boję się",
        "krwawię z głowy",
        "ratunku",
        "on tu jest",
        "muszę uciekać teraz",
        "pomocy",
        "pomocy proszę",
        "pomóż mi szybko",
        "pomoz mi szybko",
        "niech ktoś mi pomoże",
        "zadzwońcie po policję",
        "zadzwon na policje",
        "wezwij karetkę",
        "potrzebuję policji",
        "on jest pod drzwiami",
        "mąż jest w domu i krzyczy, on jest tutaj",
        "ma nóż",
        "on ma noz",
        "wyciągnął nóż",
        "chce mnie zabić",
        "zaraz mnie zabije",
        "on mnie dusi",
        "bije mnie teraz",
        "zamknął mnie w łazience",
        "nie pozwala mi wyjść",
        "nie mogę teraz mówić",
        "nie moge oddychac",
        "krwawię",
        "zabije mnie dzisiaj",
        "jestem w niebezpieczeństwie teraz",
        "boję się, że mnie zabije",
        "999",
        "jest bardzo agresywny teraz",
        "on mnie szuka",
        "nie czuję się teraz bezpiecznie",
        "pomoc w nagłej sytuacji",
        "dzwoń na policję",
        "muszę zadzwonić na policję",
        "on mnie bije",
        "boję się o życie",
        "on się dobija do drzwi",
        "on wyłamuje drzwi",
        "boję się, że mnie dziś skrzywdzi",
        "on mi grozi",
        "wrócił i jest pijany",
        "krzyczy i rzuca rzeczami",
        "on mnie teraz bije",
    ],
    "ur": [
        "usne ghar mein petrol chirak diya",
        "uske haath mein churi hai",
        "mera khoon beh raha hai",
        "بچاؤ",
        "مجھے بچاؤ",
        "مجھے بچائیں",
        "پولیس کو بلاؤ",
        "پولیس بلائیں",
        "مجھے پولیس چاہیے",
        "وہ باہر ہے",
        "میرا شوہر دروازے پر ہے",
        "اس کے پاس چھری ہے",
        "اس کے ہاتھ میں چاقو",
        "وہ مجھے مار رہا ہے",
        "گلا دبا رہا ہے",
        "میں بات نہیں کر سکتی",
        "سانس نہیں لے سکتی",
        "مجھے کمرے میں بند کر دیا",
        "خون بہہ رہا ہے",
        "مجھے جان سے مار دے گا آج رات",
        "میں ابھی خطرے میں ہوں",
        "مدد کرو",
        "mujhe bachao",
        "bachaao",
        "police bulao",
        "madad karo jaldi",
        "woh bahar hai",
        "uske paas churi hai",
        "mujhe maar raha hai",
        "main baat nahi kar sakti",
        "main abhi khatre mein hun",
        "۹۹۹",
        "وہ گھر آ گیا ہے",
        "woh ghar aa gaya hai",
        "ایمرجنسی",
        "ہنگامی مدد",
        "emergency hai",
        "وہ مجھے مارے گا",
        "woh mujhe maarega",
        "مجھے ابھی بھاگنا ہے",
        "وہ مجھے دھمکی دے رہا ہے",
        "mujhe foran madad chahiye",
        "میں بہت ڈری ہوئی ہوں وہ آ رہا ہے",
        "وہ مجھے ابھی مار رہا ہے",
        "اس نے چاقو اٹھا لیا ہے",
    ],
    "ar": [
        "معاه سكينة وعم يهددني",
        "كب بنزين بالبيت",
        "راسي عم ينزف",
        "النجدة",
        "طوارئ",
        "ساعدوني",
        "ساعدني بسرعة",
        "أنقذوني",
        "انقذوني",
        "اتصلوا بالشرطة",
        "اطلبوا الإسعاف",
        "احتاج الشرطة",
        "زوجي عند الباب",
        "هو هنا",
        "معه سكين",
        "بيده مسدس",
        "سيقتلني الليلة",
        "يحاول قتلي",
        "يخنقني",
        "يضربني الآن",
        "لا أستطيع الكلام",
        "لا استطيع التنفس",
        "حبسني في الغرفة",
        "لا يسمح لي بالخروج",
        "أنا أنزف",
        "انا في خطر الان",
        "لا أشعر بالأمان الآن",
        "سيقتلني",
        "٩٩٩",
        "أحتاج مساعدة فورا",
        "يجب أن أهرب الآن",
        "هو عنيف جدا الآن",
        "ساعدوني هو هون",
        "أنا بخطر هلأ",
        "يصرخ ويكسر الأشياء",
        "أخاف أن يؤذيني الليلة",
        "يبحث عني",
        "رجع وهو سكران",
        "مساعدة طارئة",
        "يهددني الآن",
    ],
}

SELF_HARM = {
    "pl": [
        "znowu się tnę",
        "mam odłożone tabletki",
        "chcę umrzeć",
        "chce umrzec",
        "nie chcę już żyć",
        "zabiję się",
        "mam myśli samobójcze",
        "tnę się",
        "przedawkowałam",
        "nie ma sensu żyć",
        "wszystkim byłoby lepiej beze mnie",
        "nie widzę sensu życia",
        "chcę zrobić sobie krzywdę",
        "mam dość życia",
        "nie mam po co żyć",
        "myślę o odebraniu sobie życia",
        "chcę ze sobą skończyć",
        "myślę, żeby się zabić",
        "chcę to wszystko skończyć",
    ],
    "ur": [
        "ab jeene ka dil nahi karta",
        "main khud ko cut kar rahi hoon",
        "میں مرنا چاہتی ہوں",
        "خودکشی کرنا چاہتی ہوں",
        "جینا نہیں چاہتی",
        "خود کو نقصان پہنچا رہی ہوں",
        "marna chahti hun",
        "khudkushi kar lungi",
        "زندگی کا کوئی فائدہ نہیں",
        "میں زندہ نہیں رہنا چاہتی",
        "میں خود کو نقصان پہنچانا چاہتی ہوں",
        "سب کچھ ختم کرنا چاہتی ہوں",
        "zinda nahi rehna",
        "zindagi se tang aa gayi hoon",
        "میں خود کو مارنا چاہتی ہوں",
    ],
    "ar": [
        "ما عاد بدي عيش",
        "جمعت حبوب كتير",
        "أريد أن أموت",
        "اريد ان انتحر",
        "سأنتحر",
        "سأقتل نفسي",
        "أفكر في الانتحار",
        "لا أريد أن أعيش",
        "أجرح نفسي",
        "لا فائدة من الحياة",
        "لا أريد العيش",
        "ما في سبب أعيش",
        "أفكر أن أقتل نفسي",
        "سأؤذي نفسي",
        "بدي موت",
        "ما بدي عيش",
        "لم أعد أريد الحياة",
        "الموت أحسن من هيك",
        "الكل أفضل بدوني",
        "تعبت من الحياة",
        "أريد أن أنهي كل شيء",
    ],
}

EXIT = {
    "pl": ["wyjdź", "wyjdz", "usuń czat", "usun wszystko", "skasuj", "zamknij czat"],
    "ur": ["باہر", "باہر نکلیں", "مٹا دیں", "چیٹ مٹائیں", "bahar", "mitao"],
    "ar": ["خروج", "اخرج", "احذف المحادثة", "امسح كل شيء", "أغلق المحادثة", "احذف"],
}

CALM = {
    "pl": [
        "dzień dobry",
        "co to jest kontrola przymusowa?",
        "szukam pomocy dla siostry",
        "chcę zrobić plan bezpieczeństwa",
        "jak mogę usunąć historię przeglądarki?",
        "czy to jest przemoc, jeśli mnie kiedyś bił?",
        "dziękuję",
        "jak działa zakaz zbliżania się?",
        "mój mąż bywa agresywny",
        "był agresywny rok temu",
        "grozi mi utrata pracy",
        "zadzwonię do mamy",
        "mam dość tej pracy",
    ],
    "ur": [
        "السلام علیکم",
        "گھریلو تشدد کیا ہے؟",
        "میں اپنی بہن کے لیے معلومات چاہتی ہوں",
        "حفاظتی منصوبہ بنانا ہے",
        "شکریہ",
        "salam",
        "mujhe maloomat chahiye",
        "وہ کل گھر آیا تھا",
        "وہ کل آیا تھا",
    ],
    "ar": [
        "كان يخنقني بس هذا قبل سنين، هلأ أنا بأمان",
        "مرحبا",
        "ما هو العنف الأسري؟",
        "أبحث عن معلومات لأختي",
        "أريد وضع خطة أمان",
        "كيف أحذف سجل المتصفح؟",
        "شكرا",
        "هل هذا طبيعي؟",
        "زوجي في العمل",
        "كان عنيفا قبل سنة",
        "أريد أن أنهي العلاقة",
        "أفكر أن أتركه",
        "هددني قبل سنة",
        "يهددني بالطلاق وأخذ الأطفال",
    ],
}


def cases(corpus: dict[str, list[str]]) -> list[tuple[str, str]]:
    return [(locale, text) for locale, texts in corpus.items() for text in texts]


@pytest.mark.parametrize(("locale", "message"), cases(DANGER))
def test_danger_is_caught_in_each_language(locale: str, message: str) -> None:
    assert safety.screen(message, locale).emergency, message


@pytest.mark.parametrize(("locale", "message"), cases(SELF_HARM))
def test_self_harm_is_caught_in_each_language(locale: str, message: str) -> None:
    assert safety.screen(message, locale).self_harm, message


@pytest.mark.parametrize(("locale", "message"), cases(EXIT))
def test_exit_words_work_in_each_language(locale: str, message: str) -> None:
    assert safety.screen(message, locale).exit, message


@pytest.mark.parametrize(("locale", "message"), cases(CALM))
def test_ordinary_talk_stays_calm_in_each_language(locale: str, message: str) -> None:
    assert safety.screen(message, locale).clear, message


@pytest.mark.parametrize(("locale", "message"), cases(DANGER)[::5])
def test_danger_is_caught_before_the_language_is_chosen(locale: str, message: str) -> None:
    """A first message in Polish, Urdu or Arabic arrives in an English conversation."""
    assert safety.screen(message, "en").emergency, message


def test_each_language_has_at_least_thirty_alarming_phrasings() -> None:
    for locale in ("pl", "ur", "ar"):
        alarming = DANGER[locale] + SELF_HARM[locale] + EXIT[locale]
        assert len(alarming) >= 30, locale
        assert locale in safety.available_locales()


def test_accents_and_vowel_marks_do_not_hide_danger() -> None:
    assert safety.screen("zabiję cię... on mnie DUSI", "pl").emergency
    assert safety.screen("مُجھے بَچاؤ", "ur").emergency  # with vowel marks
    assert safety.screen("يُحاوِل قَتْلي", "ar").emergency


def test_mixed_scripts_are_screened_with_every_language() -> None:
    """Languages whose rules cannot match a script are skipped, never one that can."""
    assert safety.screen("please help, معه سكين", "en").emergency
    assert safety.screen("وہ باہر ہے call the police", "ur").emergency
    assert safety.screen("mujhe bachao", "ar").emergency  # romanised Urdu, in Latin letters
    assert safety.scripts_of("معه knife") == {"arabic", "latin"}
