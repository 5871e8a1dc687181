"""Reading topics, building a safety plan and completing a self-referral, through the web
chat contract against the real trained Rasa server, with the referral stored encrypted."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from api.core.payloads import intent_payload
from api.referrals.answers import PLAIN_MESSAGE
from scripts.stack import Stack
from tests.e2e.conftest import Chat
from tests.stand_ins import StandInHub

pytestmark = pytest.mark.e2e


def payloads(messages: list[dict]) -> list[str]:
    return [b["payload"] for m in messages for b in m["buttons"]]


def start(chat: Chat) -> None:
    chat.send("hello")
    chat.send("/affirm")


# --- topics -----------------------------------------------------------------------------------


def test_a_topic_by_button_has_a_summary_a_link_and_next_steps(chat: Chat) -> None:
    start(chat)
    menu = chat.send("/understand_abuse")
    assert '/understand_abuse{"topic":"coercive-control"}' in payloads(menu)
    topic = chat.send('/understand_abuse{"topic":"coercive-control"}')
    said = " ".join(m["text"] for m in topic)
    assert "Coercive control" in said and "/resources/coercive-control" in said
    assert "/safety_plan" in payloads(topic)


def test_a_topic_asked_in_words(chat: Chat) -> None:
    start(chat)
    said = chat.said("how do i get a non molestation order")
    assert "/resources/legal-protection" in said


@pytest.mark.parametrize(
    "text",
    [
        "im 15 and my boyfriend checks my phone all the time",
        "im 15 and my boyfriend checks my phone all the time and gets angry if i dont answer "
        "straight away, he says its because he loves me but my friends say its not normal and "
        "i dont know who to believe anymore",
    ],
)
def test_a_teenager_is_offered_young_peoples_support(chat: Chat, text: str) -> None:
    """Who is writing changes what helps: a 15-year-old is offered the page for young
    people (with Childline) beside whatever else the message is about."""
    start(chat)
    reply = chat.send(text)
    assert '/understand_abuse{"topic":"young-people"}' in payloads(reply) or (
        "/resources/young-people" in " ".join(m["text"] for m in reply)
    )


def test_every_topic_can_be_reached_from_the_menu_pages(chat: Chat) -> None:
    start(chat)
    seen: set[str] = set()
    page = chat.send("/understand_abuse")
    for _ in range(6):
        options = payloads(page)
        seen |= {p for p in options if '"topic"' in p and "page-" not in p}
        more = [p for p in options if "page-" in p]
        if not more:
            break
        page = chat.send(more[0])
    assert len(seen) >= 22


# --- safety planning -----------------------------------------------------------------------------


def test_a_safety_plan_module_one_step_at_a_time_then_a_summary(chat: Chat) -> None:
    start(chat)
    modules = chat.send("/safety_plan")
    assert '/safety_plan{"plan_module":"home"}' in payloads(modules)
    step = chat.send('/safety_plan{"plan_module":"home"}')
    assert payloads(step) == ["/affirm", "/deny", "/stop"]
    chat.send("/affirm")  # safer room: added
    chat.send("/deny")  # way out: skipped
    summary = chat.said("/stop")
    assert "Here is your plan" in summary and "safer" in summary
    assert "not saved" in summary


# --- the self-referral ---------------------------------------------------------------------------

NAME = "Zephyrine"
PHONE = "07700 900461"
TIMES = "tuesdays after quokka o'clock"


def begin_referral(chat: Chat) -> None:
    start(chat)
    assert "/for_myself" in payloads(chat.send("/get_support"))
    consent = chat.said("/for_myself")
    assert "only if you say so" in consent and "serious risk" in consent
    assert "How old" in chat.said("/affirm")


PLAIN_WORDS = intent_payload("inform", first_message=PLAIN_MESSAGE)  # its button


def answer_all(chat: Chat, messages_ok: bool = True, plain_words: bool = False) -> str:
    """From age to the summary, with a digression, a wrong number and a skip on the way.
    `messages_ok`: texts to PHONE, with their own words for a first text (or the plain
    message, with `plain_words`); otherwise calls to PHONE with no voicemail or message
    (so nothing may ever be written to them)."""
    assert "live" in chat.said("34")
    assert "call you" in chat.said("YO1 7HH")
    chat.send(NAME)
    method = "text" if messages_ok else "call"
    assert "number" in chat.said(f'/inform{{"contact_method":"{method}"}}')
    assert "doesn't look like a UK phone number" in chat.said("0770 123")
    assert "anyone else use or check this phone" in chat.said(PHONE)
    chat.send("/deny")
    chat.send(TIMES)
    assert "not a person" in chat.said("are you a bot")  # a digression, then back
    if messages_ok:
        # What a first text may say.
        chat.send(PLAIN_WORDS if plain_words else "only my first name")
    else:
        assert "who we are" in chat.said("/deny")  # no voicemail, so no words for one
    chat.send("/deny")
    chat.send("/skip")
    chat.send("2")
    chat.send("4 and 7")
    chat.send("/skip")
    chat.send('/inform{"situation":"separated"}')
    chat.send("/skip")
    chat.send("/affirm")  # afraid now
    chat.send("/deny")
    chat.send("/deny")
    chat.send("/affirm")  # threats to kill
    chat.send('/inform{"need":"housing"}')
    chat.send('/inform{"need":"children"}')
    chat.send('/inform{"need":"done"}')
    return chat.said("/skip")


def test_a_complete_self_referral_is_stored_encrypted_and_delivered(
    chat: Chat, stack: Stack, hub_stand_in: StandInHub
) -> None:
    begin_referral(chat)
    summary = answer_all(chat)
    assert NAME in summary and PHONE in summary and "Here is what you told me" in summary
    sent = chat.said("/affirm")
    assert "Your reference is FD-" in sent and "999" in sent and "5 working days" in sent
    # Never only "within 5 working days": the hub's hours, and its line (open) or the
    # 24-hour helpline (closed), whenever the test runs.
    assert "Monday to Friday" in sent
    assert "/resources/after-you-ask-for-help" in sent  # what happens next, in full
    assert "03000 110 110" in sent or "0808 2000 247" in sent
    assert "urgent" not in sent.lower() and "score" not in sent.lower()  # never shown a score

    database = Path(stack.database_url.removeprefix("sqlite:///"))
    raw = b"".join(p.read_bytes() for p in database.parent.glob(database.name + "*"))
    for secret in (NAME, PHONE, PHONE.replace(" ", ""), "quokka", "only my first name"):
        assert secret.encode() not in raw, f"{secret!r} stored in plain text"
    assert b"threats_to_kill" in raw  # the flags are there for staff, in the clear

    events = chat.tracker()["events"]
    assert [e for e in events if e["event"] == "slot" and e["name"] == "name"][-1]["value"] is None

    reference = sent.split("Your reference is ")[1].split(".")[0]
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        delivered = [r for r in hub_stand_in.referrals.values() if r["reference"] == reference]
        if delivered:
            break
        time.sleep(0.2)
    assert delivered, "the hub never received the referral"
    assert delivered[0]["schema_version"] == 3  # the stack is set up as a new hub would be
    assert delivered[0]["answers"]["name"] == {"status": "answered", "value": NAME}
    assert all(r["signed"] for r in hub_stand_in.received)
    assert hub_stand_in.invalid == []


def test_withdrawing_consent_at_the_summary_sends_nothing(chat: Chat, stack: Stack) -> None:
    begin_referral(chat)
    answer_all(chat)
    said = chat.said("/stop")
    assert "forgotten" in said
    database = Path(stack.database_url.removeprefix("sqlite:///"))
    raw = b"".join(p.read_bytes() for p in database.parent.glob(database.name + "*"))
    assert NAME.encode() not in raw
    slots = chat.tracker()["slots"]
    assert slots.get("name") is None and slots.get("contact_detail") is None


def test_changing_an_answer_from_the_summary(chat: Chat) -> None:
    begin_referral(chat)
    answer_all(chat)
    which = chat.send("/deny")
    assert '/deny{"change":"name"}' in payloads(which)
    assert "call you" in chat.said('/deny{"change":"name"}')
    assert "Robin" in chat.said("Robin")
    assert "Your reference is" in chat.said("/affirm")


def test_stop_midway_discards_the_answers(chat: Chat) -> None:
    begin_referral(chat)
    chat.send("30")
    chat.send("Harrogate")
    chat.send(NAME)
    assert "forgotten" in chat.said("stop")
    slots = chat.tracker()["slots"]
    assert slots.get("name") is None and slots.get("age") is None


@pytest.mark.parametrize(
    "words",
    ["please stop i dont want to do this anymore", "i've changed my mind, stop"],
)
def test_stop_in_a_sentence_midway_is_obeyed(chat: Chat, words: str) -> None:
    """A stop the model is fairly but not fully sure of is a stop, not a reply to the
    question that was "not understood"."""
    begin_referral(chat)
    chat.send("30")
    chat.send("Harrogate")
    chat.send(NAME)
    assert "forgotten" in chat.said(words)
    assert chat.tracker()["slots"].get("name") is None


def test_saying_no_to_consent_stores_nothing(chat: Chat) -> None:
    start(chat)
    chat.send("/get_support")
    chat.send("/for_myself")
    assert "Nothing has been saved" in chat.said("/deny")


def test_talk_to_someone_gives_the_hubs_own_line_and_the_24_hour_helpline(chat: Chat) -> None:
    """The hub is the first point of contact (its line, with its hours when it is closed),
    and the national helpline is always there, day or night."""
    start(chat)
    said = chat.said("/talk_to_someone")
    assert "03000 110 110" in said and "0808 2000 247" in said
    assert ("talk to someone at" in said) != ("closed right now" in said)


def test_under_age_gets_childline_and_no_referral(chat: Chat) -> None:
    begin_referral(chat)
    assert "0800 1111" in chat.said("15")


def test_out_of_area_gets_the_national_helpline(chat: Chat) -> None:
    begin_referral(chat)
    chat.send("40")
    said = chat.said("no, I live in Leeds")
    assert "outside the area" in said and "0808 2000 247" in said and "council" in said


def test_a_postcode_not_on_the_list_goes_to_staff_to_check(chat: Chat) -> None:
    """Lists are never complete (TS9 is partly North Yorkshire): a postcode is never a
    refusal; the referral goes on and staff check the area."""
    begin_referral(chat)
    chat.send("40")
    said = chat.said("TS9 5AA")
    assert "outside the area" not in said
    assert "name" in said.lower()  # the next question


def test_someone_else_needs_their_consent(chat: Chat) -> None:
    start(chat)
    chat.send("/get_support")
    said = chat.said("/for_someone_else")
    assert "own agreement" in said and "/resources/worried-about-someone" in said
