"""Key rotation for everything the app encrypts: one key ring, one list, one command.

The keys in REFERRAL_KEYS encrypt referral answers, staff notes, contact-attempt notes,
what survivors changed after sending, hub events waiting to be delivered, staff two-step
secrets, the options last offered in a conversation, and referrals spooled to disk while
the database was away. Rotating only some of them and then
dropping the old key would make the rest unreadable (and lock staff out of two-step
sign-in), so every encrypted column and file is listed here, and a test fails when a
model gains an encrypted column that is not.

To rotate:
1. `python -m api.rotate_keys --new-key` prints a key; put it FIRST in REFERRAL_KEYS,
   keeping the old keys after it, and restart the service.
2. `python -m api.rotate_keys` re-encrypts everything with the first key. It works in
   batches, committing as it goes, so it can be stopped and run again; running it twice
   does no harm. It ends by saying whether anything could not be read.
3. Only when it reports nothing unreadable, remove the old keys and restart.
"""

from __future__ import annotations

import argparse
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, SQLModel, col, select

from api.conversations.models import Conversation
from api.core.config import get_settings
from api.core.crypto import DecryptionError, FieldCipher, encryption_keys
from api.core.db import make_engine
from api.outbox.models import OutboxEntry
from api.referrals import spool
from api.referrals.models import ContactAttempt, Referral, ReferralNote, ReferralUpdate
from api.staff.models import StaffUser

logger = logging.getLogger(__name__)

# Every column that holds something encrypted with the key ring.
ENCRYPTED_COLUMNS: list[tuple[type[SQLModel], str]] = [
    (Referral, "encrypted_answers"),
    (ReferralNote, "encrypted_text"),
    (ContactAttempt, "encrypted_note"),
    (ReferralUpdate, "encrypted_detail"),
    (OutboxEntry, "encrypted_payload"),
    (StaffUser, "encrypted_totp_secret"),
    (Conversation, "sealed_options"),
]
BATCH = 500


@dataclass
class RotationReport:
    rewritten: dict[str, int] = field(default_factory=dict)
    # Records no configured key opens: never dropped silently, never a reason to stop.
    unreadable: dict[str, int] = field(default_factory=dict)

    @property
    def all_readable(self) -> bool:
        return not any(self.unreadable.values())


def rotate_everything(engine: Engine, cipher: FieldCipher, spool_dir: Path) -> RotationReport:
    report = RotationReport()
    for model, column in ENCRYPTED_COLUMNS:
        name = f"{model.__tablename__}.{column}"
        report.rewritten[name], report.unreadable[name] = _rotate_column(
            engine, cipher, model, column
        )
    report.rewritten["spool"], report.unreadable["spool"] = _rotate_spool(cipher, spool_dir)
    return report


def _rotate_column(
    engine: Engine, cipher: FieldCipher, model: type[SQLModel], column: str
) -> tuple[int, int]:
    """Re-encrypt one column in batches by primary key, committing each batch."""
    key = _primary_key(model)
    rewritten = unreadable = 0
    after: Any = None
    while True:
        with Session(engine) as session:
            query = select(model).where(col(getattr(model, column)).is_not(None))
            if after is not None:
                query = query.where(getattr(model, key) > after)
            rows = session.exec(query.order_by(getattr(model, key)).limit(BATCH)).all()
            if not rows:
                return rewritten, unreadable
            for row in rows:
                try:
                    setattr(row, column, cipher.rotate(getattr(row, column)))
                except DecryptionError:
                    unreadable += 1
                    continue
                session.add(row)
                rewritten += 1
            after = getattr(rows[-1], key)
            session.commit()


def _primary_key(model: type[SQLModel]) -> str:
    keys = [c.name for c in model.__table__.primary_key.columns]  # type: ignore[attr-defined]
    return str(keys[0])


def _rotate_spool(cipher: FieldCipher, folder: Path) -> tuple[int, int]:
    rewritten = unreadable = 0
    for path in spool.waiting(folder):
        record = json.loads(path.read_text(encoding="utf-8"))
        try:
            record["referral"]["encrypted_answers"] = cipher.rotate(
                record["referral"]["encrypted_answers"]
            )
        except DecryptionError:
            unreadable += 1
            continue
        spool.save_record(path, record)
        rewritten += 1
    return rewritten, unreadable


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m api.rotate_keys", description=__doc__)
    parser.add_argument("--new-key", action="store_true", help="print a new key and stop")
    args = parser.parse_args()
    if args.new_key:
        print(FieldCipher.new_key())
        return
    settings = get_settings()
    report = rotate_everything(
        make_engine(settings.database_url),
        FieldCipher(encryption_keys(settings)),
        settings.referral_spool_dir,
    )
    for name, count in report.rewritten.items():
        print(f"{name}: {count} re-encrypted, {report.unreadable[name]} unreadable")
    if report.all_readable:
        print("Everything is now encrypted with the first key: the old keys can be removed.")
    else:
        print("Some records no configured key opens: keep every old key until they are found.")
        raise SystemExit(1)


if __name__ == "__main__":
    main()
