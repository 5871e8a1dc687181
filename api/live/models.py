"""The queue of people waiting for a support worker, and the messages of a live chat.

Both live in the database so every API process sees the same queue and the same chat.
A chat's messages exist only while it is open: when it ends they are deleted, and what is
left (a few rows saying how it ended, no words) goes once the survivor has seen it, or with
the conversation (api/erasure/service.py). Message words are encrypted with the
application's keys while they are held.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from sqlalchemy import DateTime
from sqlmodel import Field, SQLModel

from api.core.clock import utcnow

# waiting → live → handed_back | ended;  waiting → left | timed_out
Status = Literal["waiting", "live", "handed_back", "ended", "left", "timed_out"]
OPEN_STATUSES: tuple[str, ...] = ("waiting", "live")
# Who a message is from, and what it is. `text` and `quick` carry words (encrypted, or a
# catalog key); the rest are events with no words.
Sender = Literal["survivor", "worker", "system"]
Kind = Literal[
    "text",  # words typed by the survivor or the worker
    "quick",  # a quick reply from the catalog, by key (shown in each reader's language)
    "joined",  # a worker took the chat
    "flag",  # the safety screen saw danger or self-harm in the survivor's message
    "handed_back",  # the worker handed the survivor back to the assistant
    "ended",  # the worker ended the chat
    "left",  # the survivor left
    "timed_out",  # nobody took the chat within the wait, or the hub closed
]


class LiveChat(SQLModel, table=True):
    """One person's place in the queue, then their chat with a worker. One per conversation."""

    id: str = Field(primary_key=True, max_length=36)
    conversation_id: str = Field(unique=True, index=True, max_length=64)
    channel: str = Field(max_length=16)
    locale: str = Field(max_length=16)
    status: str = Field(default="waiting", index=True, max_length=16)
    # The safety screen's signals seen while queued or live ("danger,self_harm"): codes only.
    flags: str = Field(default="", max_length=200)
    queued_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))
    claimed_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    ended_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    worker_id: str | None = Field(default=None, index=True, max_length=36)
    # The worker's display name, as the survivor is told it ("Sam from the hub has joined").
    worker_name: str | None = Field(default=None, max_length=200)
    # SMS and WhatsApp: the survivor's address, encrypted, so the worker's messages can be
    # sent to them. Held only while the chat is open.
    address: str | None = None


class LiveMessage(SQLModel, table=True):
    """One message or event of a live chat. Its id orders the chat and is the event id a
    reconnecting page gives back (Last-Event-ID): never reused (AUTOINCREMENT on SQLite,
    a sequence on PostgreSQL), so a page never mistakes a new message for one it has seen."""

    __table_args__ = {"sqlite_autoincrement": True}

    id: int | None = Field(default=None, primary_key=True)
    chat_id: str = Field(index=True, max_length=36)
    conversation_id: str = Field(index=True, max_length=64)
    at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))
    sender: str = Field(max_length=16)
    kind: str = Field(max_length=16)
    # `text`: the words, encrypted. Deleted when the chat ends.
    body: str | None = None
    # A catalog key (`quick`), the signals (`flag`): codes only, never words.
    detail: str | None = Field(default=None, max_length=100)
