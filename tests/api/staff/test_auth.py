"""Signing in to the console: every route guarded, passwords, lockout, rate limit,
cookies, CSRF, idle timeout, signing out everywhere, and the second factor."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pyotp
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from api.core.audit import AuditEvent
from api.core.clock import utcnow
from api.main import create_app
from api.referrals.models import Referral
from api.staff.models import StaffSession, StaffUser
from tests.api.staff.conftest import CSRF, PASSWORD, add_user, csrf_of, post, refer, sign_in
from tests.conftest import make_settings

# Pages anyone may open: signing in itself, and the console's stylesheet.
OPEN_PATHS = {"/staff/sign-in", "/staff/sign-in/code"}


def staff_routes(app: FastAPI) -> Iterator[tuple[str, str]]:
    """Every (method, path) of the console, read from the app's router."""

    def walk(routes: list[Any]) -> Iterator[Any]:
        for route in routes:
            inner = getattr(route, "original_router", None)
            yield from walk(inner.routes) if inner is not None else [route]

    for route in walk(app.routes):
        path = getattr(route, "path", "")
        if path.startswith("/staff") and hasattr(route, "methods"):
            for method in sorted(route.methods - {"HEAD"}):
                yield method, path


def concrete(path: str) -> str:
    return path.replace("{referral_id}", "x").replace("{user_id}", "x").replace("{entry_id}", "1")


def test_the_console_has_the_routes_this_test_expects_to_check(app: FastAPI) -> None:
    routes = set(staff_routes(app))
    assert len(routes) >= 25
    assert ("GET", "/staff/referrals/{referral_id}") in routes
    assert ("POST", "/staff/admin/erase") in routes


def test_every_staff_route_rejects_an_anonymous_request(app: FastAPI, client: TestClient) -> None:
    checked = 0
    for method, path in staff_routes(app):
        if path in OPEN_PATHS:
            continue
        response = client.request(method, concrete(path), follow_redirects=False)
        assert response.status_code == 303, (method, path, response.status_code)
        assert response.headers["location"] == "/staff/sign-in", (method, path)
        checked += 1
    assert checked >= 23


def test_every_admin_route_rejects_a_staff_member(
    app: FastAPI, client: TestClient, staff_member: str
) -> None:
    token = csrf_of(client, "/staff")
    admin_routes = [(m, p) for m, p in staff_routes(app) if p.startswith("/staff/admin")]
    assert len(admin_routes) >= 9
    for method, path in admin_routes:
        data = {"csrf_token": token} if method == "POST" else None
        response = client.request(method, concrete(path), data=data, follow_redirects=False)
        assert response.status_code == 403, (method, path, response.status_code)


def test_a_form_without_its_csrf_token_is_refused_and_changes_nothing(
    app: FastAPI, client: TestClient, staff_member: str
) -> None:
    referral = refer(app)
    for data in ({}, {"csrf_token": "forged"}):
        response = client.post(f"/staff/referrals/{referral.id}/claim", data=data)
        assert response.status_code == 403
    with Session(app.state.engine) as db_session:
        assert db_session.get(Referral, referral.id).assigned_to is None  # type: ignore[union-attr]


def test_the_sign_in_form_needs_its_own_csrf_token(app: FastAPI, client: TestClient) -> None:
    add_user(app, "sam@hub.example")
    response = client.post(
        "/staff/sign-in", data={"email": "sam@hub.example", "password": PASSWORD}
    )
    assert response.status_code == 403
    assert "fd_staff" not in client.cookies


def test_passwords_are_stored_as_argon2id_hashes(app: FastAPI, client: TestClient) -> None:
    add_user(app, "sam@hub.example")
    with Session(app.state.engine) as db_session:
        user = db_session.exec(select(StaffUser)).one()
    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash


