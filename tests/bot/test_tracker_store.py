"""Erasing a conversation in the production profile's Redis tracker store really erases it.

Rasa 3.6's own Redis store merges a saved tracker with the stored one, so the API's erase
(replace the events with none) left everything in Redis. Runs in Rasa's environment
(Python 3.10), with the production endpoints file, against a real redis-server."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from scripts.stack import BOT_PYTHON, ROOT
from tests.faults.conftest import RedisServer

CHECK = """
import asyncio
from rasa.core.tracker_store import RedisTrackerStore, create_tracker_store
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import read_endpoint_config

config = read_endpoint_config("bot/endpoints.production.yml", "tracker_store")
store = create_tracker_store(config, Domain.empty())
assert type(store).__name__ == "ErasableRedisTrackerStore", type(store)

def held(sender):
    tracker = asyncio.run(store.retrieve(sender))
    return [] if tracker is None else [e.as_dict()["event"] for e in tracker.events]

def say(sender, text):
    events = [ActionExecuted("action_listen"), UserUttered(text)]
    asyncio.run(store.save(DialogueStateTracker.from_events(sender, events)))

def erase(save, sender):
    asyncio.run(save(store, DialogueStateTracker.from_dict(sender, [], [])))

say("kept", "hello")
say("erased", "hello")
assert "user" in held("erased")
# Rasa's own save merges the old events back: this is what left conversations behind.
erase(RedisTrackerStore.save, "erased")
assert "user" in held("erased"), "Rasa's merge no longer happens: revisit bot/tracker_store.py"
erase(type(store).save, "erased")
assert held("erased") == [], held("erased")
assert "user" in held("kept"), "another conversation was touched"
print("erased")
"""


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()


def test_an_empty_tracker_erases_the_conversation_in_redis(redis_server: RedisServer) -> None:
    env = {
        **os.environ,
        "FRONT_DOOR_ACTIONS_URL": "http://127.0.0.1:9/webhook",
        "FRONT_DOOR_ACTIONS_TOKEN": "unused-in-this-test",
        "FRONT_DOOR_REDIS_HOST": "127.0.0.1",
        "FRONT_DOOR_REDIS_PORT": str(redis_server.port),
        "FRONT_DOOR_REDIS_TRACKER_DB": "0",
        "FRONT_DOOR_REDIS_LOCK_DB": "1",
        "FRONT_DOOR_TRACKER_EXPIRY_SECONDS": "3600",
    }
    result = subprocess.run(
        [str(BOT_PYTHON), "-c", CHECK],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip().endswith("erased")
