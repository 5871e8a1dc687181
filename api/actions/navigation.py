"""Going back to the menu from anywhere, forgetting any half-finished form."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from api.actions.deps import ActionDeps
from api.actions.live_chat import offered, say_offer

# Rasa's own bookkeeping; everything else is something the survivor told us.
KEPT_SLOTS = frozenset({"session_started_metadata"})


class ActionBackToMenu(Action):
    def __init__(self, deps: ActionDeps | None = None) -> None:
        self.deps = deps

    def name(self) -> str:
        return "action_back_to_menu"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        events: list[EventType] = []
        if tracker.active_loop_name:
            events.append(ActiveLoop(None))
        # Leaving for the menu discards anything half-given: nothing is kept without a purpose.
        events += [
            SlotSet(slot, None)
            for slot, value in tracker.slots.items()
            if slot not in KEPT_SLOTS and value is not None
        ]
        dispatcher.utter_message(response="utter_menu")
        # Chat with a support worker now, under the menu, when the hub has it and is open.
        if self.deps is not None and offered(self.deps, tracker):
            say_offer(dispatcher, self.deps)
        return events
