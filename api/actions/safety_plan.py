"""Guided safety planning: one suggestion at a time, add it, skip it, or stop.

The plan lives only in the live conversation (Rasa's slots). It is never written to the
database, and it is forgotten when the conversation ends or the person exits.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml
from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from api.actions.context import is_text_only
from api.actions.deps import UsesDeps
from api.actions.parsing import clear_answer
from api.core.payloads import intent_payload

PLAN_FILE = Path(__file__).resolve().parents[2] / "content" / "safety_plan.yml"
PLAN_SLOTS = ("plan_module", "plan_step", "plan_items", "plan_mode")


@dataclass(frozen=True)
class PlanContent:
    modules: dict[str, list[str]]
    short_steps: int

    def steps(self, module: str, mode: str | None) -> list[str]:
        steps = self.modules.get(module, [])
        return steps[: self.short_steps] if mode == "short" else steps


@lru_cache
def plan_content() -> PlanContent:
    data = yaml.safe_load(PLAN_FILE.read_text(encoding="utf-8"))
    return PlanContent(modules=data["modules"], short_steps=int(data["short_steps"]))


def _payload(**entities: str) -> str:
    return intent_payload("safety_plan", **entities)


def step_key(module: str, step: str) -> str:
    return f"plan.steps.{module}.{step}"


def ask_step(dispatcher: CollectingDispatcher, module: str, step: str) -> None:
    dispatcher.utter_message(
        json_message={
            "key": step_key(module, step),
            "buttons": [
                {"key": "plan.add", "payload": "/affirm"},
                {"key": "plan.skip", "payload": "/deny"},
                {"key": "plan.stop", "payload": "/stop"},
            ],
        }
    )


def show_summary(dispatcher: CollectingDispatcher, items: list[str]) -> None:
    if items:
        dispatcher.utter_message(json_message={"key": "plan.summary", "items": items})
    else:
        dispatcher.utter_message(json_message={"key": "plan.summary_empty"})
    dispatcher.utter_message(
        json_message={
            "key": "plan.not_stored",
            "buttons": [
                {"key": "plan.another", "payload": "/safety_plan"},
                {"key": "menu.talk", "payload": "/talk_to_someone"},
                {"key": "menu.back", "payload": "/menu"},
            ],
        }
    )


def forget_plan() -> list[EventType]:
    return [SlotSet(slot, None) for slot in PLAN_SLOTS if slot != "plan_mode"]


class ActionSafetyPlan(Action):
    """Start planning: warn on text-only channels, offer the modules, or begin one."""

    def name(self) -> str:
        return "action_safety_plan"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        mode = tracker.get_slot("plan_mode")
        module = tracker.get_slot("plan_module")
        content = plan_content()
        if is_text_only(tracker) and mode is None:
            # On SMS and WhatsApp the plan stays in the phone's message history.
            dispatcher.utter_message(
                json_message={
                    "key": "plan.text_only_warning",
                    "buttons": [
                        {"key": "plan.carry_on", "payload": _payload(plan_mode="full")},
                        {"key": "plan.shorter", "payload": _payload(plan_mode="short")},
                        {"key": "menu.back", "payload": "/menu"},
                    ],
                }
            )
            return []
        if module not in content.modules:
            dispatcher.utter_message(json_message={"key": "plan.intro"})
            dispatcher.utter_message(
                json_message={
                    "key": "plan.choose_module",
                    "buttons": [
                        {"key": f"plan.modules.{name}", "payload": _payload(plan_module=name)}
                        for name in content.modules
                    ],
                }
            )
            return [SlotSet("plan_module", None)]
        steps = content.steps(module, mode)
        ask_step(dispatcher, module, steps[0])
        items = tracker.get_slot("plan_items") or []
        return [SlotSet("plan_step", 0), SlotSet("plan_items", items)]


def wants_step(tracker: Tracker, locale: str) -> bool:
    """Add the step: the Add button, or a typed clear yes ("ok", "yes please", "tak")."""
    message = tracker.latest_message or {}
    text = str(message.get("text") or "").strip()
    if (message.get("intent") or {}).get("name") == "affirm":
        return True
    return not text.startswith("/") and clear_answer(text, locale) is True


def plan_in_progress(tracker: Tracker) -> bool:
    return tracker.get_slot("plan_module") is not None and tracker.get_slot("plan_step") is not None


class ActionSafetyPlanAnswer(UsesDeps, Action):
    """Add or skip the step just shown, then show the next one or the summary."""

    def name(self) -> str:
        return "action_safety_plan_answer"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        module = tracker.get_slot("plan_module")
        index = tracker.get_slot("plan_step")
        content = plan_content()
        if module not in content.modules or index is None:
            return await ActionSafetyPlan().run(dispatcher, tracker, domain)
        steps = content.steps(module, tracker.get_slot("plan_mode"))
        index = int(index)
        items: list[str] = list(tracker.get_slot("plan_items") or [])
        if wants_step(tracker, self.locale(tracker)) and index < len(steps):
            items.append(step_key(module, steps[index]))
        index += 1
        if index < len(steps):
            ask_step(dispatcher, module, steps[index])
            return [SlotSet("plan_step", index), SlotSet("plan_items", items)]
        show_summary(dispatcher, items)
        return forget_plan()


class ActionStop(Action):
    """Stop whatever is under way: a plan shows what was chosen; a form forgets its answers."""

    def name(self) -> str:
        return "action_stop"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        if tracker.get_slot("plan_module"):
            show_summary(dispatcher, list(tracker.get_slot("plan_items") or []))
            return forget_plan()
        dispatcher.utter_message(json_message={"key": "stop.done"})
        dispatcher.utter_message(response="utter_menu")
        kept = {"session_started_metadata", "plan_mode"}
        return [
            SlotSet(slot, None)
            for slot, value in tracker.slots.items()
            if slot not in kept and value is not None
        ]
