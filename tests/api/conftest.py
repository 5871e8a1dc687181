"""A migrated database for the API's service tests, on SQLite and on PostgreSQL (the
PostgreSQL case fails rather than skips in CI: see tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from api.core.db import make_engine, migrate


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'front-door.db'}"
    else:
        url = str(request.getfixturevalue("postgres_url"))
        with make_engine(url).begin() as connection:
            connection.exec_driver_sql("DROP SCHEMA public CASCADE")
            connection.exec_driver_sql("CREATE SCHEMA public")
    migrate(url)
    made = make_engine(url)
    yield made
    made.dispose()
