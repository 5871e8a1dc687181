"""Choosing a language by SMS: the first-message menu, a number or a name, and the word
"language" in any language. Rasa is down in these tests, which shows the language plumbing
works without it and every answer still carries 999."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from api.channels.words import Command, get_channel_words
from api.conversations.models import Conversation
from tests.api.channels.conftest import Phone


def test_the_first_sms_gets_the_language_menu_in_every_language(sms_client: TestClient) -> None:
    reply = Phone(sms_client).text("hello")
    for welcome in ("automated chat assistant", "automatycznym", "خودکار", "آلي"):
        assert welcome in reply
    assert "999" in reply
    assert "Reply 2 for Polski" in reply and "Reply 4 for العربية" in reply


def test_a_number_chooses_the_language_and_it_is_remembered(sms_client: TestClient) -> None:
    phone = Phone(sms_client)
    phone.text("hi")
    reply = phone.text("3")  # Urdu; Rasa is down, so the helpline, in Urdu
    assert "ہیلپ لائن" in reply and "999" in reply
    engine = sms_client.app.state.engine  # type: ignore[attr-defined]
    with Session(engine) as db_session:
        conversation = db_session.exec(select(Conversation)).one()
        assert conversation.locale == "ur"
    assert "ہیلپ لائن" in phone.text("how are you")  # still Urdu


def test_a_language_typed_by_name_at_the_start(sms_client: TestClient) -> None:
    phone = Phone(sms_client)
    phone.text("hello")
    assert "Przepraszam" in phone.text("polski")  # Rasa is down: the Polish helpline


def test_danger_in_the_first_message_comes_before_any_menu(sms_client: TestClient) -> None:
    """...and in the language it was written in, which becomes the conversation's."""
    phone = Phone(sms_client)
    reply = phone.text("النجدة")
    assert "999" in reply and "55" in reply
    assert "اتصل بالرقم" in reply  # "call", in Arabic
    assert "Reply 2 for Polski" not in reply
    engine = sms_client.app.state.engine  # type: ignore[attr-defined]
    with Session(engine) as db_session:
        assert db_session.exec(select(Conversation)).one().locale == "ar"


@pytest.mark.parametrize("word", ["language", "Język", "jezyk", "زبان", "zaban", "لغة"])
@pytest.mark.parametrize("locale", ["en", "pl", "ur", "ar"])
def test_the_language_word_works_in_any_language(word: str, locale: str) -> None:
    assert get_channel_words().command(word, locale) is Command.LANGUAGE


@pytest.mark.parametrize(
    ("word", "command"),
    [
        ("wyjdź", Command.EXIT),
        ("مٹائیں", Command.EXIT),
        ("احذف", Command.EXIT),
        ("STOP", Command.OPT_OUT),
    ],
)
def test_exit_and_stop_work_before_a_language_is_chosen(word: str, command: Command) -> None:
    assert get_channel_words().command(word, "en") is command
