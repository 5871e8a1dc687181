"""Whole conversations through the web chat contract, against the real trained Rasa server."""

from __future__ import annotations

import httpx
import pytest

from safety import screen
from tests.e2e.conftest import Chat

pytestmark = pytest.mark.e2e


def buttons(messages: list[dict]) -> list[str]:
    return [b["payload"] for m in messages for b in m["buttons"]]


def test_opening_says_it_is_a_bot_and_asks_if_safe_then_offers_the_menu(chat: Chat) -> None:
    opening = chat.send("hello")
    said = " ".join(m["text"] for m in opening)
    assert "not a person" in said
    assert "exit" in said.lower()
    assert "safe for you to talk" in said
    assert buttons(opening) == ["/affirm", "/deny"]

    menu = chat.send("/affirm")
    assert buttons(menu)[:6] == [
        "/understand_abuse", "/safety_plan", "/get_support", "/talk_to_someone",
        "/have_reference", "/emergency",
    ]  # fmt: skip


def test_not_safe_to_talk_gives_the_way_out_and_999(chat: Chat) -> None:
    chat.send("hi")
    said = chat.said("no")
    assert "999" in said and "press 55" in said and "exit" in said.lower()
    assert "come back" in said


@pytest.mark.parametrize(
    "phrase", ["he's got a knife", "hes gonna kill me", "help me now he's here"]
)
def test_danger_gets_999_and_the_silent_solution(chat: Chat, phrase: str) -> None:
    chat.send("hello")
    said = chat.said(phrase)
    assert "999" in said and "press 55" in said and "0808 2000 247" in said


def test_rasa_second_net_catches_what_the_screen_lets_through(chat: Chat) -> None:
    chat.send("hello")
    phrase = "he is going crazy and i'm frightened"  # not a training example
    assert screen(phrase).clear  # the screen lets it through; Rasa's emergency intent catches it
    said = chat.said(phrase)
    assert "999" in said


@pytest.mark.parametrize("word", ["menu", "start again"])
def test_menu_works_from_anywhere(chat: Chat, word: str) -> None:
    chat.send("hello")
    chat.send("/affirm")
    chat.send("/get_support")
    chat.send("/for_myself")  # now inside the referral form
    assert "/understand_abuse" in buttons(chat.send(word))


def test_unrecognised_message_gets_a_kind_fallback_with_the_menu(chat: Chat) -> None:
    chat.send("hello")
    chat.send("/affirm")
    reply = chat.send("qwzx plorb")
    assert "/menu" in buttons(reply) or "/understand_abuse" in buttons(reply)


def test_exit_erases_the_rasa_tracker(chat: Chat) -> None:
    chat.send("hello")
    chat.send("/affirm")
    chat.send("what is coercive control")
    assert any(e["event"] == "user" for e in chat.tracker()["events"])
    response = chat.http.post(f"/api/chat/{chat.conversation_id}/exit")
    assert response.status_code == 204
    events = chat.tracker()["events"]
    assert not [e for e in events if e["event"] in ("user", "bot", "slot")]


def test_typed_exit_erases_the_rasa_tracker(chat: Chat) -> None:
    chat.send("hello")
    chat.send("/affirm")
    assert "deleted" in chat.said("exit")
    events = chat.tracker()["events"]
    assert not [e for e in events if e["event"] in ("user", "bot", "slot")]


def test_health_sees_rasa(chat: Chat) -> None:
    assert httpx.get(f"{chat.stack.api_url}/healthz").json()["status"] == "ok"
