"""The reference receiver a hub's IT team can copy (examples/hub_receiver.py), run as its
own process and fed real deliveries from the outbox: it stores a valid referral once,
answers a redelivery without storing it twice, and refuses forged, old or invalid ones."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlmodel import Session

from api.core.crypto import FieldCipher
from api.core.db import make_engine, migrate
from api.hub import contract
from api.hub.delivery import SIGNATURE_HEADER, WEBHOOK, DeliveryPolicy, deliver_due, sign
from api.outbox import events
from api.referrals import service
from scripts.stack import ROOT
from tests.api.hub.test_contract import ANSWERED

SECRET = "a-shared-secret-for-the-receiver"


@pytest.fixture
def receiver(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    database = tmp_path / "received.db"
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "examples" / "hub_receiver.py"), "--port", "0",
         "--schema", str(contract.schema_file(2)), "--database", str(database),
         "--event-schema", str(events.SCHEMA_FILE)],
        env={"FRONT_DOOR_SECRET": SECRET, "PATH": "/usr/bin:/bin"},
        stdout=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    assert process.stdout is not None
    line = process.stdout.readline()
    url = line.split("receiving on ")[1].strip()
    yield url, database
    process.terminate()
    process.wait(timeout=10)


def stored(database: Path) -> list[dict[str, Any]]:
    with sqlite3.connect(database) as connection:
        rows = connection.execute("SELECT document FROM referral").fetchall()
    return [json.loads(row[0]) for row in rows]


def test_a_real_delivery_is_stored_once(receiver: tuple[str, Path], tmp_path: Path) -> None:
    url, database = receiver
    db_url = f"sqlite:///{tmp_path / 'front-door.db'}"
    migrate(db_url)
    engine = make_engine(db_url)
    cipher = FieldCipher([FieldCipher.new_key()])
    with Session(engine) as session:
        made = service.prepare_and_store(
            session, cipher, answers=ANSWERED, referral_for="myself", locale="en",
            channel="web", connectors=(WEBHOOK,),
        )  # fmt: skip
        referral_id = made.id
    policy = DeliveryPolicy(url=url, secret=SECRET)
    assert deliver_due(engine, cipher, policy) == 1
    [document] = stored(database)
    assert document["id"] == referral_id
    assert document["answers"]["name"] == {"status": "answered", "value": "Wilhelmina"}

    # A redelivery (after a crash, say) is answered 2xx and kept once.
    body = json.dumps(document).encode()
    again = post(url, body, referral_id)
    assert again.status_code == 200 and again.json() == {"stored": False}
    assert len(stored(database)) == 1
    engine.dispose()


def received_events(database: Path) -> list[dict[str, Any]]:
    with sqlite3.connect(database) as connection:
        rows = connection.execute("SELECT document FROM event").fetchall()
    return [json.loads(row[0]) for row in rows]


def test_an_update_is_kept_and_a_withdrawal_erases_the_hubs_copy(
    receiver: tuple[str, Path], tmp_path: Path
) -> None:
    from api.referrals import returning
    from api.referrals.models import Referral

    url, database = receiver
    db_url = f"sqlite:///{tmp_path / 'front-door.db'}"
    migrate(db_url)
    engine = make_engine(db_url)
    cipher = FieldCipher([FieldCipher.new_key()])
    policy = DeliveryPolicy(url=url, secret=SECRET)
    with Session(engine) as session:
        made = service.prepare_and_store(
            session, cipher, answers=ANSWERED, referral_for="myself", locale="en",
            channel="web", connectors=(WEBHOOK,),
        )  # fmt: skip
        referral_id, reference = made.id, made.reference
    assert deliver_due(engine, cipher, policy) == 1
    with Session(engine) as session:
        referral = session.get(Referral, referral_id)
        assert referral is not None
        returning.record_update(
            session, cipher, referral, kind="news", detail="He knows my new address",
            connectors=(WEBHOOK,),
        )  # fmt: skip
    assert deliver_due(engine, cipher, policy) == 1
    assert [e["change"]["kind"] for e in received_events(database)] == ["news"]
    with Session(engine) as session:
        referral = session.get(Referral, referral_id)
        assert referral is not None
        returning.withdraw(session, cipher, referral, conversation_id="", connectors=(WEBHOOK,))
    assert deliver_due(engine, cipher, policy) == 1
    assert stored(database) == []
    assert [(e["event"], e["reference"]) for e in received_events(database)] == [
        ("referral.withdrawn", reference)
    ]
    engine.dispose()


def post(url: str, body: bytes, key: str, *, secret: str = SECRET, at: float | None = None) -> Any:
    timestamp = int(at if at is not None else time.time())
    headers = {
        "Content-Type": "application/json",
        "Idempotency-Key": key,
        SIGNATURE_HEADER: sign(secret, timestamp, body),
    }
    return httpx.post(url, content=body, headers=headers, timeout=10)


def valid_document() -> dict[str, Any]:
    referral = type("R", (), {
        "id": "6f1c7b1e-1d2a-4a3b-9c1d-2e3f4a5b6c7d", "reference": "FD-ABCD-EFGH",
        "created_at": __import__("datetime").datetime(2026, 11, 29, 11, 38),
        "referral_for": "myself", "priority": "urgent", "flags": [],
        "locale": "en", "channel": "web",
    })()  # fmt: skip
    return contract.build(2, referral, ANSWERED)


def test_forged_old_and_invalid_deliveries_are_refused(receiver: tuple[str, Path]) -> None:
    url, database = receiver
    document = valid_document()
    body = json.dumps(document).encode()
    key = document["id"]
    assert post(url, body, key, secret="not-the-secret").status_code == 401
    assert post(url, body, key, at=time.time() - 3600).status_code == 401  # a replay
    broken = json.dumps({**document, "created_at": "2026-11-29T11:38:41"}).encode()
    refused = post(url, broken, key)
    assert refused.status_code == 422 and refused.json()["problems"]
    assert "Wilhelmina" not in refused.text  # problems never echo the answers
    assert stored(database) == []
    assert post(url, body, key).status_code == 200
