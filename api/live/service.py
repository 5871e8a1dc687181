"""The queue and the live chat, shared by every API process through the database.

Every change is one short transaction. Claiming is one `UPDATE ... WHERE status='waiting'`,
so of two workers pressing "Take" at once exactly one gets the chat. A chat's words are
deleted the moment it ends; what is left says only how it ended, for the survivor's page,
and goes after a few minutes (`purge_finished`) or with the conversation.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import Engine, delete, func, update
from sqlmodel import Session, col, select

from api.core.clock import aware, utcnow
from api.core.crypto import FieldCipher
from api.live.models import OPEN_STATUSES, LiveChat, LiveMessage

# What the survivor's side is sent, and what the worker's side is sent.
SURVIVOR_SEES = ("worker", "system")
WORKER_SEES = ("survivor", "system")
# Events about the end of a chat: the survivor's page closes its stream after one.
ENDINGS = ("handed_back", "ended", "left", "timed_out")
Ending = Literal["handed_back", "ended", "left", "timed_out"]
Claim = Literal["claimed", "taken", "too_many"]


def chat_of(db_session: Session, conversation_id: str) -> LiveChat | None:
    return db_session.exec(
        select(LiveChat).where(col(LiveChat.conversation_id) == conversation_id)
    ).first()


def open_chat_of(db_session: Session, conversation_id: str) -> LiveChat | None:
    chat = chat_of(db_session, conversation_id)
    return chat if chat is not None and chat.status in OPEN_STATUSES else None


def waiting_count(db_session: Session) -> int:
    return int(
        db_session.exec(
            select(func.count()).select_from(LiveChat).where(col(LiveChat.status) == "waiting")
        ).one()
    )


def enqueue(
    db_session: Session, *, conversation_id: str, channel: str, locale: str
) -> LiveChat | None:
    """Join the queue; None if this conversation is already waiting or in a chat. A chat
    that ended before is forgotten first (one row per conversation)."""
    held = chat_of(db_session, conversation_id)
    if held is not None and held.status in OPEN_STATUSES:
        return None
    if held is not None:
        _delete_chat(db_session, held.id)
    chat = LiveChat(
        id=str(uuid.uuid4()), conversation_id=conversation_id, channel=channel, locale=locale
    )
    db_session.add(chat)
    db_session.commit()
    db_session.refresh(chat)
    return chat


def leave_queue(db_session: Session, conversation_id: str) -> bool:
    """The survivor left the queue before anyone took the chat: nothing is kept."""
    taken = db_session.exec(
        delete(LiveChat)
        .where(col(LiveChat.conversation_id) == conversation_id)
        .where(col(LiveChat.status) == "waiting")
    )
    db_session.commit()
    return bool(taken.rowcount)


def add_message(
    db_session: Session,
    chat: LiveChat,
    *,
    sender: str,
    kind: str,
    cipher: FieldCipher | None = None,
    text: str | None = None,
    detail: str | None = None,
) -> LiveMessage:
    body = cipher.encrypt({"text": text}) if (cipher is not None and text is not None) else None
    message = LiveMessage(
        chat_id=chat.id,
        conversation_id=chat.conversation_id,
        sender=sender,
        kind=kind,
        body=body,
        detail=detail,
    )
    db_session.add(message)
    db_session.commit()
    db_session.refresh(message)
    return message


def words_of(message: LiveMessage, cipher: FieldCipher) -> str:
    if message.body is None:
        return ""
    return str(cipher.decrypt(message.body).get("text", ""))


def add_flags(db_session: Session, chat: LiveChat, signals: set[str]) -> None:
    """The screen's signals (codes, never words) on the queue entry, for the worker."""
    known = {flag for flag in chat.flags.split(",") if flag}
    chat.flags = ",".join(sorted(known | signals))[:200]
    db_session.add(chat)
    db_session.commit()


def live_chats_of(db_session: Session, worker_id: str) -> list[LiveChat]:
    return list(
        db_session.exec(
            select(LiveChat)
            .where(col(LiveChat.worker_id) == worker_id)
            .where(col(LiveChat.status) == "live")
            .order_by(col(LiveChat.claimed_at))
        ).all()
    )


def waiting(db_session: Session) -> list[LiveChat]:
    """The queue, longest waiting first."""
    return list(
        db_session.exec(
            select(LiveChat)
            .where(col(LiveChat.status) == "waiting")
            .order_by(col(LiveChat.queued_at))
        ).all()
    )


def claim(
    db_session: Session, chat_id: str, *, worker_id: str, worker_name: str, max_chats: int
) -> Claim:
    """Take a waiting chat, atomically: one UPDATE that only a waiting chat matches."""
    if len(live_chats_of(db_session, worker_id)) >= max_chats:
        db_session.rollback()
        return "too_many"
    result = db_session.exec(
        update(LiveChat)
        .where(col(LiveChat.id) == chat_id)
        .where(col(LiveChat.status) == "waiting")
        .values(status="live", worker_id=worker_id, worker_name=worker_name, claimed_at=utcnow())
    )
    if result.rowcount != 1:
        db_session.rollback()
        return "taken"
    chat = db_session.get(LiveChat, chat_id)
    assert chat is not None
    db_session.add(
        LiveMessage(
            chat_id=chat.id, conversation_id=chat.conversation_id, sender="system", kind="joined"
        )
    )
    db_session.commit()
    return "claimed"


