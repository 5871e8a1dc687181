"""The transactional outbox: one row per referral per hub connector, written in the same
transaction as the referral, so a consented referral can never be stored without a
delivery being owed, nor delivered without being stored. Later events about a referral
(updated, withdrawn) are rows too, written in the same transaction as the change; they
carry their own document, sealed, because a withdrawn referral no longer exists to build
it from, and they are deleted once delivered."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, DateTime, Text
from sqlmodel import Field, SQLModel

from api.core.clock import utcnow


class OutboxEntry(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    referral_id: str = Field(index=True, max_length=36)
    connector: str = Field(max_length=32)
    # "referral.created" (built from the referral when sent), or an event (api/outbox/events.py)
    event: str = Field(default="referral.created", max_length=32)
    # An event's document, encrypted with the key ring; None for "referral.created".
    encrypted_payload: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    # pending -> delivering -> delivered; or retrying, and finally dead after the retry window
    status: str = Field(default="pending", max_length=16, index=True)
    attempts: int = 0
    next_attempt_at: datetime = Field(
        default_factory=utcnow, sa_type=DateTime(timezone=True), index=True
    )
    # A worker owns a "delivering" entry until its lease ends; after a crash it is taken again.
    lease_until: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    claim_token: str | None = Field(default=None, max_length=32)
    # Status codes and error types only: never a payload, never personal data.
    last_error: str | None = Field(default=None, max_length=200)
    created_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))
    delivered_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
