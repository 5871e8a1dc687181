"""What the SMS and WhatsApp channels record. No phone numbers: conversations are keyed by
the HMAC of the sender's address (api/channels/identity.py)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime
from sqlmodel import Field, SQLModel

from api.core.clock import utcnow


class InboundMessage(SQLModel, table=True):
    """One row per Twilio MessageSid: a retry of the same message is answered only once."""

    message_sid: str = Field(primary_key=True, max_length=64)
    conversation_id: str = Field(index=True, max_length=64)
    channel: str = Field(max_length=16)
    received_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))


class OptOut(SQLModel, table=True):
    """A sender who texted STOP (or another opt-out word): nothing is sent until START."""

    conversation_id: str = Field(primary_key=True, max_length=64)
    opted_out_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))


class OutboundMessage(SQLModel, table=True):
    """A message the service sent on its own initiative, and its delivery status."""

    message_sid: str = Field(primary_key=True, max_length=64)
    conversation_id: str = Field(index=True, max_length=64)
    channel: str = Field(max_length=16)
    message_key: str = Field(max_length=64)
    status: str = Field(default="queued", max_length=24)
    error_code: str | None = Field(default=None, max_length=16)
    created_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))
    updated_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))
