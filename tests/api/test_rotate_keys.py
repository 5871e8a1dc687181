"""Key rotation covers everything the keys encrypt: after rotating and dropping the old
key, every referral, note, contact-attempt note, two-step secret, sealed option list and
spooled referral still opens, on SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, SQLModel, select

from api.conversations.models import Conversation
from api.conversations.service import options_of
from api.core.crypto import DecryptionError, FieldCipher
from api.core.db import make_engine, migrate
from api.referrals import spool
from api.referrals.models import ContactAttempt, Referral, ReferralNote
from api.referrals.service import prepare
from api.rotate_keys import ENCRYPTED_COLUMNS, rotate_everything
from api.staff.models import StaffUser

OLD, NEW = FieldCipher.new_key(), FieldCipher.new_key()
ANSWERS = {"name": "Jane Example", "contact_detail": "07700900123"}


def fill(engine: Engine, spool_dir: Path) -> None:
    """One of everything encrypted, all under the old key."""
    cipher = FieldCipher([OLD])
    with Session(engine) as session:
        referral = prepare(
            cipher, answers=ANSWERS, referral_for="myself", locale="en", channel="web"
        )
        session.add(referral)
        session.add(
            ReferralNote(
                referral_id=referral.id,
                author_id="staff-1",
                encrypted_text=cipher.encrypt({"text": "called, no answer"}),
            )
        )
        session.add(
            ContactAttempt(
                referral_id=referral.id,
                author_id="staff-1",
                outcome="no_answer",
                encrypted_note=cipher.encrypt({"text": "voicemail not safe"}),
            )
        )
        session.add(
            StaffUser(
                email="worker@example.org",
                display_name="Worker",
                password_hash="x",
                encrypted_totp_secret=cipher.encrypt({"totp": "JBSWY3DPEHPK3PXP"}),
            )
        )
        session.add(
            Conversation(
                id="c" * 43,
                channel="web",
                locale="en",
                sealed_options=cipher.encrypt({"options": ["/affirm"]}),
            )
        )
        session.commit()
    spooled = prepare(cipher, answers=ANSWERS, referral_for="myself", locale="en", channel="sms")
    spool.write(spool_dir, spooled, ("webhook",))


def read_everything(engine: Engine, spool_dir: Path, cipher: FieldCipher) -> None:
    with Session(engine) as session:
        for referral in session.exec(select(Referral)):
            assert cipher.decrypt(referral.encrypted_answers) == ANSWERS
        note = session.exec(select(ReferralNote)).one()
        assert cipher.decrypt(note.encrypted_text)["text"] == "called, no answer"
        attempt = session.exec(select(ContactAttempt)).one()
        assert cipher.decrypt(attempt.encrypted_note or "")["text"] == "voicemail not safe"
        user = session.exec(select(StaffUser)).one()
        assert cipher.decrypt(user.encrypted_totp_secret or "")["totp"] == "JBSWY3DPEHPK3PXP"
        conversation = session.exec(select(Conversation)).one()
        assert options_of(conversation, cipher, timedelta(hours=4)) == ["/affirm"]
    (path,) = spool.waiting(spool_dir)
    record, _ = spool._load(path)
    assert cipher.decrypt(record.encrypted_answers) == ANSWERS


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Engine:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'rotate.db'}"
    else:
        url = request.getfixturevalue("postgres_url")
    migrate(url)
    engine = make_engine(url)
    with Session(engine) as session:  # the PostgreSQL database is shared by the session
        for model, _ in ENCRYPTED_COLUMNS:
            for row in session.exec(select(model)):
                session.delete(row)
        session.commit()
    return engine


def test_rotate_then_drop_the_old_key_and_read_everything_back(
    engine: Engine, tmp_path: Path
) -> None:
    spool_dir = tmp_path / "spool"
    fill(engine, spool_dir)
    with pytest.raises(DecryptionError):
        read_everything(engine, spool_dir, FieldCipher([NEW]))  # before: the new key alone fails

    report = rotate_everything(engine, FieldCipher([NEW, OLD]), spool_dir)
    assert report.all_readable
    assert sum(report.rewritten.values()) == 6  # one of each, and the spooled referral
    again = rotate_everything(engine, FieldCipher([NEW, OLD]), spool_dir)  # safe to run twice
    assert again.all_readable and again.rewritten == report.rewritten

    read_everything(engine, spool_dir, FieldCipher([NEW]))  # the old key is gone


def test_what_no_key_opens_is_reported_not_dropped(engine: Engine, tmp_path: Path) -> None:
    spool_dir = tmp_path / "spool"
    fill(engine, spool_dir)
    stranger = FieldCipher([FieldCipher.new_key()])
    report = rotate_everything(engine, stranger, spool_dir)
    assert not report.all_readable
    assert report.unreadable["referral.encrypted_answers"] == 1
    read_everything(engine, spool_dir, FieldCipher([OLD]))  # untouched


def test_every_encrypted_column_is_listed() -> None:
    """A new encrypted column must join the rotation: names say what they hold."""
    listed = {(model.__tablename__, column) for model, column in ENCRYPTED_COLUMNS}
    found = {
        (table.name, column.name)
        for table in SQLModel.metadata.sorted_tables
        for column in table.columns
        if column.name.startswith(("encrypted_", "sealed_"))
    }
    assert found == listed
