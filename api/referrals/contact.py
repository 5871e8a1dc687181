"""How the hub may reach a survivor, read from their own safe-contact answers: the ways of
contact they agreed to, the only words a message may say, and whether the service itself
may send to an address. One place, used by the staff console and the outbound sender, so
the two can never disagree."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from api.referrals.answers import NOT_ANSWERED, PLAIN_MESSAGE, SKIPPED

# How a contact attempt was made. A message way leaves words behind on their phone or email.
WAYS = ("call", "voicemail", "text", "whatsapp", "email", "they_contacted_us")
MESSAGE_WAYS = frozenset({"voicemail", "text", "whatsapp", "email"})
WRITTEN_METHODS = frozenset({"text", "whatsapp", "email"})
# Methods the service could send by itself (SMS and WhatsApp through Twilio).
SENDABLE = {"text": "sms", "whatsapp": "whatsapp"}


@dataclass(frozen=True)
class ContactWays:
    allowed: tuple[str, ...]
    # A way of contact that is not offered, and why (a code the console puts in words).
    refused: dict[str, str] = field(default_factory=dict)
    # The only words a message may say: their own, or PLAIN_MESSAGE. None: no message.
    wording: str | None = None


def approved_wording(answers: Mapping[str, Any]) -> str | None:
    wording = answers.get("message_ok_text")
    if not isinstance(wording, str) or wording in {SKIPPED, NOT_ANSWERED} or not wording.strip():
        return None
    return wording


def contact_ways(answers: Mapping[str, Any]) -> ContactWays:
    """Only the way they chose. A voicemail needs a clear yes; a text, WhatsApp or email is
    the way they chose, unless they said leaving a message is not safe. Any message needs
    words they approved."""
    method = answers.get("contact_method")
    messages = answers.get("voicemail_ok")
    if method == "call":
        allowed, message_way, agreed = ["call"], "voicemail", messages is True
    elif method in WRITTEN_METHODS:
        allowed, message_way, agreed = [], str(method), messages is not False
    else:
        return ContactWays(("they_contacted_us",))  # no safe way given: they contact us
    wording = approved_wording(answers)
    refused: dict[str, str] = {}
    if messages is False:
        refused[message_way] = "said_no_messages"
    elif not agreed:
        refused[message_way] = "messages_not_agreed"
    elif wording is None:
        refused[message_way] = "no_wording"
    else:
        allowed.append(message_way)
    allowed.append("they_contacted_us")
    return ContactWays(tuple(allowed), refused, wording if message_way in allowed else None)


def _international(number: str) -> str | None:
    """A UK number as given ("07700 900123") in Twilio's form ("+447700900123")."""
    digits = re.sub(r"\D", "", number)
    if number.strip().startswith("+"):
        return "+" + digits
    return "+44" + digits[1:] if digits.startswith("0") else None


def sendable_address(answers: Mapping[str, Any]) -> str | None:
    """The address the service would send to by itself, in Twilio's form ("+447700900123",
    or "whatsapp:+447700900123"), when the way they chose is a text or WhatsApp; otherwise
    None. Whether it may send there is why_not_send's answer."""
    method = answers.get("contact_method")
    detail = answers.get("contact_detail")
    if method not in SENDABLE or not isinstance(detail, str):
        return None
    number = _international(detail)
    if number is None:
        return None
    return f"whatsapp:{number}" if SENDABLE[method] == "whatsapp" else number


def why_not_send(answers: Mapping[str, Any], address: str, key: str) -> str | None:
    """Why the service may not send this message to this address by itself, or None when
    it may: only by the text or WhatsApp they chose, to the number they gave, when they did
    not say messages are unsafe, and a first message only in the words they chose."""
    method = answers.get("contact_method")
    if method not in SENDABLE or method not in contact_ways(answers).allowed:
        return "the survivor did not agree to messages on this channel"
    channel = "whatsapp" if address.startswith("whatsapp:") else "sms"
    if SENDABLE[method] != channel:
        return "not the channel the survivor chose"
    detail = answers.get("contact_detail")
    if not isinstance(detail, str) or _international(detail) != address.removeprefix("whatsapp:"):
        return "not the number the survivor gave"
    if key == "proactive.first_message" and approved_wording(answers) != PLAIN_MESSAGE:
        return "the survivor did not choose the plain first message"
    return None
