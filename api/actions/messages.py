"""Helpers so actions speak in message keys, like the domain's responses do."""

from __future__ import annotations

from typing import Any

from rasa_sdk.executor import CollectingDispatcher


def say(
    dispatcher: CollectingDispatcher,
    key: str,
    buttons: list[tuple[str, str]] | None = None,
    **params: Any,
) -> None:
    """Send one message by key; the API turns it into words for the locale and channel.

    `buttons` are (title key, payload) pairs.
    """
    message: dict[str, Any] = {"key": key}
    if params:
        message["params"] = params
    if buttons:
        message["buttons"] = [{"key": title, "payload": payload} for title, payload in buttons]
    dispatcher.utter_message(json_message=message)
