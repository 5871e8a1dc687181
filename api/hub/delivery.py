"""Delivering consented referrals to the hub's webhook: at least once, one referral in effect.

Workers claim outbox entries with a compare-and-set UPDATE (safe on SQLite and PostgreSQL,
with any number of workers or API processes): only the worker whose UPDATE changed the row
delivers it. A claim is a lease; if the worker dies mid-delivery (kill -9), the lease runs
out and another worker delivers again. The hub may then see the same referral twice, with
the same Idempotency-Key (the referral id), so it keeps one.

Events about a referral sent earlier (updated, withdrawn: api/outbox/events.py) travel the
same way, signed the same way, keyed by the event's own id; they are deleted once the
hub has them.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import random
import secrets
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import Engine, exists, or_, update
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from api.core.clock import aware, utcnow
from api.core.crypto import FieldCipher
from api.hub import contract
from api.outbox.models import OutboxEntry
from api.referrals.models import Referral

logger = logging.getLogger(__name__)

WEBHOOK = "webhook"
SIGNATURE_HEADER = "X-FrontDoor-Signature"
CREATED = "referral.created"


@dataclass(frozen=True)
class DeliveryPolicy:
    url: str
    secret: str
    timeout_seconds: float = 10.0
    retry_base_seconds: float = 30.0
    retry_cap_seconds: float = 3600.0
    retry_window: timedelta = timedelta(hours=48)
    lease: timedelta = timedelta(seconds=120)
    payload_version: int = contract.CURRENT_VERSION


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """HMAC-SHA256 over "<timestamp>.<body>"; the hub rejects old timestamps and bad MACs."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def verify(secret: str, header: str, body: bytes, tolerance_seconds: int = 300) -> bool:
    """What the hub does with a delivery (also used by the tests' stand-in hub)."""
    try:
        parts = dict(item.split("=", 1) for item in header.split(","))
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs(time.time() - timestamp) > tolerance_seconds:
        return False
    return hmac.compare_digest(sign(secret, timestamp, body), header)


def payload(
    referral: Referral,
    answers: dict[str, Any],
    version: int = contract.CURRENT_VERSION,
    previous_reference: str | None = None,
) -> dict[str, Any]:
    """The versioned document the hub receives (api/hub/contract.py and its schemas in
    docs/hub-payload.v<n>.schema.json)."""
    return contract.build(version, referral, answers, previous_reference)


def _claimable(now: datetime) -> Any:
    """Due and free, or held by a worker whose lease has run out (it died mid-delivery)."""
    return or_(
        (col(OutboxEntry.status).in_(["pending", "retrying"]))
        & (col(OutboxEntry.next_attempt_at) <= now),
        (col(OutboxEntry.status) == "delivering") & (col(OutboxEntry.lease_until) < now),
    )


def claim(engine: Engine, entry_id: int, lease: timedelta) -> str | None:
    """Take an entry for delivery; the token if this worker won it, else None."""
    now = utcnow()
    token = secrets.token_hex(8)
    with engine.begin() as connection:
        changed = connection.execute(
            update(OutboxEntry)
            .where(col(OutboxEntry.id) == entry_id)
            .where(_claimable(now))
            .values(status="delivering", lease_until=now + lease, claim_token=token)
        ).rowcount
    return token if changed == 1 else None


def _referral_delivered_first() -> Any:
    """An event waits while the referral it is about is still owed to the same connector,
    so a hub never hears of a change to a referral it has not received."""
    created = aliased(OutboxEntry)
    return ~exists().where(
        (col(created.referral_id) == col(OutboxEntry.referral_id))
        & (col(created.connector) == col(OutboxEntry.connector))
        & (col(created.event) == CREATED)
        & (col(created.status) != "delivered")
        & (col(OutboxEntry.event) != CREATED)
    )


def due_entries(engine: Engine, limit: int = 20) -> list[int]:
    now = utcnow()
    with Session(engine) as session:
        ids = session.exec(
            select(OutboxEntry.id)
            .where(OutboxEntry.connector == WEBHOOK)
            .where(_claimable(now))
            .where(_referral_delivered_first())
            .order_by(col(OutboxEntry.next_attempt_at))
            .limit(limit)
        ).all()
    return [i for i in ids if i is not None]


