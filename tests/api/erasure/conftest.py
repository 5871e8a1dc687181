"""A stand-in for Rasa's tracker API that can be made unreachable: the true outside edge of
erasure (the database: tests/api/conftest.py)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from api.rasa.client import RasaClient


class RasaTrackerStandIn(BaseHTTPRequestHandler):
    """Records which trackers were replaced with nothing; answers 503 while `down`."""

    erased: list[str] = []
    down = False

    def do_PUT(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if RasaTrackerStandIn.down:
            self.send_response(503)
            self.end_headers()
            return
        RasaTrackerStandIn.erased.append(self.path.split("/")[2])
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def rasa() -> Iterator[RasaClient]:
    RasaTrackerStandIn.erased = []
    RasaTrackerStandIn.down = False
    server = ThreadingHTTPServer(("127.0.0.1", 0), RasaTrackerStandIn)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield RasaClient(f"http://127.0.0.1:{server.server_address[1]}", "token", 2.0)
    server.shutdown()
