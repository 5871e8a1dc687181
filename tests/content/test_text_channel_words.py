"""No message that can reach SMS or WhatsApp tells anyone to type an opt-out word or to
press a button that is not there.

By text, STOP, CANCEL, END, QUIT and UNSUBSCRIBE opt the number out (Twilio acts on them
before we see them): after that nothing reaches the person, not even an answer to a
message about danger. A key may have its own words for text (`<key>_by_text`); these are
what text channels show, and they are checked here in every language.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
import yaml

from api.core.config import PROJECT_ROOT
from api.render.renderer import BY_TEXT

LOCALES = sorted(p.name for p in (PROJECT_ROOT / "content" / "locales").iterdir() if p.is_dir())
OPT_OUT_WORD = re.compile(
    r"(?<!\w)(stop|stopall|cancel|end|quit|unsubscribe|revoke|optout)(?!\w)", re.IGNORECASE
)
NO_BUTTON_HERE = re.compile(r"red exit|exit button|czerwony przycisk|لال رنگ|الأحمر", re.IGNORECASE)


def flatten(node: dict[str, Any], prefix: str = "") -> Iterator[tuple[str, str]]:
    for key, value in node.items():
        path = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(value, dict):
            yield from flatten(value, path)
        else:
            yield path, str(value)


def shown_by_text(locale: str) -> dict[str, str]:
    """Every chat message as a text channel shows it."""
    catalog = yaml.safe_load(
        (PROJECT_ROOT / "content" / "locales" / locale / "chat.yml").read_text(encoding="utf-8")
    )
    words = dict(flatten(catalog))
    return {
        key: words.get(f"{key}{BY_TEXT}", value)
        for key, value in words.items()
        if not key.endswith(BY_TEXT)
    }


@pytest.mark.parametrize("locale", LOCALES)
def test_no_text_message_asks_for_an_opt_out_word(locale: str) -> None:
    offending = {k: v for k, v in shown_by_text(locale).items() if OPT_OUT_WORD.search(v)}
    assert offending == {}


@pytest.mark.parametrize("locale", LOCALES)
def test_no_text_message_mentions_a_button_that_is_not_there(locale: str) -> None:
    offending = {k: v for k, v in shown_by_text(locale).items() if NO_BUTTON_HERE.search(v)}
    assert offending == {}


def test_the_web_still_has_its_own_words() -> None:
    web = dict(flatten(yaml.safe_load(
        (PROJECT_ROOT / "content" / "locales" / "en" / "chat.yml").read_text(encoding="utf-8")
    )))  # fmt: skip
    assert "red Exit button" in web["intro.exit"]
    assert "Stop" in web["referral.stop"]
