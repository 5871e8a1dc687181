"""What staff see of the changes a survivor made after sending (api/referrals/returning.py):
the list, newest first, the contact wishes they add up to, and which referrals have news."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from api.core.audit import audit
from api.core.clock import utcnow
from api.core.crypto import FieldCipher
from api.referrals.models import CONTACT_UPDATES, Referral, ReferralUpdate

# The ways of trying to reach someone that each wish rules out. A voicemail is a message.
FORBIDDEN_BY = {
    "stop_messages": frozenset({"text", "whatsapp", "email", "voicemail"}),
    "no_voicemail": frozenset({"voicemail"}),
}


@dataclass(frozen=True)
class SurvivorUpdate:
    id: int
    at: datetime
    kind: str
    text: str
    seen: bool


@dataclass(frozen=True)
class ContactWishes:
    """How the survivor may be contacted now, from their latest changes."""

    changed_at: datetime | None = None
    number: str | None = None
    times: str | None = None
    stop_messages: bool = False
    no_voicemail: bool = False

    @property
    def restricted(self) -> bool:
        return self.stop_messages or self.no_voicemail

    def refuses(self, method: str) -> str | None:
        """The wish that rules this way out, if any."""
        for wish in ("stop_messages", "no_voicemail"):
            if getattr(self, wish) and method in FORBIDDEN_BY[wish]:
                return wish
        return None


def survivor_updates(
    db_session: Session, cipher: FieldCipher, referral: Referral
) -> list[SurvivorUpdate]:
    """Every change, newest first, decrypted for the referral page."""
    rows = db_session.exec(
        select(ReferralUpdate)
        .where(ReferralUpdate.referral_id == referral.id)
        .order_by(col(ReferralUpdate.created_at).desc(), col(ReferralUpdate.id).desc())
    )
    return [
        SurvivorUpdate(
            id=row.id or 0,
            at=row.created_at,
            kind=row.kind,
            text=cipher.decrypt(row.encrypted_detail)["text"] if row.encrypted_detail else "",
            seen=row.seen_at is not None,
        )
        for row in rows
    ]


def contact_wishes(updates: list[SurvivorUpdate]) -> ContactWishes:
    """The newest number and times win; "stop all messages" and "no voicemail" stay."""
    contact = [u for u in updates if u.kind in CONTACT_UPDATES]  # newest first
    if not contact:
        return ContactWishes()
    latest = {kind: next((u.text for u in contact if u.kind == kind), None) for kind in
              ("contact_number", "contact_times")}  # fmt: skip
    kinds = {u.kind for u in contact}
    return ContactWishes(
        changed_at=contact[0].at,
        number=latest["contact_number"],
        times=latest["contact_times"],
        stop_messages="stop_messages" in kinds,
        no_voicemail="no_voicemail" in kinds,
    )


def with_news(db_session: Session, referral_ids: Iterable[str]) -> set[str]:
    """Which of these referrals have changes no member of staff has marked as read."""
    ids = list(referral_ids)
    if not ids:
        return set()
    rows = db_session.exec(
        select(ReferralUpdate.referral_id)
        .where(col(ReferralUpdate.referral_id).in_(ids))
        .where(col(ReferralUpdate.seen_at).is_(None))
    )
    return set(rows)


def mark_seen(db_session: Session, referral: Referral, *, actor_id: str) -> int:
    """A member of staff has read the survivor's changes; audited. Returns how many."""
    rows = db_session.exec(
        select(ReferralUpdate)
        .where(ReferralUpdate.referral_id == referral.id)
        .where(col(ReferralUpdate.seen_at).is_(None))
    ).all()
    now = utcnow()
    for row in rows:
        row.seen_at = now
        row.seen_by = actor_id
        db_session.add(row)
    if rows:
        audit(db_session, "updates_read", actor_id=actor_id, referral_id=referral.id)
    db_session.commit()
    return len(rows)
