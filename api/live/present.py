"""A live chat's messages as each side sees them: the survivor in their language and
channel (message keys through the renderer), the worker in the console's English."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import anyio
from sqlalchemy import Engine
from sqlmodel import Session

from api.core.crypto import FieldCipher
from api.live import service as live
from api.live.models import LiveChat, LiveMessage
from api.render.renderer import Renderer
from api.render.schemas import ButtonKey, MessageKey, OutgoingMessage

MENU = ButtonKey(key="menu.back", payload="/menu")
LEAVE = ButtonKey(key="live.leave_chat_button", payload='/live_chat{"live_step":"leave"}')
REFER = ButtonKey(key="live.refer_button", payload="/get_support")
QUICK_REPLIES = ("live.quick.helpline", "live.quick.exit", "live.quick.safety")


def ending_keys(kind: str, name: str) -> list[MessageKey]:
    """What the survivor is told when a chat ends, or never starts: never silence."""
    if kind == "joined":
        return [MessageKey(key="live.joined", params={"name": name}, buttons=[LEAVE])]
    if kind == "handed_back":
        return [MessageKey(key="live.handed_back", params={"name": name}, buttons=[MENU])]
    if kind == "ended":
        return [MessageKey(key="live.ended", buttons=[MENU])]
    if kind == "left":
        return [MessageKey(key="live.you_left", buttons=[MENU])]
    if kind == "timed_out":
        return [
            MessageKey(key="live.timed_out"),
            MessageKey(key="talk.national"),
            MessageKey(key="live.offer_referral", buttons=[REFER, MENU]),
        ]
    return []


def for_survivor(
    message: LiveMessage, chat: LiveChat, renderer: Renderer, cipher: FieldCipher, channel: str
) -> list[OutgoingMessage]:
    """One message or event, rendered for the survivor's language and channel."""
    name = chat.worker_name or ""
    if message.kind == "text":
        words = live.words_of(message, cipher)
        if channel == "web":
            return [OutgoingMessage(text=words)]
        key = MessageKey(key="live.worker_says", params={"name": name, "text": words})
        return renderer.for_channel([key], chat.locale, channel)[0]
    if message.kind == "quick" and message.detail in QUICK_REPLIES:
        return renderer.for_channel([MessageKey(key=message.detail)], chat.locale, channel)[0]
    return renderer.for_channel(ending_keys(message.kind, name), chat.locale, channel)[0]


def survivor_texts(
    message: LiveMessage, chat: LiveChat, renderer: Renderer, cipher: FieldCipher
) -> tuple[list[str], list[str]]:
    """By SMS or WhatsApp: the texts, and the payloads their numbered options stand for (so
    a reply of "1" picks what this text offered, not something from before)."""
    name = chat.worker_name or ""
    if message.kind in ("text", "quick"):
        return [m.text for m in for_survivor(message, chat, renderer, cipher, chat.channel)], []
    rendered, options = renderer.for_channel(
        ending_keys(message.kind, name), chat.locale, chat.channel
    )
    return [m.text for m in rendered], options


def survivor_event(
    message: LiveMessage, chat: LiveChat, renderer: Renderer, cipher: FieldCipher
) -> dict[str, Any]:
    """An event for the survivor's web page."""
    return {
        "kind": message.kind,
        "from": "worker" if message.sender == "worker" else "assistant",
        "name": chat.worker_name or "",
        "messages": [m.model_dump() for m in for_survivor(message, chat, renderer, cipher, "web")],
        "live": chat.status if message.kind not in live.ENDINGS else None,
    }


def for_worker(message: LiveMessage, renderer: Renderer, cipher: FieldCipher) -> dict[str, Any]:
    """An event for the worker's page: words only where the survivor agreed to share them
    (their messages from the moment the chat began), flags as codes."""
    text = ""
    if message.kind == "text":
        text = live.words_of(message, cipher)
    elif message.kind == "quick" and message.detail in QUICK_REPLIES:
        text = renderer.text(message.detail, "en")
    return {
        "id": message.id,
        "kind": message.kind,
        "sender": message.sender,
        "text": text,
        "flags": (message.detail or "").split(",") if message.kind == "flag" else [],
        "at": message.at.isoformat() if message.at else "",
    }


def sse(event: str, data: dict[str, Any], event_id: int | None = None) -> str:
    head = f"id: {event_id}\n" if event_id is not None else ""
    return f"{head}event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


async def stream(
    engine: Engine,
    *,
    find_chat: Callable[[Session], LiveChat | None],
    senders: tuple[str, ...],
    shape: Callable[[LiveMessage, LiveChat], dict[str, Any] | None],
    after: int,
    poll_seconds: float,
    disconnected: Callable[[], Awaitable[bool]],
    still_allowed: Callable[[Session], bool] = lambda _: True,
    keepalive_seconds: float = 15.0,
) -> AsyncIterator[str]:
    """Server-sent events from the database, polled: every API process sees every chat.

    Each event's id is the message's id, so a page that reconnects (EventSource sends
    Last-Event-ID) carries on where it stopped. Ends after a chat's ending, when the chat is
    gone (erased), or when `still_allowed` says no (a worker signed out)."""
    yield "retry: 2000\n\n"
    last = after
    quiet = unchecked = 0.0
    while True:
        with Session(engine) as db_session:
            chat = find_chat(db_session)
            if chat is None:
                yield sse("gone", {})
                return
            messages = live.messages_after(db_session, chat.id, last, senders)
            allowed = True
            if unchecked >= keepalive_seconds:
                allowed, unchecked = still_allowed(db_session), 0.0
            chunks = []
            ended = False
            for message in messages:
                assert message.id is not None
                last = message.id
                data = shape(message, chat)
                if data is not None:
                    chunks.append(sse("message", data, message.id))
                ended = ended or message.kind in live.ENDINGS
        for chunk in chunks:
            yield chunk
        if ended:
            return
        if not allowed:
            yield sse("signed_out", {})
            return
        if chunks:
            quiet = 0.0
        elif quiet >= keepalive_seconds:
            yield ": still here\n\n"
            quiet = 0.0
        if await disconnected():
            return
        await anyio.sleep(poll_seconds)
        quiet += poll_seconds
        unchecked += poll_seconds
