"""Signing in and out, the second factor, and a staff member's own account."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from api.core.config import Settings
from api.deps import CipherDep, SessionDep, SettingsDep
from api.staff import security, service
from api.staff.auth import (
    FORM_COOKIE,
    SESSION_COOKIE,
    CurrentStaff,
    Forbidden,
    check_csrf,
    clear_cookie,
    session_policy,
    set_cookie,
    sign_in_policy,
)
from api.staff.models import StaffSession
from api.staff.pages import render, see_other

router = APIRouter(prefix="/staff", tags=["staff"], include_in_schema=False)

TOTP_ISSUER = "Front Door"
STATUS_FOR_OUTCOME = {"wrong": 401, "locked": 401, "rate_limited": 429}


def _client_key(request: Request, settings: Settings) -> str:
    """A keyed hash of the client's address (as uvicorn reports it: X-Forwarded-For only
    from the proxies in FORWARDED_ALLOW_IPS)."""
    address = request.client.host if request.client else "unknown"
    return security.client_key(settings.channel_id_key.get_secret_value(), address)


@router.get("/sign-in")
async def sign_in_page(request: Request, settings: SettingsDep) -> Response:
    form_token = security.new_token()
    response = render(request, "sign_in.html", {"csrf_token": form_token, "problem": None})
    set_cookie(response, FORM_COOKIE, form_token, settings)
    return response


@router.post("/sign-in")
async def sign_in(
    request: Request,
    db_session: SessionDep,
    settings: SettingsDep,
    email: Annotated[str, Form(max_length=254)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
) -> Response:
    await check_csrf(request, request.cookies.get(FORM_COOKIE) or security.new_token())
    result = service.sign_in(
        db_session,
        email=email,
        password=password,
        client_key=_client_key(request, settings),
        policy=sign_in_policy(settings),
    )
    if result.token is None:
        form_token = security.new_token()
        page = render(
            request,
            "sign_in.html",
            {"csrf_token": form_token, "problem": result.outcome},
            status_code=STATUS_FOR_OUTCOME[result.outcome],
        )
        set_cookie(page, FORM_COOKIE, form_token, settings)
        return page
    response = see_other("/staff/sign-in/code" if result.outcome == "second_factor" else "/staff")
    set_cookie(response, SESSION_COOKIE, result.token, settings)
    clear_cookie(response, FORM_COOKIE, settings)
    return response


def _half_signed_in(
    request: Request, db_session: SessionDep, settings: SettingsDep
) -> StaffSession | None:
    """The session of someone who has given their password but not yet their code."""
    found = service.session_for(
        db_session, request.cookies.get(SESSION_COOKIE), session_policy(settings)
    )
    if found is None or not found[0].awaiting_second_factor:
        return None
    return found[0]


@router.get("/sign-in/code")
async def second_factor_page(
    request: Request, db_session: SessionDep, settings: SettingsDep
) -> Response:
    staff_session = _half_signed_in(request, db_session, settings)
    if staff_session is None:
        return see_other("/staff/sign-in")
    return render(
        request,
        "second_factor.html",
        {"csrf_token": staff_session.csrf_token, "problem": None},
    )


@router.post("/sign-in/code")
async def second_factor(
    request: Request,
    db_session: SessionDep,
    settings: SettingsDep,
    cipher: CipherDep,
    code: Annotated[str, Form(max_length=16)] = "",
) -> Response:
    staff_session = _half_signed_in(request, db_session, settings)
    if staff_session is None:
        return see_other("/staff/sign-in")
    await check_csrf(request, staff_session.csrf_token)
    result = service.complete_second_factor(
        db_session,
        cipher,
        staff_session,
        code,
        client_key=_client_key(request, settings),
        policy=sign_in_policy(settings),
    )
    if result.token is None:
        return render(
            request,
            "second_factor.html",
            {"csrf_token": staff_session.csrf_token, "problem": result.outcome},
            status_code=STATUS_FOR_OUTCOME[result.outcome],
        )
    response = see_other("/staff")
    set_cookie(response, SESSION_COOKIE, result.token, settings)
    return response


@router.post("/sign-out")
async def sign_out(staff: CurrentStaff, db_session: SessionDep, settings: SettingsDep) -> Response:
    service.end_session(db_session, staff.session)
    response = see_other("/staff/sign-in")
    clear_cookie(response, SESSION_COOKIE, settings)
    return response


@router.post("/sign-out-everywhere")
async def sign_out_everywhere(
    staff: CurrentStaff, db_session: SessionDep, settings: SettingsDep
) -> Response:
    service.end_all_sessions(db_session, staff.user.id)
    response = see_other("/staff/sign-in")
    clear_cookie(response, SESSION_COOKIE, settings)
    return response


@router.get("/account")
async def account_page(request: Request, staff: CurrentStaff, done: str | None = None) -> Response:
    return render(request, "account.html", {"staff": staff, "done": done, "setup": None})


@router.post("/account/second-factor")
async def start_second_factor(request: Request, staff: CurrentStaff, cipher: CipherDep) -> Response:
    secret, sealed = service.start_second_factor_setup(cipher)
    setup = {
        "secret": secret,
        "sealed": sealed,
        "uri": security.totp_uri(secret, staff.user.email, TOTP_ISSUER),
    }
    return render(request, "account.html", {"staff": staff, "done": None, "setup": setup})


@router.post("/account/second-factor/confirm")
async def confirm_second_factor(
    request: Request,
    staff: CurrentStaff,
    db_session: SessionDep,
    cipher: CipherDep,
    sealed: Annotated[str, Form(max_length=400)] = "",
    code: Annotated[str, Form(max_length=16)] = "",
    current_password: Annotated[str, Form(max_length=1024)] = "",
) -> Response:
    try:
        problem = service.enable_second_factor(
            db_session, cipher, staff.user, sealed, code, current_password
        )
    except ValueError:  # a sealed secret this server did not make
        raise Forbidden("csrf") from None
    if problem:
        return render(
            request,
            "account.html",
            {"staff": staff, "done": None, "setup": None, "problem": problem},
            status_code=400,
        )
    return see_other("/staff/account?done=second_factor")


@router.post("/account/password")
async def change_password(
    request: Request,
    staff: CurrentStaff,
    db_session: SessionDep,
    settings: SettingsDep,
    current_password: Annotated[str, Form(max_length=1024)] = "",
    new_password: Annotated[str, Form(max_length=1024)] = "",
) -> Response:
    problem = None
    if not security.verify_password(staff.user.password_hash, current_password):
        problem = "wrong_password"
    else:
        try:
            service.set_password(db_session, staff.user, new_password)
        except service.AccountError as error:
            problem = error.code
    if problem:
        return render(
            request,
            "account.html",
            {"staff": staff, "done": None, "setup": None, "problem": problem},
            status_code=400,
        )
    # A new password signs out every session, this one included.
    response = see_other("/staff/sign-in")
    clear_cookie(response, SESSION_COOKIE, settings)
    return response
