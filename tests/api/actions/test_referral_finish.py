"""The referral's last step, after "Send it": the finish action, built as the API builds
it, around a real database. The answers are stored encrypted with their delivery to the
hub, and the survivor is told their reference and what happens next; with the database
down the referral is spooled and the survivor still gets a reference."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import Engine
from sqlmodel import Session, select

import safety
from api.actions import hub_contact
from api.actions.referral import ALL_FORM_SLOTS, ActionReferralFinish
from api.core.crypto import FieldCipher
from api.core.db import make_engine
from api.core.limits import DatabaseCounter, Limit, RateLimiter
from api.outbox.models import OutboxEntry
from api.referrals import spool
from api.referrals.models import Referral
from api.referrals.returning import ReturningPolicy
from api.referrals.runtime import ReferralRuntime
from tests.api.actions.conftest import action_deps, sample_hub

DOMAIN: dict[str, Any] = {"slots": {}, "forms": {}}
CONVERSATION = "conversation-sending-it"
# Nothing listens on the discard port: every connection is refused at once.
DEAD_DATABASE = "postgresql+psycopg://postgres@127.0.0.1:9/nothing?connect_timeout=1"
OPEN_HOURS = "2026-12-01T12:00:00+00:00"  # a Tuesday at noon, when the sample hub is open
RETURNING = ReturningPolicy(
    Limit("returning_per_reference", 3, 3600),
    Limit("returning_per_sender", 10, 3600),
    timedelta(minutes=15),
)

# Every answer to a referral for themselves, as the form leaves them at "Send it".
ANSWERED: dict[str, Any] = {
    "referral_for": "myself",
    "referral_consent": True,
    "age": 34,
    "area": "York",
    "area_status": "in_area",
    "name": "Philippa",
    "contact_method": "call",
    "contact_detail": "07700 900777",
    "contact_shared": "no",
    "contact_times": "weekday mornings",
    "voicemail_ok": False,
    "may_say_who": True,
    "confirm_word": "bluebell",
    "children_count": 2,
    "children_ages": "4 and 7",
    "pregnant": False,
    "situation": "living_together",
    "risk_afraid": True,
    "risk_worse": True,
    "risk_strangled": False,
    "risk_threats": True,
    "needs": ["housing", "safety"],
    "language_needs": "none",
    "summary_ok": True,
}
# What staff get: every answer but the bookkeeping ("Send it", the offer of a safer way),
# and a question the form did not ask is there, as not given.
STORED = {
    **{k: v for k, v in ANSWERED.items() if k not in {"referral_for", "summary_ok"}},
    "message_ok_text": None,
    "situation_words": None,
}


@pytest.fixture(autouse=True)
def hub_open(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(hub_contact, "now", lambda: datetime.fromisoformat(OPEN_HOURS))


@pytest.fixture
def cipher() -> FieldCipher:
    return FieldCipher([FieldCipher.new_key()])


def tracker(slots: dict[str, Any], *, channel: str = "web", client: str = "client-hash") -> Tracker:
    return Tracker(
        sender_id=CONVERSATION,
        slots={"requested_slot": None, **slots},
        latest_message={
            "text": "/affirm",
            "intent": {"name": "affirm", "confidence": 1.0},
            "entities": [],
            "metadata": {"locale": "pl", "channel": channel, "client": client},
        },
        events=[],
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="referral_form",
    )


async def send(
    referrals: ReferralRuntime, slots: dict[str, Any], **kwargs: str
) -> tuple[CollectingDispatcher, list[dict[str, Any]]]:
    dispatcher = CollectingDispatcher()
    finish = ActionReferralFinish(action_deps(referrals))
    events = await finish.run(dispatcher, tracker(slots, **kwargs), DOMAIN)
    return dispatcher, events


def said(dispatcher: CollectingDispatcher) -> list[str]:
    return [
        (m.get("custom") or {}).get("key")
        or (m.get("custom") or {}).get("resource")
        or m["response"]
        for m in dispatcher.messages
    ]


def params(dispatcher: CollectingDispatcher, key: str) -> dict[str, Any]:
    return next(
        m["custom"].get("params", {}) for m in dispatcher.messages if m["custom"].get("key") == key
    )


def forgotten(events: list[dict[str, Any]]) -> bool:
    """Every answer is forgotten from the conversation once the referral is sent."""
    return all(SlotSet(slot, None) in events for slot in ALL_FORM_SLOTS)


async def test_send_it_stores_the_answers_encrypted_and_gives_the_reference(
    engine: Engine, cipher: FieldCipher, tmp_path: Path
) -> None:
    referrals = ReferralRuntime(engine, cipher, ("webhook",), tmp_path / "spool")
    dispatcher, events = await send(referrals, ANSWERED)

    with Session(engine) as session:
        stored = session.exec(select(Referral)).one()
        entries = session.exec(select(OutboxEntry)).all()
    assert cipher.decrypt(stored.encrypted_answers) == STORED
    assert "Philippa" not in stored.encrypted_answers
    assert (stored.referral_for, stored.locale, stored.channel) == ("myself", "pl", "web")
    assert stored.conversation_id == CONVERSATION
    # Triage, on the answers given (afraid, worse, threats): the queue's order for staff.
    assert stored.priority == safety.triage(STORED).priority != "standard"
    assert [(e.referral_id, e.connector) for e in entries] == [(stored.id, "webhook")]
    assert spool.waiting(tmp_path / "spool") == []

    assert said(dispatcher) == [
        "referral.sent",
        "referral.what_next",
        "referral.hub_line",  # the hub is open: its line, and the 24-hour one
        "referral.before_then",
        "after-you-ask-for-help",
        "emergency.call_999",
        "emergency.silent_solution",
        "utter_menu",  # no word to come back with: this store offers none
    ]
    assert params(dispatcher, "referral.sent") == {"reference": stored.reference}
    assert params(dispatcher, "referral.what_next") == {
        "days": sample_hub().first_contact_working_days
    }
    assert forgotten(events)


async def test_by_text_the_full_page_is_not_sent_and_a_word_is_offered(
    engine: Engine, cipher: FieldCipher
) -> None:
    """By SMS the page of what happens next would stay in the phone's messages; a word to
    come back with is offered for this reference, when the store offers coming back."""
    referrals = ReferralRuntime(engine, cipher, returning=RETURNING)
    dispatcher, events = await send(referrals, ANSWERED, channel="sms")

    with Session(engine) as session:
        stored = session.exec(select(Referral)).one()
    assert stored.channel == "sms"
    assert "after-you-ask-for-help" not in said(dispatcher)
    assert said(dispatcher)[-1] == "emergency.silent_solution"
    assert SlotSet("last_reference", stored.reference) in events
    assert FollowupAction("return_word_form") in events
    assert SlotSet("return_token", None) in events  # a link agreement is used up
    assert forgotten(events)


async def test_with_the_database_down_it_is_spooled_and_still_gives_a_reference(
    cipher: FieldCipher, tmp_path: Path
) -> None:
    dead = make_engine(DEAD_DATABASE)
    referrals = ReferralRuntime(dead, cipher, ("webhook",), tmp_path / "spool")
    try:
        dispatcher, events = await send(referrals, ANSWERED)
    finally:
        dead.dispose()

    [spooled] = spool.waiting(tmp_path / "spool")
    reference = params(dispatcher, "referral.sent")["reference"]
    assert reference.startswith("FD-")
    assert "Philippa" not in spooled.read_text() and reference in spooled.read_text()
    assert said(dispatcher)[:2] == ["referral.sent", "referral.what_next"]
    assert "emergency.call_999" in said(dispatcher)
    assert forgotten(events)


async def test_a_referral_is_stored_later_from_the_spool_exactly_as_sent(
    engine: Engine, cipher: FieldCipher, tmp_path: Path
) -> None:
    dead = make_engine(DEAD_DATABASE)
    try:
        dispatcher, _ = await send(ReferralRuntime(dead, cipher, (), tmp_path / "spool"), ANSWERED)
    finally:
        dead.dispose()
    assert spool.replay(engine, tmp_path / "spool") == 1
    with Session(engine) as session:
        stored = session.exec(select(Referral)).one()
    assert stored.reference == params(dispatcher, "referral.sent")["reference"]
    assert cipher.decrypt(stored.encrypted_answers) == STORED


async def test_over_the_days_limit_nothing_is_stored(engine: Engine, cipher: FieldCipher) -> None:
    """A script cannot fill the hub's queue: a client's referrals a day are limited."""
    limiter = RateLimiter(DatabaseCounter(engine), engine, "limit-key-for-tests")
    referrals = ReferralRuntime(
        engine, cipher, limiter=limiter, referral_limit=Limit("referrals", 1, 86400)
    )
    first, _ = await send(referrals, ANSWERED)
    again, events = await send(referrals, ANSWERED)
    other, _ = await send(referrals, ANSWERED, client="another-client-hash")

    assert said(first)[0] == "referral.sent" and said(other)[0] == "referral.sent"
    assert said(again) == ["referral.limit_reached", "utter_menu"]
    assert forgotten(events)
    with Session(engine) as session:
        assert len(session.exec(select(Referral)).all()) == 2


@pytest.mark.parametrize(
    "slots",
    [
        {**ANSWERED, "summary_ok": None},  # stopped before "Send it"
        {**ANSWERED, "referral_consent": False},
    ],
)
async def test_nothing_is_stored_without_consent_and_send_it(
    engine: Engine, cipher: FieldCipher, slots: dict[str, Any]
) -> None:
    dispatcher, events = await send(ReferralRuntime(engine, cipher), slots)
    assert said(dispatcher) == ["stop.done", "utter_menu"]
    assert forgotten(events)
    with Session(engine) as session:
        assert session.exec(select(Referral)).all() == []
