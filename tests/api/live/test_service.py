"""The live chat queue and messages on a real database, SQLite and PostgreSQL: one claim
wins, words are encrypted and go when the chat ends, waits run out, erasure takes it all."""

from __future__ import annotations

import threading
from datetime import timedelta

from sqlalchemy import Engine, text
from sqlmodel import Session, select

from api.core.crypto import FieldCipher
from api.erasure.service import forget_here
from api.live import service as live
from api.live.models import LiveChat, LiveMessage

CIPHER = FieldCipher([FieldCipher.new_key()])
WORDS = "he took my phone again last night"


def queued(engine: Engine, conversation_id: str = "c" * 43, channel: str = "web") -> LiveChat:
    with Session(engine) as db_session:
        chat = live.enqueue(
            db_session, conversation_id=conversation_id, channel=channel, locale="pl"
        )
        assert chat is not None
        db_session.expunge(chat)
        return chat


def test_one_place_in_the_queue_per_conversation(engine: Engine) -> None:
    chat = queued(engine)
    queue = live.LiveQueue(engine)
    assert queue.waiting_count() == 1
    assert queue.join(chat.conversation_id, channel="web", locale="en") is None
    assert queue.join("d" * 43, channel="sms", locale="ur") == 1  # one ahead
    assert queue.leave(chat.conversation_id) is True
    assert queue.leave(chat.conversation_id) is False
    assert queue.waiting_count() == 1


def test_a_chat_is_claimed_once_and_a_second_worker_is_told_it_is_taken(engine: Engine) -> None:
    chat = queued(engine)
    with Session(engine) as db_session:
        first = live.claim(db_session, chat.id, worker_id="w1", worker_name="Sam", max_chats=2)
    with Session(engine) as db_session:
        second = live.claim(db_session, chat.id, worker_id="w2", worker_name="Jo", max_chats=2)
        held = db_session.get(LiveChat, chat.id)
        assert held is not None and held.worker_id == "w1" and held.status == "live"
        joined = live.messages_after(db_session, chat.id, 0, live.SURVIVOR_SEES)
    assert (first, second) == ("claimed", "taken")
    assert [m.kind for m in joined] == ["joined"]


def test_claims_at_the_same_moment_give_the_chat_to_one_worker(engine: Engine) -> None:
    chat = queued(engine)
    outcomes: list[str] = []
    start = threading.Barrier(4)

    def take(worker: str) -> None:
        start.wait()
        with Session(engine) as db_session:
            outcomes.append(
                live.claim(db_session, chat.id, worker_id=worker, worker_name=worker, max_chats=2)
            )

    threads = [threading.Thread(target=take, args=(f"w{n}",)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["claimed", "taken", "taken", "taken"]
    with Session(engine) as db_session:
        joined = db_session.exec(select(LiveMessage).where(LiveMessage.kind == "joined")).all()
    assert len(joined) == 1


def test_a_worker_holds_no_more_chats_than_the_hub_allows(engine: Engine) -> None:
    first, second = queued(engine, "a" * 43), queued(engine, "b" * 43)
    with Session(engine) as db_session:
        assert live.claim(db_session, first.id, worker_id="w", worker_name="S", max_chats=1) == (
            "claimed"
        )
        assert live.claim(db_session, second.id, worker_id="w", worker_name="S", max_chats=1) == (
            "too_many"
        )


def test_words_are_encrypted_while_held_and_deleted_when_the_chat_ends(engine: Engine) -> None:
    chat = queued(engine)
    with Session(engine) as db_session:
        live.claim(db_session, chat.id, worker_id="w", worker_name="Sam", max_chats=2)
        held = db_session.get(LiveChat, chat.id)
        assert held is not None
        message = live.add_message(
            db_session, held, sender="survivor", kind="text", cipher=CIPHER, text=WORDS
        )
        assert live.words_of(message, CIPHER) == WORDS
    with engine.connect() as connection:
        bodies = [row[0] for row in connection.execute(text("SELECT body FROM livemessage"))]
    assert bodies and not any(WORDS in (body or "") for body in bodies)
    with Session(engine) as db_session:
        held = db_session.get(LiveChat, chat.id)
        assert held is not None
        assert live.finish(db_session, held, "handed_back") is True
        assert live.finish(db_session, held, "ended") is False  # already over
        left = live.messages_after(db_session, chat.id, 0, ("survivor", "worker", "system"))
    assert [(m.kind, m.body) for m in left] == [("handed_back", None)]


def test_a_wait_that_runs_out_ends_and_is_forgotten_later(engine: Engine) -> None:
    chat = queued(engine)
    with Session(engine) as db_session:
        assert live.expire_waiting(db_session, max_wait=timedelta(minutes=10), hub_open=True) == []
        expired = live.expire_waiting(db_session, max_wait=timedelta(0), hub_open=True)
        assert [e.chat_id for e in expired] == [chat.id]
        assert live.chat_of(db_session, chat.conversation_id).status == "timed_out"  # type: ignore[union-attr]
        assert live.purge_finished(db_session, timedelta(minutes=10)) == 0
        assert live.purge_finished(db_session, timedelta(0)) == 1
        assert live.chat_of(db_session, chat.conversation_id) is None


def test_everyone_waiting_is_told_when_the_hub_closes(engine: Engine) -> None:
    queued(engine, "a" * 43)
    queued(engine, "b" * 43)
    with Session(engine) as db_session:
        expired = live.expire_waiting(db_session, max_wait=timedelta(hours=1), hub_open=False)
    assert len(expired) == 2


def test_erasure_takes_the_queue_entry_and_every_message(engine: Engine) -> None:
    chat = queued(engine)
    other = queued(engine, "z" * 43)
    with Session(engine) as db_session:
        live.claim(db_session, chat.id, worker_id="w", worker_name="Sam", max_chats=2)
        held = db_session.get(LiveChat, chat.id)
        assert held is not None
        live.add_message(
            db_session, held, sender="survivor", kind="text", cipher=CIPHER, text=WORDS
        )
        forget_here(db_session, chat.conversation_id)
        db_session.commit()
        assert live.chat_of(db_session, chat.conversation_id) is None
        rows = db_session.exec(select(LiveMessage)).all()
        assert all(row.conversation_id != chat.conversation_id for row in rows)
        assert live.chat_of(db_session, other.conversation_id) is not None


def test_the_ending_comes_after_every_event_a_page_has_seen(engine: Engine) -> None:
    """A page asks for what comes after its last event: ids are never reused, even when
    the chat's messages are deleted as it ends (SQLite would reuse the largest rowid)."""
    chat = queued(engine)
    with Session(engine) as db_session:
        live.claim(db_session, chat.id, worker_id="w", worker_name="Sam", max_chats=2)
        held = db_session.get(LiveChat, chat.id)
        assert held is not None
        seen = live.add_message(
            db_session, held, sender="worker", kind="text", cipher=CIPHER, text="hi"
        )
        assert seen.id is not None
        live.finish(db_session, held, "handed_back")
        after = live.messages_after(db_session, chat.id, seen.id, live.SURVIVOR_SEES)
        assert [m.kind for m in after] == ["handed_back"]
        live.purge_finished(db_session, timedelta(0))
        again = queued(engine)
        live.claim(db_session, again.id, worker_id="w", worker_name="Sam", max_chats=2)
        joined = live.messages_after(db_session, again.id, 0, live.SURVIVOR_SEES)
        assert joined[0].id is not None and joined[0].id > seen.id
