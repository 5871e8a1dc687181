from __future__ import annotations

import pytest

from api.actions.validators import (
    area_status,
    contact_method_from_text,
    normalise_uk_phone,
    parse_count,
    valid_email,
)

AREA = {"postcodes": ["YO", "HG", "DL6", "DL10"], "place_names": ["North Yorkshire", "York"]}


@pytest.mark.parametrize(
    ("text", "tidy"),
    [
        ("07700 900123", "07700 900123"),
        ("07700900123", "07700 900123"),
        ("+44 7700 900123", "07700 900123"),
        ("+44 (0)7700 900123", "07700 900123"),
        ("0044 7700-900-123", "07700 900123"),
        ("01904 555000", "01904 555000"),
        ("020 7946 0000", "020 79460000"),
    ],
)
def test_uk_numbers_are_accepted_and_tidied(text: str, tidy: str) -> None:
    assert normalise_uk_phone(text) == tidy


@pytest.mark.parametrize(
    "text",
    [
        "",
        "999",
        "0770090012",
        "077009001234",
        "+1 202 555 0100",
        "0800 1111",
        "phone me",
        "07700 9OO123",
    ],
)
def test_what_is_not_a_uk_number_is_refused(text: str) -> None:
    assert normalise_uk_phone(text) is None


@pytest.mark.parametrize("text", ["jo@example.com", " sam.smith+x@mail.co.uk "])
def test_emails(text: str) -> None:
    assert valid_email(text) == text.strip()


@pytest.mark.parametrize(
    "text", ["jo@", "jo example.com", "jo@example", "a@b..com", "x" * 300 + "@a.com"]
)
def test_not_emails(text: str) -> None:
    assert valid_email(text) is None


@pytest.mark.parametrize(
    ("text", "method"),
    [
        ("text me", "text"),
        ("ring me please", "call"),
        ("whatsapp", "whatsapp"),
        ("email is best", "email"),
    ],
)
def test_contact_method_in_words(text: str, method: str) -> None:
    assert contact_method_from_text(text) == method


@pytest.mark.parametrize(
    ("text", "count"), [("2", 2), ("none", 0), ("three", 3), ("0", 0), ("lots", None)]
)
def test_counts(text: str, count: int | None) -> None:
    assert parse_count(text) == count


@pytest.mark.parametrize(
    ("text", "yes", "no", "status"),
    [
        ("YO1 7HH", False, False, "in_area"),
        ("hg1 2ab", False, False, "in_area"),
        ("DL10 4AA", False, False, "in_area"),
        # Not on the list: staff check it (lists are never complete); never a refusal.
        ("DL1 1AA", False, False, "unsure"),
        ("LS1 4AP", False, False, "unsure"),
        ("TS9 5AA", False, False, "unsure"),
        ("BD20 0AA", False, False, "unsure"),
        ("i live in York", False, False, "in_area"),
        # Whole words only: these are not York.
        ("Leeds, West Yorkshire", False, False, "unsure"),
        ("new york lol", False, False, "unsure"),
        ("yes", True, False, "in_area"),
        ("no", False, True, "out_of_area"),
        ("not sure really", False, False, "unsure"),
        ("near the coast", False, False, "unsure"),
    ],
)
def test_area(text: str, yes: bool, no: bool, status: str) -> None:
    assert area_status(text, said_yes=yes, said_no=no, **AREA) == status


@pytest.mark.parametrize(
    ("text", "tidy"),
    [
        ("my number is 07700 900123", "07700 900123"),
        ("call 01904 555000 after 6", "01904 555000"),
        ("its +44 7700 900123 thanks", "07700 900123"),
    ],
)
def test_a_number_in_a_sentence_is_found(text: str, tidy: str) -> None:
    assert normalise_uk_phone(text) == tidy


def test_an_email_in_a_sentence_is_found() -> None:
    assert valid_email("it's sam@example.org.") == "sam@example.org"
