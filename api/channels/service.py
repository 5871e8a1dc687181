"""SMS and WhatsApp: one inbound message in, the reply texts out.

Treat every message as possibly seen by the abuser. The sender's number is turned into a
keyed hash at once and never stored, logged or passed to Rasa. Retries of the same
MessageSid are answered once. EXIT erases; STOP opts out until START; HELP gives the
helplines and 999; MENU shows the menu; everything else goes through the same safety
screen and Rasa as the web chat.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlmodel import Session

import safety
from api.channels import identity
from api.channels.models import InboundMessage, OptOut
from api.channels.words import ChannelWords, Command
from api.chat.schemas import has_visible_text
from api.chat.service import ChatService
from api.conversations import service as conversations
from api.live import service as live
from api.render.schemas import MessageKey

logger = logging.getLogger(__name__)

# Counted for staff, never with words (api/staff: Limits).
DANGER_AFTER_OPT_OUT = "danger_after_opt_out"


@dataclass(frozen=True)
class Inbound:
    message_sid: str
    address: str
    body: str
    num_media: int = 0


class ChannelService:
    def __init__(self, chat: ChatService, words: ChannelWords, id_key: str, max_chars: int) -> None:
        self.chat = chat
        self.words = words
        self.id_key = id_key
        self.max_chars = max_chars

    def conversation_id(self, address: str) -> str:
        return identity.conversation_id_for(address, self.id_key)

    def claim(self, db_session: Session, message: Inbound, conversation_id: str) -> bool:
        """Record the MessageSid; False if it was seen before (a Twilio retry)."""
        db_session.add(
            InboundMessage(
                message_sid=message.message_sid,
                conversation_id=conversation_id,
                channel=identity.channel_of(message.address),
            )
        )
        try:
            db_session.commit()
        except IntegrityError:
            db_session.rollback()
            return False
        return True

    async def handle(self, db_session: Session, message: Inbound) -> list[str] | None:
        """The texts to reply with, or None for no reply at all."""
        channel = identity.channel_of(message.address)
        cid = self.conversation_id(message.address)
        if not self.claim(db_session, message, cid):
            logger.info("conversation=%s duplicate message ignored", cid)
            return None
        conversation = conversations.get(db_session, cid)
        locale = conversation.locale if conversation else self.chat.default_locale
        text = message.body.strip()[: self.max_chars]
        if not has_visible_text(text):
            text = ""  # only spaces or control characters: an empty message
        command = self.words.command(text, locale) if text else None
        opted_out = db_session.get(OptOut, cid) is not None

        if opted_out:
            if command is Command.OPT_IN:
                db_session.delete(db_session.get(OptOut, cid))
                db_session.commit()
                logger.info("conversation=%s opted in", cid)
                return self._render([MessageKey(key="sms.opted_in")], locale, channel)
            # Twilio delivers nothing to a number that opted out, not even an answer to
            # danger. The message is still screened, and danger counted (never its words)
            # so staff can see that it happened.
            screened = safety.screen(text, locale) if text else None
            if screened is not None and (screened.emergency or screened.self_harm):
                self.chat.limiter.record_event(DANGER_AFTER_OPT_OUT)
                logger.warning("conversation=%s danger from an opted-out number", cid)
            else:
                logger.info("conversation=%s opted out: no reply", cid)
            return None
        if command is Command.OPT_OUT:
            # Like EXIT: everything held for the number goes (the conversation, its message
            # records, Rasa's tracker with any unsent referral answers); only the opt-out
            # itself is kept, so nothing is sent until START.
            await self.chat.erase(db_session, cid)
            db_session.add(OptOut(conversation_id=cid))
            db_session.commit()
            logger.info("conversation=%s opted out and erased", cid)
            return self._render([MessageKey(key="sms.opted_out")], locale, channel)
        if command is Command.EXIT:
            await self.chat.erase(db_session, cid)
            logger.info("conversation=%s exit", cid)
            return self._render([MessageKey(key="sms.exit_done")], locale, channel)

        prefix: list[str] = []
        if message.num_media > 0:
            prefix = self._render([MessageKey(key="sms.no_media")], locale, channel)
        if command is Command.HELP:
            return prefix + self._render([MessageKey(key="sms.help")], locale, channel)
        if command is Command.MENU:
            text = "/menu"
        elif command is Command.LANGUAGE:
            text = "/change_language"
        if not text:
            return prefix or None
        reply = await self.chat.handle(
            db_session, text=text, channel=channel, conversation_id=cid, stable_id=True
        )
        if reply.live is not None:
            # In the queue or a live chat: the worker's messages are sent to this number,
            # held encrypted only while the chat is open (api/live/).
            try:
                sealed = self.chat.cipher.encrypt({"address": message.address})
                live.hold_address(db_session, cid, sealed)
            except SQLAlchemyError:
                db_session.rollback()
        return prefix + [m.text for m in reply.messages]

    def _render(self, keys: list[MessageKey], locale: str, channel: str) -> list[str]:
        messages, _ = self.chat.render(keys, locale, channel)
        return [m.text for m in messages]
