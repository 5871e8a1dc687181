"""Custom actions, run on trackers built with rasa_sdk as Rasa would send them."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import ActiveLoop, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.navigation import ActionBackToMenu
from bot.actions.referral_start import (
    ActionAskReferralConsent,
    ActionReferralStartOutcome,
    ValidateReferralStartForm,
)

DOMAIN: dict[str, Any] = {
    "slots": {"referral_consent": {}, "age": {}, "referral_outcome": {}},
    "forms": {"referral_start_form": {"required_slots": ["referral_consent", "age"]}},
}


def tracker(slots: dict[str, Any], active_loop: str | None = None, text: str = "") -> Tracker:
    return Tracker(
        sender_id="test",
        slots={"requested_slot": None, **slots},
        latest_message={"text": text, "intent": {"name": "inform"}, "entities": []},
        events=[],
        paused=False,
        followup_action=None,
        active_loop={"name": active_loop} if active_loop else {},
        latest_action_name="action_listen",
    )


def keys(dispatcher: CollectingDispatcher) -> list[str]:
    return [m["custom"]["key"] if m.get("custom") else m["response"] for m in dispatcher.messages]


async def test_back_to_menu_leaves_the_form_and_forgets_answers() -> None:
    dispatcher = CollectingDispatcher()
    events = await ActionBackToMenu().run(
        dispatcher,
        tracker({"referral_consent": True, "age": 30}, active_loop="referral_start_form"),
        DOMAIN,
    )
    assert ActiveLoop(None) in events
    assert SlotSet("age", None) in events and SlotSet("referral_consent", None) in events
    assert keys(dispatcher) == ["utter_menu"]


def test_consent_declined_ends_the_form() -> None:
    result = ValidateReferralStartForm().validate_referral_consent(
        False, CollectingDispatcher(), tracker({}), DOMAIN
    )
    assert result == {"referral_consent": False, "referral_outcome": "declined"}


async def test_no_more_questions_without_consent() -> None:
    form = ValidateReferralStartForm()
    slots = await form.required_slots(
        ["referral_consent", "age"],
        CollectingDispatcher(),
        tracker({"referral_consent": False}),
        DOMAIN,
    )
    assert slots == []


@pytest.mark.parametrize(
    ("answer", "age", "outcome"),
    [
        ("17", 17, "eligible"),
        ("I'm 16", 16, "eligible"),
        ("fifteen", 15, "under_16"),
        ("12", 12, "under_16"),
    ],
)
def test_age_sets_the_outcome(answer: str, age: int, outcome: str) -> None:
    result = ValidateReferralStartForm().validate_age(
        answer, CollectingDispatcher(), tracker({}), DOMAIN
    )
    assert result == {"age": age, "referral_outcome": outcome}


@pytest.mark.parametrize("answer", ["banana", "", "16 or 17", "500", "I'd rather not say"])
def test_unclear_age_is_asked_again_kindly(answer: str) -> None:
    dispatcher = CollectingDispatcher()
    result = ValidateReferralStartForm().validate_age(answer, dispatcher, tracker({}), DOMAIN)
    assert result == {"age": None}
    assert keys(dispatcher) == ["referral.age_not_understood"]


@pytest.mark.parametrize("outcome", ["declined", "under_16", "eligible"])
async def test_outcome_says_what_happens_next_then_forgets(outcome: str) -> None:
    dispatcher = CollectingDispatcher()
    events = await ActionReferralStartOutcome().run(
        dispatcher, tracker({"referral_outcome": outcome, "age": 20}), DOMAIN
    )
    assert keys(dispatcher) == [f"referral.outcome_{outcome}", "utter_menu"]
    assert SlotSet("age", None) in events


async def test_consent_prompt_explains_and_offers_a_choice() -> None:
    dispatcher = CollectingDispatcher()
    await ActionAskReferralConsent().run(dispatcher, tracker({}), DOMAIN)
    message = dispatcher.messages[0]["custom"]
    assert message["key"] == "referral.consent_explain"
    assert [b["payload"] for b in message["buttons"]] == ["/affirm", "/deny"]
