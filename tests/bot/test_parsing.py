from __future__ import annotations

import pytest

from bot.actions.parsing import parse_age


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
