"""The one input channel Rasa opens: the REST protocol, behind the same token as its API.

Rasa's own REST channel answers anyone who can reach its port, so anyone there could
drive a conversation by its id and skip the safety screen. This one answers only the
API, which sends RASA_TOKEN in an Authorization header (compared in constant time), and
it never logs what was written: Rasa's version logs the message text when a turn fails.

This file runs in Rasa's own environment (Python 3.10) and imports nothing of the API.
"""

from __future__ import annotations

import hmac
import logging
from asyncio import CancelledError
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

logger = logging.getLogger(__name__)

MIN_TOKEN_LENGTH = 16


class FrontDoorInput(InputChannel):
    @classmethod
    def name(cls) -> str:
        return "frontdoor"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> FrontDoorInput:
        token = str((credentials or {}).get("token") or "")
        if len(token) < MIN_TOKEN_LENGTH:
            raise ValueError("the frontdoor channel needs a long token (RASA_TOKEN)")
        return cls(token)

    def __init__(self, token: str) -> None:
        self._expected = f"Bearer {token}".encode()

    def allowed(self, request: Request) -> bool:
        given = (request.headers.get("authorization") or "").encode()
        return hmac.compare_digest(given, self._expected)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint("front_door_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            if not self.allowed(request):
                return response.json({"error": "forbidden"}, status=403)
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if not self.allowed(request):
                return response.json({"error": "forbidden"}, status=403)
            body = request.json if isinstance(request.json, dict) else {}
            sender, text = body.get("sender"), body.get("message")
            if not isinstance(sender, str) or not isinstance(text, str):
                return response.json({"error": "sender and message are needed"}, status=400)
            metadata = body.get("metadata") if isinstance(body.get("metadata"), dict) else None
            collector = CollectingOutputChannel()
            message = UserMessage(
                text, collector, sender, input_channel=self.name(), metadata=metadata
            )
            try:
                await on_new_message(message)
            except CancelledError:
                logger.error("turn timed out conversation=%s", sender)
            except Exception as error:  # the API answers with the helplines instead
                logger.error("turn failed conversation=%s error=%s", sender, type(error).__name__)
            return response.json(collector.messages)

        return webhook
