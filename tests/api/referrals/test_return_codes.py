"""Coming back without a word: a one-time code sent to the safe contact a referral gave.

Sent only where the service may send by itself (the text or WhatsApp they chose, messages
allowed, the number not opted out), kept only as a hash, good for a short time and once;
sends limited per reference, wrong codes counted like wrong words. Whatever happens, the
caller learns nothing it could pass on. Twilio's REST API is a stand-in on loopback."""

from __future__ import annotations

import logging
import re
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlmodel import Session, select

from api.core.audit import AuditEvent
from api.core.clock import utcnow
from api.core.crypto import FieldCipher
from api.core.limits import Limit, RateLimiter
from api.referrals import returning
from api.referrals import service as referrals
from api.referrals.answers import PLAIN_MESSAGE
from api.referrals.models import ContactAttempt, Referral, ReturnCode
from api.referrals.outbound import OutboundSender
from api.referrals.returning import ReturningPolicy
from tests.api.channels.conftest import SURVIVOR, Phone, TwilioStandIn
from tests.api.referrals.test_outbound import REVEALING

HOME = "conversation-that-sent-it"
HERE = "conversation-coming-back"
BY_TEXT = {
    "contact_method": "text",
    "contact_detail": "07700 900123",
    "contact_shared": "no",
    "message_ok_text": PLAIN_MESSAGE,
}
POLICY = ReturningPolicy(
    Limit("returning_per_reference", 5, 3600),
    Limit("returning_per_sender", 8, 3600),
    timedelta(minutes=15),
    Limit("returning_codes_per_reference", 3, 86400),
    timedelta(minutes=10),
)
CODE = re.compile(r"\b(\d{6})\b")


class App:
    """What the actions get from the app: its engine, cipher, limiter and sender."""

    def __init__(self, client: TestClient) -> None:
        state: Any = client.app.state  # type: ignore[attr-defined]
        self.engine: Engine = state.engine
        self.cipher: FieldCipher = state.cipher
        self.limiter: RateLimiter = state.limiter
        self.outbound: OutboundSender = state.outbound

    def send(self, answers: dict[str, Any] | None = None) -> Referral:
        with Session(self.engine) as session:
            referral = referrals.prepare_and_store(
                session,
                self.cipher,
                answers=BY_TEXT if answers is None else answers,
                referral_for="myself",
                locale="en",
                channel="web",
                conversation_id=HOME,
            )
            session.expunge(referral)
            return referral

    def request(
        self, reference: str, sender: str = "sender-1", policy: ReturningPolicy = POLICY
    ) -> bool:
        return returning.request_code(
            self.engine,
            self.cipher,
            self.limiter,
            policy,
            self.outbound,
            reference=reference,
            sender=sender,
            locale="en",
        )

    def check(
        self,
        reference: str,
        code: str,
        sender: str = "sender-1",
        policy: ReturningPolicy = POLICY,
    ) -> str | None:
        with Session(self.engine) as session:
            return returning.check_code(
                session,
                self.cipher,
                self.limiter,
                policy,
                reference=reference,
                code=code,
                sender=sender,
                conversation_id=HERE,
            )

    def codes(self) -> list[ReturnCode]:
        with Session(self.engine) as session:
            return list(session.exec(select(ReturnCode)).all())


@pytest.fixture
def app(sms_client: TestClient) -> App:
    return App(sms_client)


def code_in(sent: dict[str, str]) -> str:
    found = CODE.search(sent["Body"])
    assert found, sent["Body"]
    return found.group(1)


def test_a_code_goes_to_the_safe_number_with_neutral_words_and_is_kept_only_as_a_hash(
    app: App, twilio: TwilioStandIn, caplog: pytest.LogCaptureFixture
) -> None:
    referral = app.send()
    with caplog.at_level(logging.DEBUG):
        assert app.request(referral.reference)
    (sent,) = twilio.sent
    assert sent["To"] == SURVIVOR and sent["From"] == "+447700900000"
    code = code_in(sent)
    assert sent["Body"].startswith("Hi,") and not REVEALING.search(sent["Body"].splitlines()[0])
    assert "10 minutes" in sent["Body"]
    (row,) = app.codes()
    assert row.referral_id == referral.id and code not in row.code_hash
    assert row.code_hash.startswith("$argon2id$")
    # Nothing about them, and never the code, in the log.
    for secret in (code, SURVIVOR, "07700 900123", "900123", referral.reference):
        assert secret not in caplog.text
    # Nowhere in the database either.
    with Session(app.engine) as session:
        tables = [
            name
            for (name,) in session.exec(  # type: ignore[call-overload]
                text("SELECT name FROM sqlite_master WHERE type = 'table'")
            )
        ]
        for table in tables:
            for found in session.exec(text(f'SELECT * FROM "{table}"')):  # type: ignore[call-overload]
                assert code not in " ".join(map(str, found)), table