def test_signing_in_opens_the_queue_and_a_wrong_password_does_not(
    app: FastAPI, client: TestClient
) -> None:
    add_user(app, "sam@hub.example")
    wrong = sign_in(client, "sam@hub.example", "not the password at all")
    unknown = sign_in(client, "nobody@hub.example", "not the password at all")
    assert wrong.status_code == unknown.status_code == 401
    # The same words whether or not the account exists: no list of accounts to be had.
    assert wrong.text.replace(csrf_token(wrong), "") == unknown.text.replace(
        csrf_token(unknown), ""
    )
    assert client.get("/staff", follow_redirects=False).status_code == 303
    assert sign_in(client, "Sam@Hub.example").status_code == 303
    assert "Referral queue" in client.get("/staff").text


def csrf_token(response: Any) -> str:
    found = CSRF.search(response.text)
    assert found
    return found.group(1)


def test_session_cookies_are_httponly_strict_and_secure_when_configured(
    tmp_path: Any,
) -> None:
    app = create_app(make_settings(tmp_path, staff_cookie_secure=True))
    with TestClient(app, base_url="https://testserver") as client:
        add_user(app, "sam@hub.example")
        response = sign_in(client, "sam@hub.example")
    cookie = response.headers["set-cookie"]
    assert "fd_staff=" in cookie
    for attribute in ("HttpOnly", "Secure", "SameSite=strict", "Path=/staff"):
        assert attribute.lower() in cookie.lower(), attribute


def test_repeated_wrong_passwords_lock_the_account_until_an_admin_unlocks_it(
    app: FastAPI, client: TestClient, other_client: TestClient
) -> None:
    add_user(app, "sam@hub.example")
    for _ in range(5):
        assert sign_in(client, "sam@hub.example", "wrong password here").status_code == 401
    assert sign_in(client, "sam@hub.example").status_code == 401  # right password, locked
    with Session(app.state.engine) as db_session:
        actions = [e.action for e in db_session.exec(select(AuditEvent))]
    assert "account_locked" in actions and "sign_in_refused_locked" in actions

    add_user(app, "ada@hub.example", "admin")
    assert sign_in(other_client, "ada@hub.example").status_code == 303
    sam = _user(app, "sam@hub.example")
    assert "Locked" in other_client.get("/staff/admin/users").text
    post(other_client, f"/staff/admin/users/{sam.id}/unlock", {}, "/staff/admin/users")
    assert sign_in(client, "sam@hub.example").status_code == 303


def _user(app: FastAPI, email: str) -> StaffUser:
    with Session(app.state.engine) as db_session:
        return db_session.exec(select(StaffUser).where(StaffUser.email == email)).one()


def test_one_address_failing_against_many_accounts_is_rate_limited(
    app: FastAPI, client: TestClient
) -> None:
    add_user(app, "sam@hub.example")
    for number in range(20):  # below each account's lockout, across many names
        sign_in(client, f"guess{number}@hub.example", "wrong password here")
    limited = sign_in(client, "sam@hub.example")
    assert limited.status_code == 429
    assert "Too many failed sign-ins" in limited.text


def test_a_session_idle_too_long_is_signed_out(
    app: FastAPI, client: TestClient, staff_member: str
) -> None:
    assert client.get("/staff", follow_redirects=False).status_code == 200
    with Session(app.state.engine) as db_session:
        for staff_session in db_session.exec(select(StaffSession)):
            staff_session.last_seen_at = utcnow() - timedelta(minutes=16)
            db_session.add(staff_session)
        db_session.commit()
    response = client.get("/staff", follow_redirects=False)
    assert response.headers["location"] == "/staff/sign-in"
    with Session(app.state.engine) as db_session:
        assert db_session.exec(select(StaffSession)).all() == []


def test_signing_out_everywhere_ends_every_session(
    app: FastAPI, client: TestClient, other_client: TestClient, staff_member: str
) -> None:
    assert sign_in(other_client, "sam@hub.example").status_code == 303
    assert other_client.get("/staff", follow_redirects=False).status_code == 200
    response = post(client, "/staff/sign-out-everywhere", {}, "/staff/account")
    assert response.headers["location"] == "/staff/sign-in"
    for browser in (client, other_client):
        assert browser.get("/staff", follow_redirects=False).status_code == 303


