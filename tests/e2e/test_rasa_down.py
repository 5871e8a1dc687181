"""Rasa stops in the middle of conversations: web and SMS still answer with the helpline
and 999, with HTTP 200 and never a 5xx. Uses its own stack, since it stops Rasa."""

from __future__ import annotations

import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator

import httpx
import pytest
from twilio.request_validator import RequestValidator

from scripts.stack import Stack
from tests.conftest import TWILIO_TEST_ENV, running_stack

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def own_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    yield from running_stack(tmp_path_factory.mktemp("rasa-down"), "logs-rasa-down", {})


def sms(stack: Stack, body: str, sid: str) -> list[str]:
    url = f"{stack.api_url}/channels/twilio/messages"
    form = {"MessageSid": sid, "From": "+447700900301", "Body": body}
    signature = RequestValidator(TWILIO_TEST_ENV["TWILIO_AUTH_TOKEN"]).compute_signature(url, form)
    response = httpx.post(url, data=form, headers={"X-Twilio-Signature": signature}, timeout=30)
    assert response.status_code == 200
    return [m.text or "" for m in ET.fromstring(response.text).iter("Message")]


def test_conversations_carry_on_with_the_helpline_when_rasa_stops(own_stack: Stack) -> None:
    web = httpx.Client(base_url=own_stack.api_url, timeout=30)
    first = web.post("/api/chat/messages", json={"text": "hello"}).json()
    assert "not a person" in " ".join(m["text"] for m in first["messages"])
    assert "not a person" in " ".join(sms(own_stack, "hello", "SM" + "1" * 32))

    own_stack.stop("rasa")

    started = time.monotonic()
    reply = web.post(
        "/api/chat/messages", json={"conversation_id": first["conversation_id"], "text": "/affirm"}
    )
    took = time.monotonic() - started
    said = " ".join(m["text"] for m in reply.json()["messages"])
    assert reply.status_code == 200 and "999" in said and "0808 2000 247" in said
    assert took < 5
    texts = " ".join(sms(own_stack, "1", "SM" + "2" * 32))
    assert "999" in texts and "0808 2000 247" in texts
    # The safety screen needs no Rasa at all.
    assert "press 55" in " ".join(sms(own_stack, "hes got a knife", "SM" + "3" * 32))
    health = web.get("/healthz").json()
    assert health["status"] == "degraded" and health["rasa"] == "unavailable"
