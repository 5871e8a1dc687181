"""What the API sends to a client, and what Rasa sends to the API."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class Button(BaseModel):
    title: str
    payload: str


class OutgoingMessage(BaseModel):
    text: str
    buttons: list[Button] = Field(default_factory=list)


class ButtonKey(BaseModel):
    key: str
    payload: str


class MessageKey(BaseModel):
    """One message as Rasa decides it: a catalog key, its parameters and its buttons."""

    key: str
    params: dict[str, Any] = Field(default_factory=dict)
    buttons: list[ButtonKey] = Field(default_factory=list)
