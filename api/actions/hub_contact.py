"""The hub as the first point of contact: its own line when it is open, and the national
24-hour helpline always, so nobody is sent to a phone that nobody answers."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

import yaml
from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from api.actions.deps import UsesDeps
from api.actions.live_chat import offered, say_offer
from api.actions.messages import say
from api.core.config import PROJECT_ROOT
from api.hub.config import HubConfig

HELPLINES_FILE = PROJECT_ROOT / "content" / "helplines.yml"
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Helpline:
    id: str
    number: str
    open_24_hours: bool = False


@lru_cache
def helplines() -> tuple[Helpline, ...]:
    data = yaml.safe_load(HELPLINES_FILE.read_text(encoding="utf-8"))
    return tuple(Helpline(**line) for line in data["lines"])


def helpline_items() -> list[dict[str, Any]]:
    """The specialist lines as list lines: name from the catalogs, number and hours from
    content/helplines.yml, so "open 24 hours" is said only of lines that are."""
    return [
        {
            "key": "helplines.line_24_hours" if line.open_24_hours else "helplines.line",
            "params": {"number": line.number},
            "value_key": f"helplines.{line.id}",
        }
        for line in helplines()
    ]


def now() -> datetime:
    return datetime.now(UTC)


def talk_keys(config: HubConfig, at: datetime) -> list[str]:
    """What "talk to someone" says: the hub first when it is open, the helpline always."""
    if config.contact is None:
        return ["talk.national"]
    if config.is_open(at):
        chat = ["talk.hub_chat"] if config.contact.web_chat_url else []
        return ["talk.hub_open", *chat, "talk.national"]
    return ["talk.national", "talk.hub_closed"]


def after_referral_keys(config: HubConfig, at: datetime) -> list[str]:
    """After "within N working days": never only that. Out of hours, the 24-hour helpline."""
    if config.contact is None:
        return ["referral.before_then"]
    if config.is_open(at):
        # The hub may close in minutes: the 24-hour line too.
        return ["referral.hub_line", "referral.before_then"]
    return ["referral.while_closed"]


class ActionHelplines(UsesDeps, Action):
    def name(self) -> str:
        return "action_helplines"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        try:
            keys = talk_keys(self.deps.hub, now())
        except Exception:  # the hub's hours must never cost anyone the 24-hour line
            logger.exception("hub's opening hours unreadable: giving the national helpline")
            keys = ["talk.national"]
        # Chat with a support worker now, when the hub has it and is open (live_chat.py).
        if offered(self.deps, tracker):
            say_offer(dispatcher, self.deps)
        for key in keys:
            say(dispatcher, key)
        dispatcher.utter_message(json_message={"key": "talk.specialist", "items": helpline_items()})
        return []


def behaviour_keys(config: HubConfig) -> list[str]:
    """For someone worried about their own behaviour: the local programme (its own
    referrals), the national Respect Phone Line always, and 999 if anyone is in danger."""
    # A survivor told it is all their fault may choose this by mistake: the way back.
    keys = ["behaviour.intro", "behaviour.if_survivor"]
    if config.behaviour_programme is not None:
        keys.append("behaviour.programme")
        if config.behaviour_programme.referral_url:
            keys.append("behaviour.programme_online")
    return [*keys, "behaviour.respect", "behaviour.danger"]


class ActionBehaviourRoute(UsesDeps, Action):
    def name(self) -> str:
        return "action_behaviour_route"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        for key in behaviour_keys(self.deps.hub):
            say(dispatcher, key)
        dispatcher.utter_message(
            json_message={
                "resource": "worried-about-your-behaviour",
                "buttons": [{"key": "menu.back", "payload": "/menu"}],
            }
        )
        return []


def say_after_referral(dispatcher: CollectingDispatcher, config: HubConfig, **params: Any) -> None:
    """Said after the referral is stored: it must not fail, whatever the hub's hours say."""
    try:
        keys = after_referral_keys(config, now())
    except Exception:  # the referral is stored: the rest of the answer must still be given
        logger.exception("hub's opening hours unreadable: giving the national helpline")
        keys = ["referral.before_then"]
    for key in keys:
        say(dispatcher, key, **params)
