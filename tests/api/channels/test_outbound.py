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
from api.channels.outbound import NotSent, OutboundSender
from api.core.clock import utcnow
from api.core.config import PROJECT_ROOT
from tests.api.channels.conftest import SURVIVOR, Phone, TwilioStandIn

# Words that would tell someone reading a lock screen what this is about.
REVEALING = re.compile(
    r"abuse|domestic|violen|refuge|police|999|safety|safe|hub|referral|support|helpline|"
    r"danger|partner|victim|survivor|idva|crisis",
    re.IGNORECASE,
)


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
            db, address=SURVIVOR, key="proactive.reminder", locale="en", consented=True
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
            db, address=SURVIVOR, key="proactive.reminder", locale="en", consented=True
        )
    assert twilio.sent == []


def test_nothing_is_sent_without_consent_or_with_a_revealing_key(
    sms_client: TestClient, twilio: TwilioStandIn
) -> None:
    with session(sms_client) as db:
        with pytest.raises(NotSent):
            sender(sms_client).send(
                db, address=SURVIVOR, key="proactive.reminder", locale="en", consented=False
            )
        with pytest.raises(NotSent):
            sender(sms_client).send(
                db, address=SURVIVOR, key="emergency.call_999", locale="en", consented=True
            )
    assert twilio.sent == []


def test_whatsapp_outside_24_hours_needs_a_template(
    sms_client: TestClient, twilio: TwilioStandIn
) -> None:
    address = "whatsapp:" + SURVIVOR
    with session(sms_client) as db:
        with pytest.raises(NotSent, match="24-hour"):
            sender(sms_client).send(
                db, address=address, key="proactive.reminder", locale="en", consented=True
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
                db, address=address, key="proactive.reminder", locale="en", consented=True
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
            db, address=address, key="proactive.reminder", locale="en", consented=True
        )
    assert len(twilio.sent) == 1 and twilio.sent[0]["From"].startswith("whatsapp:")
