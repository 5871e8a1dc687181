"""Faults during load, against the production profile: a Rasa process killed, Redis and
PostgreSQL restarted, PostgreSQL down while a referral is sent. Survivors always get an
answer (never a 5xx), nothing is lost or duplicated, and no conversation sees another's
words. Bounded in time; loopback only."""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

import httpx
import pytest
import redis
from sqlalchemy import create_engine, text

from scripts.stack import Stack
from tests.faults.conftest import (
    DEGRADED,
    Person,
    RedisServer,
    ensure_in_ci,
    run_people,
    script_for,
)

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]

PEOPLE = 8


def postgres_cluster() -> tuple[str, str]:
    """The local PostgreSQL cluster (version, name), restartable by pg_ctlcluster."""
    ensure_in_ci(shutil.which("pg_ctlcluster") is not None, "pg_ctlcluster is not installed")
    versions = sorted(p.name for p in Path("/etc/postgresql").iterdir())
    ensure_in_ci(bool(versions), "no local PostgreSQL cluster to restart")
    return versions[-1], "main"


def pg_ctl(action: str) -> None:
    version, name = postgres_cluster()
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, name, action],
        check=True,
        capture_output=True,
        timeout=60,
    )


def assert_everyone_answered(people: list[Person]) -> None:
    for person in people:
        for sent in person.sent:
            assert sent.status == 200, (sent.text, sent.status)
            assert sent.reply, f"no reply to {sent.text!r}"


def test_redis_restarting_during_load(fault_stack: Stack, redis_server: RedisServer) -> None:
    def restart() -> None:
        redis_server.stop()
        time.sleep(2)
        redis_server.start()

    started = time.monotonic()
    people = run_people(fault_stack, PEOPLE, restart, fault_after=2.0)
    uptime = redis.Redis(port=redis_server.port).info("server")["uptime_in_seconds"]
    assert uptime < time.monotonic() - started, "Redis was not restarted during the run"
    # Every message got an answer: the assistant's (Rasa waited for Redis to come back)
    # or, while it could not, the helplines. Never an error.
    assert_everyone_answered(people)
    # It recovered by itself: a new conversation now gets the assistant, not the fallback.
    after = Person(fault_stack, ["hello", "/affirm", "/menu"]).run()
    assert all(DEGRADED not in s.reply for s in after.sent), [s.reply for s in after.sent]


def test_postgresql_restarting_during_load(fault_stack: Stack, postgres_url: str) -> None:
    people = run_people(fault_stack, PEOPLE, lambda: pg_ctl("restart"), fault_after=2.0)
    assert_everyone_answered(people)
    after = Person(fault_stack, ["hello", "/affirm", "/menu"]).run()
    assert all(DEGRADED not in s.reply for s in after.sent)
    engine = create_engine(postgres_url)
    with engine.connect() as connection:
        found = connection.execute(
            text("SELECT count(*) FROM conversation WHERE id = :id"), {"id": after.conversation_id}
        ).scalar_one()
    engine.dispose()
    assert found == 1, "the database is back and records conversations again"


REFERRAL_TO_SUMMARY = [
    "hello", "/affirm", "/get_support", "/for_myself", "/affirm", "34", "YO1 7HH", "Ottoline",
    '/inform{"contact_method":"text"}', "07700 900452", "/deny", "weekday mornings",
    "/skip", "/deny", "/skip", "0", "/skip", '/inform{"situation":"separated"}', "/skip", "/deny", "/deny",
    "/deny", "/affirm", '/inform{"need":"housing"}', '/inform{"need":"done"}', "/skip",
]  # fmt: skip


