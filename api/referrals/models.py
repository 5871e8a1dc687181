"""Self-referrals. Everything that could identify a person is in `encrypted_answers`.

What stays in the clear is what staff need to sort the queue without opening a record:
a short non-identifying reference, status, priority, triage flags, language and channel.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, DateTime, Text
from sqlmodel import Field, SQLModel

from api.core.clock import utcnow


class ReferralBase(SQLModel):
    reference: str = Field(index=True, unique=True, max_length=16)
    status: str = Field(default="new", max_length=24, index=True)
    priority: str = Field(default="standard", max_length=16, index=True)
    referral_for: str = Field(default="myself", max_length=16)
    locale: str = Field(default="en", max_length=8)
    channel: str = Field(default="web", max_length=16)


# The way a referral moves through the hub; "closed" needs a reason.
STATUSES = ("new", "in_review", "contacted", "allocated", "closed")
CLOSING_REASONS = (
    "supported_and_closed",
    "declined_support",
    "could_not_contact_safely",
    "referred_elsewhere",
    "duplicate",
    "erasure_requested",
)
CONTACT_OUTCOMES = ("reached", "no_answer", "unsafe")
# What a survivor can change or add after sending, by coming back with their reference
# (api/referrals/returning.py). The first four change how they may be contacted.
CONTACT_UPDATES = ("contact_number", "contact_times", "stop_messages", "no_voicemail")
UPDATE_KINDS = (*CONTACT_UPDATES, "news", "sooner")


class Referral(ReferralBase, table=True):
    id: str = Field(default_factory=lambda: str(uuid.uuid4()), primary_key=True, max_length=36)
    created_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))
    updated_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    # The staff member working on it (a staff user id); None while it waits in the queue.
    assigned_to: str | None = Field(default=None, max_length=36, index=True)
    allocated_service: str | None = Field(default=None, max_length=120)
    closing_reason: str | None = Field(default=None, max_length=40)
    flags: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    encrypted_answers: str = Field(sa_column=Column(Text, nullable=False))
    # The conversation it was sent from, so that erasing the referral by its reference
    # also erases that conversation if it is still held (api/erasure/service.py).
    # Never shown and never sent to the hub.
    conversation_id: str | None = Field(default=None, max_length=64)
    # A slow salted hash (argon2id) of the word the survivor chose to come back with;
    # never the word. None: no word was chosen.
    return_word_hash: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    # A repeat referral: the earlier referral of the same survivor, linked only when they
    # agreed, in a conversation where they had proved it was theirs (returning.py).
    previous_referral_id: str | None = Field(default=None, max_length=36, index=True)


class ReferralNote(SQLModel, table=True):
    """A staff note. Notes may hold personal details, so the text is encrypted."""

    id: int | None = Field(default=None, primary_key=True)
    referral_id: str = Field(index=True, max_length=36)
    author_id: str = Field(max_length=36)
    created_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))
    encrypted_text: str = Field(sa_column=Column(Text, nullable=False))


class ContactAttempt(SQLModel, table=True):
    """One try at reaching the survivor, by the safe method they gave."""

    id: int | None = Field(default=None, primary_key=True)
    referral_id: str = Field(index=True, max_length=36)
    author_id: str = Field(max_length=36)
    created_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))
    outcome: str = Field(max_length=16)
    # How they were tried (api/referrals/contact.py WAYS); None for attempts recorded
    # before it was asked.
    way: str | None = Field(default=None, max_length=24)
    # "Unsafe": nobody tries again before this moment.
    retry_after: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    encrypted_note: str | None = Field(default=None, sa_column=Column(Text, nullable=True))


class ReferralUpdate(SQLModel, table=True):
    """Something the survivor changed or added after sending, by coming back with their
    reference: a new number, other times, no more messages, no voicemail, something new,
    or "please contact me sooner". The detail is their words or number, so it is
    encrypted; staff mark it seen, and until then the queue shows the referral has news."""

    id: int | None = Field(default=None, primary_key=True)
    referral_id: str = Field(index=True, max_length=36)
    created_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))
    kind: str = Field(max_length=24)
    encrypted_detail: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    seen_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    seen_by: str | None = Field(default=None, max_length=36)


class ReturnCode(SQLModel, table=True):
    """A one-time code sent to the safe contact of a referral whose survivor has no word
    (or forgot it): only its argon2id hash, until it expires or is used. One at a time per
    referral: a new code replaces the last."""

    id: int | None = Field(default=None, primary_key=True)
    referral_id: str = Field(index=True, max_length=36)
    created_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))
    expires_at: datetime = Field(sa_type=DateTime(timezone=True), index=True)
    code_hash: str = Field(sa_column=Column(Text, nullable=False))
