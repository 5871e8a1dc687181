"""Coming back with a reference: the rules of the check, on SQLite and PostgreSQL.

Whatever goes wrong (a wrong word, an unknown reference, a referral with no word, too many
tries for the reference or from the sender) the answer is the same: no proof."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import jsonschema
import pytest
from sqlalchemy import Engine, inspect, text
from sqlmodel import Session, select

from api.core.audit import AuditEvent
from api.core.crypto import FieldCipher
from api.core.limits import DatabaseCounter, Limit, RateLimiter
from api.outbox import events
from api.outbox.models import OutboxEntry
from api.referrals import returning
from api.referrals import service as referrals
from api.referrals.models import Referral, ReferralUpdate
from api.referrals.returning import ReturningPolicy

CIPHER = FieldCipher([FieldCipher.new_key()])
WORD = "Bluebell meadow"
HOME = "conversation-that-sent-it"
POLICY = ReturningPolicy(
    Limit("returning_per_reference", 3, 3600),
    Limit("returning_per_sender", 5, 3600),
    timedelta(minutes=15),
)


def send(session: Session, *, word: str | None = WORD) -> Referral:
    referral = referrals.prepare_and_store(
        session,
        CIPHER,
        answers={"name": "Robin", "contact_detail": "07700 900123"},
        referral_for="myself",
        locale="en",
        channel="web",
        connectors=("webhook",),
        conversation_id=HOME,
    )
    if word is not None:
        assert returning.set_word(
            session, reference=referral.reference, conversation_id=HOME, word=word
        )
    return referral


def limiter(engine: Engine) -> RateLimiter:
    return RateLimiter(DatabaseCounter(engine), engine, "limit-key-for-tests")


def check(
    session: Session, limits: RateLimiter, reference: str, word: str, sender: str = "sender-1"
) -> str | None:
    return returning.check(
        session,
        CIPHER,
        limits,
        POLICY,
        reference=reference,
        word=word,
        sender=sender,
        conversation_id="conversation-coming-back",
    )


@pytest.mark.parametrize(
    ("typed", "reference"),
    [
        ("FD-7K3Q-9MXA", "FD-7K3Q-9MXA"),
        ("fd-7k3q-9mxa", "FD-7K3Q-9MXA"),
        ("fd 7k3q 9mxa", "FD-7K3Q-9MXA"),
        ("FD7K3Q9MXA", "FD-7K3Q-9MXA"),
        ("7k3q9mxa", "FD-7K3Q-9MXA"),
        ("my reference is fd–7K3Q–9MXA thanks", "FD-7K3Q-9MXA"),
        ("Ｆｄ-７Ｋ３Ｑ-９ＭＸＡ", "FD-7K3Q-9MXA"),
        ("he's here with a knife", None),
        ("FD-7K3Q", None),
        ("FD-0O1I-9MXA", None),  # letters a reference never has
        ("", None),
    ],
)
def test_a_reference_is_read_however_it_is_typed(typed: str, reference: str | None) -> None:
    assert returning.normalise_reference(typed) == reference


def test_the_word_is_stored_only_as_a_slow_hash(engine: Engine) -> None:
    with Session(engine) as session:
        referral = send(session)
        stored = session.get(Referral, referral.id)
        assert stored is not None and stored.return_word_hash is not None
        assert stored.return_word_hash.startswith("$argon2id$")
        assert WORD.lower() not in stored.return_word_hash.lower()
        assert "bluebell" not in str(session.exec(select(AuditEvent)).all()).lower()


def test_only_the_conversation_that_sent_it_may_set_the_word_and_only_once(
    engine: Engine,
) -> None:
    with Session(engine) as session:
        referral = send(session, word=None)
        assert not returning.set_word(
            session, reference=referral.reference, conversation_id="someone-else", word=WORD
        )
        assert not returning.set_word(
            session, reference=referral.reference, conversation_id=HOME, word="abc"
        )  # too short
        assert returning.set_word(
            session, reference=referral.reference, conversation_id=HOME, word=WORD
        )
        assert not returning.set_word(
            session, reference=referral.reference, conversation_id=HOME, word="another word"
        )


def test_the_right_word_gives_a_proof_for_this_conversation_only(engine: Engine) -> None:
    with Session(engine) as session:
        referral = send(session)
        token = check(session, limiter(engine), referral.reference.lower(), "  bluebell MEADOW ")
        assert token is not None
        assert referral.id not in token  # sealed, not readable in the slot
        found = returning.verified_referral(
            session, CIPHER, POLICY, token=token, conversation_id="conversation-coming-back"
        )
        assert found is not None and found.id == referral.id
        # The same proof typed into another conversation, or a forged one, proves nothing.
        assert (
            returning.verified_referral(
                session, CIPHER, POLICY, token=token, conversation_id="another"
            )
            is None
        )
        forged = CIPHER.encrypt({"purpose": "other", "conversation": "x", "referral": referral.id})
        for fake in (forged, "not-a-token", "", None):
            assert (
                returning.verified_referral(
                    session, CIPHER, POLICY, token=fake, conversation_id="x"
                )
                is None
            )


def test_a_proof_runs_out(engine: Engine) -> None:
    with Session(engine) as session:
        referral = send(session)
        token = check(session, limiter(engine), referral.reference, WORD)
        expired = ReturningPolicy(POLICY.per_reference, POLICY.per_sender, timedelta(seconds=-1))
        assert (
            returning.verified_referral(
                session, CIPHER, expired, token=token, conversation_id="conversation-coming-back"
            )
            is None
        )


def test_wrong_word_unknown_reference_and_no_word_all_answer_the_same(engine: Engine) -> None:
    with Session(engine) as session:
        with_word = send(session)
        without_word = send(session, word=None)
        limits = limiter(engine)
        answers = [
            check(session, limits, with_word.reference, "wrong word", sender="a"),
            check(session, limits, "FD-2222-3333", WORD, sender="b"),
            check(session, limits, without_word.reference, WORD, sender="c"),
            check(session, limits, without_word.reference, "", sender="d"),
        ]
        assert answers == [None, None, None, None]


def test_the_limit_per_reference_holds_even_for_the_right_word(engine: Engine) -> None:
    with Session(engine) as session:
        referral = send(session)
        limits = limiter(engine)
        for sender in ("a", "b", "c"):  # three tries, from three senders
            assert check(session, limits, referral.reference, "wrong", sender=sender) is None
        assert check(session, limits, referral.reference, WORD, sender="d") is None
        # Over the limit an unknown reference is answered exactly as a known one.
        for _ in range(4):
            check(session, limits, "FD-4444-5555", "x", sender="e")
        assert check(session, limits, "FD-4444-5555", "x", sender="f") is None


def test_staff_are_told_once_per_window_when_a_reference_reaches_its_limit(
    engine: Engine,
) -> None:
    with Session(engine) as session:
        referral = send(session)
        other = send(session)
        limits = limiter(engine)
        for sender in ("a", "b", "c"):  # within the limit: nothing to tell
            check(session, limits, referral.reference, "wrong", sender=sender)
        assert returning.limit_reached_at(session, referral) is None
        for sender in ("d", "e", "f"):  # over it, three times
            check(session, limits, referral.reference, "wrong", sender=sender)
        assert returning.limit_reached_at(session, referral) is not None
        events_written = session.exec(
            select(AuditEvent).where(AuditEvent.action == returning.LIMIT_REACHED)
        ).all()
        assert [event.referral_id for event in events_written] == [referral.id]
        assert returning.limit_reached_at(session, other) is None


def test_the_limit_per_sender_holds_across_references(engine: Engine) -> None:
    with Session(engine) as session:
        referral = send(session)
        limits = limiter(engine)
        for reference in ("FD-2222-3333", "FD-2222-4444", "FD-2222-5555", "FD-2222-6666"):
            assert check(session, limits, reference, "guess", sender="one-sender") is None
        assert check(session, limits, referral.reference, WORD, sender="one-sender") is not None
        assert check(session, limits, referral.reference, WORD, sender="one-sender") is None
        assert check(session, limits, referral.reference, WORD, sender="other") is not None


def test_an_unknown_reference_takes_about_as_long_as_a_known_one(engine: Engine) -> None:
    """One argon2 check either way (a dummy when there is no word): the time says nothing."""
    with Session(engine) as session:
        referral = send(session)
        unlimited = ReturningPolicy(
            Limit("r", 10_000, 3600), Limit("s", 10_000, 3600), timedelta(minutes=1)
        )
        limits = limiter(engine)

        def timed(reference: str) -> float:
            began = time.perf_counter()
            for _ in range(5):
                returning.check(
                    session, CIPHER, limits, unlimited, reference=reference, word="wrong",
                    sender="t", conversation_id="c",
                )  # fmt: skip
            return time.perf_counter() - began

        known, unknown = timed(referral.reference), timed("FD-9999-8888")
        assert 0.5 < unknown / known < 2.0


def test_a_change_is_encrypted_audited_and_owed_to_the_hub(engine: Engine) -> None:
    schema = events.schema()
    with Session(engine) as session:
        referral = send(session)
        returning.record_update(
            session, CIPHER, referral, kind="contact_number", detail="07700 900999",
            connectors=("webhook",),
        )  # fmt: skip
        returning.record_update(session, CIPHER, referral, kind="stop_messages", connectors=())
        rows = session.exec(select(ReferralUpdate)).all()
        assert [row.kind for row in rows] == ["contact_number", "stop_messages"]
        assert "900999" not in str(rows[0].encrypted_detail)
        assert CIPHER.decrypt(str(rows[0].encrypted_detail)) == {"text": "07700 900999"}
        owed = session.exec(select(OutboxEntry).where(OutboxEntry.event == events.UPDATED)).one()
        document = CIPHER.decrypt(str(owed.encrypted_payload))
        jsonschema.validate(document, schema, format_checker=jsonschema.FormatChecker())
        assert document["change"] == {"kind": "contact_number", "value": "07700 900999"}
        audited = session.exec(select(AuditEvent.action, AuditEvent.detail)).all()
        assert ("survivor_update", "contact_number") in audited
        with pytest.raises(ValueError):
            returning.record_update(session, CIPHER, referral, kind="anything")


def every_row(engine: Engine) -> dict[str, list[Any]]:
    with engine.connect() as connection:
        return {
            table: list(connection.execute(text(f'SELECT * FROM "{table}"')))
            for table in inspect(engine).get_table_names()
            if table != "alembic_version"
        }


def test_withdrawal_leaves_only_the_audit_fact_and_the_event_for_the_hub(engine: Engine) -> None:
    with Session(engine) as session:
        referral = send(session)
        returning.record_update(
            session, CIPHER, referral, kind="news", detail="He found my new address",
            connectors=("webhook",),
        )  # fmt: skip
        reference, referral_id = referral.reference, referral.id
        returning.withdraw(
            session, CIPHER, referral, conversation_id="conversation-coming-back",
            connectors=("webhook",),
        )  # fmt: skip
    rows = every_row(engine)
    naming = {
        table
        for table, found in rows.items()
        for row in found
        if any(needle in str(value) for value in row for needle in (reference, referral_id))
    }
    assert naming <= {"auditevent", "outboxentry"}, naming
    assert not any("new address" in str(row) for found in rows.values() for row in found)
    (entry,) = rows["outboxentry"]
    with Session(engine) as session:
        owed = session.exec(select(OutboxEntry)).one()
        document = CIPHER.decrypt(str(owed.encrypted_payload))
    assert reference not in str(entry)  # sealed until it is sent
    jsonschema.validate(document, events.schema(), format_checker=jsonschema.FormatChecker())
    assert set(document) == {"schema_version", "event", "id", "reference", "occurred_at"}
    assert (document["event"], document["reference"]) == (events.WITHDRAWN, reference)
    with Session(engine) as session:
        facts = session.exec(select(AuditEvent).where(AuditEvent.action == "referral_erased")).all()
        assert [fact.detail for fact in facts] == [returning.WITHDRAWN_REASON]
        # Both conversations are queued for erasure in Rasa: the one it was sent from and
        # this one, which holds the reference typed to come back.
        queued = {row[0] for row in rows["pendingerasure"]}
        assert queued == {HOME, "conversation-coming-back"}


def test_plain_status_words_cover_every_status() -> None:
    from api.referrals.models import STATUSES

    assert {returning.PLAIN_STATUS[s] for s in STATUSES} == {
        "received", "being_looked_at", "will_contact", "closed",
    }  # fmt: skip


class _UnreachableCounter:
    """A limit store that cannot be reached (Redis down)."""

    def hit(self, key: str, window_seconds: int) -> int:
        raise ConnectionError("the limit store is down")

    def purge(self) -> None:
        return None


def test_with_the_limit_store_down_no_word_or_code_is_tried(engine: Engine) -> None:
    """Unlimited guesses at a word or a six-digit code must never be possible: with no
    store to count tries, coming back refuses (the answer still gives the helplines),
    while the chat's own limits let messages through."""
    with Session(engine) as session:
        referral = send(session)
        down = RateLimiter(_UnreachableCounter(), engine, "limit-key-for-tests")
        assert check(session, down, referral.reference, WORD) is None
        assert down.allow(Limit("chat", 5, 60), "someone") is True
