"""A phone number never leaves this module: the rest of the system sees a keyed hash of it.

The conversation id for SMS and WhatsApp is HMAC-SHA256(key, channel address). The same
number always maps to the same id (so a conversation continues), but the id cannot be
turned back into the number without the key.
"""

from __future__ import annotations

import hashlib
import hmac


def channel_of(address: str) -> str:
    return "whatsapp" if address.strip().lower().startswith("whatsapp:") else "sms"


def normalise_address(address: str) -> str:
    """'whatsapp:+44 7700 900123' and 'whatsapp:+447700900123' are the same sender."""
    address = address.strip().lower()
    prefix = "whatsapp:" if address.startswith("whatsapp:") else ""
    number = address.removeprefix("whatsapp:")
    digits = "".join(ch for ch in number if ch.isdigit())
    return f"{prefix}+{digits}" if digits else address


def conversation_id_for(address: str, key: str) -> str:
    normalised = normalise_address(address)
    digest = hmac.new(key.encode(), normalised.encode(), hashlib.sha256).hexdigest()
    prefix = "wa" if normalised.startswith("whatsapp:") else "sms"
    return f"{prefix}-{digest[:48]}"
