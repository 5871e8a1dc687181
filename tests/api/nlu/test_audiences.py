"""Audience cues: who is writing makes sure their page is offered, and never replaces the
answer. Each language's cues are checked on messages they must and must not catch."""

from __future__ import annotations

import pytest

from api.nlu.audiences import AudienceCues, get_cues
from api.nlu.retrieval import TopicChoice

CAUGHT = [
    ("en", "im 15 and my bf gets really angry if i dont reply", "young-people"),
    ("en", "I'm 14, my boyfriend wants my passcode", "young-people"),
    ("en", "im in year 10 and my girlfriend checks my snap", "young-people"),
    ("en", "my mum's boyfriend shouts at her and i'm scared", "young-people"),
    ("en", "my dad hits my mum and i can hear it", "young-people"),
    ("en", "i'm a man, is there help for me", "male-survivors"),
    ("en", "my wife hits me when she drinks", "male-survivors"),
    ("en", "im gay and my partner threatens to out me at work", "lgbt-survivors"),
    ("en", "im 78 and my son takes my pension", "older-and-disabled-people"),
    ("en", "my husband says he will cancel my spouse visa", "migrants-and-no-recourse"),
    ("pl", "mam 15 lat i chłopak czyta moje wiadomości", "young-people"),
    ("pl", "tata bije mamę, co mam robić", "young-people"),
    ("pl", "jestem mężczyzną, żona mnie bije", "male-survivors"),
    ("pl", "mąż grozi, że zgłosi moją wizę", "migrants-and-no-recourse"),
    ("ur", "meri umar 15 hai aur mera boyfriend mujhe dhamkata hai", "young-people"),
    ("ur", "میری عمر 15 سال ہے", "young-people"),
    ("ur", "main mard hoon, meri biwi mujhe maarti hai", "male-survivors"),
    ("ur", "شوہر کہتا ہے ویزا ختم کروا دے گا", "migrants-and-no-recourse"),
    ("ar", "عمري 15 وصاحبي يتحكم فيني", "young-people"),
    ("ar", "انا رجل وزوجتي تضربني", "male-survivors"),
    ("ar", "زوجي يهددني بإلغاء إقامتي", "migrants-and-no-recourse"),
    ("ar", "عمري ستاشر وأهلي بدهم يجوزوني", "young-people"),
    ("ar", "عمري خمسة عشر", "young-people"),
    ("en", "i'm 15 years old and scared", "young-people"),
    ("en", "im 16 lol is this normal", "young-people"),
]

NOT_CAUGHT = [
    ("en", "my 15 year old punches holes in the walls"),
    ("en", "my son is 16 and he shoves me"),
    ("en", "been with him 11 yrs and i walk on eggshells"),
    ("en", "he hits me when he drinks"),
    ("en", "im 15 years into this marriage"),
    # Ages and words that are not about who is writing.
    ("en", "I'm 15 weeks pregnant and he pushed me"),
    ("en", "I'm 12 weeks pregnant, im 30"),
    ("en", "I'm 10 years older than him"),
    ("en", "I'm 15 mins away from home"),
    ("en", "im 13 stone and he calls me fat"),
    ("en", "I'm a teenager's mum and worried"),
    ("en", "I'm a child protection social worker"),
    ("en", "he's useless as a father"),
    ("en", "I'm 70 pounds lighter since I met him"),
    ("en", "I'm 99% sure he reads my texts"),
    ("pl", "powiedziałam im 15 razy, że nie chcę"),
    ("pl", "dałam im 10 minut"),
    ("pl", "mam wizytę u lekarza"),
    ("pl", "wizyty z dziećmi w weekendy są straszne"),
    ("pl", "byłam transportowana karetką"),
    ("ur", "میری عمر 35 سال ہے"),
    ("ur", "main 15 saal ki thi jab shaadi hui"),
    ("ur", "پناہ گاہ میں جگہ چاہیے"),
    ("ur", "ٹرانسپورٹ نہیں ہے"),
    ("ar", "عمري عشرين سنة"),
    ("ar", "أنا 15 سنة متزوجة"),
    ("ar", "هل هناك نساء مثلي"),
    ("ar", "كان مجرد شعور عابر"),
    ("ar", "أنا رجلي مكسورة"),
    ("ar", "أحتاج مكان إقامة آمن"),
    ("pl", "mąż zabiera mi całą wypłatę"),
    ("ur", "mera shohar mujhe ghar se bahar nahi jane deta"),
    # Levantine Arabic: "my husband takes all my salary" (معاش is a salary, not a pension)
    ("ar", "زوجي بياخد معاشي كله"),
    # Egyptian Arabic: "since the marriage he has hit me" (جواز is a marriage, not a passport)
    ("ar", "من أول الجواز وهو بيضربني"),
]


@pytest.fixture(scope="module")
def cues() -> AudienceCues:
    return get_cues()


@pytest.mark.parametrize(("locale", "text", "audience"), CAUGHT)
def test_a_message_that_says_who_is_writing_is_caught(
    cues: AudienceCues, locale: str, text: str, audience: str
) -> None:
    assert audience in cues.found(text, locale)


@pytest.mark.parametrize(("locale", "text"), NOT_CAUGHT)
def test_a_message_that_does_not_is_left_alone(cues: AudienceCues, locale: str, text: str) -> None:
    assert cues.found(text, locale) == []


def test_english_cues_are_checked_in_every_language(cues: AudienceCues) -> None:
    assert "young-people" in cues.found("jestem z Polski, im 15", "pl")


def test_a_cue_is_offered_beside_the_answer_and_never_replaces_it(cues: AudienceCues) -> None:
    choice = TopicChoice(answer="coercive-control", also=["tech-abuse", "stalking-and-harassment"])
    cued = cues.apply(choice, "im 15 and he tracks my phone", "en")
    assert cued.answer == "coercive-control"
    assert cued.also == ["young-people", "tech-abuse"]


def test_a_cue_joins_the_choices_after_the_likeliest(cues: AudienceCues) -> None:
    choice = TopicChoice(answer=None, candidates=["male-survivors", "physical-abuse", "leaving"])
    cued = cues.apply(choice, "im 15 and my dad hits my mum", "en")
    assert cued.candidates == ["male-survivors", "young-people", "physical-abuse"]


def test_a_cue_already_chosen_is_not_offered_twice(cues: AudienceCues) -> None:
    choice = TopicChoice(answer="young-people", also=["healthy-relationships"])
    assert cues.apply(choice, "im 15 and my bf is jealous", "en") == choice
    choice = TopicChoice(answer=None, candidates=["healthy-relationships", "young-people"])
    cued = cues.apply(choice, "im 15 and my bf is jealous", "en")
    assert cued.candidates == ["healthy-relationships", "young-people"]


def test_a_cue_alone_offers_nothing(cues: AudienceCues) -> None:
    """A message not about any topic ("im 15 lol") gets the kind "sorry", not pages."""
    nothing = TopicChoice(answer=None)
    assert cues.apply(nothing, "im 15 lol", "en") == nothing
