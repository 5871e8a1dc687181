"""The console's live chat: the queue shows no words, one worker takes a chat and a second
is refused, messages both ways, quick replies in the survivor's language, hand back and
end, every view and message audited; a chat that ended meanwhile and a session that
expired get a clear answer. SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from api.core.audit import AuditEvent
from api.core.clock import utcnow
from api.core.crypto import FieldCipher
from api.live import service as live
from api.live.models import LiveChat, LiveMessage
from api.main import create_app
from api.staff.models import StaffSession
from tests.api.staff.conftest import add_user, csrf_of, sign_in
from tests.conftest import live_hub_file, make_settings

WORDS = "he is outside the house again"


@pytest.fixture
def app(tmp_path: Path, database_url: str) -> FastAPI:
    settings = make_settings(
        tmp_path,
        database_url=database_url,
        staff_cookie_secure=False,
        outbox_worker_in_api=False,
        hub_config_file=live_hub_file(tmp_path),
    )
    return create_app(settings)


def waiting_chat(app: FastAPI, locale: str = "pl", flags: str = "") -> LiveChat:
    with Session(app.state.engine) as db_session:
        chat = live.enqueue(db_session, conversation_id="c" * 43, channel="web", locale=locale)
        assert chat is not None
        chat.flags = flags
        db_session.add(chat)
        db_session.commit()
        db_session.refresh(chat)
        db_session.expunge(chat)
        return chat


def survivor_says(app: FastAPI, chat_id: str, words: str) -> None:
    cipher: FieldCipher = app.state.cipher
    with Session(app.state.engine) as db_session:
        chat = db_session.get(LiveChat, chat_id)
        assert chat is not None
        live.add_message(
            db_session, chat, sender="survivor", kind="text", cipher=cipher, text=words
        )


def take(client: TestClient, chat_id: str) -> int:
    token = csrf_of(client, "/staff/live")
    response = client.post(
        f"/staff/live/{chat_id}/claim", data={"csrf_token": token}, follow_redirects=False
    )
    return response.status_code


def actions(app: FastAPI) -> list[str]:
    with Session(app.state.engine) as db_session:
        return [e.action for e in db_session.exec(select(AuditEvent).order_by(AuditEvent.id))]


def test_the_queue_shows_wait_channel_language_and_flags_never_words(
    app: FastAPI, client: TestClient, staff_member: str
) -> None:
    chat = waiting_chat(app, flags="emergency")
    survivor_says(app, chat.id, WORDS)
    page = client.get("/staff/live")
    assert page.status_code == 200
    assert "Web chat" in page.text and "Polish" in page.text and "Danger now" in page.text
    assert WORDS not in page.text
    assert "live_queue_view" in actions(app)


def test_one_worker_takes_the_chat_and_a_second_is_told_it_is_taken(
    app: FastAPI, client: TestClient, other_client: TestClient, staff_member: str
) -> None:
    chat = waiting_chat(app)
    add_user(app, "jo@hub.example", "staff", "Jo Colleague")
    assert sign_in(other_client, "jo@hub.example").status_code == 303
    assert take(client, chat.id) == 303
    refused = other_client.post(
        f"/staff/live/{chat.id}/claim",
        data={"csrf_token": csrf_of(other_client, "/staff/live")},
        follow_redirects=False,
    )
    assert refused.status_code == 409 and "already been taken" in refused.text
    assert other_client.get(f"/staff/live/{chat.id}").status_code == 404  # not theirs
    assert {"live_claim_claimed", "live_claim_taken"} <= set(actions(app))


def test_a_claim_needs_the_csrf_token(app: FastAPI, client: TestClient, staff_member: str) -> None:
    chat = waiting_chat(app)
    response = client.post(f"/staff/live/{chat.id}/claim", data={}, follow_redirects=False)
    assert response.status_code == 403
    with Session(app.state.engine) as db_session:
        held = db_session.get(LiveChat, chat.id)
        assert held is not None and held.status == "waiting"


def test_messages_both_ways_and_quick_replies_in_their_language(
    app: FastAPI, client: TestClient, staff_member: str
) -> None:
    chat = waiting_chat(app, locale="pl")
    take(client, chat.id)
    survivor_says(app, chat.id, WORDS)
    page = client.get(f"/staff/live/{chat.id}")
    assert page.status_code == 200 and WORDS in page.text
    token = csrf_of(client, f"/staff/live/{chat.id}")
    sent = client.post(
        f"/staff/live/{chat.id}/send",
        data={"csrf_token": token, "text": "I'm here. Are you safe to talk?"},
        headers={"X-Live-Console": "1"},
    )
    assert sent.status_code == 200 and sent.json()["ok"] is True
    quick = client.post(
        f"/staff/live/{chat.id}/send",
        data={"csrf_token": token, "quick": "live.quick.helpline"},
        follow_redirects=False,
    )
    assert quick.status_code == 303
    with Session(app.state.engine) as db_session:
        held = db_session.get(LiveChat, chat.id)
        assert held is not None
        from_worker = live.messages_after(db_session, chat.id, 0, ("worker",))
        from api.live.present import for_survivor

        shown = [
            for_survivor(m, held, app.state.renderer, app.state.cipher, "web")[0].text
            for m in from_worker
        ]
    assert shown[0] == "I'm here. Are you safe to talk?"
    assert "całą dobę" in shown[1]  # the helpline, in Polish
    assert actions(app).count("live_send") == 1 and "live_quick_reply" in actions(app)
    assert "live_view" in actions(app)


def test_hand_back_and_end_delete_the_words_and_tell_the_survivor(
    app: FastAPI, client: TestClient, staff_member: str
) -> None:
    chat = waiting_chat(app)
    take(client, chat.id)
    survivor_says(app, chat.id, WORDS)
    token = csrf_of(client, f"/staff/live/{chat.id}")
    done = client.post(
        f"/staff/live/{chat.id}/hand-back", data={"csrf_token": token}, follow_redirects=False
    )
    assert done.status_code == 303 and done.headers["location"] == "/staff/live?done=handed_back"
    with Session(app.state.engine) as db_session:
        left = db_session.exec(select(LiveMessage).where(LiveMessage.chat_id == chat.id)).all()
    assert [(m.kind, m.body) for m in left] == [("handed_back", None)]
    assert "live_handed_back" in actions(app)
    # A message to a chat that has ended: a clear answer, nothing stored.
    late = client.post(
        f"/staff/live/{chat.id}/send",
        data={"csrf_token": token, "text": "one more thing"},
        headers={"X-Live-Console": "1"},
    )
    assert late.status_code == 409 and late.json() == {"error": "ended"}
    assert "live_send_refused" in actions(app)


def test_a_worker_whose_session_expired_mid_chat_loses_nothing(
    app: FastAPI, client: TestClient, staff_member: str
) -> None:
    chat = waiting_chat(app)
    take(client, chat.id)
    token = csrf_of(client, f"/staff/live/{chat.id}")
    survivor_says(app, chat.id, WORDS)
    with Session(app.state.engine) as db_session:
        for staff_session in db_session.exec(select(StaffSession)).all():
            staff_session.last_seen_at = utcnow() - timedelta(hours=1)
            db_session.add(staff_session)
        db_session.commit()
    response = client.post(
        f"/staff/live/{chat.id}/send",
        data={"csrf_token": token, "text": "still there?"},
        follow_redirects=False,
    )
    assert response.status_code == 303 and response.headers["location"] == "/staff/sign-in"
    with Session(app.state.engine) as db_session:
        held = db_session.get(LiveChat, chat.id)
        assert held is not None and held.status == "live"  # still theirs
        kept = live.messages_after(db_session, chat.id, 0, ("survivor", "worker"))
    assert [m.sender for m in kept] == ["survivor"]  # the survivor's words kept, nothing sent
    assert sign_in(client, "sam@hub.example").status_code == 303
    assert WORDS in client.get(f"/staff/live/{chat.id}").text


def test_the_worker_page_stream_ends_when_the_survivor_exits(
    app: FastAPI, client: TestClient, staff_member: str
) -> None:
    chat = waiting_chat(app)
    take(client, chat.id)
    with Session(app.state.engine) as db_session:
        live.forget(db_session, chat.conversation_id)
        db_session.commit()
    assert client.get(f"/staff/live/{chat.id}/events").status_code == 404
    assert client.get(f"/staff/live/{chat.id}").status_code == 404
