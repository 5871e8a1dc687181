"""What the API sends to a client, and what Rasa sends to the API."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field, model_validator


class Button(BaseModel):
    title: str
    payload: str


class OutgoingMessage(BaseModel):
    text: str
    buttons: list[Button] = Field(default_factory=list)


class ButtonKey(BaseModel):
    """A button as Rasa decides it: its title is a catalog key or a topic's title."""

    payload: str
    key: str | None = None
    resource: str | None = None

    @model_validator(mode="after")
    def _has_a_title(self) -> ButtonKey:
        if not (self.key or self.resource):
            raise ValueError("a button needs a key or a resource")
        return self


class ItemKey(BaseModel):
    """One line of a list: a key, and the value it shows.

    The value is the person's own words (`params.value`) or fixed words from the catalogs
    (`value_key`, or several `value_keys` joined).
    """

    key: str
    params: dict[str, Any] = Field(default_factory=dict)
    value_key: str | None = None
    value_keys: list[str] = Field(default_factory=list)


class MessageKey(BaseModel):
    """One message as Rasa decides it.

    `key` names the words in the catalogs; `params` fill its placeholders. `items` are
    more keys shown as a list under it (a safety plan's summary). `resource` names a topic
    whose summary and link follow the words.
    """

    key: str | None = None
    params: dict[str, Any] = Field(default_factory=dict)
    items: list[str | ItemKey] = Field(default_factory=list)
    resource: str | None = None
    buttons: list[ButtonKey] = Field(default_factory=list)
    # Words in a language other than the conversation's (the first language menu, shown
    # before anyone has chosen, greets in every language).
    locale: str | None = None

    @model_validator(mode="after")
    def _has_words(self) -> MessageKey:
        if not (self.key or self.resource):
            raise ValueError("a message needs a key or a resource")
        return self
