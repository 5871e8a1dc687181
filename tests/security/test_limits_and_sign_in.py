"""Floods, spoofed addresses, guessed codes and account probing, replayed over real HTTP
against a running API process."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import httpx
import pyotp
import pytest

from api.core.clock import utcnow
from scripts.stack import ROOT, Stack
from tests.api.staff.conftest import PASSWORD, csrf_of, post, sign_in
from tests.security.conftest import START_API, database_file

LOW_LIMITS = {
    "CHAT_MESSAGES_PER_MINUTE_PER_ADDRESS": "100",
    "CHAT_MESSAGES_PER_MINUTE_PER_CONVERSATION": "10",
    "NEW_CONVERSATIONS_PER_HOUR_PER_ADDRESS": "5",
}


def hello(stack: Stack, headers: dict[str, str] | None = None) -> int:
    response = httpx.post(
        f"{stack.api_url}/api/chat/messages", json={"text": "hello"}, headers=headers, timeout=30
    )
    assert "999" in response.text
    return response.status_code


def conversations(stack: Stack) -> int:
    with sqlite3.connect(database_file(stack)) as connection:
        return int(connection.execute("SELECT count(*) FROM conversation").fetchone()[0])


# --- 3. no rate limit on the chat ----------------------------------------------------------------


def test_25_new_conversations_in_two_seconds_are_mostly_refused(start_api: START_API) -> None:
    stack = start_api(**LOW_LIMITS)
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=25) as pool:
        statuses = list(pool.map(lambda _: hello(stack), range(25)))
    assert time.monotonic() - started < 10
    assert statuses.count(200) == 5 and statuses.count(429) == 20
    assert conversations(stack) == 5


# --- 8. the rate-limit key cannot be chosen ----------------------------------------------------


def test_a_forged_forwarded_for_does_not_escape_the_limit(start_api: START_API) -> None:
    stack = start_api(**LOW_LIMITS)  # no trusted proxy: X-Forwarded-For is ignored
    statuses = [hello(stack, {"X-Forwarded-For": f"198.51.100.{n}"}) for n in range(8)]
    assert statuses == [200] * 5 + [429] * 3


def test_behind_a_trusted_proxy_each_client_has_its_own_limit(start_api: START_API) -> None:
    stack = start_api(**LOW_LIMITS, FORWARDED_ALLOW_IPS="127.0.0.1")
    statuses = [hello(stack, {"X-Forwarded-For": f"198.51.100.{n}"}) for n in range(8)]
    assert statuses == [200] * 8, "staff or survivors behind the proxy are not one client"
    same = [hello(stack, {"X-Forwarded-For": "203.0.113.9"}) for _ in range(7)]
    assert same == [200] * 5 + [429] * 2


# --- 2 and 7. guessing two-step codes; telling real accounts from made-up ones ------------------


def create_user(stack: Stack, email: str) -> None:
    made = subprocess.run(
        [sys.executable, "-m", "api.staff.cli", "create-user", "--email", email, "--name", "Sam"],
        env={**stack.env(), "FRONT_DOOR_NEW_PASSWORD": PASSWORD},
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert made.returncode == 0, made.stderr


def test_password_then_wrong_codes_cannot_repeat_for_ever(start_api: START_API) -> None:
    stack = start_api(STAFF_RATE_LIMIT_FAILURES="1000")
    create_user(stack, "sam@hub.example")
    with httpx.Client(base_url=stack.api_url, timeout=30) as owner:
        assert sign_in(owner, "sam@hub.example").status_code == 303  # type: ignore[arg-type]
        setup = post(owner, "/staff/account/second-factor", {}, "/staff/account")  # type: ignore[arg-type]
        secret = setup.text.split('<p class="secret"><code>')[1].split("</code>")[0]
        sealed = setup.text.split('name="sealed" value="')[1].split('"')[0]
        post(
            owner,  # type: ignore[arg-type]
            "/staff/account/second-factor/confirm",
            {"sealed": sealed, "code": pyotp.TOTP(secret).now(), "current_password": PASSWORD},
            "/staff/account",
        )
    totp = pyotp.TOTP(secret)
    near = {totp.at(utcnow() + timedelta(seconds=30 * n)) for n in (-1, 0, 1, 2)}
    wrong = next(c for c in ("000000", "111111", "222222", "333333") if c not in near)

    accepted_after = None
    wrong_codes = 0
    with httpx.Client(base_url=stack.api_url, timeout=30) as attacker:
        for _round in range(4):  # the attack: the password, then four wrong codes, again
            if sign_in(attacker, "sam@hub.example").status_code != 303:  # type: ignore[arg-type]
                break
            for _ in range(4):
                if attacker.get("/staff/sign-in/code").status_code != 200:
                    break  # signed out: the account locked
                token = csrf_of(attacker, "/staff/sign-in/code")  # type: ignore[arg-type]
                attacker.post("/staff/sign-in/code", data={"csrf_token": token, "code": wrong})
                wrong_codes += 1
        if sign_in(attacker, "sam@hub.example").status_code == 303:  # type: ignore[arg-type]
            token = csrf_of(attacker, "/staff/sign-in/code")  # type: ignore[arg-type]
            late = totp.at(utcnow() + timedelta(seconds=30))
            answer = attacker.post("/staff/sign-in/code", data={"csrf_token": token, "code": late})
            accepted_after = wrong_codes if answer.status_code == 303 else None
    assert wrong_codes <= 5, "the account locked at the fifth wrong code"
    assert accepted_after is None, "a right code is not accepted once locked"


@pytest.mark.parametrize("email", ["real@hub.example", "made-up@hub.example"])
def test_a_real_and_a_made_up_account_answer_alike(start_api: START_API, email: str) -> None:
    stack = start_api(STAFF_LOCKOUT_FAILURES="2", STAFF_RATE_LIMIT_FAILURES="6")
    create_user(stack, "real@hub.example")
    with httpx.Client(base_url=stack.api_url, timeout=30) as prober:
        statuses = [
            sign_in(prober, email, "not the password at all").status_code  # type: ignore[arg-type]
            for _ in range(8)
        ]
    assert statuses == [401] * 6 + [429] * 2


# --- 11. unsafe production settings --------------------------------------------------------------


def test_the_trailing_slash_redirect_ignores_a_forged_host(start_api: START_API) -> None:
    stack = start_api()
    response = httpx.get(f"{stack.api_url}/staff/", headers={"Host": "evil.example"})
    assert response.status_code == 307
    assert response.headers["location"] == "/staff"


def test_production_refuses_to_start_with_an_unsigned_hub(start_api: START_API) -> None:
    with pytest.raises(RuntimeError, match="exited"):
        start_api(
            ENVIRONMENT="production",
            HUB_WEBHOOK_URL="http://hub.example.org/referrals",
            HUB_WEBHOOK_SECRET="",
        )


def test_production_shows_no_map_of_its_routes(start_api: START_API) -> None:
    stack = start_api(ENVIRONMENT="production")
    assert httpx.get(f"{stack.api_url}/openapi.json").status_code == 404
    assert httpx.get(f"{stack.api_url}/docs").status_code == 404
