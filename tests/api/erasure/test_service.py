"""One erasure for every way a conversation ends: every row goes at once, and Rasa's copy
is erased now or, if Rasa is away, queued durably and retried until it is gone."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Engine, inspect, text
from sqlmodel import Session, select

from api.channels.models import InboundMessage, OptOut, OutboundMessage
from api.conversations import service as conversations
from api.core.clock import aware, utcnow
from api.core.crypto import FieldCipher
from api.erasure.models import PendingErasure
from api.erasure.service import ConversationEraser, retry_delay, waiting
from api.rasa.client import RasaClient, RasaUnavailableError
from api.referrals import service as referrals
from api.referrals.models import Referral
from tests.api.erasure.conftest import RasaTrackerStandIn

CONVERSATION = "sms-erasure-test-conversation"


def hold_a_conversation(engine: Engine, conversation_id: str = CONVERSATION) -> None:
    with Session(engine) as session:
        conversations.start(session, channel="sms", locale="en", conversation_id=conversation_id)
        session.add(
            InboundMessage(message_sid="SM1", conversation_id=conversation_id, channel="sms")
        )
        session.add(
            OutboundMessage(
                message_sid="SM2",
                conversation_id=conversation_id,
                channel="sms",
                message_key="sms.test",
            )
        )
        session.commit()


def rows_naming(engine: Engine, needle: str) -> list[str]:
    """Every table, every row, as text: which tables still mention `needle`."""
    found = []
    with engine.connect() as connection:
        for table in inspect(engine).get_table_names():
            for row in connection.execute(text(f'SELECT * FROM "{table}"')):
                if any(needle in str(value) for value in row):
                    found.append(table)
    return found


def queued(engine: Engine) -> list[PendingErasure]:
    with Session(engine) as session:
        return list(session.exec(select(PendingErasure)).all())


async def test_with_rasa_up_everything_goes_at_once(engine: Engine, rasa: RasaClient) -> None:
    hold_a_conversation(engine)
    assert set(rows_naming(engine, CONVERSATION)) == {
        "conversation",
        "inboundmessage",
        "outboundmessage",
    }
    with Session(engine) as session:
        await ConversationEraser(engine, rasa).erase(session, CONVERSATION)
    assert rows_naming(engine, CONVERSATION) == []
    assert RasaTrackerStandIn.erased == [CONVERSATION]


async def test_with_rasa_away_the_erase_waits_in_the_database_until_it_is_done(
    engine: Engine, rasa: RasaClient
) -> None:
    hold_a_conversation(engine)
    RasaTrackerStandIn.down = True
    eraser = ConversationEraser(engine, rasa)
    with Session(engine) as session:
        await eraser.erase(session, CONVERSATION)
    # Gone here at once; only the promise to erase Rasa's copy is left.
    assert rows_naming(engine, CONVERSATION) == ["pendingerasure"]
    # A restarted process finds it (a new eraser, the same database).
    restarted = ConversationEraser(engine, rasa)
    with Session(engine) as session:
        entry = session.get(PendingErasure, CONVERSATION)
        assert entry is not None
        entry.next_try_at = utcnow()  # due now
        session.add(entry)
        session.commit()
    assert await restarted.retry_waiting() == 0
    (entry,) = queued(engine)
    assert entry.attempts == 1 and aware(entry.next_try_at) > utcnow()
    RasaTrackerStandIn.down = False
    # Not yet due, but another erase got through: Rasa is back, so the rest go too.
    hold_a_conversation(engine, "another-conversation")
    with Session(engine) as session:
        await restarted.erase(session, "another-conversation")
    assert await restarted.retry_waiting() == 0  # nothing due yet
    with Session(engine) as session:
        session.add(PendingErasure(conversation_id="due-now"))
        session.commit()
    assert await restarted.retry_waiting() == 2
    assert queued(engine) == []
    assert set(RasaTrackerStandIn.erased) == {CONVERSATION, "another-conversation", "due-now"}


async def test_a_conversation_started_again_settles_its_erase_first(
    engine: Engine, rasa: RasaClient
) -> None:
    """An SMS number's conversation id never changes: a message after EXIT (while Rasa was
    away) must not be answered from the tracker that was meant to be erased."""
    RasaTrackerStandIn.down = True
    eraser = ConversationEraser(engine, rasa)
    hold_a_conversation(engine)
    with Session(engine) as session:
        await eraser.erase(session, CONVERSATION)
        with pytest.raises(RasaUnavailableError):  # the message gets the helpline instead
            await eraser.settle(session, CONVERSATION)
        assert session.get(PendingErasure, CONVERSATION) is not None
        RasaTrackerStandIn.down = False
        await eraser.settle(session, CONVERSATION)
        assert session.get(PendingErasure, CONVERSATION) is None
    assert RasaTrackerStandIn.erased == [CONVERSATION]


def sent_by_sms(session: Session) -> Referral:
    """A referral sent from the SMS conversation CONVERSATION."""
    return referrals.prepare_and_store(
        session,
        FieldCipher([FieldCipher.new_key()]),
        answers={"name": "Robin"},
        referral_for="myself",
        locale="en",
        channel="sms",
        conversation_id=CONVERSATION,
    )


async def test_erasure_by_reference_reaches_the_conversation_it_came_from(
    engine: Engine, rasa: RasaClient
) -> None:
    hold_a_conversation(engine)
    with Session(engine) as session:
        referral = sent_by_sms(session)
        reference = referral.reference
        assert referrals.erase_by_reference(session, reference)
    assert rows_naming(engine, CONVERSATION) == ["pendingerasure"]
    assert await ConversationEraser(engine, rasa).retry_waiting() == 1
    assert rows_naming(engine, CONVERSATION) == []
    assert rows_naming(engine, reference) == []
    assert RasaTrackerStandIn.erased == [CONVERSATION]


async def test_admins_see_how_many_wait_and_since_when_never_which(
    engine: Engine, rasa: RasaClient
) -> None:
    with Session(engine) as session:
        assert waiting(session).count == 0 and waiting(session).oldest is None
        RasaTrackerStandIn.down = True
        eraser = ConversationEraser(engine, rasa)
        for name in ("first", "second"):
            hold_a_conversation(engine, name) if name == "first" else None
            await eraser.erase(session, name)
        now = waiting(session)
    assert now.count == 2
    assert now.oldest is not None and utcnow() - now.oldest < timedelta(minutes=1)


async def test_an_opt_out_is_kept_through_an_erase(engine: Engine, rasa: RasaClient) -> None:
    """Nothing may be sent to a number that opted out until START, erased or not."""
    hold_a_conversation(engine)
    with Session(engine) as session:
        session.add(OptOut(conversation_id=CONVERSATION))
        session.commit()
        await ConversationEraser(engine, rasa).erase(session, CONVERSATION)
    assert rows_naming(engine, CONVERSATION) == ["optout"]


def test_an_entry_rasa_refuses_waits_longer_each_time_up_to_a_cap() -> None:
    delays = [retry_delay(attempts) for attempts in range(1, 12)]
    assert delays == sorted(delays)
    assert delays[0] < delays[-1] == timedelta(seconds=30)


async def test_erasing_an_old_referral_leaves_a_later_conversation_from_the_same_number(
    engine: Engine, rasa: RasaClient
) -> None:
    """An SMS number's conversation id never changes: months after a referral, the number's
    new conversation (a new referral half-way, say) is not the one it was sent from."""
    with Session(engine) as session:
        referral = sent_by_sms(session)
        referral.created_at = utcnow() - timedelta(days=100)
        session.add(referral)
        session.commit()
        reference = referral.reference
    hold_a_conversation(engine)  # begun now, long after the referral
    with Session(engine) as session:
        assert referrals.erase_by_reference(session, reference)
    assert rows_naming(engine, reference) == []
    assert "conversation" in rows_naming(engine, CONVERSATION)
    assert "pendingerasure" not in rows_naming(engine, CONVERSATION)
