"""Talking to the Rasa servers: their REST channel for messages, their HTTP API for erasure.

With several Rasa processes (the production profile), each conversation has a home
process, chosen by a stable hash of its id, so its turns usually meet a warm cache. If
that process cannot be reached at all (the connection is refused, so the message was
never sent), the next process takes the message; the shared Redis tracker and lock
stores make any process able to continue any conversation. A process that refused is
skipped for a few seconds. A message that reached a process that then failed is not
sent again, so it can never be handled twice: the survivor gets the helpline answer.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

import httpx
from pydantic import ValidationError

from api.render.schemas import MessageKey

logger = logging.getLogger(__name__)


class RasaUnavailableError(RuntimeError):
    """Rasa did not answer in time, or answered with something we cannot use."""


# Errors raised before a request left this process: safe to send it elsewhere.
NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
# Rasa's input channel for the API, behind the same token as its HTTP API (bot/channels.py).
WEBHOOK_PATH = "/webhooks/frontdoor/webhook"
SKIP_REFUSING_SECONDS = 5.0


class RasaClient:
    def __init__(self, base_urls: str | Sequence[str], token: str, timeout_seconds: float) -> None:
        self._token = token
        urls = [base_urls] if isinstance(base_urls, str) else list(base_urls)
        if not urls:
            raise ValueError("at least one Rasa address is needed")
        self._backends = [
            httpx.AsyncClient(
                base_url=url,
                timeout=httpx.Timeout(timeout_seconds, connect=min(timeout_seconds, 1.0)),
                limits=httpx.Limits(max_connections=100, max_keepalive_connections=20),
            )
            for url in urls
        ]
        self._refused_until = [0.0] * len(urls)

    async def aclose(self) -> None:
        for backend in self._backends:
            await backend.aclose()

    def _order(self, conversation_id: str) -> list[int]:
        """The conversation's home process first, then the rest; refusing ones last."""
        count = len(self._backends)
        home = int.from_bytes(hashlib.blake2b(conversation_id.encode(), digest_size=8).digest())
        order = [(home + step) % count for step in range(count)]
        now = time.monotonic()
        return sorted(order, key=lambda index: self._refused_until[index] > now)

    async def _request(
        self, conversation_id: str, method: str, path: str, **kwargs: Any
    ) -> httpx.Response:
        last_error: Exception | None = None
        for index in self._order(conversation_id):
            try:
                response = await self._backends[index].request(method, path, **kwargs)
            except NOT_SENT as error:
                self._refused_until[index] = time.monotonic() + SKIP_REFUSING_SECONDS
                last_error = error
                continue
            except (httpx.HTTPError, httpx.InvalidURL) as error:
                raise RasaUnavailableError(type(error).__name__) from error
            self._refused_until[index] = 0.0
            return response
        raise RasaUnavailableError(type(last_error).__name__) from last_error

    async def send(
        self, conversation_id: str, text: str, metadata: dict[str, Any]
    ) -> list[MessageKey]:
        body = {"sender": conversation_id, "message": text, "metadata": metadata}
        try:
            response = await self._request(
                conversation_id,
                "POST",
                WEBHOOK_PATH,
                json=body,
                headers={"Authorization": f"Bearer {self._token}"},
            )
            response.raise_for_status()
            raw = response.json()
        except (RasaUnavailableError, httpx.HTTPError, ValueError) as error:
            logger.warning(
                "rasa unavailable conversation=%s error=%s", conversation_id, type(error).__name__
            )
            raise RasaUnavailableError from error
        if not isinstance(raw, list):
            raise RasaUnavailableError("unexpected reply shape")
        return [m for m in (_to_message_key(item) for item in raw) if m is not None]

    async def erase(self, conversation_id: str) -> None:
        """Replace the conversation's events with nothing: Rasa 3.6 has no delete."""
        try:
            response = await self._request(
                conversation_id,
                "PUT",
                f"/conversations/{quote(conversation_id, safe='')}/tracker/events",
                params={"token": self._token},
                json=[],
            )
            response.raise_for_status()
        except httpx.HTTPError as error:
            raise RasaUnavailableError from error

    async def tracker(self, conversation_id: str) -> dict[str, Any]:
        response = await self._request(
            conversation_id,
            "GET",
            f"/conversations/{quote(conversation_id, safe='')}/tracker",
            params={"token": self._token},
        )
        response.raise_for_status()
        data: dict[str, Any] = response.json()
        return data

    async def is_ready(self) -> bool:
        """Ready when at least one process has a model loaded."""
        for backend in self._backends:
            try:
                response = await backend.get("/status", params={"token": self._token})
            except httpx.HTTPError:
                continue
            if response.status_code == 200 and bool(response.json().get("model_id")):
                return True
        return False


def _to_message_key(item: Any) -> MessageKey | None:
    """Rasa's custom payloads carry our keys. Anything else is a bug in the bot's domain."""
    if not isinstance(item, dict):
        return None
    custom = item.get("custom")
    if isinstance(custom, dict) and ("key" in custom or "resource" in custom):
        try:
            return MessageKey.model_validate(custom)
        except ValidationError:
            logger.error("rasa sent a malformed message key")
            return None
    logger.error("rasa sent a message without a key")
    return None