def test_the_code_gives_the_same_proof_as_the_word_once(app: App, twilio: TwilioStandIn) -> None:
    referral = app.send()
    assert app.request(referral.reference)
    code = code_in(twilio.sent[0])
    typed = f"{code[:3]} {code[3:]}"  # as people type it
    token = app.check(referral.reference.lower(), typed)
    assert token is not None
    with Session(app.engine) as session:
        opened = returning.verified_referral(
            session, app.cipher, POLICY, token=token, conversation_id=HERE
        )
        assert opened is not None and opened.id == referral.id
    assert app.codes() == []  # used up
    assert app.check(referral.reference, code) is None


def test_a_code_in_another_scripts_digits_is_the_same_code() -> None:
    assert returning.normalise_code("٤٨٢ ٩١٣") == "482913"
    assert returning.normalise_code("۴۸۲-۹۱۳") == "482913"  # Urdu's digits
    assert returning.normalise_code(" 482913. ") == "482913"


def test_an_expired_code_opens_nothing(app: App, twilio: TwilioStandIn) -> None:
    referral = app.send()
    assert app.request(referral.reference)
    code = code_in(twilio.sent[0])
    with Session(app.engine) as session:
        row = session.exec(select(ReturnCode)).one()
        row.expires_at = utcnow() - timedelta(seconds=1)
        session.add(row)
        session.commit()
        assert returning.purge_codes(session) == 1
    assert app.check(referral.reference, code) is None


def test_a_new_code_replaces_the_last(app: App, twilio: TwilioStandIn) -> None:
    referral = app.send()
    assert app.request(referral.reference) and app.request(referral.reference)
    first, second = (code_in(sent) for sent in twilio.sent)
    assert len(app.codes()) == 1
    if first != second:
        assert app.check(referral.reference, first) is None
    assert app.check(referral.reference, second) is not None


def test_sends_are_limited_per_reference(app: App, twilio: TwilioStandIn) -> None:
    referral = app.send()
    assert [app.request(referral.reference, sender=f"s{n}") for n in range(4)] == [
        True, True, True, False,
    ]  # fmt: skip
    assert len(twilio.sent) == 3


def test_wrong_codes_count_against_the_reference_like_wrong_words(
    app: App, twilio: TwilioStandIn
) -> None:
    referral = app.send()
    assert app.request(referral.reference)
    code = code_in(twilio.sent[0])
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for n in range(5):  # five tries on the reference, from different senders
        assert app.check(referral.reference, wrong, sender=f"s{n}") is None
    assert app.check(referral.reference, code, sender="s9") is None  # right, over the limit


def test_wrong_words_and_codes_share_the_senders_limit(app: App, twilio: TwilioStandIn) -> None:
    referral = app.send()
    assert app.request(referral.reference, sender="one")  # a request counts once
    code = code_in(twilio.sent[0])
    others = [app.send() for _ in range(7)]
    with Session(app.engine) as session:
        for other in others:  # seven wrong words on other references
            proof = returning.check(
                session,
                app.cipher,
                app.limiter,
                POLICY,
                reference=other.reference,
                word="wrong",
                sender="one",
                conversation_id=HERE,
            )
            assert proof is None
    assert app.check(referral.reference, code, sender="one") is None  # the ninth try


