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

from api.conversations.models import utcnow


class ReferralBase(SQLModel):
    reference: str = Field(index=True, unique=True, max_length=16)
    status: str = Field(default="new", max_length=24, index=True)
    priority: str = Field(default="standard", max_length=16, index=True)
    referral_for: str = Field(default="myself", max_length=16)
    locale: str = Field(default="en", max_length=8)
    channel: str = Field(default="web", max_length=16)


class Referral(ReferralBase, table=True):
    id: str = Field(default_factory=lambda: str(uuid.uuid4()), primary_key=True, max_length=36)
    created_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))
    flags: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    encrypted_answers: str = Field(sa_column=Column(Text, nullable=False))


class ReferralPublic(ReferralBase):
    """What a staff view shows before anyone opens the personal details."""

    id: str
    created_at: datetime
    flags: list[dict[str, Any]]
