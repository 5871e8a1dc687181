"""Information about abuse: one topic at a time, chosen by button or in the person's words.

Typed words are matched to a topic by retrieval over the content itself (the topic pages
and examples in every language): answered when one topic is clearly likeliest, offered
as "Is it about ...?" with two or three choices when not, and never a generic list when
there are candidates (docs/nlu.md)."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from api.actions.deps import ActionDeps, UsesDeps
from api.actions.safety_plan import plan_in_progress
from api.core.payloads import intent_payload
from api.resources.store import Resource, ResourceStore

PAGE_PREFIX = "page-"
NEXT_STEP_KEYS = {
    "safety_plan": "menu.safety_plan",
    "get_support": "menu.support",
    "talk_to_someone": "menu.talk",
}


def topic_payload(topic: str) -> str:
    return intent_payload("understand_abuse", topic=topic)


def show_topic(
    dispatcher: CollectingDispatcher, resource: Resource, also: list[str] | None = None
) -> None:
    """The summary, a link to the full page, and two or three next steps: the topics the
    question may also have been about (or the page's own related topic), then what to do."""
    nearby = (also or [])[:2] or resource.related[:1]
    buttons: list[dict[str, Any]] = [
        *({"resource": slug, "payload": topic_payload(slug)} for slug in nearby),
        {"key": NEXT_STEP_KEYS[resource.next], "payload": f"/{resource.next}"},
        {"key": "menu.back", "payload": "/menu"},
    ]
    dispatcher.utter_message(json_message={"resource": resource.slug, "buttons": buttons})


def show_menu_page(dispatcher: CollectingDispatcher, store: ResourceStore, page: int) -> None:
    pages = store.menu_pages
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


# A message this long tells a story rather than asks a question.
STORY_WORDS = 35


def is_story(text: str) -> bool:
    return len(text.split()) >= STORY_WORDS


def answer_in_words(
    dispatcher: CollectingDispatcher, deps: ActionDeps, text: str, locale: str, *, unclear: bool
) -> bool:
    """A typed question's topic, found in the content (api/nlu/retrieval.py): shown when
    clear, offered as a short choice when two or three are close. False if none fits."""
    if not text or text.startswith("/"):
        return False
    cues = deps.cues
    choice = cues.apply(deps.retriever().choose(text, locale, unclear=unclear), text, locale)
    if is_story(text) and (choice.answer or choice.candidates):
        # Someone telling what is happening to them: first a word that they were heard,
        # then the two or three likeliest next steps, not a page of information at once.
        # The page for who they are (a teenager, a man ...) is one of them when they say so.
        likeliest = [choice.answer] if choice.answer else choice.candidates[:2]
        topics = [*dict.fromkeys([likeliest[0], *cues.found(text, locale), *likeliest])][:2]
        buttons: list[dict[str, Any]] = [
            *({"resource": slug, "payload": topic_payload(slug)} for slug in topics),
            {"key": "menu.safety_plan", "payload": "/safety_plan"},
            {"key": "menu.talk", "payload": "/talk_to_someone"},
            {"key": "menu.support", "payload": "/get_support"},
        ]
        dispatcher.utter_message(json_message={"key": "resources.story", "buttons": buttons})
        return True
    if choice.answer is not None:
        resource = deps.resources.get(choice.answer, locale)
        if resource is not None:
            show_topic(dispatcher, resource, choice.also)
            return True
    if not choice.candidates:
        return False
    buttons = [{"resource": slug, "payload": topic_payload(slug)} for slug in choice.candidates]
    buttons.append({"key": "resources.something_else", "payload": topic_payload(f"{PAGE_PREFIX}0")})
    dispatcher.utter_message(json_message={"key": "resources.is_it_about", "buttons": buttons})
    return True


class ActionShowTopic(UsesDeps, Action):
    def name(self) -> str:
        return "action_show_topic"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        store = self.deps.resources
        locale = self.locale(tracker)
        requested = tracker.get_slot("topic")
        if isinstance(requested, str) and requested.startswith(PAGE_PREFIX):
            page = requested.removeprefix(PAGE_PREFIX)
            show_menu_page(dispatcher, store, int(page) if page.isdigit() else 0)
            return [SlotSet("topic", None)]
        if isinstance(requested, str) and requested in store.slugs:
            resource = store.get(requested, locale)
            if resource is not None:
                show_topic(dispatcher, resource)
                return [SlotSet("topic", None)]
        text = tracker.latest_message.get("text") or ""
        if not answer_in_words(dispatcher, self.deps, text, locale, unclear=False):
            show_menu_page(dispatcher, store, 0)
        return [SlotSet("topic", None)]


def plan_goes_on(dispatcher: CollectingDispatcher) -> list[EventType]:
    """An answer to a plan step that was not understood: the step is left out with a word
    and the next one shown, so the plan never stalls or asks the same thing again."""
    dispatcher.utter_message(json_message={"key": "plan.not_understood"})
    return [FollowupAction("action_safety_plan_answer")]


class ActionUnclearMessage(UsesDeps, Action):
    """When the message is unclear: a topic whose keywords match it, or a kind "sorry" and
    the menu. Content keywords catch questions the language model has not learned."""

    def name(self) -> str:
        return "action_unclear_message"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        if plan_in_progress(tracker):
            return plan_goes_on(dispatcher)
        text = tracker.latest_message.get("text") or ""
        if answer_in_words(dispatcher, self.deps, text, self.locale(tracker), unclear=True):
            return []
        dispatcher.utter_message(response="utter_fallback")
        dispatcher.utter_message(response="utter_menu")
        return []


class ActionOutOfScope(Action):
    """Something the assistant cannot help with. In the middle of a safety plan it is an
    answer to the step that was not understood: the plan goes on rather than being lost."""

    def name(self) -> str:
        return "action_out_of_scope"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        if plan_in_progress(tracker):
            return plan_goes_on(dispatcher)
        dispatcher.utter_message(response="utter_out_of_scope")
        return [FollowupAction("action_back_to_menu")]
