"""Chat with a support worker now: offered only when the hub has turned it on and is open.

Before anyone joins the queue they are asked two things: whether it is safe to chat for a
few minutes, and whether they agree that the worker sees this conversation's messages from
now on (nothing from before is shared). Rasa decides what is said (this action); the API
routes the messages once a worker has joined (api/chat/service.py) and renders every word.
When the hub is closed, or the chat is not turned on, the 24-hour helpline and the offer
of a referral instead: never silence.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from api.actions.context import channel_of
from api.actions.deps import UsesDeps
from api.actions.messages import say
from api.core.payloads import intent_payload

logger = logging.getLogger(__name__)

INTENT = "live_chat"
STEP = "live_step"
MENU = ("menu.back", "/menu")
REFER = ("live.refer_button", "/get_support")


def now() -> datetime:
    return datetime.now(UTC)


def step_payload(step: str | None = None) -> str:
    return intent_payload(INTENT, **({STEP: step} if step else {}))


def offer_params(deps: Any) -> dict[str, Any]:
    """The honest estimate: how many are waiting, and the longest anyone waits before
    being told nobody is free."""
    waiting = deps.live.waiting_count() if deps.live is not None else 0
    return {"waiting": str(waiting), "minutes": str(deps.hub.live_chat.max_wait_minutes)}


def offered(deps: Any, tracker: Tracker) -> bool:
    """Whether to offer the chat here: turned on, the hub open, and not mid-form."""
    if tracker.active_loop_name or deps.live is None:
        return False
    try:
        return bool(deps.hub.live_chat_open(now()))
    except Exception:  # the hub's hours must never cost anyone the helpline
        logger.exception("hub's opening hours unreadable: no live chat offered")
        return False


def say_offer(dispatcher: CollectingDispatcher, deps: Any) -> None:
    say(
        dispatcher,
        "live.offer",
        buttons=[("live.offer_button", step_payload())],
        **offer_params(deps),
    )


def say_no_one_now(dispatcher: CollectingDispatcher) -> None:
    """Closed, turned off, or nobody free: the 24-hour line, and a referral offered."""
    say(dispatcher, "live.closed")
    say(dispatcher, "talk.national")
    say(dispatcher, "live.offer_referral", buttons=[REFER, MENU])


class ActionLiveChat(UsesDeps, Action):
    def name(self) -> str:
        return "action_live_chat"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        step = next(tracker.get_latest_entity_values(STEP), None)
        live = self.deps.live
        if step == "leave":
            if live is not None and live.leave(tracker.sender_id):
                say(dispatcher, "live.left_queue", buttons=[MENU])
            else:
                say(dispatcher, "live.not_in_queue", buttons=[MENU])
            return []
        if live is None or not offered(self.deps, tracker):
            say_no_one_now(dispatcher)
            return []
        if step is None:
            say(
                dispatcher,
                "live.ask_safe",
                buttons=[
                    ("live.safe_yes", step_payload("safe")),
                    ("live.safe_no", step_payload("not_safe")),
                ],
            )
        elif step == "not_safe":
            say(dispatcher, "live.not_safe_now", buttons=[MENU])
        elif step == "safe":
            say(
                dispatcher,
                "live.ask_consent",
                buttons=[
                    ("live.consent_yes", step_payload("agree")),
                    ("live.consent_no", step_payload("decline")),
                ],
            )
        elif step == "decline":
            say(dispatcher, "live.declined")
            say(dispatcher, "talk.national")
            say(dispatcher, "live.offer_referral", buttons=[REFER, MENU])
        elif step == "agree":
            ahead = live.join(
                tracker.sender_id, channel=channel_of(tracker), locale=self.locale(tracker)
            )
            if ahead is None:
                say(
                    dispatcher,
                    "live.already_queued",
                    buttons=[("live.leave_button", step_payload("leave"))],
                )
            else:
                say(
                    dispatcher,
                    "live.queued",
                    buttons=[("live.leave_button", step_payload("leave")), MENU],
                    ahead=str(ahead),
                    minutes=str(self.deps.hub.live_chat.max_wait_minutes),
                )
        else:
            say_offer(dispatcher, self.deps)
        return []
