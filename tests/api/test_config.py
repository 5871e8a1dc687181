from __future__ import annotations

import pytest
from pydantic import ValidationError

from api.core.config import Settings
from api.referrals.crypto import FieldCipher


def test_production_refuses_placeholder_secrets() -> None:
    with pytest.raises(ValidationError):
        Settings(environment="production")
    with pytest.raises(ValidationError):  # no encryption key
        Settings(
            environment="production",
            rasa_token="r" * 32,  # type: ignore[arg-type]
            actions_token="a" * 32,  # type: ignore[arg-type]
            channel_id_key="c" * 32,  # type: ignore[arg-type]
        )
    Settings(
        environment="production",
        rasa_token="r" * 32,  # type: ignore[arg-type]
        actions_token="a" * 32,  # type: ignore[arg-type]
        channel_id_key="c" * 32,  # type: ignore[arg-type]
        referral_keys=FieldCipher.new_key(),  # type: ignore[arg-type]
    )


def test_development_runs_with_defaults() -> None:
    assert Settings(environment="development").rasa_timeout_seconds == 8.0
