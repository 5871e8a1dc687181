"""A live chat by SMS and WhatsApp, over signed webhooks: the survivor's texts go to the
worker while live, the worker's words go out through Twilio (a stand-in here), and on
WhatsApp nothing is sent outside the 24-hour window; the number is held, encrypted, only
while the chat is open."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from api.channels.identity import conversation_id_for
from api.channels.models import InboundMessage
from api.conversations import service as conversations
from api.core.clock import utcnow
from api.core.config import Settings
from api.live import service as live
from api.live.models import LiveChat
from api.live.present import for_survivor
from api.main import create_app
from api.referrals.outbound import LiveTexts, NotSent
from tests.api.channels.conftest import SURVIVOR, Phone, channel_settings
from tests.conftest import live_hub_file
from tests.stand_ins import TwilioStandIn

WHATSAPP = "whatsapp:+447700900456"


@pytest.fixture
def sms_settings(tmp_path: Path, twilio: TwilioStandIn) -> Settings:
    return channel_settings(tmp_path, twilio.url, hub_config_file=live_hub_file(tmp_path))


@pytest.fixture
def sms_client(sms_settings: Settings) -> TestClient:
    with TestClient(create_app(sms_settings)) as client:
        yield client  # type: ignore[misc]


def live_chat_for(client: TestClient, address: str) -> LiveChat:
    """Queue the number's conversation (as the assistant's action does) and take it."""
    app = client.app
    cid = conversation_id_for(address, "test-channel-key")
    with Session(app.state.engine) as db_session:  # type: ignore[attr-defined]
        chat = live.enqueue(db_session, conversation_id=cid, channel="sms", locale="en")
        assert chat is not None
        live.claim(db_session, chat.id, worker_id="w", worker_name="Sam", max_chats=2)
        db_session.refresh(chat)
        db_session.expunge(chat)
        return chat


def held(client: TestClient, chat_id: str) -> LiveChat:
    with Session(client.app.state.engine) as db_session:  # type: ignore[attr-defined]
        chat = db_session.get(LiveChat, chat_id)
        assert chat is not None
        db_session.expunge(chat)
        return chat


def test_texts_go_to_the_worker_and_the_workers_words_go_out_by_sms(
    sms_client: TestClient, twilio: TwilioStandIn
) -> None:
    phone = Phone(sms_client)
    phone.text("hello")
    chat = live_chat_for(sms_client, SURVIVOR)
    reply = phone.text("are you a real person")
    assert "<Message>" not in reply  # no answer from the assistant: the worker has it
    chat = held(sms_client, chat.id)
    assert chat.address and SURVIVOR not in chat.address  # held, encrypted
    app = sms_client.app
    with Session(app.state.engine) as db_session:  # type: ignore[attr-defined]
        message = live.add_message(
            db_session,
            chat,
            sender="worker",
            kind="text",
            cipher=app.state.cipher,
            text="Hi, I'm Sam",  # type: ignore[attr-defined]
        )
        texts = [
            m.text for m in for_survivor(message, chat, app.state.renderer, app.state.cipher, "sms")
        ]  # type: ignore[attr-defined]
        app.state.live_texts.send(db_session, sealed_address=chat.address, texts=texts)  # type: ignore[attr-defined]
    assert twilio.sent[-1]["To"] == SURVIVOR and twilio.sent[-1]["Body"] == "Sam: Hi, I'm Sam"
    # When the chat ends the number is no longer held.
    with Session(app.state.engine) as db_session:  # type: ignore[attr-defined]
        live.finish(db_session, held(sms_client, chat.id), "ended")
    assert held(sms_client, chat.id).address is None


def test_danger_by_text_during_a_live_chat_is_answered_at_once(sms_client: TestClient) -> None:
    phone = Phone(sms_client)
    phone.text("hello")
    chat = live_chat_for(sms_client, SURVIVOR)
    reply = phone.text("he's got a knife")
    assert "999" in reply
    assert "emergency" in held(sms_client, chat.id).flags


def test_exit_by_text_during_a_live_chat_erases_it(sms_client: TestClient) -> None:
    phone = Phone(sms_client)
    phone.text("hello")
    chat = live_chat_for(sms_client, SURVIVOR)
    phone.text("hello worker")
    phone.text("EXIT")
    with Session(sms_client.app.state.engine) as db_session:  # type: ignore[attr-defined]
        assert db_session.get(LiveChat, chat.id) is None


def test_nothing_goes_on_whatsapp_outside_the_24_hour_window(sms_client: TestClient) -> None:
    phone = Phone(sms_client, WHATSAPP)
    phone.text("hello")
    chat = live_chat_for(sms_client, WHATSAPP)
    phone.text("are you there")
    chat = held(sms_client, chat.id)
    sender: LiveTexts = sms_client.app.state.live_texts  # type: ignore[attr-defined]
    with Session(sms_client.app.state.engine) as db_session:  # type: ignore[attr-defined]
        assert sender.send(db_session, sealed_address=chat.address, texts=["inside"]) == 1
        for row in db_session.exec(select(InboundMessage)).all():
            row.received_at = utcnow() - timedelta(hours=25)
            db_session.add(row)
        db_session.commit()
        with pytest.raises(NotSent, match="24-hour"):
            sender.send(db_session, sealed_address=chat.address, texts=["outside"])


def test_a_number_during_a_live_chat_is_words_for_the_worker_not_an_old_option(
    sms_client: TestClient,
) -> None:
    phone = Phone(sms_client)
    phone.text("hello")  # answered with the numbered language menu
    chat = live_chat_for(sms_client, SURVIVOR)
    phone.text("1")
    app = sms_client.app
    with Session(app.state.engine) as db_session:  # type: ignore[attr-defined]
        said = live.messages_after(db_session, chat.id, 0, ("survivor",))
        assert [live.words_of(m, app.state.cipher) for m in said] == ["1"]  # type: ignore[attr-defined]
    # MENU offers only leaving the chat; then "1" leaves it.
    assert "Sam" in phone.text("MENU")
    assert "deleted" in phone.text("1")
    assert held(sms_client, chat.id).status == "left"


def test_waiting_by_text_when_the_hub_closes_gets_the_helpline_by_text(
    tmp_path: Path, twilio: TwilioStandIn
) -> None:
    """Never silence: the queue check tells someone waiting by SMS, by SMS."""
    settings = channel_settings(
        tmp_path,
        twilio.url,
        hub_config_file=live_hub_file(tmp_path, never_open=True),
        live_queue_check_seconds=0.2,
    )
    with TestClient(create_app(settings)) as client:
        app = client.app
        Phone(client).text("hello")
        cid = conversation_id_for(SURVIVOR, "test-channel-key")
        with Session(app.state.engine) as db_session:  # type: ignore[attr-defined]
            live.enqueue(db_session, conversation_id=cid, channel="sms", locale="en")
            live.hold_address(db_session, cid, app.state.live_texts.seal(SURVIVOR))  # type: ignore[attr-defined]
        deadline = utcnow() + timedelta(seconds=10)
        while not twilio.sent and utcnow() < deadline:
            time.sleep(0.1)
        with Session(app.state.engine) as db_session:  # type: ignore[attr-defined]
            chat = live.chat_of(db_session, cid)
            assert chat is not None and chat.status == "timed_out" and chat.address is None
            # "1" now picks what the text offered: asking the hub to contact them.
            conversation = conversations.get(db_session, cid)
            assert conversation is not None
            offered = conversations.options_of(conversation, app.state.cipher, timedelta(hours=1))  # type: ignore[attr-defined]
            assert offered == ["/get_support", "/menu"]
    bodies = " ".join(sent["Body"] for sent in twilio.sent)
    assert {sent["To"] for sent in twilio.sent} == {SURVIVOR}
    assert "nobody from the hub is free" in bodies and "0808 2000 247" in bodies
