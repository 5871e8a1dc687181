"""The database engine and the migrations that shape it."""

from __future__ import annotations

import os
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, event
from sqlmodel import create_engine

from api.core.config import PROJECT_ROOT

MIGRATIONS_DIR = PROJECT_ROOT / "api" / "migrations"
DATA_DIR = PROJECT_ROOT / "var"  # the local run's data folder


def _prepare_sqlite_file(url: str) -> None:
    """The database file and its folder are the owner's alone (0600 and 0700). SQLite gives
    its journal and WAL files the database file's permissions."""
    prefix = "sqlite:///"
    if not url.startswith(prefix) or ":memory:" in url:
        return
    path = Path(url[len(prefix) :])
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    if path.parent.resolve() == DATA_DIR.resolve():  # made 0755 by earlier versions
        path.parent.chmod(0o700)
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    path.chmod(0o600)


def make_engine(url: str) -> Engine:
    _prepare_sqlite_file(url)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):  # type: ignore[no-untyped-def]
            cursor = dbapi_connection.cursor()
            # WAL lets readers and one writer work at once; secure_delete overwrites
            # erased rows so deleted conversations do not linger in the file.
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA secure_delete=ON")
            cursor.close()

        return engine
    return create_engine(url, pool_pre_ping=True)


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def migrate(url: str) -> None:
    """Bring the database up to the newest schema."""
    _prepare_sqlite_file(url)
    command.upgrade(alembic_config(url), "head")
