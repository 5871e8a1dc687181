from __future__ import annotations

import pytest
from pydantic import ValidationError

from api.core.config import Settings


def test_production_refuses_placeholder_secrets() -> None:
    with pytest.raises(ValidationError):
        Settings(environment="production")
    Settings(environment="production", rasa_token="r" * 32, actions_token="a" * 32)  # type: ignore[arg-type]


def test_development_runs_with_defaults() -> None:
    assert Settings(environment="development").rasa_timeout_seconds == 2.0
