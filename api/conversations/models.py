"""A conversation, as the API knows it: no message text, no name, no number.

The channel and language are kept so replies can be rendered; the options last
offered are kept so that a reply of "2" on SMS can mean the second option.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column, DateTime
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
    # Payloads of the buttons last shown, in order, for numbered replies.
    last_options: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
