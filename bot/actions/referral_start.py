"""The first part of a self-referral: consent, then whether we can accept it (16 and over)."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.actions.messages import say
from bot.actions.parsing import parse_age

MINIMUM_AGE = 16
FORM_SLOTS = ("referral_consent", "age", "referral_outcome")


class ActionAskReferralConsent(Action):
    """Explain what would be shared, with whom, and the limits of confidentiality."""

    def name(self) -> str:
        return "action_ask_referral_consent"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        say(
            dispatcher,
            "referral.consent_explain",
            buttons=[("referral.consent_yes", "/affirm"), ("referral.consent_no", "/deny")],
        )
        return []


class ActionAskAge(Action):
    def name(self) -> str:
        return "action_ask_age"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        say(dispatcher, "referral.ask_age")
        return []


class ValidateReferralStartForm(FormValidationAction):
    def name(self) -> str:
        return "validate_referral_start_form"

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        # Without consent we ask nothing more.
        if tracker.get_slot("referral_consent") is False:
            return []
        return domain_slots

    def validate_referral_consent(
        self,
        slot_value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        if slot_value is True:
            return {"referral_consent": True}
        return {"referral_consent": False, "referral_outcome": "declined"}

    def validate_age(
        self,
        slot_value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        age = parse_age(slot_value)
        if age is None:
            say(dispatcher, "referral.age_not_understood")
            return {"age": None}
        outcome = "under_16" if age < MINIMUM_AGE else "eligible"
        return {"age": age, "referral_outcome": outcome}


class ActionReferralStartOutcome(Action):
    """Tell the survivor what happens next, then forget the answers."""

    def name(self) -> str:
        return "action_referral_start_outcome"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        outcome = tracker.get_slot("referral_outcome") or "declined"
        say(dispatcher, f"referral.outcome_{outcome}")
        dispatcher.utter_message(response="utter_menu")
        return [SlotSet(slot, None) for slot in FORM_SLOTS]
