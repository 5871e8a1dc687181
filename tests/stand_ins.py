"""Stand-ins for the services at the true outside edge, run on loopback in tests."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from itertools import count
from typing import Any
from urllib.parse import parse_qsl

import jsonschema_rs

from api.core.config import PROJECT_ROOT
from api.hub.delivery import SIGNATURE_HEADER, verify

SECRET = "hub-shared-secret"
EVENTS = ("referral.updated", "referral.withdrawn")


def contract_problems(document: dict[str, Any]) -> list[str]:
    """What is wrong with a delivered document against its version's published schema
    (docs/hub-payload.v<n>.schema.json, or docs/hub-event.v<n>.schema.json for an event
    about a referral sent earlier), formats checked (RFC 3339 times, patterns)."""
    version = document.get("schema_version")
    kind = "event" if document.get("event") in EVENTS else "payload"
    path = PROJECT_ROOT / "docs" / f"hub-{kind}.v{version}.schema.json"
    if not path.exists():
        return [f"no schema for version {version!r}"]
    schema = json.loads(path.read_text(encoding="utf-8"))
    validator = jsonschema_rs.Draft202012Validator(schema, validate_formats=True)
    return [error.message for error in validator.iter_errors(document)]


class StandInHub:
    """The hub's receiving end: checks signatures, checks every document against the
    published contract, and keeps one referral per idempotency key."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self.referrals: dict[str, dict[str, Any]] = {}
        self.invalid: list[tuple[dict[str, Any], list[str]]] = []
        self.status = 200
        self.delay = 0.0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                signed = verify(SECRET, self.headers.get(SIGNATURE_HEADER, ""), body)
                key = self.headers.get("Idempotency-Key", "")
                document = json.loads(body)
                outer.received.append({"key": key, "signed": signed, "body": document})
                problems = contract_problems(document)
                if problems:
                    outer.invalid.append((document, problems))
                time.sleep(outer.delay)
                status = (422 if problems else outer.status) if signed else 401
                if status == 200:
                    outer.referrals.setdefault(key, json.loads(body))
                self.send_response(status)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/referrals"


class StandInRasa:
    """A Rasa REST channel that answers every message after `delay` seconds with `body`."""

    def __init__(self, delay: float, body: bytes = b"[]") -> None:
        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                time.sleep(delay)
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"


class TwilioStandIn:
    """Twilio's REST API on loopback: records what would have been sent."""

    def __init__(self) -> None:
        self.sent: list[dict[str, str]] = []
        numbers = count(1)
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                form = dict(parse_qsl(self.rfile.read(length).decode()))
                outer.sent.append(form)
                body = json.dumps(
                    {"sid": f"SM{next(numbers):032d}", "status": "queued", "to": form.get("To")}
                ).encode()
                self.send_response(201)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
