"""The word lists' answer to danger never waits for the danger net: a net that is slow
(being built, or stuck) costs at most half a second, and the guidance still comes."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.chat.service import LISTED_NET_WAIT_SECONDS
from api.main import create_app
from api.nlu.danger import DangerNet
from tests.api.channels.conftest import channel_settings
from tests.stand_ins import StandInRasa


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    rasa = StandInRasa(delay=0.0)
    settings = channel_settings(tmp_path, "http://127.0.0.1:9", rasa_url=rasa.url)
    with TestClient(create_app(settings)) as client:
        yield client
    rasa.server.shutdown()


def test_danger_the_lists_know_is_answered_without_waiting_for_the_net(
    client: TestClient,
) -> None:
    def stuck() -> DangerNet:
        time.sleep(3)
        raise RuntimeError("never built")

    client.app.state.chat.danger_net = stuck  # type: ignore[attr-defined]
    started = time.monotonic()
    response = client.post(
        "/api/chat/messages", json={"text": "he has a knife and says he will kill me"}
    )
    took = time.monotonic() - started
    said = " ".join(m["text"] for m in response.json()["messages"])
    assert response.status_code == 200 and "999" in said and "55" in said
    assert took < LISTED_NET_WAIT_SECONDS + 1.5
