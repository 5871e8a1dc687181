"""Plain functions over conversations; the database session comes first."""

from __future__ import annotations

import secrets

from sqlmodel import Session

from api.conversations.models import Conversation, utcnow


def new_conversation_id() -> str:
    # 32 random bytes: far beyond the 128 bits the contract asks for.
    return secrets.token_urlsafe(32)


def get(db_session: Session, conversation_id: str) -> Conversation | None:
    return db_session.get(Conversation, conversation_id)


def start(
    db_session: Session, *, channel: str, locale: str, conversation_id: str | None = None
) -> Conversation:
    conversation = Conversation(
        id=conversation_id or new_conversation_id(), channel=channel, locale=locale
    )
    db_session.add(conversation)
    db_session.commit()
    db_session.refresh(conversation)
    return conversation


def touch(
    db_session: Session, conversation: Conversation, *, locale: str, options: list[str]
) -> None:
    conversation.locale = locale
    conversation.last_options = options
    conversation.last_active_at = utcnow()
    db_session.add(conversation)
    db_session.commit()


def erase(db_session: Session, conversation_id: str) -> None:
    conversation = db_session.get(Conversation, conversation_id)
    if conversation is not None:
        db_session.delete(conversation)
        db_session.commit()
