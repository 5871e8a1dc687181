"""The offer of a live chat, and the two questions before the queue, as Rasa runs them."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlmodel import Session

from api.actions import live_chat
from api.actions.hub_contact import ActionHelplines
from api.actions.live_chat import ActionLiveChat
from api.actions.navigation import ActionBackToMenu
from api.core.db import make_engine, migrate
from api.live import service as live
from api.live.service import LiveQueue
from tests.api.actions.conftest import action_deps, sample_hub

DOMAIN: dict[str, Any] = {"slots": {}, "forms": {}}
OPEN = datetime(2026, 11, 30, 11, 0, tzinfo=UTC)  # a Monday morning
CLOSED = datetime(2026, 11, 29, 11, 0, tzinfo=UTC)  # a Sunday
BANK_HOLIDAY = datetime(2026, 12, 25, 11, 0, tzinfo=UTC)


def tracker(step: str | None = None, *, active_loop: str | None = None) -> Tracker:
    entities = [{"entity": "live_step", "value": step}] if step else []
    return Tracker(
        sender_id="conversation-1",
        slots={"requested_slot": None},
        latest_message={
            "text": "",
            "intent": {"name": "live_chat", "confidence": 1.0},
            "entities": entities,
            "metadata": {"locale": "pl", "channel": "web"},
        },
        events=[],
        paused=False,
        followup_action=None,
        active_loop={"name": active_loop} if active_loop else {},
        latest_action_name="action_listen",
    )


@pytest.fixture
def queue(tmp_path: Path) -> LiveQueue:
    url = f"sqlite:///{tmp_path / 'live.db'}"
    migrate(url)
    return LiveQueue(make_engine(url))


def deps(queue: LiveQueue, enabled: bool = True) -> Any:
    hub = sample_hub().model_copy(
        update={"live_chat": sample_hub().live_chat.model_copy(update={"enabled": enabled})}
    )
    return action_deps(hub=hub, live=queue)


def keys(dispatcher: CollectingDispatcher) -> list[str]:
    return [(m.get("custom") or {}).get("key") or m.get("response") for m in dispatcher.messages]


def payloads(dispatcher: CollectingDispatcher) -> list[str]:
    return [
        b["payload"]
        for m in dispatcher.messages
        for b in (m.get("custom") or {}).get("buttons", [])
    ]


async def run(action: Any, step: str | None = None, **kwargs: Any) -> CollectingDispatcher:
    dispatcher = CollectingDispatcher()
    await action.run(dispatcher, tracker(step, **kwargs), DOMAIN)
    return dispatcher


def test_off_by_default() -> None:
    assert sample_hub().live_chat.enabled is False
    assert sample_hub().live_chat_open(OPEN) is False


@pytest.mark.parametrize(
    ("moment", "offered"), [(OPEN, True), (CLOSED, False), (BANK_HOLIDAY, False)]
)
async def test_talk_to_someone_and_the_menu_offer_it_only_when_open(
    queue: LiveQueue, monkeypatch: pytest.MonkeyPatch, moment: datetime, offered: bool
) -> None:
    monkeypatch.setattr(live_chat, "now", lambda: moment)
    for action in (ActionHelplines(deps(queue)), ActionBackToMenu(deps(queue))):
        dispatcher = await run(action)
        assert ("live.offer" in keys(dispatcher)) is offered
        assert ("/live_chat" in payloads(dispatcher)) is offered


async def test_not_offered_when_turned_off_or_in_a_form(
    queue: LiveQueue, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(live_chat, "now", lambda: OPEN)
    assert "live.offer" not in keys(await run(ActionHelplines(deps(queue, enabled=False))))
    in_form = await run(ActionHelplines(deps(queue)), active_loop="referral_form")
    assert "live.offer" not in keys(in_form)


async def test_the_offer_says_how_many_wait_and_the_longest_wait(
    queue: LiveQueue, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(live_chat, "now", lambda: OPEN)
    queue.join("someone-else", channel="sms", locale="en")
    dispatcher = await run(ActionHelplines(deps(queue)))
    offer = next(m["custom"] for m in dispatcher.messages if m["custom"]["key"] == "live.offer")
    assert offer["params"] == {"waiting": "1", "minutes": "10"}


async def test_safe_then_consent_then_the_queue(
    queue: LiveQueue, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(live_chat, "now", lambda: OPEN)
    action = ActionLiveChat(deps(queue))
    asked = await run(action)
    assert keys(asked) == ["live.ask_safe"]
    assert payloads(asked) == [
        '/live_chat{"live_step":"safe"}',
        '/live_chat{"live_step":"not_safe"}',
    ]
    consent = await run(action, "safe")
    assert keys(consent) == ["live.ask_consent"]
    assert queue.waiting_count() == 0  # nothing queued before they agree
    joined = await run(action, "agree")
    assert keys(joined) == ["live.queued"]
    with Session(queue.engine) as db_session:
        chat = live.chat_of(db_session, "conversation-1")
    assert chat is not None and chat.status == "waiting" and chat.locale == "pl"
    assert keys(await run(action, "agree")) == ["live.already_queued"]
    assert keys(await run(action, "leave")) == ["live.left_queue"]
    assert queue.waiting_count() == 0


async def test_declining_or_not_safe_queues_nothing(
    queue: LiveQueue, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(live_chat, "now", lambda: OPEN)
    action = ActionLiveChat(deps(queue))
    assert keys(await run(action, "not_safe")) == ["live.not_safe_now"]
    declined = await run(action, "decline")
    assert "talk.national" in keys(declined) and "/get_support" in payloads(declined)
    assert queue.waiting_count() == 0


async def test_closed_gives_the_24_hour_helpline_and_a_referral_never_the_queue(
    queue: LiveQueue, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(live_chat, "now", lambda: CLOSED)
    dispatcher = await run(ActionLiveChat(deps(queue)), "agree")  # a payload typed out of hours
    assert keys(dispatcher) == ["live.closed", "talk.national", "live.offer_referral"]
    assert "/get_support" in payloads(dispatcher)
    assert queue.waiting_count() == 0
