"""While a worker has the chat, the survivor's messages go to the worker, not to Rasa; the
safety screen still answers danger at once and flags it to the worker; exit erases it all.
Real HTTP handling and a real database, with Rasa unreachable (so any answer from Rasa
would be the "unavailable" message)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from api.core.config import Settings
from api.live import service as live
from api.live.models import LiveChat, LiveMessage
from api.live.present import stream
from tests.conftest import live_hub_file, make_settings

SEND = "/api/chat/messages"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """The hub open at every hour, so nobody's wait runs out because of the time of day."""
    return make_settings(tmp_path, hub_config_file=live_hub_file(tmp_path))


LEAVE = '/live_chat{"live_step":"leave"}'


def start(client: TestClient) -> str:
    return str(client.post(SEND, json={"text": "hello"}).json()["conversation_id"])


def queue_and_claim(client: TestClient, cid: str, *, claim: bool = True) -> LiveChat:
    with Session(client.app.state.engine) as db_session:  # type: ignore[attr-defined]
        chat = live.enqueue(db_session, conversation_id=cid, channel="web", locale="en")
        assert chat is not None
        if claim:
            live.claim(db_session, chat.id, worker_id="w", worker_name="Sam", max_chats=2)
        db_session.refresh(chat)
        db_session.expunge(chat)
        return chat


def rows(client: TestClient, cid: str) -> list[LiveMessage]:
    with Session(client.app.state.engine) as db_session:  # type: ignore[attr-defined]
        return list(
            db_session.exec(select(LiveMessage).where(LiveMessage.conversation_id == cid)).all()
        )


def test_waiting_still_talks_to_the_assistant_and_says_so(client: TestClient) -> None:
    cid = start(client)
    queue_and_claim(client, cid, claim=False)
    body = client.post(SEND, json={"conversation_id": cid, "text": "what is coercive control"})
    assert body.json()["live"] == "waiting"
    assert "0808 2000 247" in body.json()["messages"][0]["text"]  # Rasa was asked (and is down)


def test_a_live_chat_goes_to_the_worker_and_not_to_rasa(client: TestClient) -> None:
    cid = start(client)
    queue_and_claim(client, cid)
    reply = client.post(SEND, json={"conversation_id": cid, "text": "are you a real person"})
    assert reply.status_code == 200
    assert reply.json()["messages"] == []  # nothing from Rasa (it would say "unavailable")
    assert reply.json()["live"] == "live"
    said = [m for m in rows(client, cid) if m.sender == "survivor"]
    assert len(said) == 1 and said[0].body and "real person" not in said[0].body  # encrypted


def test_danger_during_a_live_chat_is_answered_at_once_and_flagged_to_the_worker(
    client: TestClient,
) -> None:
    cid = start(client)
    chat = queue_and_claim(client, cid)
    reply = client.post(SEND, json={"conversation_id": cid, "text": "he's got a knife"})
    said = " ".join(m["text"] for m in reply.json()["messages"])
    assert "999" in said and "press 55" in said
    kinds = [(m.sender, m.kind) for m in rows(client, cid)]
    assert ("survivor", "text") in kinds and ("system", "flag") in kinds
    with Session(client.app.state.engine) as db_session:  # type: ignore[attr-defined]
        held = db_session.get(LiveChat, chat.id)
        assert held is not None and "emergency" in held.flags


def test_a_button_from_before_the_chat_is_not_sent_to_the_worker(client: TestClient) -> None:
    cid = start(client)
    queue_and_claim(client, cid)
    reply = client.post(SEND, json={"conversation_id": cid, "text": "/menu"})
    assert "Sam" in reply.json()["messages"][0]["text"]
    assert all(m.sender != "survivor" for m in rows(client, cid))


def test_the_survivor_can_leave_the_chat(client: TestClient) -> None:
    cid = start(client)
    queue_and_claim(client, cid)
    client.post(SEND, json={"conversation_id": cid, "text": "hello"})
    reply = client.post(SEND, json={"conversation_id": cid, "text": LEAVE}).json()
    assert reply["live"] is None and "deleted" in reply["messages"][0]["text"]
    assert [(m.kind, m.body) for m in rows(client, cid)] == [("left", None)]


def test_exit_during_a_live_chat_erases_the_queue_entry_and_the_messages(
    client: TestClient,
) -> None:
    cid = start(client)
    queue_and_claim(client, cid)
    client.post(SEND, json={"conversation_id": cid, "text": "hello"})
    assert client.post(f"/api/chat/{cid}/exit").status_code == 204
    assert rows(client, cid) == []
    with Session(client.app.state.engine) as db_session:  # type: ignore[attr-defined]
        assert live.chat_of(db_session, cid) is None
    events = client.get(f"/api/chat/{cid}/live/events")
    assert "event: gone" in events.text


def test_the_page_hears_how_the_chat_ended_in_its_language(client: TestClient) -> None:
    cid = str(client.post(SEND, json={"text": "hello", "locale": "pl"}).json()["conversation_id"])
    chat = queue_and_claim(client, cid)
    with Session(client.app.state.engine) as db_session:  # type: ignore[attr-defined]
        held = db_session.get(LiveChat, chat.id)
        assert held is not None
        held.locale = "pl"
        db_session.add(held)
        db_session.commit()
        live.finish(db_session, held, "ended")
    events = client.get(f"/api/chat/{cid}/live/events")
    assert events.headers["content-type"].startswith("text/event-stream")
    data = [json.loads(line[6:]) for line in events.text.splitlines() if line.startswith("data: ")]
    assert data[-1]["kind"] == "ended" and "zamknął czat" in data[-1]["messages"][0]["text"]


def test_an_unknown_or_other_channel_id_hears_only_gone(client: TestClient) -> None:
    assert "event: gone" in client.get("/api/chat/" + "x" * 43 + "/live/events").text


def test_the_stream_carries_on_after_the_last_event_it_sent(client: TestClient) -> None:
    """A reconnecting page (Last-Event-ID) gets only what it has not seen."""
    cid = start(client)
    chat = queue_and_claim(client, cid)
    engine = client.app.state.engine  # type: ignore[attr-defined]
    with Session(engine) as db_session:
        held = db_session.get(LiveChat, chat.id)
        assert held is not None
        live.add_message(
            db_session, held, sender="worker", kind="quick", detail="live.quick.helpline"
        )
        all_ids = [m.id for m in live.messages_after(db_session, chat.id, 0, live.SURVIVOR_SEES)]

    async def collect(after: int) -> list[str]:
        calls = 0

        async def disconnected() -> bool:
            nonlocal calls
            calls += 1
            return calls > 1

        found = []
        async for chunk in stream(
            engine,
            find_chat=lambda s: live.chat_of(s, cid),
            senders=live.SURVIVOR_SEES,
            shape=lambda m, c: {"kind": m.kind},
            after=after,
            poll_seconds=0.01,
            disconnected=disconnected,
        ):
            found.append(chunk)
        return found

    everything = "".join(asyncio.run(collect(0)))
    assert "joined" in everything and "quick" in everything
    rest = "".join(asyncio.run(collect(int(all_ids[0] or 0))))
    assert "joined" not in rest and f"id: {all_ids[1]}" in rest
