"""Replies for Twilio: TwiML, with long replies split sensibly."""

from __future__ import annotations

from twilio.twiml.messaging_response import MessagingResponse

# Twilio's limit for one message body; longer text is split, never in the middle of a word.
MAX_MESSAGE_CHARS = 1600


def split_text(text: str, limit: int = MAX_MESSAGE_CHARS) -> list[str]:
    """Split at paragraph, then line, then word boundaries; hard-split only a giant word."""
    text = text.strip()
    parts: list[str] = []
    while len(text) > limit:
        window = text[: limit + 1]
        cut = max(window.rfind("\n\n"), window.rfind("\n"))
        if cut <= limit // 2:
            cut = window.rfind(" ")
        if cut <= 0:
            cut = limit
        parts.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    if text:
        parts.append(text)
    return parts


def twiml_reply(texts: list[str]) -> str:
    """One TwiML response with one <Message> per chunk, in order."""
    response = MessagingResponse()
    for text in texts:
        for chunk in split_text(text):
            response.message(chunk)
    return str(response)


def empty_reply() -> str:
    return str(MessagingResponse())
