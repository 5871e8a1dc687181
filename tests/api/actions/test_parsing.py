from __future__ import annotations

import pytest

from api.actions.parsing import (
    ChildrenAnswer,
    clear_answer,
    means_done,
    needs_in_text,
    parse_age,
    parse_children,
    partly_yes,
    situation_in_text,
)


@pytest.mark.parametrize(
    ("text", "age"),
    [
        ("16", 16), ("i'm 17", 17), ("17 years old", 17), ("seventeen", 17),
        ("twenty two", 22), ("twenty-two", 22), ("45", 45), (30, 30), (30.0, 30),
    ],
)  # fmt: skip
def test_reads_ages(text: object, age: int) -> None:
    assert parse_age(text) == age


@pytest.mark.parametrize("text", ["", "banana", "0", "200", "16 or 17", None, True, ["16"]])
def test_refuses_what_is_not_an_age(text: object) -> None:
    assert parse_age(text) is None


# --- answers as people type them (content/answer_words.yml) --------------------------------------


@pytest.mark.parametrize(
    ("text", "locale", "answer"),
    [
        ("2", "en", ChildrenAnswer(2)),
        ("two, aged 4 and 7", "en", ChildrenAnswer(2, "4 and 7")),
        ("2 kids", "en", ChildrenAnswer(2)),
        ("just the one", "en", ChildrenAnswer(1)),
        ("none", "en", ChildrenAnswer(0)),
        ("no kids", "en", ChildrenAnswer(0)),
        ("3 kids 5 7 and 9", "en", ChildrenAnswer(3, "5, 7, 9")),
        ("dwoje", "pl", ChildrenAnswer(2)),
        ("do bachay hain", "ur", ChildrenAnswer(2)),
        ("عندي طفلين", "ar", ChildrenAnswer(2)),
        ("٣", "ar", ChildrenAnswer(3)),
    ],
)
def test_how_many_children_in_natural_words(text: str, locale: str, answer: ChildrenAnswer) -> None:
    assert parse_children(text, locale) == answer


@pytest.mark.parametrize("text", ["lots", "banana", "i have 25", "", "why?"])
def test_no_number_of_children_is_guessed(text: str) -> None:
    assert parse_children(text) is None


def test_several_needs_in_one_answer() -> None:
    assert needs_in_text("housing and money") == ["housing", "money"]
    assert needs_in_text("help with my kids and debts") == ["money", "children"]
    assert needs_in_text("mieszkanie i pieniadze", "pl") == ["housing", "money"]
    assert needs_in_text("the weather") == []


@pytest.mark.parametrize(
    ("text", "locale"), [("no", "en"), ("that's all", "en"), ("bas", "ur"), ("خلاص", "ar")]
)
def test_thats_all_ends_the_needs(text: str, locale: str) -> None:
    assert means_done(text, locale)


@pytest.mark.parametrize(
    ("text", "locale", "meaning"),
    [
        ("ok go on", "en", True),
        ("yes please", "en", True),
        ("yes i am", "en", True),
        ("send it", "en", True),
        ("no thanks", "en", False),
        ("no he hasn't", "en", False),
        ("tak, zgadzam się", "pl", True),
        ("جی ہاں", "ur", True),
        ("لا شكرا", "ar", False),
        ("i dont know", "en", None),
        ("no don't leave messages on it because he checks", "en", None),
        ("banana", "en", None),
    ],
)
def test_a_clear_yes_or_no(text: str, locale: str, meaning: bool | None) -> None:
    assert clear_answer(text, locale) is meaning


def test_partly_yes_to_a_risk_question() -> None:
    assert partly_yes("sometimes") and partly_yes("once") and partly_yes("it's got worse")
    assert not partly_yes("no")


def test_situations_in_words() -> None:
    assert situation_in_text("we split up") == "separated"
    assert situation_in_text("we don't live together") == "together_not_living"
    assert situation_in_text("we live together") == "living_together"
    assert situation_in_text("it's complicated") is None
