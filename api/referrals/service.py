"""Storing and reading self-referrals; the database session comes first."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

import safety
from api.conversations.models import Conversation
from api.core.audit import AuditEvent, audit
from api.core.clock import aware, utcnow
from api.core.crypto import FieldCipher
from api.erasure.service import forget_here
from api.outbox.models import OutboxEntry
from api.referrals.models import (
    ContactAttempt,
    Referral,
    ReferralNote,
    ReferralUpdate,
    ReturnCode,
)

# No 0/O, 1/I/L: a reference read over the phone should not be misheard.
REFERENCE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
REFERENCE_ATTEMPTS = 5


def new_reference() -> str:
    body = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))
    return f"FD-{body[:4]}-{body[4:]}"


def prepare(
    cipher: FieldCipher,
    *,
    answers: dict[str, Any],
    referral_for: str,
    locale: str,
    channel: str,
    conversation_id: str | None = None,
    previous_referral_id: str | None = None,
) -> Referral:
    """A referral ready to store: triage flags worked out, the answers encrypted.
    `previous_referral_id`: the survivor's earlier referral, when they agreed to link them."""
    result = safety.triage(answers)
    flags = [{"code": f.code, "reason": f.reason, "priority": f.priority} for f in result.flags]
    return Referral(
        reference=new_reference(),
        priority=result.priority,
        flags=flags,
        referral_for=referral_for,
        locale=locale,
        channel=channel,
        encrypted_answers=cipher.encrypt(answers),
        conversation_id=conversation_id,
        previous_referral_id=previous_referral_id,
    )


def store(db_session: Session, referral: Referral, connectors: tuple[str, ...] = ()) -> Referral:
    """Write a prepared referral and, in the same transaction, a delivery owed to each hub
    connector (the outbox). A clash of references (vanishingly rare) gets a new one."""
    for _attempt in range(REFERENCE_ATTEMPTS):
        db_session.add(referral)
        for connector in connectors:
            db_session.add(OutboxEntry(referral_id=referral.id, connector=connector))
        if referral.previous_referral_id:
            audit(db_session, "repeat_referral", actor_id=None, referral_id=referral.id)
        try:
            db_session.commit()
        except IntegrityError:
            db_session.rollback()
            if db_session.get(Referral, referral.id) is not None:
                raise  # the same referral twice is not a clash of references
            referral = Referral.model_validate(
                {**referral.model_dump(), "reference": new_reference()}
            )
            continue
        db_session.refresh(referral)
        return referral
    raise RuntimeError("could not find a free reference")


def prepare_and_store(
    db_session: Session,
    cipher: FieldCipher,
    *,
    answers: dict[str, Any],
    referral_for: str,
    locale: str,
    channel: str,
    connectors: tuple[str, ...] = (),
    conversation_id: str | None = None,
    previous_referral_id: str | None = None,
) -> Referral:
    """Store a consented referral, encrypted, with its triage flags and its outbox entries."""
    referral = prepare(
        cipher,
        answers=answers,
        referral_for=referral_for,
        locale=locale,
        channel=channel,
        conversation_id=conversation_id,
        previous_referral_id=previous_referral_id,
    )
    return store(db_session, referral, connectors)


def by_reference(db_session: Session, reference: str) -> Referral | None:
    return db_session.exec(select(Referral).where(Referral.reference == reference)).first()


def erase_by_reference(
    db_session: Session, reference: str, *, actor_id: str | None = None, reason: str = "request"
) -> bool:
    """A survivor's "delete what you hold about me": the referral and what hangs off it
    (its notes, contact attempts, the survivor's later changes, codes to come back with
    and deliveries owed), and the conversation it was sent from if that is still held
    (erased the one way, api/erasure/service.py: Rasa's copy is queued in this same
    transaction). The audit log keeps only the fact."""
    referral = by_reference(db_session, reference.strip().upper())
    if referral is None:
        return False
    erase(db_session, referral, actor_id=actor_id, reason=reason)
    db_session.commit()
    return True


def erase(db_session: Session, referral: Referral, *, actor_id: str | None, reason: str) -> None:
    """erase_by_reference's work in the caller's transaction (the caller commits), so a
    withdrawal can queue the hub's event with it (api/referrals/returning.py)."""
    for table in (OutboxEntry, ReferralNote, ContactAttempt, ReferralUpdate, ReturnCode):
        db_session.exec(delete(table).where(col(table.referral_id) == referral.id))
    # A later referral linked to this one keeps being a referral, without the link.
    db_session.exec(
        update(Referral)
        .where(col(Referral.previous_referral_id) == referral.id)
        .values(previous_referral_id=None)
    )
    if referral.conversation_id and sent_from_held_conversation(db_session, referral):
        forget_here(db_session, referral.conversation_id)
    db_session.delete(referral)
    db_session.add(
        AuditEvent(
            action="referral_erased", actor_id=actor_id, referral_id=referral.id, detail=reason
        )
    )


def sent_from_held_conversation(db_session: Session, referral: Referral) -> bool:
    """Whether the conversation under the referral's conversation id may be the one it was
    sent from. An SMS or WhatsApp number's id never changes: a conversation begun after the
    referral (say, months later) is another conversation, and erasing the old referral
    must not erase it. (The idle purge has long since erased the one it came from.)"""
    assert referral.conversation_id is not None
    held = db_session.get(Conversation, referral.conversation_id)
    if held is None:
        return True  # nothing held here: Rasa's copy, if any, is erased all the same
    started, sent = aware(held.created_at), aware(referral.created_at)
    return started is not None and sent is not None and started <= sent


def purge_closed(db_session: Session, older_than_days: float) -> int:
    """Delete closed referrals past the retention period; returns how many."""
    cutoff = utcnow() - timedelta(days=older_than_days)
    closed = db_session.exec(
        select(Referral).where(Referral.status == "closed").where(col(Referral.created_at) < cutoff)
    ).all()
    for referral in closed:
        erase_by_reference(db_session, referral.reference, reason="retention period ended")
    return len(closed)


def linked(db_session: Session, referral: Referral) -> tuple[Referral | None, list[Referral]]:
    """The earlier referral this one repeats, and the later ones that repeat it."""
    earlier = (
        db_session.get(Referral, referral.previous_referral_id)
        if referral.previous_referral_id
        else None
    )
    later = db_session.exec(
        select(Referral)
        .where(Referral.previous_referral_id == referral.id)
        .order_by(col(Referral.created_at))
    ).all()
    return earlier, list(later)
