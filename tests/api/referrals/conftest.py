"""A migrated database on SQLite and PostgreSQL for the referral services; and, for the
messages the service sends about a referral, the same stand-in for Twilio's servers and
signed-webhook client as the channel tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from api.core.db import make_engine, migrate
from tests.api.channels.conftest import sms_client, sms_settings, twilio

__all__ = ["engine", "sms_client", "sms_settings", "twilio"]


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'referrals.db'}"
    else:
        url = str(request.getfixturevalue("postgres_url"))
        with make_engine(url).begin() as connection:
            connection.exec_driver_sql("DROP SCHEMA public CASCADE")
            connection.exec_driver_sql("CREATE SCHEMA public")
    migrate(url)
    made = make_engine(url)
    yield made
    made.dispose()
