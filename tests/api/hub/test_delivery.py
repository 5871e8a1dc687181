"""Delivery to the hub through the outbox, on SQLite and PostgreSQL, with a stand-in hub on
loopback: signed, retried with backoff, dead-lettered, and never lost, even after kill -9."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from api.core.clock import utcnow
from api.core.crypto import FieldCipher
from api.core.db import make_engine, migrate
from api.hub.delivery import (
    WEBHOOK,
    DeliveryPolicy,
    deliver_due,
    retry_now,
)
from api.outbox.models import OutboxEntry
from api.referrals import service
from scripts.stack import API_PYTHON, ROOT
from tests.stand_ins import SECRET, StandInHub

ANSWERS = {"name": "Zephyrine", "contact_detail": "07700 900461", "risk_threats": True}


@pytest.fixture
def hub() -> Iterator[StandInHub]:
    stand_in = StandInHub()
    yield stand_in
    stand_in.server.shutdown()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'hub.db'}"
    else:
        url = str(request.getfixturevalue("postgres_url"))
        with make_engine(url).begin() as connection:  # a clean slate per test
            connection.exec_driver_sql("DROP SCHEMA public CASCADE")
            connection.exec_driver_sql("CREATE SCHEMA public")
    migrate(url)
    return url


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    made = make_engine(database_url)
    yield made
    made.dispose()


@pytest.fixture
def cipher() -> FieldCipher:
    return FieldCipher([FieldCipher.new_key()])


def policy(hub: StandInHub, **overrides: Any) -> DeliveryPolicy:
    values: dict[str, Any] = {
        "url": hub.url,
        "secret": SECRET,
        "timeout_seconds": 5.0,
        "retry_base_seconds": 60.0,
    }
    values.update(overrides)
    return DeliveryPolicy(**values)


def refer(engine: Engine, cipher: FieldCipher) -> str:
    with Session(engine) as session:
        referral = service.prepare_and_store(
            session, cipher, answers=ANSWERS, referral_for="myself", locale="en", channel="web",
            connectors=(WEBHOOK,),
        )  # fmt: skip
        return referral.id


def entry_of(engine: Engine, referral_id: str) -> OutboxEntry:
    with Session(engine) as session:
        entry = session.exec(
            select(OutboxEntry).where(OutboxEntry.referral_id == referral_id)
        ).one()
        session.expunge(entry)
        return entry


def test_referral_and_outbox_entry_are_written_together(
    engine: Engine, cipher: FieldCipher
) -> None:
    referral_id = refer(engine, cipher)
    assert entry_of(engine, referral_id).status == "pending"


def test_the_hub_receives_one_correctly_signed_payload(
    engine: Engine, cipher: FieldCipher, hub: StandInHub
) -> None:
    referral_id = refer(engine, cipher)
    assert deliver_due(engine, cipher, policy(hub)) == 1
    assert len(hub.received) == 1
    got = hub.received[0]
    assert got["signed"] and got["key"] == referral_id
    body = got["body"]
    assert body["schema_version"] == 2 and body["id"] == referral_id
    assert body["answers"]["name"] == {"status": "answered", "value": "Zephyrine"}
    assert body["reference"].startswith("FD-")
    assert {f["code"] for f in body["flags"]} == {"threats_to_kill"}
    assert entry_of(engine, referral_id).status == "delivered"
    assert deliver_due(engine, cipher, policy(hub)) == 0  # nothing is delivered twice
    assert len(hub.received) == 1


def test_with_the_hub_down_entries_retry_then_arrive_once_it_is_back(
    engine: Engine, cipher: FieldCipher, hub: StandInHub
) -> None:
    referral_id = refer(engine, cipher)
    hub.status = 503
    assert deliver_due(engine, cipher, policy(hub)) == 0
    entry = entry_of(engine, referral_id)
    assert entry.status == "retrying" and entry.attempts == 1 and entry.last_error == "HTTP 503"
    waited = entry.next_attempt_at.replace(tzinfo=utcnow().tzinfo) - utcnow()
    assert timedelta(seconds=25) < waited < timedelta(seconds=95)  # 60 s with jitter
    assert deliver_due(engine, cipher, policy(hub)) == 0  # not due yet: no hammering
    hub.status = 200
    with Session(engine) as session:  # time passes
        stored = session.get(OutboxEntry, entry.id)
        assert stored is not None
        stored.next_attempt_at = utcnow()
        session.add(stored)
        session.commit()
    assert deliver_due(engine, cipher, policy(hub)) == 1
    assert list(hub.referrals) == [referral_id]


def test_an_unreachable_hub_counts_as_a_failed_attempt(
    engine: Engine, cipher: FieldCipher, hub: StandInHub
) -> None:
    referral_id = refer(engine, cipher)
    deliver_due(engine, cipher, policy(hub, url="http://127.0.0.1:9/nothing-here"))
    assert entry_of(engine, referral_id).status == "retrying"


def test_after_the_retry_window_an_entry_is_dead_lettered_and_can_be_retried(
    engine: Engine, cipher: FieldCipher, hub: StandInHub
) -> None:
    referral_id = refer(engine, cipher)
    hub.status = 500
    deliver_due(engine, cipher, policy(hub, retry_window=timedelta(0)))
    entry = entry_of(engine, referral_id)
    assert entry.status == "dead"
    hub.status = 200
    with Session(engine) as session:
        retry_now(session, entry.id or 0)
    assert deliver_due(engine, cipher, policy(hub)) == 1


def test_two_workers_never_deliver_the_same_entry_at_once(
    engine: Engine, cipher: FieldCipher, hub: StandInHub
) -> None:
    ids = [refer(engine, cipher) for _ in range(6)]
    hub.delay = 0.05
    results: list[int] = []
    workers = [
        threading.Thread(target=lambda: results.append(deliver_due(engine, cipher, policy(hub))))
        for _ in range(3)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert sum(results) == 6
    assert sorted(r["key"] for r in hub.received) == sorted(ids)  # each exactly once


def test_kill_9_during_delivery_loses_nothing(
    database_url: str, engine: Engine, cipher: FieldCipher, hub: StandInHub, tmp_path: Path
) -> None:
    key = FieldCipher.new_key()
    keyed = FieldCipher([key])
    referral_id = refer(engine, keyed)
    hub.delay = 30  # the hub is slow: the worker is mid-delivery when it is killed
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REFERRAL_KEYS": key,
        "HUB_WEBHOOK_URL": hub.url,
        "HUB_WEBHOOK_SECRET": SECRET,
        "HUB_LEASE_SECONDS": "1",
        "OUTBOX_POLL_SECONDS": "0.2",
    }
    worker = subprocess.Popen([str(API_PYTHON), "-m", "api.hub.worker"], cwd=ROOT, env=env)
    try:
        deadline = time.monotonic() + 30
        while not hub.received and time.monotonic() < deadline:
            time.sleep(0.1)
        assert hub.received, "the worker never started delivering"
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait()
    finally:
        if worker.poll() is None:
            worker.kill()
    assert entry_of(engine, referral_id).status == "delivering"  # owed, not lost
    hub.delay = 0
    time.sleep(1.2)  # the dead worker's lease runs out
    assert deliver_due(engine, keyed, policy(hub)) == 1
    assert [r["key"] for r in hub.received] == [referral_id, referral_id]  # a retry...
    assert list(hub.referrals) == [referral_id]  # ...but one referral in effect
    assert entry_of(engine, referral_id).status == "delivered"
    assert worker.returncode == -signal.SIGKILL  # it really was killed, not stopped politely


def owe_event(engine: Engine, cipher: FieldCipher, referral_id: str, withdraw: bool) -> str:
    """A survivor's change, or their withdrawal, as api/referrals/returning.py writes it."""
    from api.referrals import returning
    from api.referrals.models import Referral

    with Session(engine) as session:
        referral = session.get(Referral, referral_id)
        assert referral is not None
        reference = referral.reference
        if withdraw:
            returning.withdraw(session, cipher, referral, conversation_id="", connectors=(WEBHOOK,))
        else:
            returning.record_update(
                session, cipher, referral, kind="contact_times", detail="after 6pm",
                connectors=(WEBHOOK,),
            )  # fmt: skip
    return reference


