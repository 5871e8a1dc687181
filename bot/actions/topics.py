"""Information about abuse: one topic at a time, chosen by button or in the person's words."""

from __future__ import annotations

import json
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from api.resources.store import Resource, get_store
from bot.actions.context import locale_of

PAGE_PREFIX = "page-"
NEXT_STEP_KEYS = {
    "safety_plan": "menu.safety_plan",
    "get_support": "menu.support",
    "talk_to_someone": "menu.talk",
}


def topic_payload(topic: str) -> str:
    return "/understand_abuse" + json.dumps({"topic": topic}, separators=(",", ":"))


def show_topic(dispatcher: CollectingDispatcher, resource: Resource) -> None:
    """The summary, a link to the full page, and two or three next steps."""
    buttons: list[dict[str, Any]] = [
        {"resource": resource.related[0], "payload": topic_payload(resource.related[0])},
        {"key": NEXT_STEP_KEYS[resource.next], "payload": f"/{resource.next}"},
        {"key": "menu.back", "payload": "/menu"},
    ]
    dispatcher.utter_message(json_message={"resource": resource.slug, "buttons": buttons})


def show_menu_page(dispatcher: CollectingDispatcher, page: int) -> None:
    pages = get_store().menu_pages
    page = page if 0 <= page < len(pages) else 0
    buttons: list[dict[str, Any]] = [
        {"resource": slug, "payload": topic_payload(slug)} for slug in pages[page]
    ]
    if page + 1 < len(pages):
        buttons.append(
            {"key": "resources.more", "payload": topic_payload(f"{PAGE_PREFIX}{page + 1}")}
        )
    else:
        buttons.append({"key": "menu.back", "payload": "/menu"})
    dispatcher.utter_message(json_message={"key": "resources.choose", "buttons": buttons})


class ActionShowTopic(Action):
    def name(self) -> str:
        return "action_show_topic"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        store = get_store()
        locale = locale_of(tracker)
        requested = tracker.get_slot("topic")
        if isinstance(requested, str) and requested.startswith(PAGE_PREFIX):
            page = requested.removeprefix(PAGE_PREFIX)
            show_menu_page(dispatcher, int(page) if page.isdigit() else 0)
            return [SlotSet("topic", None)]
        resource = None
        if isinstance(requested, str) and requested in store.slugs:
            resource = store.get(requested, locale)
        if resource is None:
            resource = store.match(tracker.latest_message.get("text") or "", locale)
        if resource is not None:
            show_topic(dispatcher, resource)
        else:
            show_menu_page(dispatcher, 0)
        return [SlotSet("topic", None)]


class ActionUnclearMessage(Action):
    """When the message is unclear: a topic whose keywords match it, or a kind "sorry" and
    the menu. Content keywords catch questions the language model has not learned."""

    def name(self) -> str:
        return "action_unclear_message"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        text = tracker.latest_message.get("text") or ""
        resource = get_store().match(text, locale_of(tracker))
        if resource is not None:
            show_topic(dispatcher, resource)
            return []
        dispatcher.utter_message(response="utter_fallback")
        dispatcher.utter_message(response="utter_menu")
        return []
