"""No dead ends: every question of the referral takes the answers people really give, and
none is asked a third time, whatever the reply. Against the real trained Rasa and the API.

One conversation walks the referral to each question, and the tracker is kept there (from
Rasa's own API). Each answer is then tried from that exact point in a new conversation:
the kept events are put into its tracker, and the answer is sent through the web chat.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from scripts.stack import Stack
from tests.e2e.conftest import Chat

pytestmark = pytest.mark.e2e


@dataclass(frozen=True)
class Question:
    slot: str
    # How to answer it on the way to the next question.
    walk: str
    natural: tuple[str, ...]
    odd: tuple[str, ...] = ("banana", "🙃", "what do you mean")


# In the order the referral asks them (a call, so voicemail is asked; voicemail yes, so its
# message question is asked).
QUESTIONS = [
    Question("referral_consent", "/affirm", ("yes", "yes please", "ok go on", "i agree", "sure")),
    Question("age", "34", ("24", "i'm 24", "twenty four", "I am 31 years old", "45")),
    Question(
        "area", "YO1 7HH", ("YO1", "Harrogate", "york", "yes I live in North Yorkshire", "HG2 7AB")
    ),
    Question("name", "Sam", ("Sam", "Aisha", "call me Jo", "my name is Wilhelmina", "Ottoline")),
    Question(
        "contact_method",
        '/inform{"contact_method":"call"}',
        ("text me", "a phone call", "whatsapp", "email please", "call me"),
    ),
    Question(
        "contact_detail",
        "07700 900123",
        (
            "07700 900123",
            "07700900123",
            "+44 7700 900123",
            "my number is 07700 900123",
            "07700-900-123",
        ),
    ),
    Question("contact_shared", "/deny", ("no", "yes", "not sure", "i don't know", "skip")),
    Question(
        "contact_times",
        "mornings",
        ("mornings", "after 6", "weekdays 9 to 12", "any time", "when the kids are at school"),
    ),
    Question(
        "voicemail_ok",
        "/affirm",
        ("yes", "no", "yeah that's fine", "nope", "no don't leave messages"),
    ),
    Question(
        "message_ok_text",
        "say it's the dentist",
        (
            "say it's the dentist",
            "just say please call back",
            "only my first name",
            "nothing about abuse",
            "skip",
        ),
    ),
    Question("may_say_who", "/deny", ("yes", "no", "yes that's ok", "no please don't", "skip")),
    Question(
        "confirm_word", "/skip", ("marmalade", "blue", "the word is sunflower", "Bella", "skip")
    ),
    Question(
        "children_count",
        "2",
        ("two, aged 4 and 7", "2 kids", "just the one", "none", "no kids"),
        ("lots", "why?", "🍌"),
    ),
    Question(
        "children_ages", "4 and 7", ("4 and 7", "the twins are 3", "5", "ages 2 and 4", "skip")
    ),
    Question("pregnant", "/skip", ("no", "yes", "not that i know", "skip", "nope")),
    Question(
        "situation",
        '/inform{"situation":"separated"}',
        ("we live together", "we split up", "he moved out last month", "it's complicated", "skip"),
    ),
    Question(
        "situation_words",
        "/skip",
        (
            "he keeps turning up at my work",
            "we share the kids",
            "skip",
            "he won't leave me alone",
            "it's hard to explain",
        ),
    ),
    Question("risk_afraid", "/affirm", ("yes", "no", "sometimes", "yes i am", "skip")),
    Question("risk_worse", "/deny", ("yes", "no", "it's got worse", "not really", "skip")),
    Question("risk_strangled", "/deny", ("no", "yes", "once", "no never", "skip")),
    Question("risk_threats", "/affirm", ("yes", "no", "he said he would", "no he hasn't", "skip")),
    Question(
        "needs",
        '/inform{"need":"done"}',
        ("housing and money", "housing", "no", "help with my kids and debts", "done"),
    ),
    Question(
        "language_needs",
        "/skip",
        ("no", "a polish interpreter please", "none", "I need a female interpreter", "skip"),
    ),
    Question(
        "summary_ok", "/affirm", ("yes send it", "send it", "yes", "yes that's right", "ok send")
    ),
]


class Referral:
    """The real stack, driven through the web chat, with Rasa's API to keep and restore."""

    def __init__(self, stack: Stack) -> None:
        self.stack = stack

    def events(self, conversation: str) -> list[dict[str, Any]]:
        response = httpx.get(
            f"{self.stack.rasa_url}/conversations/{conversation}/tracker",
            params={"token": self.stack.rasa_token},
            timeout=30,
        )
        events: list[dict[str, Any]] = response.json()["events"]
        return events

    def tracker(self, conversation: str) -> dict[str, Any]:
        response = httpx.get(
            f"{self.stack.rasa_url}/conversations/{conversation}/tracker",
            params={"token": self.stack.rasa_token},
            timeout=30,
        )
        tracker: dict[str, Any] = response.json()
        return tracker

    def from_point(self, events: list[dict[str, Any]]) -> Chat:
        """A new web conversation whose tracker is at the kept point."""
        chat = Chat(self.stack)
        chat.send("/greet")
        assert chat.conversation_id is not None
        restored = httpx.put(
            f"{self.stack.rasa_url}/conversations/{chat.conversation_id}/tracker/events",
            params={"token": self.stack.rasa_token},
            json=events,
            timeout=30,
        )
        assert restored.status_code == 200, restored.text
        return chat


