"""Rasa's action-server protocol, served inside the API.

Rasa posts the tracker to POST /webhook; rasa_sdk's ActionExecutor, built when the API
starts (executor.py), runs the action and we return its events and responses. Only Rasa
may call this: it sends the shared token as a query parameter (bot/endpoints.yml).

An action does blocking work (the database, the topic encoder, argon2 for a confirmation
word, a text sent through Twilio), so it runs in a worker thread with an event loop of its
own: the API's loop keeps answering other people's messages meanwhile.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
from typing import Any

from anyio import CapacityLimiter, to_thread
from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from rasa_sdk.executor import ActionExecutor
from rasa_sdk.interfaces import ActionExecutionRejection, ActionNotFoundException
from rasa_sdk.types import ActionCall

from api.core.errors import ApiError, error_body
from api.deps import SettingsDep

logger = logging.getLogger(__name__)

router = APIRouter(tags=["actions"], include_in_schema=False)


# At most this many actions at once in one API process: each may hold a database
# connection and an argon2 hash's 64 MiB; Rasa waits for its answer when they queue.
ACTIONS_AT_ONCE = 8


def _run_in_own_loop(executor: ActionExecutor, action_call: ActionCall) -> Any:
    return asyncio.run(executor.run(action_call))


def _limiter(request: Request) -> CapacityLimiter:
    """The app's own: a limiter belongs to the event loop it was made in."""
    state = request.app.state
    if getattr(state, "actions_at_once", None) is None:
        state.actions_at_once = CapacityLimiter(ACTIONS_AT_ONCE)
    limiter: CapacityLimiter = state.actions_at_once
    return limiter


@router.post("/webhook")
async def run_action(
    request: Request, settings: SettingsDep, token: str = Query(default="")
) -> JSONResponse:
    expected = settings.actions_token.get_secret_value()
    if not hmac.compare_digest(token.encode(), expected.encode()):
        raise ApiError(403, "forbidden", "Only the assistant may call this endpoint.")
    try:
        action_call: Any = await request.json()
    except ValueError as error:
        raise ApiError(400, "malformed_json", "The request body is not valid JSON.") from error
    if not isinstance(action_call, dict):
        raise ApiError(400, "invalid_request", "Expected an action call object.")

    executor: ActionExecutor = request.app.state.action_executor
    action_name = action_call.get("next_action")
    try:
        result = await to_thread.run_sync(
            _run_in_own_loop, executor, action_call, limiter=_limiter(request)
        )
    except ActionExecutionRejection as rejection:
        # A form saying "that answer does not fill my slot": Rasa then tries its policies.
        return JSONResponse(
            {"error": rejection.message, "action_name": rejection.action_name}, status_code=400
        )
    except ActionNotFoundException as missing:
        logger.error("unknown action=%s", missing.action_name)
        return JSONResponse(error_body("unknown_action", missing.message), status_code=404)
    logger.info(
        "action=%s conversation=%s",
        action_name,
        (action_call.get("tracker") or {}).get("sender_id"),
    )
    return JSONResponse(result.model_dump() if result else {"events": [], "responses": []})
