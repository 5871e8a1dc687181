"""Plain functions over conversations; the database session comes first."""

from __future__ import annotations

import re
import secrets
from datetime import timedelta

from sqlmodel import Session

from api.conversations.models import Conversation
from api.core.clock import utcnow
from api.core.crypto import DecryptionError, FieldCipher


def new_conversation_id() -> str:
    # 32 random bytes: far beyond the 128 bits the contract asks for.
    return secrets.token_urlsafe(32)


# What each channel's ids look like. Web ids are 32 random bytes in URL-safe base64 (43
# characters); SMS and WhatsApp ids are a prefix and a keyed hash (api/channels/identity.py).
# The shapes cannot overlap, so a channel can tell another's id from its own without the
# database: the web routes can never reach an SMS or WhatsApp conversation.
_ID_SHAPES = {
    "web": re.compile(r"[A-Za-z0-9_-]{43}"),
    "sms": re.compile(r"sms-[0-9a-f]{48}"),
    "whatsapp": re.compile(r"wa-[0-9a-f]{48}"),
}


def belongs_to(conversation_id: str, channel: str) -> bool:
    """True if `conversation_id` has the shape of an id `channel` issues."""
    shape = _ID_SHAPES.get(channel)
    return shape is not None and shape.fullmatch(conversation_id) is not None


def get(db_session: Session, conversation_id: str) -> Conversation | None:
    return db_session.get(Conversation, conversation_id)


def get_on(db_session: Session, conversation_id: str, channel: str) -> Conversation | None:
    """The conversation, only if it belongs to `channel`; any other is as if unknown."""
    if not belongs_to(conversation_id, channel):
        return None
    conversation = db_session.get(Conversation, conversation_id)
    return conversation if conversation is not None and conversation.channel == channel else None


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
    db_session: Session,
    conversation: Conversation,
    *,
    locale: str,
    options: list[str],
    cipher: FieldCipher,
) -> None:
    conversation.locale = locale
    conversation.sealed_options = cipher.encrypt({"options": options}) if options else None
    conversation.last_active_at = utcnow()
    db_session.add(conversation)
    db_session.commit()


def options_of(conversation: Conversation, cipher: FieldCipher, max_age: timedelta) -> list[str]:
    """The options last offered, if offered within `max_age`; otherwise none."""
    if not conversation.sealed_options:
        return []
    try:
        opened = cipher.decrypt(
            conversation.sealed_options, max_age_seconds=int(max_age.total_seconds())
        )
    except DecryptionError:  # too old, or sealed with a key no longer held
        return []
    options = opened.get("options")
    return [str(o) for o in options] if isinstance(options, list) else []
