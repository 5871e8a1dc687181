"""Coming back with a reference, against the real trained Rasa, on the web and by SMS:
the word chosen after "Send it", a wrong word, an unknown reference answered exactly as
a known one, the limit per reference reached, a change reaching the hub, and a withdrawal
after which a scan of every table finds nothing but the audit fact."""

from __future__ import annotations

import re
import sqlite3
import time

import pytest

from api.channels.identity import conversation_id_for
from scripts.stack import Stack
from tests.e2e.conftest import Chat
from tests.e2e.test_erasure import rasa_holds, tables_naming
from tests.e2e.test_sms import Phone
from tests.e2e.test_substance import PHONE, answer_all, begin_referral, payloads
from tests.stand_ins import StandInHub, TwilioStandIn

pytestmark = pytest.mark.e2e

WORD = "Quince orchard"
NO_MATCH = "We couldn't find a match"


def sent_with_word(chat: Chat, word: str = WORD) -> str:
    begin_referral(chat)
    answer_all(chat)
    sent = chat.said("/affirm")
    assert "Your reference is FD-" in sent and "999" in sent
    assert "choose a word only you would know" in sent  # offered with the reference
    assert "at least 4 letters" not in sent
    reference = sent.split("Your reference is ")[1].split(".")[0]
    assert "You'll need your reference and this word" in chat.said(word)
    return reference


def come_back(chat: Chat, reference: str, word: str) -> str:
    """From the menu's "I have a reference" to the answer to the word."""
    asked = chat.said("/have_reference")
    assert "What is your reference" in asked and "doesn't look like" not in asked
    assert "type the word you chose" in chat.said(reference)
    return chat.said(word)


def referral_id_of(stack: Stack, reference: str) -> str:
    database = stack.database_url.removeprefix("sqlite:///")
    with sqlite3.connect(database) as connection:
        row = connection.execute(
            "SELECT id FROM referral WHERE reference = ?", (reference,)
        ).fetchone()
    assert row is not None
    return str(row[0])


def hub_events(hub: StandInHub, reference: str, event: str) -> list[dict]:
    return [
        got["body"]
        for got in hub.received
        if got["body"].get("event") == event and got["body"].get("reference") == reference
    ]


