"""Whole conversations by simulated SMS and WhatsApp: Twilio's signed webhooks against the
real trained Rasa server, with numbered options, to a completed self-referral."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from itertools import count

import httpx
import pytest
from twilio.request_validator import RequestValidator

from api.channels.identity import conversation_id_for
from scripts.stack import Stack

pytestmark = pytest.mark.e2e

AUTH_TOKEN = "test-twilio-auth-token"
_sids = count(1)


class Phone:
    def __init__(self, stack: Stack, address: str) -> None:
        self.stack = stack
        self.address = address
        self.url = f"{stack.api_url}/channels/twilio/messages"

    def send(self, body: str) -> list[str]:
        form = {
            "MessageSid": f"SM{next(_sids):032d}",
            "From": self.address,
            "Body": body,
            "NumMedia": "0",
        }
        signature = RequestValidator(AUTH_TOKEN).compute_signature(self.url, form)
        response = httpx.post(
            self.url, data=form, headers={"X-Twilio-Signature": signature}, timeout=30
        )
        assert response.status_code == 200, response.text
        return [m.text or "" for m in ET.fromstring(response.text).iter("Message")]

    def said(self, body: str) -> str:
        return "\n".join(self.send(body))

    @staticmethod
    def option(reply: str, title: str) -> str:
        """The number to reply with to choose the option whose title contains `title`."""
        for number, shown in re.findall(r"Reply (\d+) for (.+)", reply):
            if title.lower() in shown.lower():
                return str(number)
        raise AssertionError(f"no option {title!r} in: {reply}")

    def choose(self, reply: str, title: str) -> str:
        return self.said(self.option(reply, title))

    def tracker_events(self) -> list[dict]:
        cid = conversation_id_for(self.address, self.stack.channel_id_key)
        response = httpx.get(
            f"{self.stack.rasa_url}/conversations/{cid}/tracker",
            params={"token": self.stack.rasa_token},
            timeout=30,
        )
        events: list[dict] = response.json()["events"]
        return events


@pytest.mark.parametrize("address", ["+447700900201", "whatsapp:+447700900202"])
def test_hello_to_a_completed_referral_with_numbered_options(stack: Stack, address: str) -> None:
    phone = Phone(stack, address)
    reply = phone.said("hello")
    assert "not a person" in reply and "999" in reply  # the first reply: which language
    assert "Reply 1 for English" in reply and "Reply 2 for Polski" in reply
    reply = phone.choose(reply, "English")
    assert "not a person" in reply and "Reply 1 for Yes, it's safe" in reply
    reply = phone.choose(reply, "Yes, it's safe")
    reply = phone.choose(reply, "Get support")
    reply = phone.choose(reply, "For me")
    assert "only if you say so" in reply
    reply = phone.choose(reply, "Yes, I agree")
    assert "How old" in reply
    phone.send("29")
    phone.send("HG1 2AB")
    reply = phone.said("Kit")
    reply = phone.choose(reply, "Text message")
    assert "doesn't look like" in phone.said("12345")
    reply = phone.said("07700 900202")
    assert "anyone else use or check this phone" in reply
    reply = phone.choose(reply, "Not sure")
    assert "extra care" in reply and "safer way" in reply
    reply = phone.choose(reply, "Carry on with this one")
    reply = phone.said("evenings")
    # Texts were chosen: no voicemail question (a "no" there would rule texts out), and
    # what a first text may say is asked.
    assert "safe to leave a voicemail" not in reply
    assert "Hi, just returning your message" in reply
    reply = phone.choose(reply, "Use the plain message")
    reply = phone.choose(reply, "No")  # don't say who we are
    reply = phone.choose(reply, "Skip")  # no confirmation word
    reply = phone.said("0")
    reply = phone.choose(reply, "No")  # pregnant
    reply = phone.choose(reply, "separated")
    reply = phone.choose(reply, "Skip")
    for _ in range(4):  # the four risk questions
        reply = phone.choose(reply, "Skip")
    reply = phone.choose(reply, "Housing")
    reply = phone.choose(reply, "Done")
    reply = phone.choose(reply, "Skip")  # language needs
    assert "Here is what you told me" in reply and "Kit" in reply
    reply = phone.choose(reply, "Send it")
    assert "Your reference is FD-" in reply and "999" in reply
    assert all(len(message) <= 1600 for message in phone.send("menu"))


def test_ill_contact_you_asks_no_more_about_contact_and_gives_the_hub_line(
    stack: Stack,
) -> None:
    phone = Phone(stack, "+447700900204")
    reply = phone.choose(phone.said("hello"), "English")
    reply = phone.choose(reply, "Yes, it's safe")
    reply = phone.choose(phone.choose(reply, "Get support"), "For me")
    phone.send(phone.option(reply, "Yes, I agree"))
    phone.send("41")
    phone.send("YO1 7HH")
    reply = phone.said("Jo")
    reply = phone.choose(reply, "I'll contact you")
    assert "The hub will wait for you to get in touch" in reply
    # Straight past number, phone, times and messages to the word to check it's them.
    assert "word or phrase" in reply
    reply = phone.choose(reply, "Skip")
    reply = phone.said("0")
    asked = []
    while "Housing" not in reply and len(asked) < 8:  # pregnant, situation and its words, 4 risks
        asked.append(reply.splitlines()[0])
        reply = phone.choose(reply, "Skip")
    assert len(asked) == 7, asked
    reply = phone.choose(phone.choose(reply, "Housing"), "Done")
    reply = phone.choose(reply, "Skip")  # language needs
    assert "I'll contact you" in reply  # the summary
    reply = phone.choose(reply, "Send it")
    reference = re.search(r"FD-[A-Z2-9]{4}-[A-Z2-9]{4}", reply)
    assert reference is not None
    assert "The hub will wait to hear from you" in reply
    assert f"reference, {reference.group()}" in reply
    assert "A support worker will try to contact you" not in reply


def test_menu_into_a_safety_plan_warns_about_the_phone_first(stack: Stack) -> None:
    phone = Phone(stack, "+447700900203")
    phone.send("hi")
    reply = phone.said("menu")
    reply = phone.choose(reply, "Make a safety plan")
    assert "stay in the messages on your phone" in reply
    reply = phone.choose(reply, "Shorter version")
    reply = phone.choose(reply, "Safety at home")
    reply = phone.choose(reply, "Add to my plan")
    reply = phone.choose(reply, "Skip this")
    reply = phone.choose(reply, "Add to my plan")  # the shorter plan has three steps
    assert "Here is your plan" in reply


def test_exit_erases_the_rasa_tracker(stack: Stack) -> None:
    phone = Phone(stack, "+447700900204")
    phone.send("hello")
    phone.send("1")
    assert any(e["event"] == "user" for e in phone.tracker_events())
    assert "delete this message thread" in phone.said("EXIT")
    assert not [e for e in phone.tracker_events() if e["event"] in ("user", "bot", "slot")]
