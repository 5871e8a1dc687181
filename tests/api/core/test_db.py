"""The local database at rest: a file only its owner can read."""

from __future__ import annotations

import stat
from pathlib import Path

from api.core.db import make_engine, migrate


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_sqlite_database_is_the_owners_alone(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'data' / 'front-door.db'}"
    migrate(url)
    engine = make_engine(url)
    with engine.connect() as connection:
        connection.exec_driver_sql("SELECT 1")
    engine.dispose()

    assert mode(tmp_path / "data") == 0o700
    for file in (tmp_path / "data").iterdir():  # the database, its WAL and shared memory
        assert mode(file) == 0o600, file.name
