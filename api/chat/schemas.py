"""The web chat contract (docs/architecture.md). External tools depend on it: keep it stable."""

from __future__ import annotations

from pydantic import BaseModel, Field

from api.render.schemas import OutgoingMessage


class ChatRequest(BaseModel):
    conversation_id: str | None = Field(default=None, max_length=64)
    text: str
    locale: str | None = Field(default=None, max_length=16)


class ChatResponse(BaseModel):
    conversation_id: str
    messages: list[OutgoingMessage]