def test_a_referral_sent_while_postgresql_is_down_is_kept_and_stored_later(
    fault_stack: Stack, postgres_url: str
) -> None:
    person = Person(fault_stack, REFERRAL_TO_SUMMARY, pause=0).run()
    assert "Here is what you told me" in person.sent[-1].reply
    pg_ctl("stop")
    try:
        with httpx.Client(base_url=fault_stack.api_url, timeout=30) as http:
            response = http.post(
                "/api/chat/messages",
                json={"conversation_id": person.conversation_id, "text": "/affirm"},
            )
    finally:
        pg_ctl("start")
    assert response.status_code == 200
    said = " ".join(m["text"] for m in response.json()["messages"])
    assert "Your reference is FD-" in said, said
    reference = said.split("Your reference is ")[1].split(".")[0]

    engine = create_engine(postgres_url, pool_pre_ping=True)
    deadline = time.monotonic() + 30
    stored = 0
    while time.monotonic() < deadline and not stored:
        time.sleep(1)
        try:
            with engine.connect() as connection:
                stored = connection.execute(
                    text("SELECT count(*) FROM referral WHERE reference = :r"), {"r": reference}
                ).scalar_one()
        except Exception:  # noqa: S112 (the server may still be starting)
            continue
    engine.dispose()
    assert stored == 1, "the spooled referral never reached the database"


def test_killing_one_rasa_process_during_load(fault_stack: Stack) -> None:
    people = run_people(fault_stack, PEOPLE, lambda: fault_stack.kill("rasa-2"), fault_after=2.5)
    assert_everyone_answered(people)
    for number, person in enumerate(people):
        # A message inside the killed process gets the helplines; so may the next, while
        # the dead process's lock on the conversation runs out (TICKET_LOCK_LIFETIME).
        degraded = [s.text for s in person.sent if DEGRADED in s.reply]
        assert len(degraded) <= 2, degraded
        assert DEGRADED not in person.sent[-1].reply, "the conversation did not carry on"
        in_rasa = person.user_texts_in_rasa()
        script = script_for(number)
        for said in set(in_rasa):
            assert said in script, f"conversation {number} holds another's words: {said!r}"
            assert in_rasa.count(said) <= script.count(said), f"{said!r} handled twice"
        answered = [s.text for s in person.sent if DEGRADED not in s.reply]
        for said in set(answered):
            assert in_rasa.count(said) >= answered.count(said), f"{said!r} was lost"


def test_an_exit_while_rasa_is_away_is_finished_when_it_is_back(
    fault_stack: Stack, redis_server: RedisServer, postgres_url: str
) -> None:
    """With Redis trackers a conversation outlives a Rasa restart, so an erase Rasa missed
    must wait, durably, and be done when Rasa is back (api/erasure/service.py)."""
    person = Person(fault_stack, ["hello", "/affirm"], pause=0).run()
    cid = person.conversation_id
    assert cid and person.user_texts_in_rasa() == ["hello", "/affirm"]
    trackers = redis.Redis(port=redis_server.port, db=0).scan_iter(match=f"*{cid}*")
    assert list(trackers), "the tracker is not in Redis"
    for name in ("rasa", "rasa-2"):
        fault_stack.stop(name)

    exited = httpx.post(f"{fault_stack.api_url}/api/chat/{cid}/exit", timeout=30)
    assert exited.status_code == 204
    database = create_engine(postgres_url)
    with database.connect() as connection:
        owed = connection.execute(
            text("SELECT count(*) FROM pendingerasure WHERE conversation_id = :cid"), {"cid": cid}
        ).scalar()
        held = connection.execute(
            text("SELECT count(*) FROM conversation WHERE id = :cid"), {"cid": cid}
        ).scalar()
    assert (owed, held) == (1, 0), "erased here and queued for Rasa"

    fault_stack.start_all_rasa()
    fault_stack.wait_until_ready(timeout=300)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with database.connect() as connection:
            owed = connection.execute(
                text("SELECT count(*) FROM pendingerasure WHERE conversation_id = :cid"),
                {"cid": cid},
            ).scalar()
        if owed == 0:
            break
        time.sleep(1)
    database.dispose()
    assert owed == 0, "the erase was never finished"
    assert person.user_texts_in_rasa() == []
