"""A Rasa that answers too slowly: the survivor gets the helpline and 999 within about two
seconds, by web and by SMS, instead of waiting."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from tests.api.channels.conftest import Phone, channel_settings
from tests.stand_ins import StandInRasa


@pytest.fixture
def slow_client(tmp_path: Path) -> Iterator[TestClient]:
    rasa = StandInRasa(delay=4.0)
    settings = channel_settings(
        tmp_path, "http://127.0.0.1:9", rasa_url=rasa.url, rasa_timeout_seconds=2.0
    )
    with TestClient(create_app(settings)) as client:
        yield client
    rasa.server.shutdown()


def test_web_gets_the_helpline_instead_of_waiting(slow_client: TestClient) -> None:
    started = time.monotonic()
    response = slow_client.post("/api/chat/messages", json={"text": "hello"})
    took = time.monotonic() - started
    said = " ".join(m["text"] for m in response.json()["messages"])
    assert response.status_code == 200 and "999" in said and "0808 2000 247" in said
    assert took < 3.5


def test_sms_gets_the_helpline_instead_of_waiting(slow_client: TestClient) -> None:
    phone = Phone(slow_client)
    assert "999" in phone.text("hello")  # the language menu, without waiting for Rasa
    started = time.monotonic()
    reply = phone.text("1")
    assert "999" in reply and "0808 2000 247" in reply
    assert time.monotonic() - started < 3.5
