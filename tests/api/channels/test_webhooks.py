"""The Twilio webhook with Rasa unreachable: signatures, retries, words that always work,
privacy, and degraded answers. The full conversations with Rasa are in tests/e2e/."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from twilio.request_validator import RequestValidator

from api.channels.identity import conversation_id_for
from api.channels.twiml import split_text
from api.core.config import Settings
from tests.api.channels.conftest import AUTH_TOKEN, PUBLIC, SURVIVOR, Phone


def rows(settings: Settings, table: str) -> int:
    with create_engine(settings.database_url).connect() as connection:
        return int(connection.execute(text(f"SELECT count(*) FROM {table}")).scalar() or 0)


# --- signatures -------------------------------------------------------------------------------


def test_a_signed_message_is_answered(sms_client: TestClient) -> None:
    reply = Phone(sms_client).text("he's got a knife")
    assert "<Message>" in reply and "999" in reply and "press 55" in reply


@pytest.mark.parametrize("case", ["missing", "forged", "wrong_url", "tampered_body", "wrong_token"])
def test_forged_webhooks_are_refused_and_nothing_is_stored(
    sms_client: TestClient, sms_settings: Settings, case: str
) -> None:
    phone = Phone(sms_client)
    form = phone.form("hello")
    headers = phone.signed(form)
    if case == "missing":
        headers = {}
    elif case == "forged":
        headers = {"X-Twilio-Signature": "bm90IGEgc2lnbmF0dXJl"}
    elif case == "wrong_url":
        signature = RequestValidator(AUTH_TOKEN).compute_signature(
            "http://testserver/channels/twilio/messages", form
        )
        headers = {"X-Twilio-Signature": signature}
    elif case == "tampered_body":
        form = {**form, "Body": "something else"}
    elif case == "wrong_token":
        signature = RequestValidator("not-the-token").compute_signature(
            PUBLIC + "/channels/twilio/messages", form
        )
        headers = {"X-Twilio-Signature": signature}
    response = phone.post(form, headers=headers)
    assert response.status_code == 403
    assert rows(sms_settings, "inboundmessage") == 0
    assert rows(sms_settings, "conversation") == 0


def test_without_an_auth_token_configured_everything_is_refused(tmp_path: Path, twilio) -> None:  # type: ignore[no-untyped-def]
    from api.main import create_app
    from tests.api.channels.conftest import channel_settings

    settings = channel_settings(tmp_path, twilio.url, twilio_auth_token="")
    with TestClient(create_app(settings)) as client:
        assert Phone(client).post(Phone(client).form("hello")).status_code == 403


# --- retries -----------------------------------------------------------------------------------


def test_the_same_message_sid_is_processed_and_answered_once(
    sms_client: TestClient, sms_settings: Settings
) -> None:
    phone = Phone(sms_client)
    form = phone.form("hes outside")
    first = phone.post(form)
    again = phone.post(form)
    assert "999" in first.text
    assert again.status_code == 200 and "<Message>" not in again.text
    assert rows(sms_settings, "inboundmessage") == 1


def test_the_same_message_sid_arriving_twice_at_once_is_answered_once(
    sms_client: TestClient, sms_settings: Settings
) -> None:
    """Twilio retries can overlap the first try: two requests at the same moment."""
    phone = Phone(sms_client)
    form = phone.form("hes outside")
    start = threading.Barrier(2)

    def post() -> Any:
        start.wait()
        return phone.post(form)

    with ThreadPoolExecutor(max_workers=2) as pool:
        replies = list(pool.map(lambda _: post(), range(2)))
    assert all(r.status_code == 200 for r in replies)
    assert sum("<Message>" in r.text for r in replies) == 1
    assert rows(sms_settings, "inboundmessage") == 1


# --- privacy -------------------------------------------------------------------------------------


def test_the_phone_number_is_stored_nowhere(
    sms_client: TestClient, sms_settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    phone = Phone(sms_client)
    phone.text("hello")
    phone.text("he is outside")
    database = Path(sms_settings.database_url.removeprefix("sqlite:///"))
    raw = b"".join(p.read_bytes() for p in database.parent.glob(database.name + "*"))
    for form in (SURVIVOR, SURVIVOR[1:], "7700900123"):
        assert form.encode() not in raw
        assert form not in caplog.text
    cid = conversation_id_for(SURVIVOR, "test-channel-key")
    assert cid.encode() in raw and SURVIVOR not in cid


def test_the_id_is_stable_and_keyed() -> None:
    assert conversation_id_for("+44 7700 900123", "k") == conversation_id_for("+447700900123", "k")
    assert conversation_id_for(SURVIVOR, "k") != conversation_id_for(SURVIVOR, "other key")
    assert conversation_id_for("whatsapp:" + SURVIVOR, "k").startswith("wa-")


# --- words that always work ------------------------------------------------------------------------


def test_exit_erases_and_says_how_to_delete_the_thread(
    sms_client: TestClient, sms_settings: Settings
) -> None:
    phone = Phone(sms_client)
    phone.text("he is outside")
    assert rows(sms_settings, "conversation") == 1
    reply = phone.text("EXIT")
    assert "deleted" in reply and "delete this message thread" in reply
    assert rows(sms_settings, "conversation") == 0


def test_stop_opts_out_until_start(sms_client: TestClient, sms_settings: Settings) -> None:
    phone = Phone(sms_client)
    assert "won't get any more messages" in phone.text("STOP")
    assert "<Message>" not in phone.text("hello")
    assert "<Message>" not in phone.text("menu")  # not an opt-in word: still nothing
    assert "Welcome back" in phone.text("start")
    assert "<Message>" in phone.text("he is outside")


def test_help_gives_helplines_and_999(sms_client: TestClient) -> None:
    reply = Phone(sms_client).text("HELP")
    assert "999" in reply and "0808 2000 247" in reply


def test_pictures_are_not_received(sms_client: TestClient) -> None:
    reply = Phone(sms_client).text(
        "", NumMedia="1", MediaUrl0="https://api.twilio.com/media/x", MediaContentType0="image/jpeg"
    )
    assert "Pictures" in reply and "evidence" in reply


# --- degraded, never silent, never a 5xx ----------------------------------------------------------


def test_rasa_down_still_gives_the_helpline_and_999(sms_client: TestClient) -> None:
    phone = Phone(sms_client)
    assert "999" in phone.text("hello")  # the language menu needs no Rasa
    reply = phone.text("1")
    assert "999" in reply and "0808 2000 247" in reply


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"From=%2B447700900123",
        b"MessageSid=SM1",
        b"Body=%FF%FE&From=%2B447700900123&MessageSid=SMx1",
    ],
)
def test_odd_bodies_never_get_a_5xx(sms_client: TestClient, body: bytes) -> None:
    from urllib.parse import parse_qsl

    form = dict(parse_qsl(body.decode("utf-8", errors="replace"), keep_blank_values=True))
    signature = RequestValidator(AUTH_TOKEN).compute_signature(
        PUBLIC + "/channels/twilio/messages", form
    )
    response = sms_client.post(
        "/channels/twilio/messages",
        content=body,
        headers={
            "X-Twilio-Signature": signature,
            "Content-Type": "application/x-www-form-urlencoded",
        },
    )
    assert response.status_code == 200


def test_spaces_and_control_characters_are_an_empty_message(sms_client: TestClient) -> None:
    # As by web: nothing visible is nothing to answer (and nothing is sent to Rasa).
    for body in ("", "   ", "\x00\x1b\u0085"):
        assert "<Message>" not in Phone(sms_client).text(body)


def test_ten_kilobytes_of_text_is_answered(sms_client: TestClient) -> None:
    reply = Phone(sms_client).text("word " * 2000)
    assert "<Message>" in reply


# --- splitting -------------------------------------------------------------------------------------


def test_long_replies_split_at_1600_never_mid_word() -> None:
    words = [f"word{i}" for i in range(800)]
    parts = split_text(" ".join(words))
    assert all(len(p) <= 1600 for p in parts) and len(parts) > 1
    assert " ".join(parts).split() == words


def test_stop_erases_everything_like_exit_and_still_gives_999(
    sms_client: TestClient, sms_settings: Settings
) -> None:
    phone = Phone(sms_client)
    phone.text("hello")
    phone.text("1")
    assert rows(sms_settings, "conversation") == 1
    assert rows(sms_settings, "inboundmessage") == 2

    reply = phone.text("STOP")

    assert "999" in reply and "0808 2000 247" in reply and "START" in reply
    assert rows(sms_settings, "conversation") == 0
    assert rows(sms_settings, "inboundmessage") == 0  # the records of what was texted too
    assert rows(sms_settings, "optout") == 1  # only that nothing may be sent


def test_danger_from_an_opted_out_number_is_counted_for_staff_without_words(
    sms_client: TestClient, sms_settings: Settings
) -> None:
    phone = Phone(sms_client)
    phone.text("STOP")
    assert "<Message>" not in phone.text("he is kicking the door in")  # Twilio would block it
    with create_engine(sms_settings.database_url).connect() as connection:
        counted = connection.execute(text("SELECT limit_name, subjects FROM limithit")).fetchall()
    assert counted == [("danger_after_opt_out", 1)]
