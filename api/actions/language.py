"""Choosing a language. The API has already switched the conversation's language when a
button's payload names one; these actions only say so, or offer the list."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from api.actions.deps import UsesDeps
from api.actions.messages import say
from api.languages.registry import Languages, language_payload


def offer_languages(dispatcher: CollectingDispatcher, languages: Languages) -> None:
    """The list of languages, as buttons titled in each language's own name."""
    buttons = [
        (f"language.names.{language.code}", language_payload("choose_language", language.code))
        for language in languages.all()
    ]
    say(dispatcher, "language.choose", buttons=buttons)


class ActionLanguageMenu(UsesDeps, Action):
    def name(self) -> str:
        return "action_language_menu"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        offer_languages(dispatcher, self.deps.languages)
        return []


class ActionLanguageChosen(UsesDeps, Action):
    """A language named by a button: say it changed, then the menu (or carry on with the
    referral). A language's name typed out of the blue gets the list, to confirm."""

    def name(self) -> str:
        return "action_language_chosen"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        languages = self.deps.languages
        if not languages.supports(next(tracker.get_latest_entity_values("language"), None)):
            offer_languages(dispatcher, languages)
            return []
        say(dispatcher, "language.changed")
        return [] if tracker.active_loop_name else [FollowupAction("action_back_to_menu")]
