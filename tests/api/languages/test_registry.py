"""Which language a browser, a button or a typed word chooses."""

from __future__ import annotations

import pytest

from api.languages.registry import get_languages


@pytest.mark.parametrize(
    ("header", "chosen"),
    [
        ("ar", "ar"),
        ("ar-EG,ar;q=0.9,en;q=0.8", "ar"),
        ("pl-PL, pl;q=0.9, en-GB;q=0.8", "pl"),
        ("fr-FR, ur;q=0.7, en;q=0.5", "ur"),  # French is not offered: the next choice
        ("en;q=0.2, pl;q=0.9", "pl"),  # by quality, not by order
        ("de, fr", None),
        ("", None),
        (None, None),
        ("pl;q=0", None),  # q=0 means "not this"
        ("ar;q=abc, pl", "pl"),  # a malformed item is ignored, not fatal
        ("*", None),
        (",,,;;;" * 100, None),
    ],
)
def test_accept_language(header: str | None, chosen: str | None) -> None:
    assert get_languages().from_accept_language(header) == chosen


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("Polski", "pl"),
        ("po polsku!", "pl"),
        ("اردو", "ur"),
        ("Urdu", "ur"),
        ("العربية", "ar"),
        ("عربي", "ar"),
        ("English", "en"),
        ("ur", None),  # text-speak for "your", not a language
        ("I speak Polish at home", None),  # a sentence is not a choice
    ],
)
def test_a_language_typed_by_name(typed: str, code: str | None) -> None:
    assert get_languages().named_in(typed) == code


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        ('/choose_language{"language":"ur"}', "ur"),
        ('/greet{"language":"pl"}', "pl"),
        ('/choose_language{"language":"xx"}', None),
        ('/choose_language{"language":["ar"]}', None),
        ("/choose_language{not json}", None),
        ('/affirm{"language":"ar"}', None),  # only the intents that choose a language
        ("choose arabic", None),
    ],
)
def test_a_language_chosen_by_payload(payload: str, code: str | None) -> None:
    assert get_languages().chosen_by_payload(payload) == code
