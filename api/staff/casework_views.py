"""The queue and a referral's page: what helpline staff work in all day."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from api.deps import CipherDep, HubDep, RendererDep, SessionDep
from api.referrals import casework, returning, updates
from api.referrals import service as referrals
from api.referrals.answers import PLAIN_MESSAGE
from api.referrals.models import CLOSING_REASONS, CONTACT_OUTCOMES, STATUSES, Referral
from api.staff import service
from api.staff.auth import CurrentStaff
from api.staff.pages import PageNotFound, render
from safety.risk import PRIORITY_ORDER

router = APIRouter(prefix="/staff", tags=["staff"], include_in_schema=False)

# Most urgent first, as the queue sorts them.
PRIORITIES = tuple(reversed(PRIORITY_ORDER))


def _referral(db_session: SessionDep, referral_id: str) -> Referral:
    referral = db_session.get(Referral, referral_id)
    if referral is None:
        raise PageNotFound
    return referral


def _back(referral: Referral, done: str) -> RedirectResponse:
    return RedirectResponse(f"/staff/referrals/{referral.id}?done={done}", status_code=303)


@router.get("")
async def queue_page(
    request: Request,
    staff: CurrentStaff,
    db_session: SessionDep,
    status: str | None = None,
    priority: str | None = None,
    mine: bool = False,
) -> Response:
    chosen = casework.QueueFilter(
        status=status if status in STATUSES else None,
        priority=priority if priority in PRIORITIES else None,
        assigned_to=staff.user.id if mine else None,
    )
    names = {user.id: user.display_name for user in service.all_users(db_session)}
    referrals = casework.queue(db_session, chosen)
    return render(
        request,
        "queue.html",
        {
            "staff": staff,
            "referrals": referrals,
            "news": updates.with_news(db_session, [referral.id for referral in referrals]),
            "chosen": chosen,
            "mine": mine,
            "statuses": STATUSES,
            "priorities": PRIORITIES,
            "names": names,
        },
    )


@router.get("/referrals/{referral_id}")
async def referral_page(
    request: Request,
    referral_id: str,
    staff: CurrentStaff,
    db_session: SessionDep,
    cipher: CipherDep,
    hub: HubDep,
    renderer: RendererDep,
    done: str | None = None,
    problem: str | None = None,
) -> Response:
    referral = _referral(db_session, referral_id)
    answers = casework.open_referral(db_session, cipher, referral, staff.user.id)
    # The plain first message, in their language and in English for staff.
    plain = {
        "theirs": renderer.text("proactive.first_message", referral.locale),
        "english": renderer.text("proactive.first_message", "en"),
    }
    names = {user.id: user.display_name for user in service.all_users(db_session)}
    survivor_updates = updates.survivor_updates(db_session, cipher, referral)
    wishes = updates.contact_wishes(survivor_updates)
    earlier, later = referrals.linked(db_session, referral)
    return render(
        request,
        "referral.html",
        {
            "staff": staff,
            "referral": referral,
            "answers": answers,
            "updates": survivor_updates,
            "wishes": wishes,
            "reference_tries_at": returning.limit_reached_at(db_session, referral),
            "earlier": earlier,
            "later": later,
            "timeline": casework.timeline(db_session, cipher, referral),
            "do_not_contact_until": casework.do_not_contact_until(db_session, referral),
            "next_statuses": casework.NEXT_STATUSES[referral.status],
            "closing_reasons": CLOSING_REASONS,
            "outcomes": CONTACT_OUTCOMES,
            "ways": casework.ways_now(answers, wishes),
            "plain_message": PLAIN_MESSAGE,
            "plain": plain,
            "services": hub.services,
            "colleagues": service.active_users(db_session),
            "names": names,
            "done": done,
            "problem": problem,
        },
    )


def _problem(referral: Referral, error: casework.CaseworkError) -> RedirectResponse:
    return RedirectResponse(f"/staff/referrals/{referral.id}?problem={error.code}", status_code=303)


@router.post("/referrals/{referral_id}/claim")
async def claim(referral_id: str, staff: CurrentStaff, db_session: SessionDep) -> Response:
    referral = _referral(db_session, referral_id)
    casework.assign(db_session, referral, actor_id=staff.user.id, assignee_id=staff.user.id)
    return _back(referral, "claimed")


@router.post("/referrals/{referral_id}/assign")
async def assign(
    referral_id: str,
    staff: CurrentStaff,
    db_session: SessionDep,
    assignee: Annotated[str, Form(max_length=36)] = "",
) -> Response:
    referral = _referral(db_session, referral_id)
    colleague_ids = {user.id for user in service.active_users(db_session)}
    if assignee and assignee not in colleague_ids:
        return _problem(referral, casework.CaseworkError("assignee_unknown"))
    casework.assign(db_session, referral, actor_id=staff.user.id, assignee_id=assignee or None)
    return _back(referral, "assigned")


@router.post("/referrals/{referral_id}/notes")
async def add_note(
    referral_id: str,
    staff: CurrentStaff,
    db_session: SessionDep,
    cipher: CipherDep,
    text: Annotated[str, Form(max_length=8000)] = "",
) -> Response:
    referral = _referral(db_session, referral_id)
    try:
        casework.add_note(db_session, cipher, referral, actor_id=staff.user.id, text=text)
    except casework.CaseworkError as error:
        return _problem(referral, error)
    return _back(referral, "note_added")


def _moment(value: str, time_zone: str) -> datetime | None:
    """A datetime-local field, read in the hub's time zone (as the console shows times),
    and kept in UTC."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    local = moment if moment.tzinfo else moment.replace(tzinfo=ZoneInfo(time_zone))
    return local.astimezone(UTC)