@pytest.mark.parametrize(
    "answers",
    [
        {**BY_TEXT, "voicemail_ok": False},  # they said messages are not safe
        {**BY_TEXT, "message_ok_text": None},  # no words they approved
        {**BY_TEXT, "message_ok_text": "say it's the dentist"},  # their own cover words
        {**BY_TEXT, "contact_shared": "yes"},  # someone else uses or checks the phone
        {**BY_TEXT, "contact_shared": "unsure"},
        {**BY_TEXT, "contact_shared": None},  # not asked (an earlier referral)
        {**BY_TEXT, "contact_method": "call"},
        {**BY_TEXT, "contact_method": "email", "contact_detail": "r@example.org"},
        {**BY_TEXT, "contact_detail": "not a number"},
        {},
    ],
)
def test_nothing_is_sent_where_messages_are_not_allowed(
    app: App, twilio: TwilioStandIn, answers: dict[str, Any]
) -> None:
    referral = app.send(answers)
    assert app.request(referral.reference) is False
    assert twilio.sent == [] and app.codes() == []


def test_nothing_is_sent_to_a_number_that_opted_out(
    app: App, sms_client: TestClient, twilio: TwilioStandIn
) -> None:
    Phone(sms_client).text("STOP")
    referral = app.send()
    assert app.request(referral.reference) is False
    assert twilio.sent == [] and app.codes() == []


def test_by_whatsapp_outside_its_window_no_template_goes_instead(
    app: App, twilio: TwilioStandIn, sms_client: TestClient
) -> None:
    """A template is the only thing WhatsApp lets go outside 24 hours: a code needs words."""
    sms_client.app.state.settings.twilio_whatsapp_template_sid = "HX" + "1" * 32  # type: ignore[attr-defined]
    referral = app.send({**BY_TEXT, "contact_method": "whatsapp"})
    assert app.request(referral.reference) is False
    assert twilio.sent == [] and app.codes() == []


def test_what_they_changed_since_sending_counts(app: App, twilio: TwilioStandIn) -> None:
    """No more messages stops codes too; a new safe number is where the code goes."""
    quiet = app.send()
    moved = app.send()
    with Session(app.engine) as session:
        for referral, kind, detail in (
            (quiet, "stop_messages", None),
            (moved, "contact_number", "07700 900555"),
        ):
            stored = session.get(Referral, referral.id)
            assert stored is not None
            returning.record_update(session, app.cipher, stored, kind=kind, detail=detail)
    assert app.request(quiet.reference) is False
    assert app.request(moved.reference) is True
    (sent,) = twilio.sent
    assert sent["To"] == "+447700900555"


def test_an_unknown_reference_sends_nothing(app: App, twilio: TwilioStandIn) -> None:
    app.send()
    assert app.request("FD-2345-6789") is False and app.request("not one") is False
    assert twilio.sent == []


def test_with_twilio_down_nothing_is_kept_and_nothing_is_raised(
    app: App, twilio: TwilioStandIn, caplog: pytest.LogCaptureFixture
) -> None:
    referral = app.send()
    twilio.server.shutdown()
    twilio.server.server_close()
    assert app.request(referral.reference) is False
    assert app.codes() == []
    assert SURVIVOR not in caplog.text and "900123" not in caplog.text


def test_erasing_the_referral_erases_its_code(app: App, twilio: TwilioStandIn) -> None:
    referral = app.send()
    assert app.request(referral.reference)
    with Session(app.engine) as session:
        assert referrals.erase_by_reference(session, referral.reference)
    assert app.codes() == []


def test_no_code_while_staff_have_recorded_that_contact_is_unsafe(
    app: App, twilio: TwilioStandIn
) -> None:
    referral = app.send()
    with Session(app.engine) as session:
        session.add(
            ContactAttempt(
                referral_id=referral.id,
                author_id="staff-1",
                outcome="unsafe",
                retry_after=utcnow() + timedelta(hours=6),
            )
        )
        session.commit()
    assert app.request(referral.reference) is False
    assert twilio.sent == [] and app.codes() == []


def test_every_request_is_shown_to_staff_and_the_sends_limit_too(
    app: App, twilio: TwilioStandIn
) -> None:
    referral = app.send()
    for _ in range(4):  # three sends a day, then the limit
        app.request(referral.reference)
    with Session(app.engine) as session:
        actions = [
            event.action
            for event in session.exec(
                select(AuditEvent).where(AuditEvent.referral_id == referral.id)
            )
        ]
    assert actions.count("return_code_requested") == 4
    assert actions.count(returning.LIMIT_REACHED) == 1
