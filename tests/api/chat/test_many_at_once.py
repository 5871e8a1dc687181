"""Many conversations waiting on Rasa at once must not starve the database pool: a
connection held across the wait would block the event loop for everyone."""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from tests.conftest import make_settings
from tests.stand_ins import StandInRasa

WAITING = 40  # more than the pool's 5 connections and 10 overflow


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    rasa = StandInRasa(delay=1.0, body=b'[{"custom": {"key": "fallback.not_sure"}}]')
    settings = make_settings(tmp_path, rasa_url=rasa.url, rasa_timeout_seconds=8)
    with TestClient(create_app(settings)) as test_client:
        yield test_client
    rasa.server.shutdown()


def test_forty_conversations_waiting_on_rasa_all_get_their_answer(client: TestClient) -> None:
    def one(number: int) -> int:
        return client.post("/api/chat/messages", json={"text": f"hello {number}"}).status_code

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=WAITING) as pool:
        statuses = list(pool.map(one, range(WAITING)))
    took = time.monotonic() - started
    assert statuses == [200] * WAITING
    assert took < 10, f"{WAITING} one-second waits took {took:.1f} s: they were not concurrent"
