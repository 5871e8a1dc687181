"""A reference receiver for Front Door's referrals: copy it, and change `store` to write to
your own case system.

    pip install jsonschema rfc3339-validator
    FRONT_DOOR_SECRET=... python hub_receiver.py --port 8080 --schema hub-payload.v2.schema.json \
        --event-schema hub-event.v1.schema.json

It does what docs/hub-delivery.md asks of a hub, in this order:

1. reads the body (refusing anything over 1 MB);
2. checks the X-FrontDoor-Signature header: an HMAC-SHA256 of "<timestamp>.<body>" with the
   shared secret, compared in constant time, and a timestamp within 5 minutes of now
   (a replayed old request is refused) -> 401;
3. checks the document against the published JSON Schema, formats included (a time must
   be RFC 3339 with its offset) -> 422, with the problems (never the survivor's answers);
4. stores it, keyed by Idempotency-Key: a redelivery of a referral already stored is
   answered 200 without storing it twice;
5. answers 200 only once the referral is safely stored (the commit has returned); any
   error before that is a 5xx, and Front Door will deliver it again later.

Events about a referral sent earlier (`referral.updated`, `referral.withdrawn`) are checked
against their own schema and kept once per Idempotency-Key (the event's id); a withdrawal
deletes the stored referral with that reference in the same transaction, keeping only the
fact that it was withdrawn.

Only the standard library, jsonschema and rfc3339-validator are needed. The database here
is SQLite; the referral's answers are personal data: keep the file on encrypted storage,
readable by the receiver's account only.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import os
import sqlite3
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker

MAX_BODY = 1024 * 1024
TOLERANCE_SECONDS = 300
SIGNATURE_HEADER = "X-FrontDoor-Signature"


def signature_ok(secret: str, header: str, body: bytes, now: float | None = None) -> bool:
    try:
        parts = dict(item.split("=", 1) for item in header.split(","))
        timestamp = int(parts["t"])
        given = parts["v1"]
    except (KeyError, ValueError):
        return False
    if abs((now or time.time()) - timestamp) > TOLERANCE_SECONDS:
        return False
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return hmac.compare_digest(expected.hexdigest(), given)


class Store:
    """One row per Idempotency-Key. Replace with your case system's API."""

    def __init__(self, path: Path) -> None:
        self.connection = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self.connection.execute("PRAGMA journal_mode=WAL")
        self.connection.execute(
            "CREATE TABLE IF NOT EXISTS referral ("
            " idempotency_key TEXT PRIMARY KEY, received_at TEXT NOT NULL, document TEXT NOT NULL)"
        )
        self.connection.execute(
            "CREATE TABLE IF NOT EXISTS event ("
            " idempotency_key TEXT PRIMARY KEY, received_at TEXT NOT NULL, document TEXT NOT NULL)"
        )
        self.lock = threading.Lock()

    def store(self, key: str, document: dict[str, Any]) -> bool:
        """True if stored now, False if this key was stored before."""
        with self.lock:
            cursor = self.connection.execute(
                "INSERT OR IGNORE INTO referral VALUES (?, datetime('now'), ?)",
                (key, json.dumps(document)),
            )
            return cursor.rowcount == 1

    def store_event(self, key: str, document: dict[str, Any]) -> bool:
        """True if acted on now, False if this event was received before. A withdrawal
        erases the referral and keeps only the event, which holds the reference alone."""
        with self.lock, self.connection:
            self.connection.execute("BEGIN")
            cursor = self.connection.execute(
                "INSERT OR IGNORE INTO event VALUES (?, datetime('now'), ?)",
                (key, json.dumps(document)),
            )
            if cursor.rowcount == 1 and document["event"] == "referral.withdrawn":
                self.connection.execute(
                    "DELETE FROM referral WHERE json_extract(document, '$.reference') = ?",
                    (document["reference"],),
                )
                self.connection.execute(
                    "DELETE FROM event WHERE idempotency_key != ?"
                    " AND json_extract(document, '$.reference') = ?",
                    (key, document["reference"]),
                )
            return cursor.rowcount == 1


EVENTS = ("referral.updated", "referral.withdrawn")


def make_handler(
    secret: str,
    validator: Draft202012Validator,
    store: Store,
    event_validator: Draft202012Validator | None = None,
) -> type:
    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_BODY:
                return self._answer(413, {"error": "too large"})
            body = self.rfile.read(length)
            if not signature_ok(secret, self.headers.get(SIGNATURE_HEADER, ""), body):
                return self._answer(401, {"error": "bad or old signature"})
            key = self.headers.get("Idempotency-Key", "")
            try:
                document = json.loads(body)
            except ValueError:
                return self._answer(422, {"error": "not JSON"})
            is_event = isinstance(document, dict) and document.get("event") in EVENTS
            checker = event_validator if is_event else validator
            if checker is None:
                return self._answer(422, {"error": "events are not accepted here"})
            problems = [
                f"{'/'.join(map(str, e.absolute_path)) or '(document)'}: {e.validator} failed"
                for e in checker.iter_errors(document)
            ]
            if problems or not key or key != document.get("id"):
                return self._answer(422, {"error": "not a valid document", "problems": problems})
            try:
                stored = (store.store_event if is_event else store.store)(key, document)
            except sqlite3.Error:
                return self._answer(503, {"error": "not stored; send again later"})
            self._answer(200, {"stored": stored})

        def _answer(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            pass  # no request lines in the log: they are not needed, and keep logs quiet

    return Receiver


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--schema", type=Path, required=True)
    parser.add_argument("--event-schema", type=Path)
    parser.add_argument("--database", type=Path, default=Path("referrals.db"))
    args = parser.parse_args()
    secret = os.environ["FRONT_DOOR_SECRET"]
    schema = json.loads(args.schema.read_text(encoding="utf-8"))
    validator = Draft202012Validator(schema, format_checker=FormatChecker())
    event_validator = None
    if args.event_schema:
        event_schema = json.loads(args.event_schema.read_text(encoding="utf-8"))
        event_validator = Draft202012Validator(event_schema, format_checker=FormatChecker())
    handler = make_handler(secret, validator, Store(args.database), event_validator)
    server = ThreadingHTTPServer((args.host, args.port), handler)
    print(f"receiving on http://{args.host}:{server.server_address[1]}/", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
