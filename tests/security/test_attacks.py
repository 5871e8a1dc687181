"""Attacks found on a running instance, replayed against the real stack (trained Rasa, the
API, real HTTP). Each test is the attack; it passes only while the hole stays closed."""

from __future__ import annotations

import sqlite3
import stat
from pathlib import Path

import httpx
import pytest

from api.channels.identity import conversation_id_for
from api.rasa.client import WEBHOOK_PATH
from scripts.stack import Stack
from tests.e2e.test_sms import Phone

pytestmark = pytest.mark.e2e

PLACEHOLDER_KEY = "change-me-channel-id-key"  # what the key defaulted to before


def user_events(stack: Stack, conversation_id: str) -> int:
    response = httpx.get(
        f"{stack.rasa_url}/conversations/{conversation_id}/tracker",
        params={"token": stack.rasa_token},
        timeout=30,
    )
    return sum(1 for event in response.json()["events"] if event["event"] == "user")


# --- 1. taking over a survivor's SMS conversation from the web chat ---------------------------


def test_an_sms_conversation_cannot_be_read_continued_or_erased_from_the_web(
    stack: Stack,
) -> None:
    survivor = "+447700900991"
    phone = Phone(stack, survivor)
    reply = phone.said("hello")
    phone.choose(reply, "English")
    real_id = conversation_id_for(survivor, stack.channel_id_key)
    held = user_events(stack, real_id)
    assert held >= 1

    # The abuser knows the number; the old placeholder key no longer gives the id...
    assert conversation_id_for(survivor, PLACEHOLDER_KEY) != real_id
    # ...and even the real id (a leaked key) reaches nothing from the web.
    with httpx.Client(base_url=stack.api_url, timeout=30) as web:
        taken = web.post("/api/chat/messages", json={"conversation_id": real_id, "text": "yes"})
        assert taken.status_code == 200
        assert taken.json()["conversation_id"] != real_id
        assert web.post(f"/api/chat/{real_id}/exit").status_code == 204

    assert user_events(stack, real_id) == held, "the SMS conversation was not touched"


# --- 5. Rasa's own door --------------------------------------------------------------------------


@pytest.mark.parametrize("token", [None, "wrong-token-of-some-length"])
def test_rasa_answers_its_message_channel_only_with_the_token(
    stack: Stack, token: str | None
) -> None:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    body = {"sender": "someone-elses-conversation", "message": "/menu"}
    refused = httpx.post(f"{stack.rasa_url}{WEBHOOK_PATH}", json=body, headers=headers)
    assert refused.status_code == 403
    # Rasa's built-in REST channel, which took no token, is not open at all.
    assert httpx.post(f"{stack.rasa_url}/webhooks/rest/webhook", json=body).status_code == 404

    allowed = httpx.post(
        f"{stack.rasa_url}{WEBHOOK_PATH}",
        json=body,
        headers={"Authorization": f"Bearer {stack.rasa_token}"},
        timeout=30,
    )
    assert allowed.status_code == 200 and isinstance(allowed.json(), list)


# --- 6. secrets on command lines -----------------------------------------------------------------


def test_no_secret_is_on_any_process_command_line(stack: Stack) -> None:
    secrets = [stack.rasa_token, stack.actions_token, stack.channel_id_key, stack.referral_keys]
    for name, process in stack.processes.items():
        command_line = Path(f"/proc/{process.pid}/cmdline").read_bytes().decode()
        assert command_line, name
        for secret in secrets:
            assert secret not in command_line, name


def test_rasa_listens_on_loopback_only(stack: Stack) -> None:
    command_line = Path(f"/proc/{stack.processes['rasa'].pid}/cmdline").read_bytes().split(b"\0")
    assert command_line[command_line.index(b"--interface") + 1] == b"127.0.0.1"


# --- 4. EXIT leaves no record that the number texted ------------------------------------------


def rows_for(stack: Stack, table: str, conversation_id: str) -> int:
    database = stack.database_url.removeprefix("sqlite:///")
    with sqlite3.connect(database) as connection:
        column = "id" if table == "conversation" else "conversation_id"
        query = f"SELECT count(*) FROM {table} WHERE {column} = ?"
        return int(connection.execute(query, (conversation_id,)).fetchone()[0])


def test_exit_by_text_leaves_no_record_that_the_number_texted(stack: Stack) -> None:
    survivor = "+447700900992"
    phone = Phone(stack, survivor)
    phone.choose(phone.said("hello"), "English")
    cid = conversation_id_for(survivor, stack.channel_id_key)
    assert rows_for(stack, "inboundmessage", cid) == 2
    assert user_events(stack, cid) >= 1

    assert "deleted" in phone.said("exit")

    assert rows_for(stack, "inboundmessage", cid) == 0
    assert rows_for(stack, "conversation", cid) == 0
    assert user_events(stack, cid) == 0


# --- 9. the options last offered give nothing away ------------------------------------------


def test_the_options_last_offered_are_not_readable_in_the_database(stack: Stack) -> None:
    phone = Phone(stack, "+447700900993")
    reply = phone.said("hello")
    assert "Reply 1 for English" in reply
    database = stack.database_url.removeprefix("sqlite:///")
    with sqlite3.connect(database) as connection:
        stored = str(connection.execute("SELECT * FROM conversation").fetchall())
    assert "greet" not in stored and "language" not in stored
    assert "Reply 1 for" in phone.said("1"), "a numbered reply still picks its option"


# --- 10. the data at rest ------------------------------------------------------------------------


def test_the_database_is_readable_by_its_owner_only(stack: Stack) -> None:
    database = Path(stack.database_url.removeprefix("sqlite:///"))
    assert stat.S_IMODE(database.stat().st_mode) == 0o600
    assert stat.S_IMODE(database.parent.stat().st_mode) == 0o700
