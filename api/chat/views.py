"""The web chat contract: send a message, leave (and erase) a conversation."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response, status

from api.chat.schemas import ChatRequest, ChatResponse, has_visible_text
from api.core.errors import ApiError, documented_errors
from api.deps import ChatServiceDep, RendererDep, SessionDep, SettingsDep

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
