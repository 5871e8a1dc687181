"""Numbers stay readable in right-to-left text."""

from __future__ import annotations

from pathlib import Path

from api.render.bidi import LEFT_TO_RIGHT_ISOLATE as LRI
from api.render.bidi import NO_BREAK_SPACE as NBSP
from api.render.bidi import POP_DIRECTIONAL_ISOLATE as PDI
from api.render.bidi import isolate_left_to_right
from api.render.renderer import Renderer
from api.render.schemas import MessageKey

LOCALES = Path(__file__).resolve().parents[3] / "content" / "locales"


def test_numbers_links_and_references_are_isolated() -> None:
    text = "اتصل بالرقم 0808 2000 247 أو 999. المرجع FD-7KQ2-9XMA. /resources/leaving?lang=ar"
    isolated = isolate_left_to_right(text)
    assert f"{LRI}0808{NBSP}2000{NBSP}247{PDI}" in isolated  # one unit, never wrapped
    assert f"{LRI}999{PDI}" in isolated
    assert f"{LRI}FD-7KQ2-9XMA{PDI}" in isolated
    assert f"{LRI}/resources/leaving?lang=ar{PDI}" in isolated
    assert isolated.replace(LRI, "").replace(PDI, "").replace(NBSP, " ") == text


def test_only_right_to_left_messages_are_isolated() -> None:
    renderer = Renderer(LOCALES, {"hub_name": "Hub", "hub_short_name": "Hub"})
    arabic = renderer.message(MessageKey(key="emergency.helpline"), "ar").text
    polish = renderer.message(MessageKey(key="emergency.helpline"), "pl").text
    assert f"{LRI}0808{NBSP}2000{NBSP}247{PDI}" in arabic
    assert LRI not in polish and "0808 2000 247" in polish


def test_numbered_options_are_isolated_in_urdu() -> None:
    renderer = Renderer(LOCALES, {"hub_name": "Hub", "hub_short_name": "Hub"})
    menu = MessageKey(key="menu.prompt", buttons=[{"key": "menu.talk", "payload": "/t"}])
    rendered, options = renderer.for_channel([menu], "ur", "sms")
    assert options == ["/t"]
    assert f"{LRI}1{PDI}" in rendered[0].text
