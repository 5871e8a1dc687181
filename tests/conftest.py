"""Shared fixtures. Unit tests get a fresh SQLite database and no Rasa; end-to-end
tests share one real Rasa server and one real API, started once per test session."""

from __future__ import annotations

import os
import secrets
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import psycopg
import pytest
from cryptography.fernet import Fernet
from fastapi.testclient import TestClient
from sqlalchemy.engine import make_url

from api.core.config import Settings
from api.main import create_app
from scripts.stack import NO_RATE_LIMITS, Stack, free_port
from tests.stand_ins import SECRET, StandInHub, TwilioStandIn

ROOT = Path(__file__).resolve().parents[1]
DEAD_RASA = "http://127.0.0.1:9"  # the discard port: nothing answers there
DEFAULT_TEST_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
TWILIO_TEST_ENV = {
    "TWILIO_AUTH_TOKEN": "test-twilio-auth-token",
    "TWILIO_ACCOUNT_SID": "AC" + "1" * 32,
}
# Every test client shares one address, so tests of anything but the limits lift them;
# tests/security and tests/api/chat/test_limits.py set their own.
UNLIMITED = {name.lower(): int(value) for name, value in NO_RATE_LIMITS.items()}
# One key for the whole test session, so an app restarted on the same database reads it.
TEST_REFERRAL_KEY = Fernet.generate_key().decode()
# The pytest process itself (CLI calls, anything that reads the settings) runs as the tests;
# the stacks the tests start run as development or production, with real secrets.
os.environ["ENVIRONMENT"] = "test"


def make_settings(tmp_path: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "environment": "test",
        "database_url": f"sqlite:///{tmp_path / 'front-door.db'}",
        "rasa_url": DEAD_RASA,
        "rasa_timeout_seconds": 1.0,
        "rasa_token": "test-rasa-token",
        "actions_token": "test-actions-token",
        "referral_keys": TEST_REFERRAL_KEY,
        "referral_spool_dir": tmp_path / "spool",
        **UNLIMITED,
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path)


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    """The real app on a fresh database, with Rasa unreachable."""
    app = create_app(settings)
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A throwaway database on the PostgreSQL server. In CI it must exist: fail, never skip."""
    server = os.environ.get("TEST_POSTGRES_URL", DEFAULT_TEST_POSTGRES)
    url = make_url(server)
    name = f"front_door_test_{secrets.token_hex(4)}"
    admin = f"host={url.host} port={url.port or 5432} user={url.username} dbname={url.database}"
    try:
        connection = psycopg.connect(admin, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as error:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is required in CI and is not reachable: {error}")
        pytest.skip(f"PostgreSQL not reachable at {url.host}:{url.port} (required in CI)")
    with connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class NeutralPage(BaseHTTPRequestHandler):
    """The neutral exit destination, and a service's website that embeds the widget."""

    widget_src = ""

    def do_GET(self) -> None:
        if self.path.startswith("/host"):
            body = (
                '<!doctype html><html lang="en"><title>Our service</title><main><h1>Our service</h1>'
                "<p>Information about our service.</p></main>"
                f'<script src="{self.widget_src}" defer></script></html>'
            ).encode()
        else:
            body = b'<!doctype html><html lang="en"><title>Weather</title><h1>Weather forecast</h1></html>'

        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="session")
def neutral_site() -> Iterator[str]:
    """A stand-in for the neutral page the quick exit goes to (the real one is off-machine)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), NeutralPage)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/weather"
    server.shutdown()


def origin_of(url: str) -> str:
    return url.split("/", 3)[0] + "//" + url.split("/", 3)[2]


@pytest.fixture(scope="session")
def hub_stand_in() -> Iterator[StandInHub]:
    """The hub's webhook, on loopback, for the end-to-end tests."""
    hub = StandInHub()
    yield hub
    hub.server.shutdown()


@pytest.fixture(scope="session")
def twilio_stand_in() -> Iterator[TwilioStandIn]:
    """Twilio's REST API, on loopback, for what the end-to-end stack sends by itself."""
    twilio = TwilioStandIn()
    yield twilio
    twilio.server.shutdown()


def running_stack(work: Path, logs: str, extra_env: dict[str, str]) -> Iterator[Stack]:
    """The real trained Rasa server and the real API on free loopback ports, until the end."""
    running = Stack(
        api_port=free_port(),
        rasa_port=free_port(),
        database_url=f"sqlite:///{work / 'front-door.db'}",
        log_dir=ROOT / "test-artifacts" / logs,
        extra_env={
            **TWILIO_TEST_ENV,
            **NO_RATE_LIMITS,
            # Every web test comes from one address, so one sender: the limit per
            # reference is left as it is (tests/e2e/test_coming_back.py reaches it).
            "RETURNING_TRIES_PER_SENDER": "1000000",
            "REFERRAL_SPOOL_DIR": str(work / "spool"),
            **extra_env,
        },
    )
    running.extra_env.setdefault("PUBLIC_BASE_URL", running.api_url)
    running.start_api()
    running.start_rasa()
    try:
        running.wait_until_ready(timeout=240)
        yield running
    finally:
        running.stop_all()


@pytest.fixture(scope="session")
def stack(
    tmp_path_factory: pytest.TempPathFactory,
    neutral_site: str,
    hub_stand_in: StandInHub,
    twilio_stand_in: TwilioStandIn,
) -> Iterator[Stack]:
    """The stack the end-to-end tests share, with a neutral page, a hub and Twilio's REST
    API on loopback."""
    extra = {
        "TWILIO_API_BASE": twilio_stand_in.url,
        "TWILIO_SMS_FROM": "+447700900000",
        "TWILIO_WHATSAPP_FROM": "whatsapp:+447700900000",
        "EXIT_DESTINATION": neutral_site,
        "EMBED_ORIGINS": f'["{origin_of(neutral_site)}"]',
        "HUB_WEBHOOK_URL": hub_stand_in.url,
        "HUB_PAYLOAD_VERSION": "3",  # the version for a new integration
        "HUB_WEBHOOK_SECRET": SECRET,
        "OUTBOX_POLL_SECONDS": "0.5",
        "PURGE_EVERY_SECONDS": "1",  # the idle purge is seen to run (tests/e2e/test_erasure.py)
        "STAFF_COOKIE_SECURE": "false",  # the browser reaches the console over loopback http
    }
    for running in running_stack(tmp_path_factory.mktemp("stack"), "logs", extra):
        NeutralPage.widget_src = f"{running.api_url}/widget.js"
        yield running


def live_hub_file(
    directory: Path, *, enabled: bool = True, max_wait_minutes: int = 10, never_open: bool = False
) -> Path:
    """The sample hub with live chat turned on and open at every hour of every day, so the
    live chat tests do not depend on the time they run (closed hours are tested with the
    sample's own hours, at chosen moments: tests/api/actions/test_live_chat.py)."""
    import yaml

    hub = yaml.safe_load((ROOT / "content" / "hub" / "north-yorkshire-york.yml").read_text())
    hub["contact"]["opening_times"] = [
        {
            "days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
            "opens": "00:00",
            "closes": "23:59",
        }
    ]
    if never_open:  # closed every day: anyone still waiting is told at once
        hub["contact"]["opening_times"][0]["days"] = []
    hub["contact"]["closed_on"] = []
    hub["live_chat"] = {
        "enabled": enabled,
        "max_wait_minutes": max_wait_minutes,
        "max_chats_per_worker": 2,
    }
    path = directory / "live-hub.yml"
    path.write_text(yaml.safe_dump(hub, allow_unicode=True), encoding="utf-8")
    return path