def backoff(policy: DeliveryPolicy, attempts: int) -> timedelta:
    delay = min(policy.retry_cap_seconds, policy.retry_base_seconds * 2 ** max(0, attempts - 1))
    return timedelta(seconds=delay * random.uniform(0.5, 1.5))  # noqa: S311 - jitter, not secrecy


def deliver_one(engine: Engine, cipher: FieldCipher, policy: DeliveryPolicy, entry_id: int) -> str:
    """Claim and deliver one entry; returns its new status ("skipped" if another worker has it)."""
    token = claim(engine, entry_id, policy.lease)
    if token is None:
        return "skipped"
    with Session(engine) as session:
        entry = session.get(OutboxEntry, entry_id)
        if entry is None:
            return "skipped"
        built = _document(session, cipher, policy, entry)
        if built is None:
            return "skipped"
        key, body = built
        error = _post(policy, key, body)
        entry = session.get(OutboxEntry, entry_id)
        if entry is None or entry.claim_token != token:
            return "skipped"  # our lease ran out and another worker took over
        entry.attempts += 1
        entry.lease_until = None
        entry.claim_token = None
        if error is None and entry.encrypted_payload is not None:
            # An event's own copy of what it says goes once the hub has it: a withdrawn
            # referral's reference is then held nowhere here.
            session.delete(entry)
            session.commit()
            logger.info("outbox entry=%s status=delivered and deleted", entry_id)
            return "delivered"
        if error is None:
            entry.status = "delivered"
            entry.delivered_at = utcnow()
            entry.last_error = None
        else:
            entry.last_error = error[:200]
            created = aware(entry.created_at) or utcnow()
            if utcnow() - created >= policy.retry_window:
                entry.status = "dead"
            else:
                entry.status = "retrying"
                entry.next_attempt_at = utcnow() + backoff(policy, entry.attempts)
        session.add(entry)
        session.commit()
        logger.info("outbox entry=%s status=%s attempts=%s", entry_id, entry.status, entry.attempts)
        return entry.status


def _document(
    session: Session, cipher: FieldCipher, policy: DeliveryPolicy, entry: OutboxEntry
) -> tuple[str, bytes] | None:
    """The Idempotency-Key and body for an entry: an event's sealed document (keyed by the
    event's id), or the referral built now (keyed by its id); None if it is gone."""
    if entry.encrypted_payload is not None:
        document = cipher.decrypt(entry.encrypted_payload)
        return str(document["id"]), json.dumps(document).encode()
    referral = session.get(Referral, entry.referral_id)
    if referral is None:
        return None
    answers = cipher.decrypt(referral.encrypted_answers)
    earlier = (
        session.get(Referral, referral.previous_referral_id)
        if referral.previous_referral_id
        else None
    )
    document = payload(
        referral, answers, policy.payload_version, earlier.reference if earlier else None
    )
    return referral.id, json.dumps(document).encode()


def _post(policy: DeliveryPolicy, idempotency_key: str, body: bytes) -> str | None:
    """None when the hub accepted it; otherwise a short reason with no personal data."""
    headers = {
        "Content-Type": "application/json",
        "Idempotency-Key": idempotency_key,
        SIGNATURE_HEADER: sign(policy.secret, int(time.time()), body),
    }
    try:
        response = httpx.post(
            policy.url, content=body, headers=headers, timeout=policy.timeout_seconds
        )
    except httpx.HTTPError as error:
        return type(error).__name__
    if 200 <= response.status_code < 300:
        return None
    return f"HTTP {response.status_code}"


def deliver_due(engine: Engine, cipher: FieldCipher, policy: DeliveryPolicy) -> int:
    """One pass over what is due; returns how many entries were delivered."""
    delivered = 0
    for entry_id in due_entries(engine):
        if deliver_one(engine, cipher, policy, entry_id) == "delivered":
            delivered += 1
    return delivered


def retry_now(session: Session, entry_id: int) -> None:
    """Staff's retry button for a dead-lettered entry."""
    entry = session.get(OutboxEntry, entry_id)
    if entry is not None and entry.status in {"dead", "retrying"}:
        entry.status = "pending"
        entry.next_attempt_at = utcnow()
        entry.created_at = utcnow()  # a fresh retry window
        session.add(entry)
        session.commit()
