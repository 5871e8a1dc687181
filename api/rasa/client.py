"""Talking to the Rasa server: its REST channel for messages, its HTTP API for erasure."""

from __future__ import annotations

import logging
from typing import Any

import httpx
from pydantic import ValidationError

from api.render.schemas import MessageKey

logger = logging.getLogger(__name__)


class RasaUnavailableError(RuntimeError):
    """Rasa did not answer in time, or answered with something we cannot use."""


class RasaClient:
    def __init__(self, base_url: str, token: str, timeout_seconds: float) -> None:
        self._token = token
        self._http = httpx.AsyncClient(
            base_url=base_url,
            timeout=httpx.Timeout(timeout_seconds, connect=min(timeout_seconds, 1.0)),
            limits=httpx.Limits(max_connections=100, max_keepalive_connections=20),
        )

    async def aclose(self) -> None:
        await self._http.aclose()

    async def send(
        self, conversation_id: str, text: str, metadata: dict[str, Any]
    ) -> list[MessageKey]:
        body = {"sender": conversation_id, "message": text, "metadata": metadata}
        try:
            response = await self._http.post("/webhooks/rest/webhook", json=body)
            response.raise_for_status()
            raw = response.json()
        except (httpx.HTTPError, ValueError) as error:
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
            response = await self._http.put(
                f"/conversations/{conversation_id}/tracker/events",
                params={"token": self._token},
                json=[],
            )
            response.raise_for_status()
        except httpx.HTTPError as error:
            raise RasaUnavailableError from error

    async def tracker(self, conversation_id: str) -> dict[str, Any]:
        response = await self._http.get(
            f"/conversations/{conversation_id}/tracker", params={"token": self._token}
        )
        response.raise_for_status()
        data: dict[str, Any] = response.json()
        return data

    async def is_ready(self) -> bool:
        try:
            response = await self._http.get("/status", params={"token": self._token})
        except httpx.HTTPError:
            return False
        return response.status_code == 200 and bool(response.json().get("model_id"))


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
