"""What erasure keeps: only the erasures Rasa still owes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime
from sqlmodel import Field, SQLModel

from api.core.clock import utcnow


class PendingErasure(SQLModel, table=True):
    """A conversation erased here whose copy in Rasa is still to go.

    Written in the same transaction that deletes the conversation's rows, so an erase
    survives a restart and is tried again until Rasa confirms it. The id is all it holds:
    no words, no number (an SMS conversation's id is a keyed hash of the sender)."""

    conversation_id: str = Field(primary_key=True, max_length=64)
    queued_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))
    attempts: int = Field(default=0)
    next_try_at: datetime = Field(
        default_factory=utcnow, index=True, sa_type=DateTime(timezone=True)
    )
