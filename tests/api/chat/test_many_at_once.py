"""Many conversations waiting on Rasa at once must not starve the database pool: a
connection held across the wait would block the event loop for everyone."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from tests.conftest import make_settings

WAITING = 40  # more than the pool's 5 connections and 10 overflow


class SlowButAlive(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        time.sleep(1.0)
        body = b'[{"custom": {"key": "fallback.not_sure"}}]'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), SlowButAlive)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings = make_settings(
        tmp_path, rasa_url=f"http://127.0.0.1:{server.server_address[1]}", rasa_timeout_seconds=8
    )
    with TestClient(create_app(settings)) as test_client:
        yield test_client
    server.shutdown()


def test_forty_conversations_waiting_on_rasa_all_get_their_answer(client: TestClient) -> None:
    def one(number: int) -> int:
        return client.post("/api/chat/messages", json={"text": f"hello {number}"}).status_code

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=WAITING) as pool:
        statuses = list(pool.map(one, range(WAITING)))
    took = time.monotonic() - started
    assert statuses == [200] * WAITING
    assert took < 10, f"{WAITING} one-second waits took {took:.1f} s: they were not concurrent"
