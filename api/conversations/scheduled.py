"""Periodic clean-up: nothing is kept longer than it is useful.

A conversation idle for CONVERSATION_RETENTION_HOURS is erased here and in Rasa, as if the
person had pressed Exit; closed referrals go after CLOSED_REFERRAL_RETENTION_DAYS. Runs in
each API process's background loop; erasing twice is harmless.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import timedelta

from sqlalchemy import Engine, delete
from sqlmodel import Session, col, select

from api.channels.models import InboundMessage
from api.conversations import service as conversations
from api.conversations.models import Conversation
from api.core.clock import utcnow
from api.core.limits import RateLimiter
from api.rasa.client import RasaClient, RasaUnavailableError
from api.referrals import service as referrals

logger = logging.getLogger(__name__)


async def purge_inactive(engine: Engine, rasa: RasaClient, idle_for: timedelta) -> int:
    """Erase conversations idle for longer than `idle_for`; returns how many."""
    cutoff = utcnow() - idle_for
    with Session(engine) as session:
        stale = session.exec(
            select(Conversation).where(col(Conversation.last_active_at) < cutoff)
        ).all()
        erased = 0
        for conversation in stale:
            try:
                await rasa.erase(conversation.id)
            except RasaUnavailableError:
                continue  # try again on the next pass rather than leave Rasa's copy behind
            conversations.erase_records(session, conversation.id)
            erased += 1
        # Records of messages whose conversation is already gone (erased while Rasa was
        # unreachable, say) go by age alone: nothing outlives the retention period.
        session.exec(delete(InboundMessage).where(col(InboundMessage.received_at) < cutoff))
        session.commit()
    if erased:
        logger.info("purged %s idle conversations", erased)
    return erased


async def retention_loop(
    engine: Engine,
    rasa: RasaClient,
    *,
    conversation_hours: float,
    closed_referral_days: float,
    every_seconds: float,
    stop: asyncio.Event,
    limiter: RateLimiter | None = None,
) -> None:
    """Every few minutes: erase idle conversations, delete closed referrals past retention,
    and forget rate-limit windows that have ended."""
    while not stop.is_set():
        try:
            await purge_inactive(engine, rasa, timedelta(hours=conversation_hours))
            with Session(engine) as session:
                referrals.purge_closed(session, closed_referral_days)
            if limiter is not None:
                limiter.purge()
        except Exception:
            logger.exception("retention pass failed; will try again")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=every_seconds)
