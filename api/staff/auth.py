"""Who is asking: the staff member behind a session cookie, their role, and CSRF.

Every console route depends on `CurrentStaff` or `AdminStaff`. Both check the CSRF token
on anything but a GET, so a form cannot be posted from another site even if SameSite
were ignored.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated

from fastapi import Depends, FastAPI, Request
from fastapi.responses import RedirectResponse, Response

from api.core.config import Settings
from api.deps import SessionDep, SettingsDep
from api.staff import security, service
from api.staff.models import StaffSession, StaffUser
from api.staff.pages import PageNotFound, render

SESSION_COOKIE = "fd_staff"
# Before signing in there is no session; the sign-in form's CSRF token is a double submit.
FORM_COOKIE = "fd_staff_form"
COOKIE_PATH = "/staff"
SIGN_IN_PATH = "/staff/sign-in"


class SignInRequired(Exception):
    """No live session: go to the sign-in page."""


class Forbidden(Exception):
    """Signed in, but not allowed (wrong role, or a form without its CSRF token)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class StaffContext:
    session: StaffSession
    user: StaffUser

    @property
    def is_admin(self) -> bool:
        return self.user.role == "admin"

    @property
    def csrf_token(self) -> str:
        return self.session.csrf_token


def session_policy(settings: Settings) -> service.SessionPolicy:
    return service.SessionPolicy(
        idle=timedelta(minutes=settings.staff_idle_minutes),
        absolute=timedelta(hours=settings.staff_session_hours),
    )


def sign_in_policy(settings: Settings) -> service.SignInPolicy:
    return service.SignInPolicy(
        lockout_failures=settings.staff_lockout_failures,
        lockout=timedelta(minutes=settings.staff_lockout_minutes),
        rate_limit_failures=settings.staff_rate_limit_failures,
        rate_limit_window=timedelta(minutes=settings.staff_rate_limit_minutes),
    )


async def check_csrf(request: Request, expected: str) -> None:
    if request.method in {"GET", "HEAD"}:
        return
    form = await request.form()
    given = form.get("csrf_token")
    if not security.same_token(expected, given if isinstance(given, str) else None):
        raise Forbidden("csrf")


async def require_staff(
    request: Request, db_session: SessionDep, settings: SettingsDep
) -> StaffContext:
    found = service.session_for(
        db_session, request.cookies.get(SESSION_COOKIE), session_policy(settings)
    )
    if found is None or found[0].awaiting_second_factor:
        raise SignInRequired
    context = StaffContext(*found)
    await check_csrf(request, context.csrf_token)
    return context


async def require_admin(staff: Annotated[StaffContext, Depends(require_staff)]) -> StaffContext:
    if not staff.is_admin:
        raise Forbidden("role")
    return staff


CurrentStaff = Annotated[StaffContext, Depends(require_staff)]
AdminStaff = Annotated[StaffContext, Depends(require_admin)]


def set_cookie(response: Response, name: str, value: str, settings: Settings) -> None:
    response.set_cookie(
        name,
        value,
        httponly=True,
        secure=settings.staff_cookie_secure,
        samesite="strict",
        path=COOKIE_PATH,
    )


def clear_cookie(response: Response, name: str, settings: Settings) -> None:
    response.delete_cookie(
        name,
        path=COOKIE_PATH,
        httponly=True,
        secure=settings.staff_cookie_secure,
        samesite="strict",
    )


def install(app: FastAPI) -> None:
    """Turn the console's exceptions into a redirect to sign in, a 403 and a 404 page."""

    @app.exception_handler(SignInRequired)
    async def _sign_in(_: Request, __: SignInRequired) -> Response:
        return RedirectResponse(SIGN_IN_PATH, status_code=303)

    @app.exception_handler(Forbidden)
    async def _forbidden(request: Request, error: Forbidden) -> Response:
        return render(request, "forbidden.html", {"reason": error.reason}, status_code=403)

    @app.exception_handler(PageNotFound)
    async def _not_found(request: Request, _: PageNotFound) -> Response:
        return render(request, "not_found.html", {}, status_code=404)
