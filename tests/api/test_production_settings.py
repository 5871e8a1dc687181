"""Unsafe production settings are refused, and production shows no map of its routes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from api.core.config import PROJECT_ROOT, Settings
from api.core.crypto import FieldCipher
from api.main import create_app
from tests.conftest import TEST_REFERRAL_KEY, make_settings

SECRETS = {
    "rasa_token": "r" * 32,
    "actions_token": "a" * 32,
    "channel_id_key": "c" * 32,
    "referral_keys": FieldCipher.new_key(),
}


def production(**values: object) -> Settings:
    return Settings(_env_file=None, environment="production", **{**SECRETS, **values})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("url", "secret"),
    [
        ("https://hub.example.org/referrals", ""),
        ("https://hub.example.org/referrals", "short"),
        ("http://hub.example.org/referrals", "s" * 32),
        ("ftp://hub.example.org/referrals", "s" * 32),
    ],
)
def test_production_refuses_an_unsigned_or_plain_http_hub(url: str, secret: str) -> None:
    with pytest.raises(ValidationError):
        production(hub_webhook_url=url, hub_webhook_secret=secret)


@pytest.mark.parametrize(
    "url", ["https://hub.example.org/referrals", "http://127.0.0.1:9000/referrals"]
)
def test_production_accepts_https_or_a_relay_on_loopback(url: str) -> None:
    production(hub_webhook_url=url, hub_webhook_secret="s" * 32)


def test_production_hides_the_api_map_unless_asked(tmp_path: Path) -> None:
    hidden = TestClient(create_app(production(database_url=f"sqlite:///{tmp_path / 'a.db'}")))
    assert hidden.get("/openapi.json").status_code == 404
    assert hidden.get("/docs").status_code == 404
    shown = TestClient(
        create_app(production(database_url=f"sqlite:///{tmp_path / 'b.db'}", api_docs=True))
    )
    assert shown.get("/openapi.json").status_code == 200


def test_a_trailing_slash_redirect_never_uses_the_host_header(tmp_path: Path) -> None:
    with TestClient(create_app(make_settings(tmp_path))) as client:
        response = client.get(
            "/staff/?x=1", headers={"Host": "evil.example"}, follow_redirects=False
        )
    assert response.status_code == 307
    assert response.headers["location"] == "/staff?x=1"


def test_the_standalone_delivery_worker_logs_through_the_redacting_filter(
    tmp_path: Path,
) -> None:
    # A database that refuses: the driver's error message names the address it tried. The
    # redacting filter keeps an exception's type and stack, never its message.
    env = {
        "PATH": "/usr/bin:/bin",
        "ENVIRONMENT": "test",
        "REFERRAL_KEYS": TEST_REFERRAL_KEY,
        "DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:9/never_there",
        "HUB_WEBHOOK_URL": "http://127.0.0.1:9/referrals",
        "OUTBOX_POLL_SECONDS": "0.2",
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "api.hub.worker"],
        cwd=PROJECT_ROOT,
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        _, logged = worker.communicate(timeout=4)
    except subprocess.TimeoutExpired:
        worker.terminate()
        _, logged = worker.communicate()
    assert "outbox pass failed" in logged
    assert "Traceback (message withheld)" in logged
    assert "never_there" not in logged and "127.0.0.1" not in logged