def asked(chat_events: list[dict[str, Any]], slot: str) -> int:
    return sum(
        1
        for event in chat_events
        if event.get("event") == "action" and event.get("name") == f"action_ask_{slot}"
    )


@pytest.fixture(scope="module")
def points(stack: Stack) -> dict[str, list[dict[str, Any]]]:
    """The tracker's events when each question has just been asked."""
    chat = Chat(stack)
    referral = Referral(stack)
    chat.send("/greet")
    chat.send("/affirm")
    chat.send("/get_support")
    chat.send("/for_myself")
    kept: dict[str, list[dict[str, Any]]] = {}
    for question in QUESTIONS:
        tracker = referral.tracker(chat.conversation_id or "")
        assert tracker["slots"].get("requested_slot") == question.slot, (
            question.slot,
            tracker["slots"].get("requested_slot"),
        )
        kept[question.slot] = referral.events(chat.conversation_id or "")
        chat.send(question.walk)
    return kept


ANSWERS = [(q.slot, a) for q in QUESTIONS for a in q.natural]


@pytest.mark.parametrize(("slot", "answer"), ANSWERS, ids=[f"{s}:{a}" for s, a in ANSWERS])
def test_a_natural_answer_moves_the_referral_on(
    stack: Stack, points: dict[str, list[dict[str, Any]]], slot: str, answer: str
) -> None:
    referral = Referral(stack)
    chat = referral.from_point(points[slot])
    chat.send(answer)
    tracker = referral.tracker(chat.conversation_id or "")
    slots = tracker["slots"]
    moved_on = slots.get("requested_slot") != slot or slots.get(slot) is not None
    progressed = slot == "needs" and slots.get("needs_chosen")
    assert moved_on or progressed, (slot, answer, slots.get("requested_slot"), slots.get(slot))
    if slot == "children_count" and answer == "two, aged 4 and 7":
        assert slots["children_count"] == 2 and "4" in slots["children_ages"]
    if slot == "needs" and answer == "housing and money":
        assert set(slots["needs_chosen"]) == {"housing", "money"}


ODD = [(q.slot, a) for q in QUESTIONS for a in q.odd]


@pytest.mark.parametrize(("slot", "answer"), ODD, ids=[f"{s}:{a}" for s, a in ODD])
def test_no_question_is_asked_a_third_time(
    stack: Stack, points: dict[str, list[dict[str, Any]]], slot: str, answer: str
) -> None:
    referral = Referral(stack)
    chat = referral.from_point(points[slot])
    before = asked(points[slot], slot)
    for _ in range(3):
        chat.send(answer)
    after = asked(referral.events(chat.conversation_id or ""), slot)
    assert after - before <= 1, f"{slot} asked {after - before + 1} times"
    said = " ".join(m["text"] for m in chat.send("/menu"))
    assert said  # the conversation goes on


# --- the safety plan ----------------------------------------------------------------------------

PLAN_NATURAL = ("yes", "add it", "ok", "skip", "no", "next", "no thanks")


@pytest.fixture(scope="module")
def plan_step(stack: Stack) -> list[dict[str, Any]]:
    """The tracker's events when the plan's first step has just been shown."""
    chat = Chat(stack)
    chat.send("/greet")
    chat.send("/affirm")
    chat.send("/safety_plan")
    chat.send('/safety_plan{"plan_module":"home"}')
    referral = Referral(stack)
    slots = referral.tracker(chat.conversation_id or "")["slots"]
    assert slots["plan_module"] == "home" and slots["plan_step"] == 0
    return referral.events(chat.conversation_id or "")


@pytest.mark.parametrize("answer", (*PLAN_NATURAL, "banana", "🙃", "blah blah"))
def test_every_answer_to_a_plan_step_moves_the_plan_on(
    stack: Stack, plan_step: list[dict[str, Any]], answer: str
) -> None:
    referral = Referral(stack)
    chat = referral.from_point(plan_step)
    said = " ".join(m["text"] for m in chat.send(answer))
    slots = referral.tracker(chat.conversation_id or "")["slots"]
    assert slots["plan_step"] == 1, (answer, slots["plan_step"], said)
    added = bool(slots["plan_items"])
    assert added == (answer in {"yes", "add it", "ok"}), (answer, slots["plan_items"])
