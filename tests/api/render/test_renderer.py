"""Rendering message keys for a locale and a channel, with the real catalogs."""

from __future__ import annotations

from pathlib import Path

import pytest

from api.core.config import PROJECT_ROOT
from api.render.renderer import (
    MissingMessageError,
    Renderer,
    payload_for_numbered_reply,
)
from api.render.schemas import ButtonKey, MessageKey

LOCALES = PROJECT_ROOT / "content" / "locales"
HUB = {"hub_name": "the Test Hub", "hub_short_name": "Test Door"}

MENU = MessageKey(
    key="menu.prompt",
    buttons=[
        ButtonKey(key="menu.understand", payload="/understand_abuse"),
        ButtonKey(key="menu.talk", payload="/talk_to_someone"),
    ],
)


@pytest.fixture
def renderer() -> Renderer:
    return Renderer(LOCALES, HUB)


def test_web_gets_text_and_buttons(renderer: Renderer) -> None:
    messages, options = renderer.for_channel([MENU], "en", "web")
    assert [b.title for b in messages[0].buttons] == ["Understand abuse", "Talk to someone"]
    assert options == ["/understand_abuse", "/talk_to_someone"]


def test_sms_gets_numbered_options_and_no_buttons(renderer: Renderer) -> None:
    intro = MessageKey(
        key="safe_to_talk.ask", buttons=[ButtonKey(key="safe_to_talk.yes", payload="/affirm")]
    )
    messages, options = renderer.for_channel([intro, MENU], "en", "sms")
    assert all(not m.buttons for m in messages)
    assert "Reply 1 for Yes, it's safe" in messages[0].text
    # Numbering runs on across messages so each number means one thing.
    assert "Reply 2 for Understand abuse" in messages[1].text
    assert "Reply 3 for Talk to someone" in messages[1].text
    assert options == ["/affirm", "/understand_abuse", "/talk_to_someone"]


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        ("2", "/b"),
        (" 2. ", "/b"),
        ("1)", "/a"),
        ("3", None),
        ("0", None),
        ("two", None),
        ("²", None),
    ],
)
def test_numbered_reply_maps_back_to_its_payload(reply: str, expected: str | None) -> None:
    assert payload_for_numbered_reply(reply, ["/a", "/b"]) == expected


def test_hub_details_come_from_configuration(renderer: Renderer) -> None:
    assert "Test Door" in renderer.text("intro.bot", "en")


def test_a_key_no_catalog_has_is_an_error(renderer: Renderer) -> None:
    with pytest.raises(MissingMessageError):
        renderer.text("no.such.key", "en")


def test_missing_key_in_another_locale_falls_back_to_english(tmp_path: Path) -> None:
    (tmp_path / "en").mkdir()
    (tmp_path / "en" / "chat.yml").write_text(
        'greeting: "Hello"\nonly_english: "Only in English"\n'
    )
    (tmp_path / "xx").mkdir()
    (tmp_path / "xx" / "chat.yml").write_text('greeting: "Xello"\n')
    renderer = Renderer(tmp_path, {})
    assert renderer.supports("xx")
    assert renderer.text("greeting", "xx") == "Xello"
    assert renderer.text("only_english", "xx") == "Only in English"
    Renderer(LOCALES, HUB)  # put the real catalogs back for other tests
