"""The web chat contract (docs/architecture.md). External tools depend on it: keep it stable."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, Field

from api.render.schemas import OutgoingMessage

# What every conversation id this service issues looks like (web ids are 43 characters
# of URL-safe base64; SMS and WhatsApp ids are keyed hashes).
CONVERSATION_ID_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"
# A message needs one character that is neither a space nor a control character: what is
# left after Python's strip(), written so a JSON Schema regex means the same.
VISIBLE_CHARACTER = r"[^\s\x00-\x1f\x7f-\x9f]"
_VISIBLE = re.compile(VISIBLE_CHARACTER)


def has_visible_text(text: str) -> bool:
    """False for a message of nothing but spaces and control characters, by web or by SMS."""
    return _VISIBLE.search(text) is not None


class ChatRequest(BaseModel):
    conversation_id: str | None = Field(default=None, pattern=CONVERSATION_ID_PATTERN)
    text: str
    locale: str | None = Field(default=None, max_length=16)


class ChatResponse(BaseModel):
    conversation_id: str
    messages: list[OutgoingMessage]
    # The conversation's language now (it changes when the survivor chooses another),
    # and which way its script runs, so the page can follow.
    locale: str
    direction: Literal["ltr", "rtl"]
    # In the queue for a support worker ("waiting") or chatting with one ("live"): the page
    # then listens to /api/chat/{conversation_id}/live/events. Absent otherwise.
    live: Literal["waiting", "live"] | None = None
