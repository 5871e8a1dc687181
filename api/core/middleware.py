"""Headers every response carries, a cap on request size, and a request log without queries."""

from __future__ import annotations

import json
import logging
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.core.errors import BodyTooLargeError, error_body

logger = logging.getLogger("api.requests")

MAX_BODY_BYTES = 64 * 1024
# Rasa's action calls carry the whole tracker and domain; only Rasa may make them.
LARGER_LIMITS = {"/webhook": 16 * 1024 * 1024}

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)

SECURITY_HEADERS = {
    b"content-security-policy": CONTENT_SECURITY_POLICY.encode(),
    b"x-content-type-options": b"nosniff",
    b"referrer-policy": b"no-referrer",
    b"cache-control": b"no-store",
    b"x-frame-options": b"DENY",
    b"permissions-policy": b"camera=(), microphone=(), geolocation=()",
}


EMBED_PATH = "/embed"


class SafetyHeadersMiddleware:
    """Pure ASGI, so it also covers error responses and static files.

    Only the widget's page (/embed) may be framed, and only by the configured websites.
    """

    def __init__(self, app: ASGIApp, embed_origins: list[str] | None = None) -> None:
        self.app = app
        ancestors = " ".join(["'self'", *(embed_origins or [])])
        embed_csp = CONTENT_SECURITY_POLICY.replace(
            "frame-ancestors 'none'", f"frame-ancestors {ancestors}"
        )
        self.embed_headers = {
            **{k: v for k, v in SECURITY_HEADERS.items() if k != b"x-frame-options"},
            b"content-security-policy": embed_csp.encode(),
        }

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500
        extra = self.embed_headers if scope.get("path") == EMBED_PATH else SECURITY_HEADERS

        async def send_with_headers(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = [
                    (k, v)
                    for k, v in message.get("headers", [])
                    if k.lower() not in SECURITY_HEADERS
                ]
                headers += list(extra.items())
                message["headers"] = headers
            await send(message)

        limit = LARGER_LIMITS.get(scope.get("path", ""), MAX_BODY_BYTES)
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            await _too_large(send_with_headers)
        else:
            await self.app(scope, _limited(receive, limit), send_with_headers)
        logger.info(
            "%s %s %s %.1fms",
            scope.get("method"),
            scope.get("path"),
            status,
            (time.perf_counter() - started) * 1000,
        )


def _limited(receive: Receive, limit: int) -> Receive:
    """Stop reading a chunked body that grows past the cap."""
    seen = 0

    async def wrapped() -> Message:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                raise BodyTooLargeError
        return message

    return wrapped


async def _too_large(send: Send) -> None:
    body = json.dumps(error_body("too_large", "The request body is too large.")).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
