"""The ways survivors reach the service, and what each can show."""

from __future__ import annotations

from typing import Final

# No buttons, no links to press, no red Exit button: options are numbered, pages are not
# sent whole (they would stay in the phone's messages for anyone to read).
TEXT_ONLY_CHANNELS: Final = frozenset({"sms", "whatsapp"})
