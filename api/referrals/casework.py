"""What hub staff do with a referral: the queue, claiming, notes, contact attempts, status
and allocation. Every change is written to the audit log in the same transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import case
from sqlmodel import Session, col, select

from api.core.audit import audit
from api.core.clock import aware, utcnow
from api.core.crypto import FieldCipher
from api.referrals import updates
from api.referrals.contact import MESSAGE_WAYS, WAYS, ContactWays, contact_ways
from api.referrals.models import (
    CLOSING_REASONS,
    CONTACT_OUTCOMES,
    STATUSES,
    ContactAttempt,
    Referral,
    ReferralNote,
)
from safety.risk import PRIORITY_ORDER

MAX_NOTE_CHARS = 4000

# Where a referral may go next. Closed can be reopened, in review, by anyone who must.
NEXT_STATUSES: dict[str, tuple[str, ...]] = {
    "new": ("in_review", "closed"),
    "in_review": ("contacted", "allocated", "closed"),
    "contacted": ("in_review", "allocated", "closed"),
    "allocated": ("contacted", "closed"),
    "closed": ("in_review",),
}
assert set(NEXT_STATUSES) == set(STATUSES)


class CaseworkError(ValueError):
    """A change that is not allowed. The argument is a code; the console's templates hold
    the words staff see for it."""

    @property
    def code(self) -> str:
        return str(self.args[0])


@dataclass(frozen=True)
class QueueFilter:
    status: str | None = None  # None: everything still open
    priority: str | None = None
    assigned_to: str | None = None


def queue(db_session: Session, query: QueueFilter, limit: int = 200) -> list[Referral]:
    """Most urgent first, then longest waiting first."""
    most_urgent_first = list(reversed(PRIORITY_ORDER))
    rank = case(
        *((col(Referral.priority) == p, n) for n, p in enumerate(most_urgent_first)),
        else_=len(most_urgent_first),
    )
    statement = select(Referral).order_by(rank, col(Referral.created_at))
    if query.status:
        statement = statement.where(Referral.status == query.status)
    else:
        statement = statement.where(Referral.status != "closed")
    if query.priority:
        statement = statement.where(Referral.priority == query.priority)
    if query.assigned_to:
        statement = statement.where(Referral.assigned_to == query.assigned_to)
    return list(db_session.exec(statement.limit(limit)))


def _touch(db_session: Session, referral: Referral) -> None:
    referral.updated_at = utcnow()
    db_session.add(referral)


def open_referral(
    db_session: Session, cipher: FieldCipher, referral: Referral, actor_id: str
) -> dict[str, Any]:
    """Decrypt the answers for one staff member to read; the view is audited first."""
    audit(db_session, "referral_viewed", actor_id=actor_id, referral_id=referral.id)
    db_session.commit()
    answers: dict[str, Any] = cipher.decrypt(referral.encrypted_answers)
    return answers


def assign(
    db_session: Session, referral: Referral, *, actor_id: str, assignee_id: str | None
) -> None:
    referral.assigned_to = assignee_id
    if assignee_id and referral.status == "new":
        referral.status = "in_review"
    _touch(db_session, referral)
    action = "claimed" if assignee_id == actor_id else "assigned"
    audit(
        db_session,
        action if assignee_id else "unassigned",
        actor_id=actor_id,
        referral_id=referral.id,
        detail=f"to user {assignee_id}" if assignee_id and action == "assigned" else None,
    )
    db_session.commit()


def add_note(
    db_session: Session, cipher: FieldCipher, referral: Referral, *, actor_id: str, text: str
) -> None:
    text = text.strip()
    if not text:
        raise CaseworkError("note_empty")
    if len(text) > MAX_NOTE_CHARS:
        raise CaseworkError("note_too_long")
    db_session.add(
        ReferralNote(
            referral_id=referral.id,
            author_id=actor_id,
            encrypted_text=cipher.encrypt({"text": text}),
        )
    )
    _touch(db_session, referral)
    audit(db_session, "note_added", actor_id=actor_id, referral_id=referral.id)
    db_session.commit()


def ways_now(answers: dict[str, Any], wishes: updates.ContactWishes) -> ContactWays:
    """The ways staff may try now: those the survivor agreed to in the referral, less any
    they have ruled out since by coming back ("no more messages", "no voicemail")."""
    agreed = contact_ways(answers)
    ruled_out = {way: wishes.refuses(way) for way in agreed.allowed}
    allowed = tuple(way for way in agreed.allowed if not ruled_out[way])
    refused = {**agreed.refused}
    refused.update({way: f"forbidden_{why}" for way, why in ruled_out.items() if why})
    wording = agreed.wording if any(way in MESSAGE_WAYS for way in allowed) else None
    return ContactWays(allowed, refused, wording)


def record_contact_attempt(
    db_session: Session,
    cipher: FieldCipher,
    referral: Referral,
    *,
    actor_id: str,
    outcome: str,
    way: str,
    retry_after: datetime | None = None,
    note: str = "",
) -> None:
    """`way`: how it was tried. Only a way the survivor agreed to can be recorded, and none
    they have ruled out since (by coming back: "no more messages", "no voicemail"); the
    console offers no other, and this refuses one sent anyway."""
    if outcome not in CONTACT_OUTCOMES:
        raise CaseworkError("outcome_missing")
    if outcome == "unsafe" and retry_after is None:
        raise CaseworkError("retry_after_missing")
    if retry_after is not None and retry_after <= utcnow():
        raise CaseworkError("retry_after_past")
    if len(note) > MAX_NOTE_CHARS:
        raise CaseworkError("note_too_long")
    if way not in WAYS:
        raise CaseworkError("way_missing")
    wishes = updates.contact_wishes(updates.survivor_updates(db_session, cipher, referral))
    refused_by = wishes.refuses(way)
    if refused_by:
        # The survivor said no to this way since sending: refused, and the refusal kept.
        audit(
            db_session,
            "contact_attempt_refused",
            actor_id=actor_id,
            referral_id=referral.id,
            detail=f"{way} ({refused_by})",
        )
        db_session.commit()
        raise CaseworkError(f"forbidden_{refused_by}")
    if way not in ways_now(cipher.decrypt(referral.encrypted_answers), wishes).allowed:
        raise CaseworkError("way_not_agreed")
    db_session.add(
        ContactAttempt(
            referral_id=referral.id,
            author_id=actor_id,
            outcome=outcome,
            way=way,
            retry_after=retry_after if outcome == "unsafe" else None,
            encrypted_note=cipher.encrypt({"text": note.strip()}) if note.strip() else None,
        )
    )
    if outcome == "reached" and referral.status in {"new", "in_review"}:
        referral.status = "contacted"
    _touch(db_session, referral)
    audit(
        db_session,
        "contact_attempt",
        actor_id=actor_id,
        referral_id=referral.id,
        detail=f"{outcome} by {way}",
    )
    db_session.commit()


def change_status(
    db_session: Session,
    referral: Referral,
    *,
    actor_id: str,
    status: str,
    closing_reason: str | None = None,
) -> None:
    if status not in NEXT_STATUSES.get(referral.status, ()):
        raise CaseworkError("status_not_allowed")
    if status == "closed":
        if closing_reason not in CLOSING_REASONS:
            raise CaseworkError("closing_reason_missing")
        referral.closing_reason = closing_reason
    else:
        referral.closing_reason = None
    detail = f"{referral.status} -> {status}" + (f" ({closing_reason})" if closing_reason else "")
    referral.status = status
    _touch(db_session, referral)
    audit(db_session, "status_changed", actor_id=actor_id, referral_id=referral.id, detail=detail)
    db_session.commit()


def allocate(
    db_session: Session,
    referral: Referral,
    *,
    actor_id: str,
    service: str,
    services: list[str],
) -> None:
    if service not in services:
        raise CaseworkError("service_unknown")
    if referral.status == "closed":
        raise CaseworkError("closed_referral")
    referral.allocated_service = service
    referral.status = "allocated"
    _touch(db_session, referral)
    audit(db_session, "allocated", actor_id=actor_id, referral_id=referral.id, detail=service)
    db_session.commit()


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    author_id: str
    kind: str  # "note" or "contact"
    text: str
    outcome: str | None = None
    retry_after: datetime | None = None
    way: str | None = None  # how a contact attempt was made (none before this was kept)


def timeline(db_session: Session, cipher: FieldCipher, referral: Referral) -> list[TimelineEntry]:
    """Notes and contact attempts, newest first, decrypted for the referral page."""
    entries: list[TimelineEntry] = []
    for note in db_session.exec(
        select(ReferralNote).where(ReferralNote.referral_id == referral.id)
    ):
        entries.append(
            TimelineEntry(
                note.created_at, note.author_id, "note", cipher.decrypt(note.encrypted_text)["text"]
            )
        )
    attempts = db_session.exec(
        select(ContactAttempt).where(ContactAttempt.referral_id == referral.id)
    )
    for attempt in attempts:
        kept = cipher.decrypt(attempt.encrypted_note) if attempt.encrypted_note else {}
        entries.append(
            TimelineEntry(
                attempt.created_at,
                attempt.author_id,
                "contact",
                kept.get("text", ""),
                attempt.outcome,
                attempt.retry_after,
                attempt.way,
            )
        )
    return sorted(entries, key=lambda entry: entry.at, reverse=True)


def do_not_contact_until(db_session: Session, referral: Referral) -> datetime | None:
    """The latest "unsafe, do not retry until" still in the future, if any."""
    now = utcnow()
    latest: datetime | None = None
    attempts = db_session.exec(
        select(ContactAttempt)
        .where(ContactAttempt.referral_id == referral.id)
        .where(ContactAttempt.outcome == "unsafe")
    )
    for attempt in attempts:
        until = aware(attempt.retry_after)
        if until is not None and until > now and (latest is None or until > latest):
            latest = until
    return latest
