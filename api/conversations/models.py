"""A conversation, as the API knows it: no message text, no name, no number.

The channel and language are kept so replies can be rendered; the options last
offered are kept, encrypted and for a few hours only, so that a reply of "2" on SMS can
mean the second option. They are sealed because they can give answers away: during the
referral, the needs not offered again are the needs already chosen.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Text
from sqlmodel import Field, SQLModel

from api.core.clock import utcnow


class ConversationBase(SQLModel):
    channel: str = Field(default="web", max_length=16)
    locale: str = Field(default="en", max_length=8)


class Conversation(ConversationBase, table=True):
    id: str = Field(primary_key=True, max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))
    last_active_at: datetime = Field(
        default_factory=utcnow, index=True, sa_type=DateTime(timezone=True)
    )
    # Payloads of the buttons last shown, in order, for numbered replies: a Fernet token
    # under the app's keys (api/core/crypto.py), opened only while it is fresh.
    sealed_options: str | None = Field(default=None, sa_type=Text)
