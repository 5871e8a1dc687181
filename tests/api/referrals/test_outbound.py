"""Messages the service sends on its own: consent, opt-outs, neutral first lines, WhatsApp's
window, and delivery status. Twilio's REST API is a stand-in on loopback."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import yaml
from fastapi.testclient import TestClient
from sqlmodel import Session

from api.channels.identity import conversation_id_for
from api.channels.models import InboundMessage, OutboundMessage
from api.core.clock import utcnow
from api.core.config import PROJECT_ROOT
from api.referrals.answers import PLAIN_MESSAGE
from api.referrals.outbound import NotSent, OutboundSender
from tests.api.channels.conftest import SURVIVOR, Phone, TwilioStandIn

# Words that would tell someone reading a lock screen what this is about.
REVEALING = re.compile(
    r"abuse|domestic|violen|refuge|police|999|safety|safe|hub|referral|support|helpline|"
    r"danger|partner|victim|survivor|idva|crisis",
    re.IGNORECASE,
)


# A referral's answers that chose texts to the stand-in survivor's number.
BY_TEXT = {
    "contact_method": "text",
    "contact_detail": "07700 900123",
    "voicemail_ok": True,
    "message_ok_text": PLAIN_MESSAGE,
}
BY_WHATSAPP = {**BY_TEXT, "contact_method": "whatsapp"}


def proactive_messages() -> dict[str, str]:
    catalog = yaml.safe_load((PROJECT_ROOT / "content" / "locales" / "en" / "chat.yml").read_text())
    return catalog["proactive"]


@pytest.mark.parametrize("key", sorted(proactive_messages()))
def test_every_proactive_message_starts_with_neutral_words(key: str) -> None:
    first_line = proactive_messages()[key].splitlines()[0]
    assert not REVEALING.search(first_line), f"proactive.{key} reveals too much: {first_line!r}"


def sender(client: TestClient) -> OutboundSender:
    outbound: OutboundSender = client.app.state.outbound  # type: ignore[attr-defined]
    return outbound


def session(client: TestClient) -> Session:
    return Session(client.app.state.engine)  # type: ignore[attr-defined]


def test_a_consented_message_is_sent_and_its_delivery_recorded(
    sms_client: TestClient, twilio: TwilioStandIn
) -> None:
    with session(sms_client) as db:
        record = sender(sms_client).send(
            db, address=SURVIVOR, key="proactive.reminder", locale="en", answers=BY_TEXT
        )
        sid = record.message_sid
    assert twilio.sent[0]["To"] == SURVIVOR and twilio.sent[0]["Body"].startswith("Hi,")
    assert twilio.sent[0]["StatusCallback"].endswith("/channels/twilio/status")

    phone = Phone(sms_client)
    form = {"MessageSid": sid, "MessageStatus": "undelivered", "ErrorCode": "30003"}
    response = sms_client.post(
        "/channels/twilio/status", data=form, headers=phone.signed(form, "/channels/twilio/status")
    )
    assert response.status_code == 204
    with session(sms_client) as db:
        stored = db.get(OutboundMessage, sid)
        assert (
            stored is not None and stored.status == "undelivered" and stored.error_code == "30003"
        )


def test_a_forged_status_callback_is_refused(sms_client: TestClient) -> None:
    form = {"MessageSid": "SM1", "MessageStatus": "delivered"}
    response = sms_client.post(
        "/channels/twilio/status", data=form, headers={"X-Twilio-Signature": "x"}
    )
    assert response.status_code == 403


def test_nothing_is_sent_after_stop(sms_client: TestClient, twilio: TwilioStandIn) -> None:
    Phone(sms_client).text("STOP")
    with session(sms_client) as db, pytest.raises(NotSent, match="opted out"):
        sender(sms_client).send(
            db, address=SURVIVOR, key="proactive.reminder", locale="en", answers=BY_TEXT
        )
    assert twilio.sent == []


def test_nothing_is_sent_without_consent_or_with_a_revealing_key(
    sms_client: TestClient, twilio: TwilioStandIn
) -> None:
    with session(sms_client) as db:
        with pytest.raises(NotSent):
            sender(sms_client).send(
                db, address=SURVIVOR, key="proactive.reminder", locale="en", answers={}
            )
        with pytest.raises(NotSent):
            sender(sms_client).send(
                db, address=SURVIVOR, key="emergency.call_999", locale="en", answers=BY_TEXT
            )
    assert twilio.sent == []


def test_whatsapp_outside_24_hours_needs_a_template(
    sms_client: TestClient, twilio: TwilioStandIn
) -> None:
    address = "whatsapp:" + SURVIVOR
    with session(sms_client) as db:
        with pytest.raises(NotSent, match="24-hour"):
            sender(sms_client).send(
                db, address=address, key="proactive.reminder", locale="en", answers=BY_WHATSAPP
            )
        cid = conversation_id_for(address, "test-channel-key")
        db.add(
            InboundMessage(
                message_sid="SMold",
                conversation_id=cid,
                channel="whatsapp",
                received_at=utcnow() - timedelta(hours=30),
            )
        )
        db.commit()
        with pytest.raises(NotSent, match="24-hour"):
            sender(sms_client).send(
                db, address=address, key="proactive.reminder", locale="en", answers=BY_WHATSAPP
            )
        db.add(
            InboundMessage(
                message_sid="SMnew",
                conversation_id=cid,
                channel="whatsapp",
                received_at=utcnow() - timedelta(hours=1),
            )
        )
        db.commit()
        sender(sms_client).send(
            db, address=address, key="proactive.reminder", locale="en", answers=BY_WHATSAPP
        )
    assert len(twilio.sent) == 1 and twilio.sent[0]["From"].startswith("whatsapp:")


@pytest.mark.parametrize(
    ("answers", "address", "why"),
    [
        ({**BY_TEXT, "contact_method": "call"}, SURVIVOR, "did not agree"),
        ({**BY_TEXT, "contact_method": "email", "contact_detail": "a@b.org"}, SURVIVOR, "agree"),
        ({**BY_TEXT, "voicemail_ok": False}, SURVIVOR, "did not agree"),
        ({**BY_TEXT, "message_ok_text": "__skipped__"}, SURVIVOR, "did not agree"),
        (BY_TEXT, "whatsapp:" + SURVIVOR, "not the channel"),
        (BY_WHATSAPP, SURVIVOR, "not the channel"),
        ({**BY_TEXT, "contact_detail": "07700 900999"}, SURVIVOR, "not the number"),
        ({"contact_method": "__not_answered__"}, SURVIVOR, "did not agree"),
    ],
)
def test_nothing_is_sent_but_by_the_channel_and_number_the_survivor_chose(
    sms_client: TestClient,
    twilio: TwilioStandIn,
    answers: dict[str, object],
    address: str,
    why: str,
) -> None:
    """The service sends by itself only by the text or WhatsApp the survivor chose in their
    referral, to the number they gave, and not when they said messages are unsafe."""
    with session(sms_client) as db, pytest.raises(NotSent, match=why):
        sender(sms_client).send(
            db, address=address, key="proactive.reminder", locale="en", answers=answers
        )
    assert twilio.sent == []


def test_a_first_message_is_sent_only_in_the_words_the_survivor_chose(
    sms_client: TestClient, twilio: TwilioStandIn
) -> None:
    own_words = {**BY_TEXT, "message_ok_text": "say it's the dentist"}
    with session(sms_client) as db:
        with pytest.raises(NotSent, match="plain first message"):
            sender(sms_client).send(
                db, address=SURVIVOR, key="proactive.first_message", locale="en", answers=own_words
            )
        sender(sms_client).send(
            db, address=SURVIVOR, key="proactive.first_message", locale="en", answers=BY_TEXT
        )
    assert [m["Body"] for m in twilio.sent] == [
        "Hi, just returning your message. Please reply or call back when it's a good time."
    ]