def finish(db_session: Session, chat: LiveChat, how: Ending) -> bool:
    """End an open chat: its words are deleted at once, and one event says how it ended.
    False if it had already ended (by the other side, or another process)."""
    result = db_session.exec(
        update(LiveChat)
        .where(col(LiveChat.id) == chat.id)
        .where(col(LiveChat.status).in_(OPEN_STATUSES))
        .values(status=how, ended_at=utcnow(), address=None)
    )
    if result.rowcount != 1:
        db_session.rollback()
        return False
    # The ending first, then the rest go: its id stays above every id a page has seen, so
    # a page waiting for what comes after its last event receives it.
    ending = LiveMessage(
        chat_id=chat.id, conversation_id=chat.conversation_id, sender="system", kind=how
    )
    db_session.add(ending)
    db_session.flush()
    db_session.exec(
        delete(LiveMessage)
        .where(col(LiveMessage.chat_id) == chat.id)
        .where(col(LiveMessage.id) != ending.id)
    )
    db_session.commit()
    if chat in db_session:
        db_session.refresh(chat)
    return True


def messages_after(
    db_session: Session, chat_id: str, after: int, senders: tuple[str, ...]
) -> list[LiveMessage]:
    return list(
        db_session.exec(
            select(LiveMessage)
            .where(col(LiveMessage.chat_id) == chat_id)
            .where(col(LiveMessage.id) > after)
            .where(col(LiveMessage.sender).in_(senders))
            .order_by(col(LiveMessage.id))
        ).all()
    )


@dataclass(frozen=True)
class Expired:
    """A waiting chat nobody took: who to tell (its channel and language)."""

    chat_id: str
    conversation_id: str
    channel: str
    locale: str
    address: str | None


def expire_waiting(db_session: Session, *, max_wait: timedelta, hub_open: bool) -> list[Expired]:
    """Chats nobody took within the wait (or any still waiting when the hub has closed)
    end as timed out; each is told by whichever process ends it (the update decides)."""
    cutoff = utcnow() - max_wait
    query = select(LiveChat).where(col(LiveChat.status) == "waiting")
    if hub_open:
        query = query.where(col(LiveChat.queued_at) <= cutoff)
    candidates = list(db_session.exec(query).all())
    db_session.rollback()
    ended = []
    for chat in candidates:
        address = chat.address
        if finish(db_session, chat, "timed_out"):
            ended.append(Expired(chat.id, chat.conversation_id, chat.channel, chat.locale, address))
    return ended


def purge_finished(db_session: Session, older_than: timedelta) -> int:
    """Ended chats whose ending the survivor has had time to see: gone."""
    cutoff = utcnow() - older_than
    ids = list(
        db_session.exec(
            select(LiveChat.id)
            .where(col(LiveChat.status).not_in(OPEN_STATUSES))
            .where(col(LiveChat.ended_at) <= cutoff)
        ).all()
    )
    for chat_id in ids:
        _delete_chat(db_session, chat_id)
    db_session.commit()
    return len(ids)


def forget(db_session: Session, conversation_id: str) -> None:
    """Erasure (api/erasure/service.py): the queue entry and every message, in the caller's
    transaction."""
    db_session.exec(delete(LiveMessage).where(col(LiveMessage.conversation_id) == conversation_id))
    db_session.exec(delete(LiveChat).where(col(LiveChat.conversation_id) == conversation_id))


def _delete_chat(db_session: Session, chat_id: str) -> None:
    db_session.exec(delete(LiveMessage).where(col(LiveMessage.chat_id) == chat_id))
    db_session.exec(delete(LiveChat).where(col(LiveChat.id) == chat_id))


def waited_minutes(chat: LiveChat, now: datetime | None = None) -> int:
    queued = aware(chat.queued_at)
    assert queued is not None
    return max(0, int(((now or utcnow()) - queued).total_seconds() // 60))


class LiveQueue:
    """The queue as Rasa's custom actions use it: each call its own short transaction on
    the API's own database."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def waiting_count(self) -> int:
        with Session(self.engine) as db_session:
            return waiting_count(db_session)

    def join(self, conversation_id: str, *, channel: str, locale: str) -> int | None:
        """Join the queue: how many were waiting ahead, or None if already in it (or in a
        chat)."""
        with Session(self.engine) as db_session:
            ahead = waiting_count(db_session)
            chat = enqueue(
                db_session, conversation_id=conversation_id, channel=channel, locale=locale
            )
            return None if chat is None else ahead

    def leave(self, conversation_id: str) -> bool:
        with Session(self.engine) as db_session:
            return leave_queue(db_session, conversation_id)


def hold_address(db_session: Session, conversation_id: str, sealed: str) -> None:
    """SMS and WhatsApp: the survivor's number (encrypted), so the worker's messages can
    reach them; only on an open chat, and cleared when it ends."""
    db_session.exec(
        update(LiveChat)
        .where(col(LiveChat.conversation_id) == conversation_id)
        .where(col(LiveChat.status).in_(OPEN_STATUSES))
        .values(address=sealed)
    )
    db_session.commit()


def last_event(db_session: Session, chat: LiveChat) -> LiveMessage | None:
    return db_session.exec(
        select(LiveMessage)
        .where(col(LiveMessage.chat_id) == chat.id)
        .order_by(col(LiveMessage.id).desc())
    ).first()
