"""The live chat queue and a live chat, for hub staff (docs/live-chat.md).

The queue shows how long each person has waited, their channel and language (so an
interpreter can be arranged) and the safety screen's flags: never their words. Taking a
chat is one atomic update: of two workers, one gets it and the other is told it has been
taken. The chat page shows the messages both ways as they happen (server-sent events,
api/live/present.py) and offers quick replies from the catalog in the survivor's language.
Every view and every message sent is audited.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse
from sqlmodel import Session

from api.core.audit import audit
from api.core.channels import TEXT_ONLY_CHANNELS
from api.deps import CipherDep, HubDep, RendererDep, SessionDep, SettingsDep
from api.live import service as live
from api.live.models import LiveChat, LiveMessage
from api.live.present import QUICK_REPLIES, for_worker, stream, survivor_texts
from api.referrals.outbound import LiveTexts, NotSent
from api.staff import service
from api.staff.auth import CurrentStaff, StaffContext, session_policy
from api.staff.pages import PageNotFound, render, see_other

router = APIRouter(prefix="/staff/live", tags=["staff"], include_in_schema=False)

# The screen's signals, in the console's words.
FLAG_WORDS = {
    "emergency": "Danger now (999 guidance shown to them)",
    "self_harm": "Self-harm (Samaritans and 999 guidance shown to them)",
    "danger_by_meaning": "Possible danger (999 guidance shown to them)",
    "exit": "Exit words",
}
QUICK_WORDS = {
    "live.quick.helpline": "The 24-hour helpline",
    "live.quick.exit": "How to leave quickly",
    "live.quick.safety": "999 and the Silent Solution",
}
MESSAGE_MAX_CHARS = 2000


def _detail(chat_id: str) -> str:
    return f"live_chat={chat_id}"


def _their_chat(db_session: Session, chat_id: str, staff: StaffContext) -> LiveChat:
    """A chat this worker holds, live. Anyone else's, or one that has ended, is not found:
    nothing about it is shown."""
    chat = db_session.get(LiveChat, chat_id)
    if chat is None or chat.worker_id != staff.user.id or chat.status != "live":
        raise PageNotFound
    return chat


def _wants_json(request: Request) -> bool:
    return request.headers.get("x-live-console") == "1"


@router.get("")
async def live_queue_page(
    request: Request,
    staff: CurrentStaff,
    db_session: SessionDep,
    hub: HubDep,
    done: str | None = None,
    refresh: bool = False,
) -> Response:
    if not refresh:  # the page's own updates of its list are not new views
        audit(db_session, "live_queue_view", actor_id=staff.user.id)
        db_session.commit()
    return _queue(request, staff, db_session, hub, done=done)


def _queue(
    request: Request,
    staff: StaffContext,
    db_session: Session,
    hub: Any,
    *,
    done: str | None = None,
    problem: str | None = None,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "live_queue.html",
        {
            "staff": staff,
            "waiting": live.waiting(db_session),
            "mine": live.live_chats_of(db_session, staff.user.id),
            "enabled": hub.live_chat.enabled,
            "max_chats": hub.live_chat.max_chats_per_worker,
            "flag_words": FLAG_WORDS,
            "done": done,
            "problem": problem,
        },
        status_code=status_code,
    )


@router.post("/{chat_id}/claim")
async def claim_chat(
    request: Request,
    chat_id: str,
    staff: CurrentStaff,
    db_session: SessionDep,
    hub: HubDep,
    renderer: RendererDep,
    cipher: CipherDep,
) -> Response:
    outcome = live.claim(
        db_session,
        chat_id,
        worker_id=staff.user.id,
        worker_name=staff.user.display_name,
        max_chats=hub.live_chat.max_chats_per_worker,
    )
    audit(db_session, f"live_claim_{outcome}", actor_id=staff.user.id, detail=_detail(chat_id))
    db_session.commit()
    if outcome != "claimed":
        return _queue(request, staff, db_session, hub, problem=outcome, status_code=409)
    chat = db_session.get(LiveChat, chat_id)
    if chat is not None:
        _text_survivor(
            request, db_session, chat, renderer, cipher, live.last_event(db_session, chat)
        )
    return see_other(f"/staff/live/{chat_id}")


@router.get("/{chat_id}")
async def live_chat_page(
    request: Request,
    chat_id: str,
    staff: CurrentStaff,
    db_session: SessionDep,
    renderer: RendererDep,
    cipher: CipherDep,
    problem: str | None = None,
) -> Response:
    chat = _their_chat(db_session, chat_id, staff)
    audit(db_session, "live_view", actor_id=staff.user.id, detail=_detail(chat_id))
    db_session.commit()
    messages = [
        for_worker(message, renderer, cipher)
        for message in live.messages_after(db_session, chat.id, 0, ("survivor", "worker", "system"))
    ]
    return render(
        request,
        "live_chat.html",
        {
            "staff": staff,
            "chat": chat,
            "messages": messages,
            "last_id": max((m["id"] for m in messages), default=0),
            "quick_replies": QUICK_WORDS,
            "flag_words": FLAG_WORDS,
            "flags": [flag for flag in chat.flags.split(",") if flag],
            "problem": problem,
            "max_chars": MESSAGE_MAX_CHARS,
        },
    )


@router.get("/{chat_id}/events")
async def live_chat_events(
    request: Request,
    chat_id: str,
    staff: CurrentStaff,
    db_session: SessionDep,
    settings: SettingsDep,
    renderer: RendererDep,
    cipher: CipherDep,
) -> Response:
    _their_chat(db_session, chat_id, staff)
    db_session.commit()
    policy = session_policy(settings)
    token_hash = staff.session.token_hash
    worker_id = staff.user.id

    def find_chat(session: Session) -> LiveChat | None:
        chat = session.get(LiveChat, chat_id)
        return chat if chat is not None and chat.worker_id == worker_id else None

    def shape(message: LiveMessage, _: LiveChat) -> dict[str, Any]:
        return for_worker(message, renderer, cipher)

    given = request.headers.get("last-event-id", "")
    events = stream(
        request.app.state.engine,
        find_chat=find_chat,
        senders=("survivor", "worker", "system"),
        shape=shape,
        after=int(given) if given.isdigit() and len(given) < 19 else 0,
        poll_seconds=settings.live_poll_seconds,
        disconnected=request.is_disconnected,
        still_allowed=lambda session: service.session_still_live(session, token_hash, policy),
    )
    return StreamingResponse(
        events, media_type="text/event-stream", headers={"X-Accel-Buffering": "no"}
    )


@router.post("/{chat_id}/send")
async def send_message(
    request: Request,
    chat_id: str,
    staff: CurrentStaff,
    db_session: SessionDep,
    renderer: RendererDep,
    cipher: CipherDep,
    text: Annotated[str, Form(max_length=MESSAGE_MAX_CHARS)] = "",
    quick: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    chat = db_session.get(LiveChat, chat_id)
    if chat is None or chat.worker_id != staff.user.id or chat.status != "live":
        # Ended meanwhile (the survivor left, exited, or it was handed back): nothing sent.
        audit(db_session, "live_send_refused", actor_id=staff.user.id, detail=_detail(chat_id))
        db_session.commit()
        if _wants_json(request):
            return JSONResponse({"error": "ended"}, status_code=409)
        return see_other("/staff/live?done=ended_meanwhile")
    words = text.strip()
    if quick:
        if quick not in QUICK_REPLIES:
            return JSONResponse({"error": "unknown_quick_reply"}, status_code=422)
        message = live.add_message(db_session, chat, sender="worker", kind="quick", detail=quick)
        audit(db_session, "live_quick_reply", actor_id=staff.user.id, detail=_detail(chat_id))
    elif words:
        message = live.add_message(
            db_session, chat, sender="worker", kind="text", cipher=cipher, text=words
        )
        audit(db_session, "live_send", actor_id=staff.user.id, detail=_detail(chat_id))
    else:
        if _wants_json(request):
            return JSONResponse({"error": "empty"}, status_code=422)
        return see_other(f"/staff/live/{chat_id}")
    db_session.commit()
    problem = _text_survivor(request, db_session, chat, renderer, cipher, message)
    if _wants_json(request):
        return JSONResponse({"ok": True, "id": message.id, "not_delivered": problem})
    return see_other(f"/staff/live/{chat_id}" + (f"?problem={problem}" if problem else ""))


async def _finish(
    request: Request,
    chat_id: str,
    staff: StaffContext,
    db_session: Session,
    renderer: Any,
    cipher: Any,
    how: live.Ending,
) -> Response:
    chat = _their_chat(db_session, chat_id, staff)
    address = chat.address
    if live.finish(db_session, chat, how):
        audit(db_session, f"live_{how}", actor_id=staff.user.id, detail=_detail(chat_id))
        db_session.commit()
        ending = live.last_event(db_session, chat)
        _text_survivor(request, db_session, chat, renderer, cipher, ending, address=address)
    return see_other(f"/staff/live?done={how}")


@router.post("/{chat_id}/hand-back")
async def hand_back(
    request: Request,
    chat_id: str,
    staff: CurrentStaff,
    db_session: SessionDep,
    renderer: RendererDep,
    cipher: CipherDep,
) -> Response:
    return await _finish(request, chat_id, staff, db_session, renderer, cipher, "handed_back")


@router.post("/{chat_id}/end")
async def end_chat(
    request: Request,
    chat_id: str,
    staff: CurrentStaff,
    db_session: SessionDep,
    renderer: RendererDep,
    cipher: CipherDep,
) -> Response:
    return await _finish(request, chat_id, staff, db_session, renderer, cipher, "ended")


def _text_survivor(
    request: Request,
    db_session: Session,
    chat: LiveChat,
    renderer: Any,
    cipher: Any,
    message: LiveMessage | None,
    *,
    address: str | None = None,
) -> str | None:
    """SMS and WhatsApp: the message goes out as a text. The web page hears it by its
    stream. Returns why it was not delivered, if it was not."""
    if message is None or chat.channel not in TEXT_ONLY_CHANNELS:
        return None
    texts, options = survivor_texts(message, chat, renderer, cipher)
    sender: LiveTexts = request.app.state.live_texts
    try:
        sender.send(
            db_session, sealed_address=address or chat.address, texts=texts, options=options
        )
    except NotSent as reason:
        return "whatsapp_window" if "WhatsApp" in reason.reason else "not_sent"
    except Exception:  # Twilio unreachable
        db_session.rollback()
        return "not_sent"
    return None
