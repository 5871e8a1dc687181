"""Conversations on the real databases: SQLite (the default) and PostgreSQL (production)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import inspect, text
from sqlmodel import Session

from api.conversations import service
from api.core.crypto import FieldCipher
from api.core.db import make_engine, migrate
from api.erasure.service import forget_here


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_session(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Session]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'test.db'}"
    else:
        url = request.getfixturevalue("postgres_url")
    migrate(url)
    engine = make_engine(url)
    assert "conversation" in inspect(engine).get_table_names()
    with Session(engine) as session:
        yield session
    engine.dispose()


CIPHER = FieldCipher([FieldCipher.new_key()])
FRESH = timedelta(hours=4)


def test_start_touch_and_forget(db_session: Session) -> None:
    conversation = service.start(db_session, channel="web", locale="en")
    assert len(conversation.id) >= 22
    service.touch(
        db_session, conversation, locale="en", options=["/affirm", "/deny"], cipher=CIPHER
    )
    found = service.get(db_session, conversation.id)
    assert found is not None
    assert service.options_of(found, CIPHER, FRESH) == ["/affirm", "/deny"]
    assert found.last_active_at.tzinfo is not None or db_session.bind.dialect.name == "sqlite"
    forget_here(db_session, conversation.id)
    db_session.commit()
    db_session.expire_all()
    assert service.get(db_session, conversation.id) is None


def test_stable_ids_are_kept_as_given(db_session: Session) -> None:
    conversation = service.start(db_session, channel="sms", locale="en", conversation_id="hmac-abc")
    assert conversation.id == "hmac-abc"


def test_random_ids_do_not_repeat(db_session: Session) -> None:
    ids = {service.start(db_session, channel="web", locale="en").id for _ in range(50)}
    assert len(ids) == 50


def test_migrating_twice_is_harmless(db_session: Session) -> None:
    kept = service.start(db_session, channel="web", locale="en")
    migrate(str(db_session.bind.url.render_as_string(hide_password=False)))  # type: ignore[union-attr]
    db_session.expire_all()
    assert service.get(db_session, kept.id) is not None


def test_the_options_offered_are_sealed_and_forgotten_after_a_while(db_session: Session) -> None:
    # During the referral the needs not offered again are the needs already chosen.
    still_offered = ['/inform{"need":"money"}', '/inform{"need":"health"}']
    conversation = service.start(db_session, channel="sms", locale="en", conversation_id="sms-x")
    service.touch(db_session, conversation, locale="en", options=still_offered, cipher=CIPHER)

    with db_session.bind.connect() as connection:  # type: ignore[union-attr]
        stored = str(connection.execute(text("SELECT * FROM conversation")).fetchall())
    assert "money" not in stored and "need" not in stored

    found = service.get(db_session, "sms-x")
    assert found is not None
    assert service.options_of(found, CIPHER, FRESH) == still_offered
    time.sleep(1.1)  # Fernet's clock counts whole seconds
    assert service.options_of(found, CIPHER, timedelta(seconds=0)) == []
    other_keys = FieldCipher([FieldCipher.new_key()])
    assert service.options_of(found, other_keys, FRESH) == []