def wait_for(condition: object, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return
        time.sleep(0.5)
    assert condition()  # type: ignore[operator]


def test_web_update_then_withdraw_leaves_only_the_audit_fact(
    chat: Chat, stack: Stack, hub_stand_in: StandInHub
) -> None:
    reference = sent_with_word(chat)
    first = chat.conversation_id
    referral_id = referral_id_of(stack, reference)
    back = Chat(stack)
    back.send("hello")
    back.send("/affirm")
    assert "What is your reference" in back.said("/have_reference")
    # Danger at the reference prompt is answered at once, and never taken as a reference.
    danger = back.said("he's here with a knife")
    assert "999" in danger and "doesn't look like a reference" not in danger
    assert "type the word you chose" in back.said(reference.lower().replace("-", " "))
    assert "that matches" in back.said("quince ORCHARD")
    assert "has been received" in back.said('/have_reference{"return_choice":"status"}')
    assert "No more messages" in " ".join(
        b["title"]
        for m in back.send('/have_reference{"return_choice":"contact"}')
        for b in m["buttons"]
    )
    asked = back.said('/have_reference{"return_choice":"contact_number"}')
    assert "new safe phone number" in asked and "doesn't look like" not in asked
    assert "safe number has been changed" in back.said("07700 900888")
    wait_for(lambda: hub_events(hub_stand_in, reference, "referral.updated"))
    (update,) = hub_events(hub_stand_in, reference, "referral.updated")
    assert update["change"] == {"kind": "contact_number", "value": "07700 900888"}
    withdraw = '/have_reference{"return_choice":"withdraw"}'
    assert "delete it and everything" in back.said(withdraw)
    assert "Nothing has been changed" in back.said("no")  # typed, not pressed
    assert "delete it and everything" in back.said(withdraw)
    # A typed yes does not withdraw (it cannot be undone): only the button does.
    assert "delete it and everything" in back.said("yes")
    done = back.said('/have_reference{"return_choice":"withdraw_confirmed"}')
    assert "withdrawn and deleted" in done and "999" in done
    wait_for(lambda: hub_events(hub_stand_in, reference, "referral.withdrawn"))
    (withdrawn,) = hub_events(hub_stand_in, reference, "referral.withdrawn")
    assert set(withdrawn) == {"schema_version", "event", "id", "reference", "occurred_at"}
    assert hub_stand_in.invalid == []
    # Every table read: the reference nowhere (the event's entry went once delivered), the
    # referral only in the audit log's fact, and both conversations gone here and in Rasa.
    wait_for(lambda: tables_naming(stack, reference) == [])
    assert tables_naming(stack, referral_id) == ["auditevent"]
    for cid in (first, back.conversation_id):
        assert cid is not None
        wait_for(lambda cid=cid: tables_naming(stack, cid) == [] and not rasa_holds(stack, cid))


def test_web_wrong_word_unknown_reference_and_the_limit_are_answered_alike(
    chat: Chat, stack: Stack
) -> None:
    reference = sent_with_word(chat)
    back = Chat(stack)
    back.send("hello")
    back.send("/affirm")
    wrong = come_back(back, reference, "pear tree")
    unknown = come_back(back, "FD-ZZZZ-2222", WORD)
    assert NO_MATCH in wrong and "0808 2000 247" in wrong
    assert wrong == unknown
    for _ in range(4):  # five tries on this reference in all: the limit
        assert come_back(back, reference, "apple tree") == wrong
    assert come_back(back, reference, WORD) == wrong  # the right word, over the limit


def test_by_sms_a_referral_made_on_the_web_is_changed_and_withdrawn(
    chat: Chat, stack: Stack, hub_stand_in: StandInHub
) -> None:
    reference = sent_with_word(chat)
    referral_id = referral_id_of(stack, reference)
    phone = Phone(stack, "+447700900231")
    reply = phone.said("hello")
    reply = phone.choose(reply, "English")
    reply = phone.choose(reply, "Yes, it's safe")
    reply = phone.choose(reply, "I have a reference")
    assert "What is your reference" in reply
    reply = phone.said("unknown words")
    assert "doesn't look like a reference" in reply
    reply = phone.said(reference.replace("-", ""))
    assert "type the word you chose" in reply
    wrong = phone.said("a wrong word")
    assert NO_MATCH in wrong
    phone.choose(wrong, "I have a reference")
    phone.said("FD-ZZZZ-3333")
    unknown = phone.said(WORD)
    assert unknown == wrong
    reply = phone.choose(unknown, "I have a reference")
    phone.said(reference)
    reply = phone.said(WORD)
    assert "that matches" in reply
    reply = phone.choose(reply, "Change how we contact you")
    reply = phone.choose(reply, "No more messages")
    assert "won't send you any more texts" in reply
    assert not any(word in reply.lower().split() for word in ("stop", "cancel", "end", "quit"))
    wait_for(lambda: hub_events(hub_stand_in, reference, "referral.updated"))
    reply = phone.choose(reply, "Withdraw and delete it")
    reply = phone.choose(reply, "Yes, delete it")
    assert "withdrawn and deleted" in reply
    wait_for(lambda: hub_events(hub_stand_in, reference, "referral.withdrawn"))
    wait_for(lambda: tables_naming(stack, reference) == [])
    assert tables_naming(stack, referral_id) == ["auditevent"]
    cid = conversation_id_for(phone.address, stack.channel_id_key)
    wait_for(lambda: tables_naming(stack, cid) == [] and not rasa_holds(stack, cid))


def test_by_sms_the_limit_per_reference_is_reached(chat: Chat, stack: Stack) -> None:
    reference = sent_with_word(chat)
    phone = Phone(stack, "+447700900232")
    reply = phone.choose(phone.said("hello"), "English")
    reply = phone.choose(reply, "Yes, it's safe")
    answers = []
    for word in ("one", "two", "three", "four", "five", WORD):
        reply = phone.choose(reply, "I have a reference")
        phone.said(reference)
        reply = phone.said(word)
        answers.append(reply)
    assert NO_MATCH in answers[0] and len(set(answers)) == 1


SAFE_NUMBER = "+44" + PHONE.replace(" ", "")[1:]  # the number answer_all gives, by text
SENT_CODE = "If we can, we have sent a code"


def sent_without_word(chat: Chat, messages_ok: bool = True) -> str:
    """A referral whose safe contact may receive a code (texts, a phone nobody else uses,
    the plain first message), or, without `messages_ok`, one that may not (calls only)."""
    begin_referral(chat)
    answer_all(chat, messages_ok=messages_ok, plain_words=True)
    sent = chat.said("/affirm")
    reference = sent.split("Your reference is ")[1].split(".")[0]
    assert "call the hub" in chat.said("/skip")  # no word chosen
    return reference


def ask_for_a_code(phone: Phone, reference: str) -> str:
    """By SMS, from the menu to the answer to "Yes, send a code"."""
    reply = phone.choose(phone.choose(phone.said("hello"), "English"), "Yes, it's safe")
    reply = phone.choose(reply, "I have a reference")
    reply = phone.said(reference)
    assert "type the word you chose" in reply
    reply = phone.choose(reply, "I have no word, or forgot it")
    assert "one-time code" in reply and "safe for a message to arrive now" in reply
    return phone.choose(reply, "Yes, send a code")


def codes_to(twilio: TwilioStandIn, number: str) -> list[str]:
    return [
        re.findall(r"\b\d{6}\b", sent["Body"])[0]
        for sent in twilio.sent
        if sent.get("To") == number and "code" in sent.get("Body", "")
    ]


def test_by_sms_without_a_word_a_code_sent_to_the_safe_number_opens_the_referral(
    chat: Chat, stack: Stack, twilio_stand_in: TwilioStandIn
) -> None:
    reference = sent_without_word(chat)
    before = len(codes_to(twilio_stand_in, SAFE_NUMBER))
    phone = Phone(stack, "+447700900233")  # coming back from another phone
    reply = ask_for_a_code(phone, reference)
    assert SENT_CODE in reply and "0808 2000 247" in reply
    assert "When the code arrives, type it here" in reply
    wait_for(lambda: len(codes_to(twilio_stand_in, SAFE_NUMBER)) > before)
    code = codes_to(twilio_stand_in, SAFE_NUMBER)[-1]
    (message,) = [s for s in twilio_stand_in.sent if code in s.get("Body", "")]
    assert message["From"] == "+447700900000" and message["Body"].startswith("Hi,")
    assert reference not in message["Body"]
    reply = phone.said(f"{code[:3]} {code[3:]}")
    assert "that matches" in reply
    assert "has been received" in phone.choose(reply, "Check where it is")
    # Used once: the same code again is a wrong answer, like a wrong word.
    reply = phone.choose(phone.said("menu"), "I have a reference")
    reply = phone.choose(phone.said(reference), "I have no word")
    assert SENT_CODE in phone.choose(reply, "Yes, send a code")
    assert NO_MATCH in phone.said(code)


def test_a_safe_contact_that_forbids_messages_gets_the_same_answer_and_nothing_is_sent(
    chat: Chat, stack: Stack, twilio_stand_in: TwilioStandIn
) -> None:
    allowed = sent_without_word(chat)
    forbidden = sent_without_word(Chat(stack), messages_ok=False)
    answers = []
    for reference, number in ((forbidden, "+447700900234"), ("FD-ZZZZ-4444", "+447700900235")):
        count_before = len(twilio_stand_in.sent)
        answers.append(ask_for_a_code(Phone(stack, number), reference))
        time.sleep(3)  # the sending happens after the answer: give it the time to
        assert len(twilio_stand_in.sent) == count_before
    before = len(codes_to(twilio_stand_in, SAFE_NUMBER))
    answers.append(ask_for_a_code(Phone(stack, "+447700900236"), allowed))
    wait_for(lambda: len(codes_to(twilio_stand_in, SAFE_NUMBER)) > before)
    assert SENT_CODE in answers[0] and answers[0] == answers[1] == answers[2]


def test_web_a_second_referral_after_the_check_is_linked_and_the_hub_told(
    chat: Chat, stack: Stack, hub_stand_in: StandInHub
) -> None:
    first = sent_with_word(chat)
    back = Chat(stack)
    back.send("hello")
    back.send("/affirm")
    assert "that matches" in come_back(back, first, WORD)
    offer = back.said("/get_support")  # "Make a new referral", from the choices
    assert "link your new referral" in offer
    who = back.send('/get_support{"return_choice":"link"}')
    assert "link it to your earlier referral" in " ".join(m["text"] for m in who)
    assert "/for_myself" in payloads(who)
    assert "only if you say so" in back.said("/for_myself")
    assert "How old" in back.said("/affirm")
    answer_all(back)
    sent = back.said("/affirm")
    assert "linked to your earlier referral" in sent
    second = sent.split("Your reference is ")[1].split(".")[0]
    assert second != first

    wait_for(lambda: hub_events(hub_stand_in, second, "referral.created"))
    assert hub_events(hub_stand_in, second, "referral.created")[0]["previous_reference"] == first
    assert hub_stand_in.invalid == []
