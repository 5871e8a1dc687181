"""The web chat can never reach an SMS or WhatsApp conversation.

The attack this replays: someone who knows a survivor's number computes the SMS
conversation id and posts it to the web chat, to read the conversation (a referral's
summary in progress), continue it, erase it, or learn that the number ever texted.
"""

from __future__ import annotations

from datetime import datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from api.channels.identity import conversation_id_for
from api.core.config import Settings
from tests.api.channels.conftest import SURVIVOR, Phone

SEND = "/api/chat/messages"


def last_active(settings: Settings, conversation_id: str) -> datetime | None:
    with create_engine(settings.database_url).connect() as connection:
        value = connection.execute(
            text("SELECT last_active_at FROM conversation WHERE id = :id"), {"id": conversation_id}
        ).scalar()
    return value  # type: ignore[no-any-return]


@pytest.mark.parametrize("address", [SURVIVOR, f"whatsapp:{SURVIVOR}"])
def test_a_computed_channel_id_is_answered_as_an_unknown_one(
    sms_client: TestClient, sms_settings: Settings, address: str
) -> None:
    Phone(sms_client, address).text("hello")
    channel_id = conversation_id_for(address, sms_settings.channel_id_key.get_secret_value())
    before = last_active(sms_settings, channel_id)
    assert before is not None, "the SMS conversation exists"

    stolen = sms_client.post(SEND, json={"conversation_id": channel_id, "text": "hello"})
    unknown = sms_client.post(SEND, json={"conversation_id": "u" * 43, "text": "hello"})

    assert stolen.status_code == unknown.status_code == 200
    assert stolen.json()["conversation_id"] != channel_id
    assert stolen.json()["messages"] == unknown.json()["messages"]
    assert last_active(sms_settings, channel_id) == before, "the SMS conversation was not touched"


def test_the_web_exit_cannot_erase_a_channel_conversation(
    sms_client: TestClient, sms_settings: Settings
) -> None:
    Phone(sms_client).text("hello")
    channel_id = conversation_id_for(SURVIVOR, sms_settings.channel_id_key.get_secret_value())

    response = sms_client.post(f"/api/chat/{channel_id}/exit")

    assert response.status_code == 204
    assert last_active(sms_settings, channel_id) is not None


def test_a_web_conversation_goes_on_and_its_exit_still_erases(
    sms_client: TestClient, sms_settings: Settings
) -> None:
    first = sms_client.post(SEND, json={"text": "hello"}).json()["conversation_id"]
    again = sms_client.post(SEND, json={"conversation_id": first, "text": "hello"})
    assert again.json()["conversation_id"] == first

    assert sms_client.post(f"/api/chat/{first}/exit").status_code == 204
    assert last_active(sms_settings, first) is None
