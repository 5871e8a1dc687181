"""What an action needs to know about where the conversation is happening."""

from __future__ import annotations

from rasa_sdk import Tracker

from api.core.channels import TEXT_ONLY_CHANNELS


def _metadata(tracker: Tracker) -> dict[str, object]:
    metadata = (tracker.latest_message or {}).get("metadata") or {}
    return metadata if isinstance(metadata, dict) else {}


def locale_of(tracker: Tracker, default: str) -> str:
    """The locale the API sent with the message (Rasa keeps it in the message's metadata),
    or the default locale when it sent none."""
    locale = _metadata(tracker).get("locale")
    return locale if isinstance(locale, str) and locale else default


def channel_of(tracker: Tracker) -> str:
    channel = _metadata(tracker).get("channel")
    return channel if isinstance(channel, str) and channel else "web"


def is_text_only(tracker: Tracker) -> bool:
    return channel_of(tracker) in TEXT_ONLY_CHANNELS


def client_of(tracker: Tracker) -> str | None:
    """The keyed hash the API sends for the sender's address (web) or number (text), for
    the referral limit. Never the address or number itself."""
    client = _metadata(tracker).get("client")
    return client if isinstance(client, str) and client else None
