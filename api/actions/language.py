"""Choosing a language. The API has already switched the conversation's language when a
button's payload names one; these actions only say so, or offer the list."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from api.actions.messages import say
from api.languages.registry import get_languages, language_payload


def offer_languages(dispatcher: CollectingDispatcher) -> None:
    """The list of languages, as buttons titled in each language's own name."""
    buttons = [
        (f"language.names.{language.code}", language_payload("choose_language", language.code))
        for language in get_languages().all()
    ]
    say(dispatcher, "language.choose", buttons=buttons)


class ActionLanguageMenu(Action):
    def name(self) -> str:
        return "action_language_menu"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        offer_languages(dispatcher)
        return []


class ActionLanguageChosen(Action):
    """A language named by a button: say it changed, then the menu (or carry on with the
    referral). A language's name typed out of the blue gets the list, to confirm."""

    def name(self) -> str:
        return "action_language_chosen"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        if not get_languages().supports(next(tracker.get_latest_entity_values("language"), None)):
            offer_languages(dispatcher)
            return []
        say(dispatcher, "language.changed")
        return [] if tracker.active_loop_name else [FollowupAction("action_back_to_menu")]
