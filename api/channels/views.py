"""Twilio's webhooks for SMS and WhatsApp, and its delivery status callbacks.

Every request must carry a valid X-Twilio-Signature, computed over the public URL from
settings (deployments sit behind TLS-terminating proxies, so the request's own host is
never trusted). A forged or unsigned request gets 403 and nothing is processed or stored.
Whatever else happens, Twilio gets 200 TwiML: never a 5xx, and the survivor always gets at
least the helpline and 999.
"""

from __future__ import annotations

import logging
from urllib.parse import parse_qsl

from fastapi import APIRouter, Request, Response
from sqlmodel import Session
from twilio.request_validator import RequestValidator

from api.channels.models import OutboundMessage
from api.channels.service import ChannelService, Inbound
from api.channels.twiml import empty_reply, twiml_reply
from api.core.clock import utcnow
from api.core.config import Settings
from api.deps import ChannelServiceDep, SessionDep, SettingsDep
from api.render.schemas import MessageKey

logger = logging.getLogger(__name__)

router = APIRouter(prefix="/channels/twilio", tags=["channels"])

TWIML = "application/xml"


def _public_url(request: Request, settings: Settings) -> str:
    url = settings.public_base_url.rstrip("/") + request.url.path
    return f"{url}?{request.url.query}" if request.url.query else url


async def _signed_form(request: Request, settings: Settings) -> dict[str, str] | None:
    """The form fields, if Twilio signed them; None for a forged or unsigned request."""
    token = settings.twilio_auth_token.get_secret_value()
    signature = request.headers.get("x-twilio-signature", "")
    if not token or not signature or not settings.public_base_url:
        return None
    raw = await request.body()
    # Twilio sends UTF-8; anything else is read with replacement characters, not refused.
    form = dict(parse_qsl(raw.decode("utf-8", errors="replace"), keep_blank_values=True))
    if not RequestValidator(token).validate(_public_url(request, settings), form, signature):
        return None
    return form


def _forbidden() -> Response:
    return Response(status_code=403, content=empty_reply(), media_type=TWIML)


@router.post("/messages", include_in_schema=False)
async def inbound_message(
    request: Request, settings: SettingsDep, db_session: SessionDep, service: ChannelServiceDep
) -> Response:
    form = await _signed_form(request, settings)
    if form is None:
        logger.warning("twilio webhook refused: bad or missing signature")
        return _forbidden()
    message_sid = form.get("MessageSid") or form.get("SmsSid") or ""
    address = form.get("From", "")
    if not message_sid or not address:
        return Response(content=empty_reply(), media_type=TWIML)
    try:
        num_media = int(form.get("NumMedia") or 0)
    except ValueError:
        num_media = 0
    inbound = Inbound(message_sid, address, form.get("Body", ""), num_media)
    try:
        texts = await service.handle(db_session, inbound)
    except Exception:
        logger.exception("sms handling failed conversation=%s", service.conversation_id(address))
        db_session.rollback()
        texts = _unavailable(service)
    body = twiml_reply(texts) if texts else empty_reply()
    return Response(content=body, media_type=TWIML)


def _unavailable(service: ChannelService) -> list[str]:
    locale = service.chat.default_locale
    messages, _ = service.chat.render([MessageKey(key="system.unavailable")], locale, "sms")
    return [m.text for m in messages]


@router.post("/status", include_in_schema=False)
async def status_callback(
    request: Request, settings: SettingsDep, db_session: SessionDep
) -> Response:
    """Delivery status of messages the service sent, so staff can see a failed delivery."""
    form = await _signed_form(request, settings)
    if form is None:
        return _forbidden()
    record_status(db_session, form)
    return Response(status_code=204)


def record_status(db_session: Session, form: dict[str, str]) -> None:
    sid = form.get("MessageSid") or ""
    if not sid:
        return
    outbound = db_session.get(OutboundMessage, sid)
    if outbound is None:
        return  # a reply sent as TwiML, or not one of ours: nothing to track
    outbound.status = (form.get("MessageStatus") or outbound.status)[:24]
    outbound.error_code = (form.get("ErrorCode") or None) and form["ErrorCode"][:16]
    outbound.updated_at = utcnow()
    db_session.add(outbound)
    db_session.commit()
