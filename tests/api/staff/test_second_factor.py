"""Two-step codes cannot be guessed: the attacks found on a running instance, replayed.

Before: a right password reset the counter wrong codes used, so "password, then four
wrong codes" repeated for ever (a right code was accepted after twelve wrong ones); a code
could be used twice; and a session left open could swap in the attacker's own app.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pyotp
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from api.core.clock import utcnow
from api.main import create_app
from api.staff.models import StaffUser
from tests.api.staff.conftest import PASSWORD, add_user, csrf_of, post, sign_in
from tests.conftest import make_settings

EMAIL = "sam@hub.example"


def turn_on(client: TestClient) -> str:
    """Set up two-step sign-in through the account page; returns the app's secret."""
    setup = post(client, "/staff/account/second-factor", {}, "/staff/account")
    secret = setup.text.split('<p class="secret"><code>')[1].split("</code>")[0]
    sealed = setup.text.split('name="sealed" value="')[1].split('"')[0]
    confirmed = post(
        client,
        "/staff/account/second-factor/confirm",
        {"sealed": sealed, "code": pyotp.TOTP(secret).now(), "current_password": PASSWORD},
        "/staff/account",
    )
    assert confirmed.status_code == 303
    return secret


def wrong_code(secret: str) -> str:
    totp = pyotp.TOTP(secret)
    near = {totp.at(utcnow() + timedelta(seconds=30 * n)) for n in (-1, 0, 1, 2)}
    return next(c for c in ("000000", "111111", "222222", "333333", "444444") if c not in near)


def enter(client: TestClient, code: str) -> Any:
    return client.post(
        "/staff/sign-in/code",
        data={"csrf_token": csrf_of(client, "/staff/sign-in/code"), "code": code},
        follow_redirects=False,
    )


def user(app: FastAPI) -> StaffUser:
    with Session(app.state.engine) as db_session:
        found = db_session.exec(select(StaffUser).where(StaffUser.email == EMAIL)).one()
        db_session.expunge(found)
        return found


def test_a_right_password_does_not_reset_the_count_of_wrong_codes(
    app: FastAPI, client: TestClient, other_client: TestClient, staff_member: str
) -> None:
    secret = turn_on(client)
    wrong = wrong_code(secret)
    # The attack: the password (which the attacker has), then four wrong codes, again and again.
    for _round in range(3):
        if sign_in(other_client, EMAIL).status_code != 303:
            break  # locked: the password alone no longer opens even the code page
        for _ in range(4):
            if enter(other_client, wrong).status_code != 401:
                break
    assert user(app).locked_until is not None, "five wrong codes lock the account"
    # Even the right password and the right code get nothing while it is locked.
    assert sign_in(other_client, EMAIL).status_code == 401


def test_each_lockout_for_wrong_codes_is_longer_than_the_last(
    app: FastAPI, client: TestClient, other_client: TestClient, staff_member: str
) -> None:
    secret = turn_on(client)
    lengths = []
    for _round in range(2):
        assert sign_in(other_client, EMAIL).status_code == 303
        for _ in range(5):
            enter(other_client, wrong_code(secret))
        locked = user(app).locked_until
        assert locked is not None
        lengths.append(locked.replace(tzinfo=None) - utcnow().replace(tzinfo=None))
        with Session(app.state.engine) as db_session:  # as if the lockout had run out
            row = db_session.get(StaffUser, user(app).id)
            assert row is not None
            row.locked_until = None
            db_session.add(row)
            db_session.commit()
    assert lengths[1] > lengths[0] + timedelta(minutes=10)


def test_a_code_is_good_only_once(
    app: FastAPI, client: TestClient, other_client: TestClient, staff_member: str
) -> None:
    secret = turn_on(client)
    code = pyotp.TOTP(secret).at(utcnow() + timedelta(seconds=30))  # not the one turning it on
    assert sign_in(other_client, EMAIL).status_code == 303
    assert enter(other_client, code).headers["location"] == "/staff"

    third = TestClient(app)
    assert sign_in(third, EMAIL).status_code == 303
    assert enter(third, code).status_code == 401, "the same code, seen over a shoulder"


def test_wrong_codes_count_against_the_address_too(tmp_path: Path) -> None:
    settings = make_settings(
        tmp_path, staff_cookie_secure=False, staff_lockout_failures=50, staff_rate_limit_failures=3
    )
    app = create_app(settings)
    with TestClient(app) as owner:
        add_user(app, EMAIL)
        assert sign_in(owner, EMAIL).status_code == 303
        secret = turn_on(owner)
        attacker = TestClient(app)
        assert sign_in(attacker, EMAIL).status_code == 303
        answers = [enter(attacker, wrong_code(secret)).status_code for _ in range(5)]
    assert answers == [401, 401, 401, 429, 429]


def test_moving_two_step_sign_in_to_a_new_app_needs_the_password(
    app: FastAPI, client: TestClient, staff_member: str
) -> None:
    first_secret = turn_on(client)
    setup = post(client, "/staff/account/second-factor", {}, "/staff/account")
    new_secret = setup.text.split('<p class="secret"><code>')[1].split("</code>")[0]
    sealed = setup.text.split('name="sealed" value="')[1].split('"')[0]

    refused = post(
        client,
        "/staff/account/second-factor/confirm",
        {"sealed": sealed, "code": pyotp.TOTP(new_secret).now(), "current_password": "guess"},
        "/staff/account",
    )
    assert refused.status_code == 400
    with Session(app.state.engine) as db_session:
        cipher = app.state.cipher
        row = db_session.get(StaffUser, staff_member)
        assert row is not None and row.encrypted_totp_secret is not None
        assert cipher.decrypt(row.encrypted_totp_secret)["totp"] == first_secret


@pytest.mark.parametrize("outcome", ["locked", "unknown"])
def test_a_locked_account_and_a_made_up_one_bring_on_the_rate_limit_alike(
    tmp_path: Path, outcome: str
) -> None:
    app = create_app(
        make_settings(
            tmp_path,
            staff_cookie_secure=False,
            staff_lockout_failures=2,
            staff_rate_limit_failures=6,
        )
    )
    with TestClient(app) as client:
        add_user(app, EMAIL)
        email = EMAIL if outcome == "locked" else "nobody@hub.example"
        statuses = [sign_in(client, email, "wrong password here").status_code for _ in range(8)]
    assert statuses == [401] * 6 + [429] * 2
