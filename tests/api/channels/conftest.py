from __future__ import annotations

from collections.abc import Iterator
from itertools import count
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from twilio.request_validator import RequestValidator

from api.core.config import Settings
from api.main import create_app
from tests.conftest import make_settings
from tests.stand_ins import TwilioStandIn

AUTH_TOKEN = "test-twilio-auth-token"
PUBLIC = "https://frontdoor.example.org"
SURVIVOR = "+447700900123"


@pytest.fixture
def twilio() -> Iterator[TwilioStandIn]:
    stand_in = TwilioStandIn()
    yield stand_in
    stand_in.server.shutdown()


def channel_settings(tmp_path: Path, twilio_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "public_base_url": PUBLIC,
        "twilio_auth_token": AUTH_TOKEN,
        "twilio_account_sid": "AC" + "1" * 32,
        "twilio_sms_from": "+447700900000",
        "twilio_whatsapp_from": "whatsapp:+447700900000",
        "twilio_api_base": twilio_url,
        "channel_id_key": "test-channel-key",
    }
    return make_settings(tmp_path, **{**values, **overrides})


@pytest.fixture
def sms_settings(tmp_path: Path, twilio: TwilioStandIn) -> Settings:
    return channel_settings(tmp_path, twilio.url)


@pytest.fixture
def sms_client(sms_settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(sms_settings)) as client:
        yield client


class Phone:
    """A survivor's phone talking to the webhook through Twilio, with real signatures."""

    def __init__(self, client: TestClient, address: str = SURVIVOR) -> None:
        self.client = client
        self.address = address
        self.numbers = count(1)

    def signed(
        self, form: dict[str, str], path: str = "/channels/twilio/messages"
    ) -> dict[str, str]:
        signature = RequestValidator(AUTH_TOKEN).compute_signature(PUBLIC + path, form)
        return {"X-Twilio-Signature": signature}

    def form(self, body: str, **extra: str) -> dict[str, str]:
        return {
            "MessageSid": f"SM{self.address[-4:]}{next(self.numbers):028d}",
            "From": self.address,
            "To": "+447700900000",
            "Body": body,
            "NumMedia": "0",
            **extra,
        }

    def post(self, form: dict[str, str], headers: dict[str, str] | None = None) -> Any:
        return self.client.post(
            "/channels/twilio/messages",
            data=form,
            headers=self.signed(form) if headers is None else headers,
        )

    def text(self, body: str, **extra: str) -> str:
        response = self.post(self.form(body, **extra))
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("application/xml")
        return response.text
