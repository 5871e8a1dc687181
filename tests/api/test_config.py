"""The settings refuse what would make the service unsafe, in every environment but the tests'."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from api.core.config import Settings
from api.core.crypto import FieldCipher

GOOD = {
    "rasa_token": "r" * 32,
    "actions_token": "a" * 32,
    "channel_id_key": "c" * 32,
    "referral_keys": FieldCipher.new_key(),
}
NO_FILES = {"_env_file": None}  # read neither .env nor the generated secrets


@pytest.mark.parametrize("environment", ["development", "production"])
@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("rasa_token", ""),
        ("actions_token", "change-me-actions-token"),
        ("channel_id_key", "change-me-channel-id-key"),
        ("channel_id_key", "test-channel-key"),
        ("channel_id_key", "short"),
        ("referral_keys", ""),
        ("referral_keys", "not-a-fernet-key"),
    ],
)
def test_placeholder_or_missing_secrets_are_refused(
    environment: str, name: str, value: str
) -> None:
    with pytest.raises(ValidationError):
        Settings(**NO_FILES, environment=environment, **{**GOOD, name: value})  # type: ignore[arg-type]


@pytest.mark.parametrize("environment", ["development", "production"])
def test_long_random_secrets_are_accepted(environment: str) -> None:
    Settings(**NO_FILES, environment=environment, **GOOD)  # type: ignore[arg-type]


def test_the_tests_run_with_placeholders() -> None:
    assert Settings(**NO_FILES, environment="test").rasa_timeout_seconds == 8.0  # type: ignore[arg-type]


def test_the_hub_document_version_is_read_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """HUB_PAYLOAD_VERSION comes as text: "3" is version 3, and a version that does not
    exist stops the start rather than sending documents no hub can read."""
    monkeypatch.setenv("HUB_PAYLOAD_VERSION", "3")
    assert Settings(**NO_FILES, environment="test").hub_payload_version == 3  # type: ignore[arg-type]
    monkeypatch.setenv("HUB_PAYLOAD_VERSION", "4")
    with pytest.raises(ValidationError):
        Settings(**NO_FILES, environment="test")  # type: ignore[arg-type]
