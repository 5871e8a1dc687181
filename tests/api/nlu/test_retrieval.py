"""Topic retrieval: answer when one topic is clearly likeliest, offer two or three when
not, and never a generic list when there are candidates."""

from __future__ import annotations

import pytest

from api.nlu.retrieval import (
    Ranking,
    RetrievalSettings,
    TopicRetriever,
    decide,
    get_retriever,
)

SETTINGS = RetrievalSettings()


def ranking(*probabilities: float) -> Ranking:
    slugs = ["a", "b", "c", "d", "e"]
    return Ranking(list(zip(slugs, probabilities, strict=False)))


def test_a_clear_best_topic_is_answered_with_the_next_likeliest_beside_it() -> None:
    choice = decide(ranking(0.8, 0.1, 0.05, 0.03, 0.02), SETTINGS)
    assert choice.answer == "a"
    assert choice.also == ["b", "c"]


def test_unlikely_runners_up_are_not_offered_beside_an_answer() -> None:
    choice = decide(ranking(0.97, 0.01, 0.01, 0.005, 0.005), SETTINGS)
    assert choice.answer == "a" and choice.also == []


def test_close_topics_are_offered_as_a_choice() -> None:
    choice = decide(ranking(0.4, 0.35, 0.2, 0.03, 0.02), SETTINGS)
    assert choice.answer is None
    assert choice.candidates == ["a", "b", "c"]


def test_a_choice_always_has_at_least_two() -> None:
    choice = decide(ranking(0.6, 0.01, 0.01, 0.01, 0.01), SETTINGS)
    assert choice.answer is None and choice.candidates == ["a", "b"]


@pytest.fixture(scope="module")
def retriever() -> TopicRetriever:
    return get_retriever()


# One plain message per language for a few topics: the right topic must be among the
# three likeliest. (How often it is first is measured by make nlu-report, not asserted.)
PLAIN = [
    ("en", "he takes all my wages and gives me pocket money", "economic-abuse"),
    ("en", "i think he put an app on my phone to track me", "tech-abuse"),
    ("en", "can i get a non molestation order", "legal-protection"),
    ("pl", "mąż zabiera mi całą wypłatę i daje mi kieszonkowe", "economic-abuse"),
    ("pl", "chyba zainstalował mi coś na telefonie żeby mnie śledzić", "tech-abuse"),
    pytest.param(
        "ur",
        "mera shohar meri saari tankhwah le leta hai",
        "economic-abuse",
        # A known weakness, kept visible: romanised Urdu words the examples only have in
        # Urdu script ("tankhwah", salary) are not understood, and "shohar ... le leta
        # hai" lands on a carer taking benefits. Strict: it fails when fixed, so the mark
        # is removed then.
        marks=pytest.mark.xfail(strict=True, reason="romanised Urdu salary words"),
    ),
    ("ur", "مجھے لگتا ہے اس نے میرے فون پر ٹریکنگ ایپ ڈالی ہے", "tech-abuse"),
    ("ar", "زوجي يأخذ راتبي كله ولا يعطيني أي مال", "economic-abuse"),
    ("ar", "أظن أنه وضع برنامج على هاتفي ليتتبعني", "tech-abuse"),
]


@pytest.mark.parametrize(("locale", "text", "topic"), PLAIN)
def test_a_plain_question_finds_its_topic(
    retriever: TopicRetriever, locale: str, text: str, topic: str
) -> None:
    found = retriever.rank(text, locale)
    assert topic in found.top(3)
    assert abs(sum(p for _, p in found.topics) - 1.0) < 1e-6


def test_a_message_about_nothing_in_the_content_is_not_offered_topics(
    retriever: TopicRetriever,
) -> None:
    choice = retriever.choose("what's the weather like in leeds tomorrow", "en", unclear=True)
    assert choice.answer is None and choice.candidates == []


def test_a_question_about_abuse_is_never_left_without_candidates(retriever: TopicRetriever) -> None:
    choice = retriever.choose("is this normal", "en")
    assert choice.answer is not None or len(choice.candidates) >= 2
