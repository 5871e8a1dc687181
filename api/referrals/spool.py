"""A consented referral must never be lost, even when the database is down.

If storing a referral fails, it is written here instead: one file per referral, its
answers already encrypted, written to a temporary name, flushed to disk and renamed, so a
file is either whole or absent. Each API process replays the folder every few seconds;
a file is claimed by renaming it, stored with its outbox entries in one transaction, and
only then deleted. A crash between the commit and the delete leaves a file whose referral
already exists; replaying it again changes nothing.
"""

from __future__ import annotations

import json
import logging
import os
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from api.referrals import service
from api.referrals.models import Referral

logger = logging.getLogger(__name__)

SUFFIX = ".referral.json"
CLAIMED = ".claimed"
# Files that cannot be read (cut short, edited by hand, from an incompatible version) go
# here, kept for a person to look at: never deleted, never retried for ever, and never in
# the way of the files behind them.
QUARANTINE = "quarantine"


def write(folder: Path, referral: Referral, connectors: tuple[str, ...]) -> Path:
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    record: dict[str, Any] = {
        "referral": referral.model_dump(mode="json"),
        "connectors": list(connectors),
    }
    final = folder / f"{referral.id}{SUFFIX}"
    save_record(final, record)
    logger.warning("referral=%s spooled to disk: the database was unavailable", referral.id)
    return final


def save_record(path: Path, record: dict[str, Any]) -> None:
    """Write a spool file so that it is either whole or absent, readable only by the
    service, and still there after a power cut (the file and the rename both synced)."""
    temporary = path.with_name(f".{path.name}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        json.dump(record, handle)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)  # the rename itself must survive a power cut
    finally:
        os.close(directory)


def waiting(folder: Path) -> list[Path]:
    if not folder.exists():
        return []
    return sorted(folder.glob(f"*{SUFFIX}"))


def _load(path: Path) -> tuple[Referral, tuple[str, ...]]:
    record = json.loads(path.read_text(encoding="utf-8"))
    fields = record["referral"]
    fields["created_at"] = datetime.fromisoformat(fields["created_at"])
    for name in ("updated_at",):
        if fields.get(name):
            fields[name] = datetime.fromisoformat(fields[name])
    return Referral.model_validate(fields), tuple(record["connectors"])


def replay(engine: Engine, folder: Path) -> int:
    """Store every spooled referral the database will now take; returns how many."""
    stored = 0
    for path in waiting(folder):
        claimed = path.with_name(path.name + f"{CLAIMED}-{os.getpid()}")
        try:
            path.rename(claimed)  # another process may have taken it first
        except FileNotFoundError:
            continue
        try:
            referral, connectors = _load(claimed)
        except (ValueError, KeyError, TypeError) as error:  # JSON and validation errors too
            _quarantine(claimed, path.name)
            logger.error(
                "spool file quarantined, it could not be read error=%s", type(error).__name__
            )
            continue
        try:
            with Session(engine) as db_session:
                if db_session.get(Referral, referral.id) is None:
                    service.store(db_session, referral, connectors)
        except SQLAlchemyError as error:
            claimed.rename(path)  # still down: leave it for the next round
            logger.warning("spool replay waiting for the database error=%s", type(error).__name__)
            break
        claimed.unlink()
        stored += 1
        logger.info("referral=%s stored from the spool", referral.id)
    return stored


def _quarantine(claimed: Path, name: str) -> None:
    target = claimed.parent / QUARANTINE
    target.mkdir(mode=0o700, exist_ok=True)
    claimed.rename(target / name)


def quarantined(folder: Path) -> int:
    """How many spooled files could not be read and wait for a person."""
    target = folder / QUARANTINE
    return len(list(target.glob(f"*{SUFFIX}"))) if target.exists() else 0


def recover_abandoned(folder: Path) -> None:
    """Files claimed by a process that then died go back in the queue at start-up."""
    if not folder.exists():
        return
    for path in folder.glob(f"*{SUFFIX}{CLAIMED}-*"):
        owner = int(path.name.rsplit("-", 1)[1])
        if not _alive(owner):
            path.rename(path.with_name(path.name.split(CLAIMED)[0]))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