def test_signing_out_ends_only_this_session(
    app: FastAPI, client: TestClient, other_client: TestClient, staff_member: str
) -> None:
    assert sign_in(other_client, "sam@hub.example").status_code == 303
    post(client, "/staff/sign-out", {})
    assert client.get("/staff", follow_redirects=False).status_code == 303
    assert other_client.get("/staff", follow_redirects=False).status_code == 200


def test_two_step_sign_in_with_a_time_based_code(
    app: FastAPI, client: TestClient, other_client: TestClient, staff_member: str
) -> None:
    setup = post(client, "/staff/account/second-factor", {}, "/staff/account")
    secret = setup.text.split('<p class="secret"><code>')[1].split("</code>")[0]
    sealed = setup.text.split('name="sealed" value="')[1].split('"')[0]
    assert secret not in sealed
    wrong = post(
        client,
        "/staff/account/second-factor/confirm",
        {
            "sealed": sealed,
            "code": "000000" if pyotp.TOTP(secret).now() != "000000" else "111111",
            "current_password": PASSWORD,
        },
        "/staff/account",
    )
    assert wrong.status_code == 400
    confirmed = post(
        client,
        "/staff/account/second-factor/confirm",
        {"sealed": sealed, "code": pyotp.TOTP(secret).now(), "current_password": PASSWORD},
        "/staff/account",
    )
    assert confirmed.status_code == 303
    assert _user(app, "sam@hub.example").encrypted_totp_secret is not None

    half = sign_in(other_client, "sam@hub.example")
    assert half.headers["location"] == "/staff/sign-in/code"
    # The password alone opens nothing but the code page.
    assert other_client.get("/staff", follow_redirects=False).status_code == 303
    token = csrf_of(other_client, "/staff/sign-in/code")
    refused = other_client.post("/staff/sign-in/code", data={"csrf_token": token, "code": "12"})
    assert refused.status_code == 401
    # The code that turned it on was used: the next one is needed (RFC 6238, 5.2).
    newer = pyotp.TOTP(secret).at(utcnow() + timedelta(seconds=30))
    accepted = other_client.post(
        "/staff/sign-in/code",
        data={"csrf_token": token, "code": newer},
        follow_redirects=False,
    )
    assert accepted.headers["location"] == "/staff"
    assert other_client.get("/staff", follow_redirects=False).status_code == 200


def test_changing_the_password_signs_out_and_the_new_one_works(
    client: TestClient, staff_member: str
) -> None:
    too_short = post(
        client,
        "/staff/account/password",
        {"current_password": PASSWORD, "new_password": "short"},
        "/staff/account",
    )
    assert too_short.status_code == 400 and "at least 12" in too_short.text
    changed = post(
        client,
        "/staff/account/password",
        {"current_password": PASSWORD, "new_password": "a much longer new passphrase"},
        "/staff/account",
    )
    assert changed.headers["location"] == "/staff/sign-in"
    assert client.get("/staff", follow_redirects=False).status_code == 303
    assert sign_in(client, "sam@hub.example").status_code == 401
    assert sign_in(client, "sam@hub.example", "a much longer new passphrase").status_code == 303


@pytest.mark.parametrize("role", ["staff", "admin"])
def test_an_admin_adds_users_and_a_deactivated_user_cannot_sign_in(
    app: FastAPI, client: TestClient, other_client: TestClient, admin: str, role: str
) -> None:
    created = post(
        client,
        "/staff/admin/users",
        {
            "email": "new@hub.example",
            "display_name": "New Colleague",
            "password": "a long enough password",
            "role": role,
        },
        "/staff/admin/users",
    )
    assert created.headers["location"] == "/staff/admin/users?done=created"
    assert sign_in(other_client, "new@hub.example", "a long enough password").status_code == 303
    new = _user(app, "new@hub.example")
    assert new.role == role
    post(client, f"/staff/admin/users/{new.id}/active", {"active": "false"}, "/staff/admin/users")
    assert other_client.get("/staff", follow_redirects=False).status_code == 303
    assert sign_in(other_client, "new@hub.example", "a long enough password").status_code == 401
    own = post(
        client, f"/staff/admin/users/{admin}/active", {"active": "false"}, "/staff/admin/users"
    )
    assert own.status_code == 400 and "cannot deactivate your own" in own.text
