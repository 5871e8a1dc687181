from __future__ import annotations

import pytest

from safety import redact


@pytest.mark.parametrize(
    "text",
    [
        "call 07700 900123",
        "+44 7700 900123",
        "(01904) 557491",
        "07700900123",
        "jo@example.org",
        "j.o+x@mail.co.uk",
    ],
)
def test_phone_numbers_and_emails_are_removed(text: str) -> None:
    cleaned = redact(text)
    assert "900123" not in cleaned and "557491" not in cleaned and "@" not in cleaned


@pytest.mark.parametrize("text", ["HTTP/1.1 200", "took 12.5ms", "age 17", "conversation=abc123"])
def test_ordinary_numbers_stay(text: str) -> None:
    assert redact(text) == text
