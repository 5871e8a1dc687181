"""Retention and erasure: the rows are really gone, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Engine
from sqlmodel import Session, select

from api.conversations import service as conversations
from api.conversations.models import Conversation
from api.core.clock import utcnow
from api.core.crypto import FieldCipher
from api.erasure.scheduled import purge_inactive
from api.erasure.service import ConversationEraser
from api.outbox.models import OutboxEntry
from api.rasa.client import RasaClient
from api.referrals import service as referrals
from api.referrals.models import Referral
from tests.api.erasure.conftest import RasaTrackerStandIn


async def test_idle_conversations_are_erased_here_and_in_rasa(
    engine: Engine, rasa: RasaClient
) -> None:
    with Session(engine) as session:
        old = conversations.start(session, channel="web", locale="en")
        fresh = conversations.start(session, channel="web", locale="en")
        old.last_active_at = utcnow() - timedelta(hours=30)
        session.add(old)
        session.commit()
        old_id, fresh_id = old.id, fresh.id
    assert await purge_inactive(ConversationEraser(engine, rasa), timedelta(hours=24)) == 1
    with Session(engine) as session:
        assert session.get(Conversation, old_id) is None
        assert session.get(Conversation, fresh_id) is not None
    assert RasaTrackerStandIn.erased == [old_id]


def make_referral(session: Session) -> Referral:
    return referrals.prepare_and_store(
        session,
        FieldCipher([FieldCipher.new_key()]),
        answers={"name": "Robin"},
        referral_for="myself",
        locale="en",
        channel="web",
        connectors=("webhook",),
    )


def test_delete_what_you_hold_about_me_by_reference(engine: Engine) -> None:
    with Session(engine) as session:
        referral = make_referral(session)
        reference, referral_id = referral.reference, referral.id
        assert referrals.erase_by_reference(session, reference.lower())
        assert session.get(Referral, referral_id) is None
        assert (
            session.exec(select(OutboxEntry).where(OutboxEntry.referral_id == referral_id)).all()
            == []
        )
        assert not referrals.erase_by_reference(session, reference)


def test_closed_referrals_are_deleted_after_the_retention_period(engine: Engine) -> None:
    with Session(engine) as session:
        closed_old = make_referral(session)
        closed_new = make_referral(session)
        open_old = make_referral(session)
        for referral, status, age in (
            (closed_old, "closed", 100),
            (closed_new, "closed", 10),
            (open_old, "new", 100),
        ):
            referral.status = status
            referral.created_at = utcnow() - timedelta(days=age)
            session.add(referral)
        session.commit()
        ids = (closed_old.id, closed_new.id, open_old.id)
        assert referrals.purge_closed(session, older_than_days=90) == 1
        session.expire_all()
        assert [session.get(Referral, i) is not None for i in ids] == [False, True, True]
