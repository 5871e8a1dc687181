"""The idle purge: nothing is kept longer than it is useful.

A conversation idle for CONVERSATION_RETENTION_HOURS is erased here and in Rasa, as if the
person had pressed Exit (the same erasure: api/erasure/service.py). Runs in each API
process's background work; erasing twice is harmless.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import delete
from sqlmodel import Session, col, select

from api.channels.models import InboundMessage
from api.conversations.models import Conversation
from api.core.clock import utcnow
from api.erasure.service import ConversationEraser, forget_here

logger = logging.getLogger(__name__)


async def purge_inactive(eraser: ConversationEraser, idle_for: timedelta) -> int:
    """Erase conversations idle for longer than `idle_for`; returns how many."""
    cutoff = utcnow() - idle_for
    with Session(eraser.engine) as session:
        stale = session.exec(
            select(Conversation.id).where(col(Conversation.last_active_at) < cutoff)
        ).all()
        for conversation_id in stale:
            forget_here(session, conversation_id)
        # Records of messages whose conversation is already gone go by age alone:
        # nothing outlives the retention period.
        session.exec(delete(InboundMessage).where(col(InboundMessage.received_at) < cutoff))
        session.commit()
    if stale:
        logger.info("purged %s idle conversations", len(stale))
        await eraser.retry_waiting()
    return len(stale)