def test_an_update_waits_for_its_referral_then_is_signed_and_then_deleted(
    engine: Engine, cipher: FieldCipher, hub: StandInHub
) -> None:
    referral_id = refer(engine, cipher)
    hub.status = 503
    deliver_due(engine, cipher, policy(hub))  # the referral itself is now retrying
    owe_event(engine, cipher, referral_id, withdraw=False)
    hub.status = 200
    assert deliver_due(engine, cipher, policy(hub)) == 0  # not before the referral
    with Session(engine) as session:
        for entry in session.exec(select(OutboxEntry)):
            entry.next_attempt_at = utcnow()
            session.add(entry)
        session.commit()
    assert deliver_due(engine, cipher, policy(hub)) == 1  # the referral
    assert deliver_due(engine, cipher, policy(hub)) == 1  # then the change
    update = hub.received[-1]
    assert update["signed"] and hub.invalid == []
    assert update["body"]["event"] == "referral.updated"
    assert update["key"] == update["body"]["id"] != referral_id
    assert update["body"]["change"] == {"kind": "contact_times", "value": "after 6pm"}
    with Session(engine) as session:  # the referral's entry stays; the event's copy goes
        left = session.exec(select(OutboxEntry.event)).all()
    assert left == ["referral.created"]


def test_a_withdrawal_reaches_the_hub_after_the_referral_is_gone_and_leaves_nothing(
    engine: Engine, cipher: FieldCipher, hub: StandInHub
) -> None:
    referral_id = refer(engine, cipher)
    reference = owe_event(engine, cipher, referral_id, withdraw=True)
    assert deliver_due(engine, cipher, policy(hub)) == 1
    (got,) = hub.received  # the referral itself was still owed: it is never sent now
    assert got["signed"] and hub.invalid == []
    assert set(got["body"]) == {"schema_version", "event", "id", "reference", "occurred_at"}
    assert (got["body"]["event"], got["body"]["reference"]) == ("referral.withdrawn", reference)
    with Session(engine) as session:
        assert session.exec(select(OutboxEntry)).all() == []