@router.post("/referrals/{referral_id}/contact-attempts")
async def add_contact_attempt(
    referral_id: str,
    staff: CurrentStaff,
    db_session: SessionDep,
    cipher: CipherDep,
    hub: HubDep,
    outcome: Annotated[str, Form(max_length=16)] = "",
    way: Annotated[str, Form(max_length=24)] = "",
    retry_after: Annotated[str, Form(max_length=32)] = "",
    note: Annotated[str, Form(max_length=8000)] = "",
) -> Response:
    referral = _referral(db_session, referral_id)
    try:
        casework.record_contact_attempt(
            db_session,
            cipher,
            referral,
            actor_id=staff.user.id,
            outcome=outcome,
            way=way,
            retry_after=_moment(retry_after, hub.time_zone),
            note=note,
        )
    except casework.CaseworkError as error:
        return _problem(referral, error)
    return _back(referral, "contact_recorded")


@router.post("/referrals/{referral_id}/updates-read")
async def updates_read(referral_id: str, staff: CurrentStaff, db_session: SessionDep) -> Response:
    referral = _referral(db_session, referral_id)
    updates.mark_seen(db_session, referral, actor_id=staff.user.id)
    return _back(referral, "updates_read")


@router.post("/referrals/{referral_id}/status")
async def change_status(
    referral_id: str,
    staff: CurrentStaff,
    db_session: SessionDep,
    status: Annotated[str, Form(max_length=24)] = "",
    closing_reason: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    referral = _referral(db_session, referral_id)
    try:
        casework.change_status(
            db_session,
            referral,
            actor_id=staff.user.id,
            status=status,
            closing_reason=closing_reason or None,
        )
    except casework.CaseworkError as error:
        return _problem(referral, error)
    return _back(referral, "status_changed")


@router.post("/referrals/{referral_id}/allocation")
async def allocate(
    referral_id: str,
    staff: CurrentStaff,
    db_session: SessionDep,
    hub: HubDep,
    service_name: Annotated[str, Form(alias="service", max_length=120)] = "",
) -> Response:
    referral = _referral(db_session, referral_id)
    try:
        casework.allocate(
            db_session,
            referral,
            actor_id=staff.user.id,
            service=service_name,
            services=hub.services,
        )
    except casework.CaseworkError as error:
        return _problem(referral, error)
    return _back(referral, "allocated")
