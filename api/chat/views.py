"""The web chat contract: send a message, leave (and erase) a conversation."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response, status
from fastapi.responses import StreamingResponse
from sqlmodel import Session

from api.chat.schemas import ChatRequest, ChatResponse, has_visible_text
from api.conversations import service as conversations
from api.core.errors import ApiError, documented_errors
from api.deps import ChatServiceDep, CipherDep, RendererDep, SessionDep, SettingsDep
from api.live import service as live
from api.live.models import LiveChat, LiveMessage
from api.live.present import stream, survivor_event

router = APIRouter(prefix="/api/chat", tags=["chat"])


@router.post(
    "/messages",
    response_model=ChatResponse,
    responses={
        **documented_errors(400, 413, 422, 500),
        429: {
            "model": ChatResponse,
            "description": "Over a rate limit: the same shape, with a calm answer that still "
            "gives 999 and the helpline (or the emergency guidance, if the message needs it).",
        },
    },
)
async def send_message(
    request: Request,
    response: Response,
    body: ChatRequest,
    db_session: SessionDep,
    chat: ChatServiceDep,
    renderer: RendererDep,
    settings: SettingsDep,
) -> ChatResponse:
    text = body.text.strip()
    if not has_visible_text(text):
        raise ApiError(422, "empty_message", "The message is empty.")
    if len(text) > settings.max_message_chars:
        raise ApiError(
            422,
            "message_too_long",
            f"The message is longer than {settings.max_message_chars} characters.",
        )
    if body.locale is not None and not renderer.supports(body.locale):
        raise ApiError(422, "unknown_locale", f"Supported locales: {', '.join(renderer.locales)}.")
    reply = await chat.handle(
        db_session,
        text=text,
        channel="web",
        conversation_id=body.conversation_id,
        locale=body.locale,
        client=request.client.host if request.client else None,
    )
    if reply.limited:
        response.status_code = status.HTTP_429_TOO_MANY_REQUESTS
        response.headers["Retry-After"] = "60"
    return ChatResponse(
        conversation_id=reply.conversation_id,
        messages=reply.messages,
        locale=reply.locale,
        direction=renderer.languages.direction(reply.locale),
        live=reply.live if reply.live in ("waiting", "live") else None,
    )


@router.post(
    "/{conversation_id}/exit",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=documented_errors(413, 422, 500),
)
async def exit_conversation(
    conversation_id: str, db_session: SessionDep, chat: ChatServiceDep
) -> Response:
    """Erase everything about a conversation. Always 204: it says nothing about what existed.

    The web page calls this with navigator.sendBeacon as it leaves, so it takes no body.
    """
    await chat.erase_on(db_session, conversation_id, "web")
    return Response(status_code=status.HTTP_204_NO_CONTENT)


def last_event_id(request: Request) -> int:
    given = request.headers.get("last-event-id", "")
    return int(given) if given.isdigit() and len(given) < 19 else 0


@router.get("/{conversation_id}/live/events", include_in_schema=False)
async def live_events(
    conversation_id: str,
    request: Request,
    settings: SettingsDep,
    renderer: RendererDep,
    cipher: CipherDep,
) -> Response:
    """Server-sent events for a web conversation in the queue or in a live chat: the
    worker joining, their messages, and how the chat ended. One `gone` event for any id
    that has none (or is not a web conversation), so this says nothing about other ids."""
    web = conversations.belongs_to(conversation_id, "web")

    def find_chat(db_session: Session) -> LiveChat | None:
        chat = live.chat_of(db_session, conversation_id) if web else None
        return chat if chat is not None and chat.channel == "web" else None

    def shape(message: LiveMessage, chat: LiveChat) -> dict[str, Any] | None:
        if message.kind == "flag":
            return None  # for the worker
        return survivor_event(message, chat, renderer, cipher)

    events = stream(
        request.app.state.engine,
        find_chat=find_chat,
        senders=live.SURVIVOR_SEES,
        shape=shape,
        after=last_event_id(request),
        poll_seconds=settings.live_poll_seconds,
        disconnected=request.is_disconnected,
    )
    return StreamingResponse(
        events, media_type="text/event-stream", headers={"X-Accel-Buffering": "no"}
    )
