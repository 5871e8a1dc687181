"""The console on a real database (SQLite, and PostgreSQL where marked), over real HTTP
through TestClient, with real argon2 hashes and real encryption."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session

from api.main import create_app
from api.referrals import service as referrals
from api.referrals.models import Referral
from api.staff import service
from tests.conftest import make_settings

PASSWORD = "correct horse battery staple"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')

# A sample referral's personal answers: none of these may ever be in the clear at rest.
ANSWERS: dict[str, Any] = {
    "referral_consent": True,
    "age": 29,
    "area": "YO1 7HH",
    "area_status": "in_area",
    "name": "Wilhelmina",
    "contact_method": "text",
    "contact_detail": "07700 900123",
    "contact_times": "weekday mornings before nine",
    "voicemail_ok": True,
    "message_ok_text": "say it is the dentist",
    "may_say_who": False,
    "confirm_word": "marmalade",
    "children_count": 2,
    "children_ages": "4 and 7",
    "pregnant": False,
    "situation": "separated",
    "situation_words": "he keeps turning up at the school gates",
    "risk_afraid": False,
    "risk_worse": True,
    "risk_strangled": False,
    "risk_threats": True,
    "needs": ["housing", "children"],
    "language_needs": "a female interpreter for Kurdish Sorani",
}
PERSONAL = [
    "Wilhelmina", "07700 900123", "07700900123", "weekday mornings", "the dentist",
    "marmalade", "school gates", "Kurdish Sorani",
]  # fmt: skip


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'console.db'}"
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
def app(tmp_path: Path, database_url: str) -> FastAPI:
    settings = make_settings(
        tmp_path,
        database_url=database_url,
        staff_cookie_secure=False,  # TestClient speaks plain http to "testserver"
        outbox_worker_in_api=False,
    )
    return create_app(settings)


def _empty_postgres(application: FastAPI) -> None:
    """The PostgreSQL database is shared by the tests of a session: leave it empty."""
    from sqlmodel import SQLModel, create_engine

    engine = create_engine(application.state.settings.database_url)
    with engine.begin() as connection:
        for table in reversed(SQLModel.metadata.sorted_tables):
            connection.execute(table.delete())
    engine.dispose()


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    """One browser; its lifespan migrates the database and sets up the engine and cipher."""
    with TestClient(app) as test_client:
        yield test_client
    if app.state.settings.database_url.startswith("postgresql"):
        _empty_postgres(app)


@pytest.fixture
def other_client(app: FastAPI, client: TestClient) -> TestClient:
    """A second browser on the same running app."""
    return TestClient(app)


def add_user(app: FastAPI, email: str, role: str = "staff", name: str | None = None) -> str:
    with Session(app.state.engine) as db_session:
        user = service.create_user(
            db_session,
            email=email,
            display_name=name or email.split("@")[0].title(),
            password=PASSWORD,
            role=role,
        )
        db_session.commit()
        return user.id


def csrf_of(client: TestClient, path: str) -> str:
    page = client.get(path)
    assert page.status_code == 200, page.text
    found = CSRF.search(page.text)
    assert found, f"no CSRF token on {path}"
    return found.group(1)


def sign_in(client: TestClient, email: str, password: str = PASSWORD) -> Any:
    token = csrf_of(client, "/staff/sign-in")
    return client.post(
        "/staff/sign-in",
        data={"csrf_token": token, "email": email, "password": password},
        follow_redirects=False,
    )


def post(client: TestClient, path: str, data: dict[str, str], page: str = "/staff") -> Any:
    """A console form post, with the CSRF token from a page the staff member has open."""
    return client.post(
        path, data={**data, "csrf_token": csrf_of(client, page)}, follow_redirects=False
    )


@pytest.fixture
def staff_member(app: FastAPI, client: TestClient) -> str:
    user_id = add_user(app, "sam@hub.example", "staff", "Sam Worker")
    assert sign_in(client, "sam@hub.example").status_code == 303
    return user_id


@pytest.fixture
def admin(app: FastAPI, client: TestClient) -> str:
    user_id = add_user(app, "ada@hub.example", "admin", "Ada Admin")
    assert sign_in(client, "ada@hub.example").status_code == 303
    return user_id


def refer(app: FastAPI, locale: str = "en", **changes: Any) -> Referral:
    with Session(app.state.engine) as db_session:
        referral = referrals.prepare_and_store(
            db_session,
            app.state.cipher,
            answers={**ANSWERS, **changes},
            referral_for="myself",
            locale=locale,
            channel="web",
            connectors=("webhook",),
        )
        db_session.expunge(referral)
        return referral
