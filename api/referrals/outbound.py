"""Messages the service sends on its own initiative, by SMS or WhatsApp.

Only to someone who chose this channel for contact in their referral, to the number they
gave, when they did not say messages are unsafe (api/referrals/contact.py reads their
answers); never to a number that opted out, only with message keys whose first line is neutral (the
`proactive.*` keys), and on WhatsApp outside the 24-hour window only as an approved template.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from sqlmodel import Session, col, select
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from api.channels import identity
from api.channels.models import InboundMessage, OptOut, OutboundMessage
from api.conversations import service as conversations
from api.core.clock import utcnow
from api.core.config import Settings
from api.core.crypto import FieldCipher
from api.referrals.contact import why_not_send
from api.render.renderer import Renderer

logger = logging.getLogger(__name__)

TWILIO_API = "https://api.twilio.com"
WHATSAPP_WINDOW = timedelta(hours=24)
PROACTIVE_PREFIX = "proactive."


class NotSent(Exception):
    """The message was not sent, on purpose. `reason` says why (no personal data)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class _RedirectingHttpClient(TwilioHttpClient):  # type: ignore[misc]
    """Sends the Twilio client's requests to another base address (a stand-in in tests)."""

    def __init__(self, base: str) -> None:
        super().__init__(timeout=10)
        self._base = base.rstrip("/")

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
        if url.startswith(TWILIO_API):
            url = self._base + url[len(TWILIO_API) :]
        return super().request(method, url, *args, **kwargs)


class OutboundSender:
    def __init__(self, settings: Settings, renderer: Renderer) -> None:
        self.settings = settings
        self.renderer = renderer
        http_client = (
            _RedirectingHttpClient(settings.twilio_api_base)
            if settings.twilio_api_base.rstrip("/") != TWILIO_API
            else None
        )
        self.client = Client(
            settings.twilio_account_sid or "AC" + "0" * 32,
            settings.twilio_auth_token.get_secret_value() or "unset",
            http_client=http_client,
        )

    def send(
        self,
        db_session: Session,
        *,
        address: str,
        key: str,
        locale: str,
        answers: Mapping[str, Any],
        params: dict[str, Any] | None = None,
        words_needed: bool = False,
    ) -> OutboundMessage:
        """`answers`: the decrypted answers of the referral this message is for. Without
        a referral that chose this channel and this number, nothing is sent.
        `words_needed`: the message is no use without its own words (a code), so on
        WhatsApp outside the 24-hour window it is not replaced by the template."""
        if not key.startswith(PROACTIVE_PREFIX):
            raise NotSent("only proactive.* messages, with a neutral first line, may be sent")
        refused = why_not_send(answers, address, key)
        if refused is not None:
            raise NotSent(refused)
        cid = identity.conversation_id_for(address, self.settings.channel_id_key.get_secret_value())
        if db_session.get(OptOut, cid) is not None:
            raise NotSent("opted out")
        channel = identity.channel_of(address)
        body = self.renderer.text(key, locale, **(params or {}))
        arguments: dict[str, Any] = {"to": address, "body": body}
        if channel == "whatsapp":
            arguments["from_"] = self.settings.twilio_whatsapp_from
            if not self._inside_whatsapp_window(db_session, cid):
                template = self.settings.twilio_whatsapp_template_sid
                if words_needed:
                    raise NotSent("outside WhatsApp's 24-hour window: only a template may go")
                if not template:
                    raise NotSent("outside WhatsApp's 24-hour window and no template configured")
                arguments = {"to": address, "from_": arguments["from_"], "content_sid": template}
        else:
            arguments["from_"] = self.settings.twilio_sms_from
        if self.settings.public_base_url:
            arguments["status_callback"] = (
                self.settings.public_base_url.rstrip("/") + "/channels/twilio/status"
            )
        created = self.client.messages.create(**arguments)
        record = OutboundMessage(
            message_sid=created.sid,
            conversation_id=cid,
            channel=channel,
            message_key=key,
            status=created.status or "queued",
        )
        db_session.add(record)
        db_session.commit()
        logger.info("conversation=%s sent %s", cid, key)
        return record

    def can_send(self) -> bool:
        """Whether this deployment has a Twilio account and a number to send from."""
        return bool(
            self.settings.twilio_account_sid
            and (self.settings.twilio_sms_from or self.settings.twilio_whatsapp_from)
        )

    def _inside_whatsapp_window(self, db_session: Session, cid: str) -> bool:
        latest = db_session.exec(
            select(InboundMessage.received_at)
            .where(InboundMessage.conversation_id == cid)
            .order_by(col(InboundMessage.received_at).desc())
        ).first()
        if latest is None:
            return False
        if latest.tzinfo is None:  # SQLite gives back naive datetimes
            latest = latest.replace(tzinfo=utcnow().tzinfo)
        return utcnow() - latest < WHATSAPP_WINDOW


class LiveTexts:
    """A live chat's messages to a survivor on SMS or WhatsApp: the worker's words, their
    joining, and how the chat ended, sent as ordinary texts to the number the chat holds
    (encrypted, only while it is open). Never after STOP. On WhatsApp only inside the
    24-hour window since the survivor last wrote: outside it only an approved template may
    start a message, and a template cannot carry a worker's words, so nothing is sent and
    the worker is told."""

    def __init__(self, sender: OutboundSender, cipher: FieldCipher) -> None:
        self.sender = sender
        self.cipher = cipher

    def address_of(self, sealed: str | None) -> str | None:
        if not sealed:
            return None
        return str(self.cipher.decrypt(sealed).get("address") or "") or None

    def seal(self, address: str) -> str:
        return self.cipher.encrypt({"address": address})

    def send(
        self,
        db_session: Session,
        *,
        sealed_address: str | None,
        texts: list[str],
        options: list[str] | None = None,
    ) -> int:
        """Send `texts` (already rendered for the channel); how many went. Raises NotSent
        with the reason when nothing may go. `options`: the payloads the texts' numbered
        options stand for, remembered as the conversation's (so "1" picks from these)."""
        address = self.address_of(sealed_address)
        if address is None:
            raise NotSent("no number held for this chat")
        if not self.sender.can_send():
            raise NotSent("no Twilio account or number configured")
        settings = self.sender.settings
        cid = identity.conversation_id_for(address, settings.channel_id_key.get_secret_value())
        if db_session.get(OptOut, cid) is not None:
            raise NotSent("opted out")
        channel = identity.channel_of(address)
        if channel == "whatsapp" and not self.sender._inside_whatsapp_window(db_session, cid):
            raise NotSent("outside WhatsApp's 24-hour window")
        sender = (
            settings.twilio_whatsapp_from if channel == "whatsapp" else settings.twilio_sms_from
        )
        sent = 0
        for body in texts:
            arguments: dict[str, Any] = {"to": address, "from_": sender, "body": body}
            if settings.public_base_url:
                arguments["status_callback"] = (
                    settings.public_base_url.rstrip("/") + "/channels/twilio/status"
                )
            created = self.sender.client.messages.create(**arguments)
            db_session.add(
                OutboundMessage(
                    message_sid=created.sid,
                    conversation_id=cid,
                    channel=channel,
                    message_key="live.message",
                    status=created.status or "queued",
                )
            )
            sent += 1
        conversation = conversations.get(db_session, cid)
        if options is not None and conversation is not None:
            conversation.sealed_options = (
                self.cipher.encrypt({"options": options}) if options else None
            )
            db_session.add(conversation)
        db_session.commit()
        logger.info("conversation=%s live texts sent=%s", cid, sent)
        return sent
