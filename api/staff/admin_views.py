"""Administration: accounts, the audit log, delivery to the hub, rate limits, retention and
erasure."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from sqlmodel import col, select

from api.core.audit import audit
from api.core.limits import recent_hits
from api.deps import SessionDep, SettingsDep
from api.erasure import service as erasure
from api.hub import delivery
from api.outbox.models import OutboxEntry
from api.referrals import service as referrals
from api.staff import service
from api.staff.auth import AdminStaff
from api.staff.models import ROLES, StaffUser
from api.staff.pages import PageNotFound, render, see_other

router = APIRouter(prefix="/staff/admin", tags=["staff"], include_in_schema=False)

DELIVERY_STATUSES = ("pending", "delivering", "retrying", "dead", "delivered")


def _user(db_session: SessionDep, user_id: str) -> StaffUser:
    user = db_session.get(StaffUser, user_id)
    if user is None:
        raise PageNotFound
    return user


def _users_page(
    request: Request,
    admin: AdminStaff,
    db_session: SessionDep,
    *,
    done: str | None = None,
    problem: str | None = None,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "admin_users.html",
        {
            "staff": admin,
            "users": service.all_users(db_session),
            "roles": ROLES,
            "locked": {
                user.id for user in service.all_users(db_session) if service.is_locked(user)
            },
            "done": done,
            "problem": problem,
        },
        status_code=status_code,
    )


@router.get("/users")
async def users_page(
    request: Request, admin: AdminStaff, db_session: SessionDep, done: str | None = None
) -> Response:
    return _users_page(request, admin, db_session, done=done)


@router.post("/users")
async def create_user(
    request: Request,
    admin: AdminStaff,
    db_session: SessionDep,
    email: Annotated[str, Form(max_length=254)] = "",
    display_name: Annotated[str, Form(max_length=80)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    role: Annotated[str, Form(max_length=8)] = "staff",
) -> Response:
    try:
        user = service.create_user(
            db_session, email=email, display_name=display_name, password=password, role=role
        )
    except service.AccountError as error:
        return _users_page(request, admin, db_session, problem=error.code, status_code=400)
    audit(db_session, "account_created", actor_id=admin.user.id, detail=f"user {user.id}")
    db_session.commit()
    return see_other("/staff/admin/users?done=created")


@router.post("/users/{user_id}/role")
async def change_role(
    request: Request,
    user_id: str,
    admin: AdminStaff,
    db_session: SessionDep,
    role: Annotated[str, Form(max_length=8)] = "",
) -> Response:
    try:
        service.set_role(db_session, admin.user, _user(db_session, user_id), role)
    except service.AccountError as error:
        return _users_page(request, admin, db_session, problem=error.code, status_code=400)
    return see_other("/staff/admin/users?done=role")


@router.post("/users/{user_id}/active")
async def change_active(
    request: Request,
    user_id: str,
    admin: AdminStaff,
    db_session: SessionDep,
    active: Annotated[bool, Form()] = False,
) -> Response:
    try:
        service.set_active(db_session, admin.user, _user(db_session, user_id), active)
    except service.AccountError as error:
        return _users_page(request, admin, db_session, problem=error.code, status_code=400)
    return see_other("/staff/admin/users?done=active")


@router.post("/users/{user_id}/unlock")
async def unlock(user_id: str, admin: AdminStaff, db_session: SessionDep) -> Response:
    service.unlock(db_session, admin.user, _user(db_session, user_id))
    return see_other("/staff/admin/users?done=unlocked")


@router.get("/audit")
async def audit_page(
    request: Request, admin: AdminStaff, db_session: SessionDep, referral: str | None = None
) -> Response:
    names = {user.id: user.display_name for user in service.all_users(db_session)}
    return render(
        request,
        "admin_audit.html",
        {
            "staff": admin,
            "events": service.recent_audit(db_session, referral_id=referral),
            "names": names,
            "referral": referral,
        },
    )


@router.get("/limits")
async def limits_page(request: Request, admin: AdminStaff, settings: SettingsDep) -> Response:
    """How often the rate limits turned someone away: numbers only, never who or what."""
    return render(
        request,
        "admin_limits.html",
        {"staff": admin, "hits": recent_hits(request.app.state.engine), "settings": settings},
    )


@router.get("/deliveries")
async def deliveries_page(
    request: Request,
    admin: AdminStaff,
    db_session: SessionDep,
    status: str | None = None,
    done: str | None = None,
) -> Response:
    query = select(OutboxEntry).order_by(col(OutboxEntry.created_at).desc())
    if status in DELIVERY_STATUSES:
        query = query.where(OutboxEntry.status == status)
    entries = list(db_session.exec(query.limit(200)))
    counts = {name: 0 for name in DELIVERY_STATUSES}
    for entry in db_session.exec(select(OutboxEntry.status)):
        counts[entry] = counts.get(entry, 0) + 1
    return render(
        request,
        "admin_deliveries.html",
        {
            "staff": admin,
            "entries": entries,
            "counts": counts,
            "statuses": DELIVERY_STATUSES,
            "chosen": status,
            "done": done,
        },
    )


@router.post("/deliveries/{entry_id}/retry")
async def retry_delivery(entry_id: int, admin: AdminStaff, db_session: SessionDep) -> Response:
    entry = db_session.get(OutboxEntry, entry_id)
    if entry is None:
        raise PageNotFound
    delivery.retry_now(db_session, entry_id)
    audit(
        db_session,
        "delivery_retried",
        actor_id=admin.user.id,
        referral_id=entry.referral_id,
        detail=entry.connector,
    )
    db_session.commit()
    return see_other("/staff/admin/deliveries?done=retry")


@router.get("/retention")
async def retention_page(
    request: Request,
    admin: AdminStaff,
    settings: SettingsDep,
    db_session: SessionDep,
    done: str | None = None,
    problem: str | None = None,
) -> Response:
    return render(
        request,
        "admin_retention.html",
        {
            "staff": admin,
            "settings": settings,
            "done": done,
            "problem": problem,
            # How many erasures the assistant's server still owes: never which.
            "waiting": erasure.waiting(db_session),
        },
    )


@router.post("/erase")
async def erase(
    request: Request,
    admin: AdminStaff,
    db_session: SessionDep,
    reference: Annotated[str, Form(max_length=32)] = "",
    confirm: Annotated[str, Form(max_length=32)] = "",
) -> Response:
    """A survivor's request to delete what the hub holds, found by their reference."""
    reference = reference.strip().upper()
    if not reference or confirm.strip().upper() != reference:
        return see_other("/staff/admin/retention?problem=confirm")
    if not referrals.erase_by_reference(
        db_session, reference, actor_id=admin.user.id, reason="survivor's request"
    ):
        return see_other("/staff/admin/retention?problem=not_found")
    # The conversation it came from, if still held, is queued for Rasa: erase it now
    # rather than at the next pass.
    await request.app.state.eraser.retry_waiting()
    return see_other("/staff/admin/retention?done=erased")
